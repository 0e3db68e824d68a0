"""Files that inflate past the cap, remembered so that a re-run does not inflate them again.

A file whose read stopped at the inflate cap (``base.max_inflate``) is not complete, so a
re-run would read it again, and a gzip bomb costs its whole cap every time. Its source row
keeps the cap it stopped at (``sources.inflate_cap``); a later run skips the same content
(the source id is the content's hash) while the cap is not higher, and says so with an
``over_inflate_cap`` reject of its own. A changed file has another id and a raised cap reads
it again.
"""

from __future__ import annotations

import duckdb

from .base import MAX_INFLATE_ENV, ReadContext, RejectLog, max_inflate

REASON = "over_inflate_cap"


def recorded(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """source id → the highest cap its reading stopped at."""
    rows = con.execute(
        "SELECT source_id, max(inflate_cap) FROM sources WHERE inflate_cap IS NOT NULL GROUP BY 1"
    ).fetchall()
    return dict(rows)


def skip(source_id: str, over: dict[str, int], rejects: RejectLog, uri: str) -> bool:
    """True (and a reject) when this content stopped at a cap at least as high as today's."""
    cap = over.get(source_id)
    if cap is None or max_inflate() > cap:
        return False
    rejects.add(
        REASON,
        uri,
        f"unchanged since its read stopped at the cap of {cap:,} bytes: not read again "
        f"(raise {MAX_INFLATE_ENV} to read it)",
    )
    return True


def stopped_at(ctx: ReadContext, before: int) -> int | None:
    """The cap a read stopped at (``before``: the run's count of cap rejects when it began),
    or None when it was not stopped by the cap."""
    if ctx.complete or ctx.rejects.counts[REASON] <= before:
        return None
    return max_inflate()
