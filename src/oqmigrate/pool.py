"""pool: run a function over batches in forked worker processes, results in submission order, few in flight.

The function and the run-wide state it reads reach the workers by fork (module globals set before `ordered_map`
is called), so only the batches (small, e.g. indices) and their results cross process boundaries. At most
`2 * jobs` batches are submitted ahead of the one the caller is waiting for, so the results held at any moment
are bounded whatever the number of batches. With one job or few items everything runs in this process.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

INLINE_LIMIT = 64  # below this many items a process pool costs more than it saves


def batches(items: Sequence[T], jobs: int, largest: int = 512) -> list[list[T]]:
    """Contiguous batches, about eight per job, between 1 and `largest` items each."""
    size = max(1, min(largest, len(items) // (jobs * 8) or 1))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def ordered_map(fn: Callable[[list[T]], R], parts: Sequence[list[T]], jobs: int,
                inline: bool = False) -> Iterator[R]:
    """fn(part) for each part, yielded in the order of `parts`."""
    if inline or jobs <= 1 or len(parts) <= 1:
        for part in parts:
            yield fn(part)
        return
    ahead = 2 * jobs
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
        pending: deque[Future] = deque()
        todo = iter(parts)
        for part in todo:
            pending.append(pool.submit(fn, part))
            if len(pending) >= ahead:
                break
        while pending:
            result = pending.popleft().result()
            for part in todo:
                pending.append(pool.submit(fn, part))
                break
            yield result
