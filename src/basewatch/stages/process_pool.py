"""``process --jobs N``: the stage kernels (``derive``: split, then airfield events) run on
groups of aircraft in worker processes while the main process reads the next group from the
store and writes the results of the last.

Aircraft are grouped by a hash of their address, as the single-process path splits a large
store; each group's flights and events depend on its aircraft alone, so the rows and their ids
are those of ``--jobs 1``. Results come back in group order; at most ``AHEAD`` groups per
worker wait in memory. Workers are forked from a fork server that has loaded the airfield
grid and the kernels once (``stages/warm.py``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa

from ..workers import context
from .tracks import Tracks

AHEAD = 1  # groups queued per worker beyond the one it works on
GROUPS_PER_JOB = 4  # at least this many groups per worker, so that none waits long at the end


def groups(rows: int, partition_rows: int, jobs: int) -> int:
    """How many groups of aircraft: enough to bound memory, and to keep ``jobs`` busy."""
    n = max(1, -(-rows // partition_rows))
    return n if jobs <= 1 else max(n, jobs * GROUPS_PER_JOB)


Work = Callable[[Tracks, np.ndarray, object], tuple[pa.Table, pa.Table]]


def derived(
    work: Work, loads: Iterator[Tracks], windows: np.ndarray, params, jobs: int
) -> Iterator[tuple[Tracks, pa.Table, pa.Table]]:
    """(tracks, flights, events) of every group ``loads`` gives, in its order: ``work(tracks,
    windows, params)`` run here, or in ``jobs`` workers (a module-level function, so that a
    worker can import it)."""
    if jobs <= 1:
        for tr in loads:
            yield tr, *work(tr, windows, params)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, mp_context=context(f"{__package__}.warm")) as pool:
        queue: deque = deque()
        for tr in loads:
            queue.append((tr, pool.submit(work, tr, windows, params)))
            while len(queue) > jobs * (AHEAD + 1):
                tr0, fut = queue.popleft()
                yield tr0, *fut.result()
        while queue:
            tr0, fut = queue.popleft()
            yield tr0, *fut.result()
