"""Whether the tables a brief is built from are current, and how to refresh them.

reads:   runs, sources (through ``pending_sources``)

The watch tables (base_changes, base_routes, timeline) are built by ``watch``; data added after
its last run (``ingest``, ``news add``, ``aircraft import``, ``process``) is not in them until
it runs again. A brief says so rather than silently leaving that data out.
"""

from __future__ import annotations

from ..store import Store
from ..words import count, plural

REFRESH = "run `basewatch watch` (with the same --db) to bring it in"
OWN = ("watch", "alert")  # runs that read the watch tables rather than feed them


def stale_warnings(store: Store) -> list[str]:
    """Sentences saying what the watch tables leave out; empty when they are current."""
    from ..stages.process import pending_sources

    last = store.scalar(
        "SELECT max(started_at) FROM runs WHERE command = 'watch' AND status = 'ok'"
    )
    if last is None:
        return [f"The watches have never run on this store, so this brief is empty; {REFRESH}."]
    later = store.con.execute(
        f"SELECT command, count(*) FROM runs WHERE started_at > ? AND status = 'ok' "
        f"AND rows_added > 0 AND command NOT IN {OWN} GROUP BY command ORDER BY command",
        [last],
    ).fetchall()
    out = []
    if later:
        what = ", ".join(f"{n} {cmd}" for cmd, n in later)
        out.append(
            f"Data were added after the watches last ran ({last:%Y-%m-%d %H:%M:%S} UTC; "
            f"since then: {what} {plural(sum(n for _, n in later), 'run')}); this brief leaves "
            f"them out: {REFRESH}."
        )
    n = len(pending_sources(store))
    if n:
        out.append(
            f"{count(n, 'ingested source')} {'is' if n == 1 else 'are'} not processed into "
            f"flights yet; {REFRESH}."
        )
    return out
