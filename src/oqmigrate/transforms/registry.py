"""The codemod registry: every codemod the engine can run, what it acts on and which rules it fixes.

A codemod exists to resolve a finding (its `primary` rules): it acts on a class or a registration only when
that finding is reported in this run — its rule selected, the finding not suppressed, not covered by a baseline
given to the command, and the code in a project Oqtane loads. `fixes` lists every rule whose findings the
codemod can make disappear; the catalog's `codemod` field must agree with it (tests/test_codemod_registry.py).
`plan`, `fixable` and `--codemod` all read this table, so a new codemod is one entry here plus its module.
"""

from __future__ import annotations

import enum
import importlib
from dataclasses import dataclass
from typing import Callable

from oqmigrate.model import ClassInfo
from oqmigrate.transforms import ClassVerdict, TransformContext, TransformResult

Transform = Callable[[TransformContext], TransformResult]


class Target(enum.Enum):
    """What one application of a codemod changes."""

    CLASS = "class"  # a worker or job class, named by its primary finding's symbol
    REGISTRATION = "registration"  # one registration statement, found by its primary finding's line


@dataclass(frozen=True)
class Codemod:
    name: str
    module: str
    function: str
    tokens: tuple[bytes, ...]  # a file without any of these cannot be changed by the codemod
    primary: tuple[str, ...]  # the rules whose reported finding makes the codemod act (any of them)
    fixes: tuple[str, ...]  # every rule whose findings it can resolve
    target: Target
    summary: str
    kinds: frozenset[str] = frozenset()  # class codemods: the kinds of class they rewrite ("worker", "job")
    verdict: str = ""  # class codemods: "module:function" deciding, without edits, what they would do to a class
    opt_in: bool = False  # runs only when named with --codemod

    def load(self) -> Transform:
        return getattr(importlib.import_module(self.module), self.function)

    def load_verdict(self) -> Callable[[TransformContext, ClassInfo], ClassVerdict]:
        module, function = self.verdict.split(":")
        return getattr(importlib.import_module(module), function)


# Run in this order: migrations decide which registrations become removable.
CODEMODS: dict[str, Codemod] = {c.name: c for c in (
    Codemod("migrate-worker", "oqmigrate.transforms.migrate_worker", "migrate_worker",
            (b"BackgroundService", b"IHostedService"), ("OQJ001",),
            ("OQJ001", "OQJ002", "OQJ003", "OQJ004", "OQJ006", "OQJ007", "OQJ010", "OQJ015"),
            Target.CLASS, "rewrites a worker into a HostedServiceBase job", frozenset({"worker"}),
            "oqmigrate.transforms.migrate_worker:verdict"),
    Codemod("remove-registration", "oqmigrate.transforms.remove_registration", "remove_registration",
            (b"AddHostedService", b"IHostedService", b"HostedServiceBase"), ("OQJ014",), ("OQJ014",),
            Target.REGISTRATION, "deletes hand-written registrations of jobs and of workers migrated in the same run"),
    Codemod("declare-metadata", "oqmigrate.transforms.declare_metadata", "declare_metadata",
            (b"HostedServiceBase", b"Frequency"), ("OQJ011",), ("OQJ011",), Target.CLASS,
            "adds a job's missing Name and corrects a Frequency with one obvious meaning", frozenset({"job"}),
            "oqmigrate.transforms.declare_metadata:verdict"),
    Codemod("scope-dependencies", "oqmigrate.transforms.scope_dependencies", "scope_dependencies",
            (b"ExecuteJob",), ("OQJ009", "OQJ010", "OQJ016"), ("OQJ004", "OQJ009", "OQJ010", "OQJ016"),
            Target.CLASS, "resolves the services a job keeps from the provider of each run", frozenset({"job"}),
            "oqmigrate.transforms.scope_dependencies:verdict"),
    Codemod("unwrap-tenant-loop", "oqmigrate.transforms.unwrap_tenant_loop", "unwrap_tenant_loop",
            (b"GetTenants", b"SetTenant", b"ITenantResolver"), ("OQJ005",), ("OQJ005",), Target.CLASS,
            "keeps only the current tenant's work of a job that loops over tenants and switches to each by hand",
            frozenset({"job"}), "oqmigrate.transforms.unwrap_tenant_loop:verdict"),
    Codemod("drop-state", "oqmigrate.transforms.drop_state", "drop_state", (b"HostedServiceBase",), ("OQJ004",),
            ("OQJ004", "OQJ012"), Target.CLASS, "deletes a job's write-only fields and re-entrancy guards, and turns caches "
            "each run rebuilds into locals; reports state carried between runs", frozenset({"job"}),
            "oqmigrate.transforms.drop_state:verdict"),
    Codemod("persist-state", "oqmigrate.transforms.persist_state", "persist_state", (b"HostedServiceBase",),
            ("OQJ004",), ("OQJ004",), Target.CLASS, "keeps a job's scalar watermark field in the tenant's settings "
            "(ISettingRepository), read at the start of a run and saved at its successful end",
            frozenset({"job"}), "oqmigrate.transforms.persist_state:verdict", opt_in=True),
    Codemod("guard-execution", "oqmigrate.transforms.guard_execution", "guard_execution",
            (b"ExecuteJob",), ("OQJ012",), ("OQJ012",), Target.CLASS,
            "wraps a job's execute body so that an exception becomes its returned outcome", frozenset({"job"}),
            "oqmigrate.transforms.guard_execution:verdict"),
)}


def codemods_fixing(rule_id: str) -> list[Codemod]:
    return [c for c in CODEMODS.values() if rule_id in c.fixes]


def default_codemods() -> list[Codemod]:
    """What runs when --codemod names none: every codemod that is not opt-in."""
    return [c for c in CODEMODS.values() if not c.opt_in]
