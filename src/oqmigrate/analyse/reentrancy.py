"""The re-entrancy guard a worker keeps so that a slow pass does not overlap the next one.

`if (_isRunning) return; _isRunning = true; try { … } finally { _isRunning = false; }` at the top of the unit of work
is not state carried between runs: Oqtane does not start a job while its previous run is still executing (the job
row's IsExecuting), so the guard, its flag and the `finally` that resets it go, and the work stays.
"""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.syntax import Node
from oqmigrate.analyse.expressions import returns_nothing
from oqmigrate.analyse.members import assignment, member_root


class ReentrancyMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _drop_reentrancy_guard(self) -> None:
        nodes = [(p, self._node_at(p.start)) for p in self.plan.pieces]
        real = [(p, n) for p, n in nodes if n is not None and n.type != "comment"]
        if len(real) < 3:
            return
        (p_if, check), (p_set, raise_flag), (p_try, guarded) = real[:3]
        name = self._guard_flag(check)
        if name is None or _assigned(raise_flag, name) != "true" or guarded.type != "try_statement":
            return
        fin = next((c for c in guarded.named_children if c.type == "finally_clause"), None)
        fin_block = next((x for x in fin.named_children if x.type == "block"), None) if fin is not None else None
        resets = [s for s in syntax.block_statements(fin_block) if _assigned(s, name) == "false"] if fin_block else []
        if len(resets) != 1:
            return
        uses = [n for n in self._identifiers_named(name) if syntax.first_ancestor(n, "field_declaration") is None]
        guard_nodes = (check, raise_flag, resets[0])
        if not all(any(g.start_byte <= u.start_byte < g.end_byte for g in guard_nodes) for u in uses):
            return  # the flag is read or written elsewhere: it is not only a guard
        for comment in self._comments_above(check):  # they described the guard
            piece = next((p for p in self.plan.pieces if p.start == comment.start_byte), None)
            if piece is not None:
                self.plan.pieces.remove(piece)
                self.deleted.append((comment.start_byte, comment.end_byte))
        for p, n in ((p_if, check), (p_set, raise_flag)):
            self.plan.pieces.remove(p)
            self.deleted.append((n.start_byte, n.end_byte))
        rest = [s for s in syntax.block_statements(fin_block) if s != resets[0]]
        catches = [c for c in guarded.named_children if c.type == "catch_clause"]
        if rest:
            self._delete_statement(resets[0])
        elif catches:
            self._delete_statement(fin)
        else:  # try { work } finally { reset }: the work alone
            i = self.plan.pieces.index(p_try)
            self.plan.pieces[i:i + 1] = self._pieces(syntax.block_statements(guarded.child_by_field_name("body"), comments=True))
        self.notes.append(f"the re-entrancy guard {name} was removed: Oqtane does not start a job while its "
                          "previous run is still executing")

    def _guard_flag(self, st: Node) -> str | None:
        """`if (_busy) return;` (or `{ return; }`) → `_busy`, when it is a bool field."""
        if st.type != "if_statement" or st.child_by_field_name("alternative") is not None:
            return None
        cond = syntax.unparenthesized(st.child_by_field_name("condition"))
        name = member_root(cond)
        f = self.fields.get(name)
        if f is None or f.simple_type != "bool" or f.is_constant:
            return None
        cons = st.child_by_field_name("consequence")
        inner = syntax.block_statements(cons) if cons.type == "block" else [cons]
        if len(inner) != 1 or inner[0].type != "return_statement" or not returns_nothing(inner[0]):
            return None
        return name


def _assigned(st: Node, name: str) -> str | None:
    """`name = value;` (or `this.name = value;`) → the value's text."""
    a = assignment(st)
    if a is None or syntax.operator(a) != "=" or member_root(a.child_by_field_name("left")) != name:
        return None
    return syntax.text(a.child_by_field_name("right"))
