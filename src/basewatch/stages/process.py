"""Bring the derived tables up to date: flights and airfield events, incrementally.

reads:   positions, sources, processed_sources, data_windows, flights
writes:  flights, airfield_events, data_windows, processed_sources

Only the aircraft touched by new sources are recomputed, over the time around the new data
(widened to whole flights), plus the flights whose cut at a data-window edge is no longer an
edge. Work is done in partitions of aircraft so that memory stays bounded whatever the store's
size.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa

from .. import schema
from ..airfields import load_reference
from ..store import Store, transaction
from ..store.runs import Report, new_run_id, record_detectors
from . import airfield_events as ev
from . import process_pool
from .flights import DETECTOR as flights_detector
from .flights import (
    SplitParams,
    drop_flights,
    flight_ids,
    flight_rows,
    split,
    store_flights,
)
from .nearby import AirfieldGrid
from .tracks import US, Tracks, load_tracks

log = logging.getLogger(__name__)

# formats whose files each cover whole UTC days (globe_history): the day is the data window
DAY_FORMATS = ("trace_full",)


@dataclass(frozen=True, slots=True)
class ProcessParams:
    split: SplitParams = SplitParams()
    events: ev.EventParams = ev.EventParams()
    window_merge_s: float = 300.0  # sources this close in time make one data window
    partition_rows: int = 4_000_000  # positions per unit of work (bounds memory)


@dataclass(slots=True)
class ProcessReport(Report):
    run_id: str
    positions: int = 0
    aircraft: int = 0
    flights: int = 0
    events: int = 0
    new_sources: int = 0
    full: bool = False
    seconds: float = 0.0
    by_type: dict[str, int] = field(default_factory=dict)
    stale_repeats: int = 0  # positions left out as repeats of the one before (see tracks.py)

    def summary(self) -> str:
        from ..words import count, event_counts

        kinds = event_counts(self.by_type) or "no events"
        scope = f"all {self.aircraft:,}" if self.full else f"{self.aircraft:,} changed"
        stale = (
            f" ({count(self.stale_repeats, 'stale repeat')} left out)" if self.stale_repeats else ""
        )
        return (
            f"processed {count(self.positions, 'position')} of {scope} aircraft from "
            f"{count(self.new_sources, 'new source')}{stale}: {count(self.flights, 'flight')}, "
            f"{kinds} in {self.seconds:.1f} s"
        )


@lru_cache(maxsize=1)
def _grid() -> AirfieldGrid:
    """The airfield grid, built once per process (loading airportsdata takes half a second)."""
    return AirfieldGrid.build(load_reference())


def data_windows(
    store: Store, merge_s: float, sources: list[str] | None = None, old: list | None = None
) -> np.ndarray:
    """Spans the data cover: each source's span (a whole UTC day for day archives), merged.

    With ``sources``, only those sources' spans are read and merged into the ``old`` windows
    (windows only grow as data arrive); else every source is read.
    """
    where = ""
    source = schema.stored_sql("source_id", "source_id")
    source_of_s = schema.stored_sql("source_id", "s.source_id")
    if sources is not None:
        store.con.register("_srcs", pa.table({"source_id": pa.array(sources, pa.string())}))
        where = f"WHERE p.source IN (SELECT {source} FROM _srcs)"
    rows = store.con.execute(
        f"""
        SELECT epoch_us(least(min(p.ts), any_value(s.data_start))),
               epoch_us(greatest(max(p.ts), any_value(s.data_end))),
               any_value(s.format) IN {DAY_FORMATS!r}
        FROM position_rows p LEFT JOIN sources s ON p.source = {source_of_s} {where}
        GROUP BY p.source
        """.replace(",)", ")")
    ).fetchall()
    if sources is not None:
        store.con.unregister("_srcs")
    return merge_windows(rows, merge_s, old)


def merge_windows(rows: list[tuple], merge_s: float, old: list | None = None) -> np.ndarray:
    """Data windows from each source's (first µs, last µs, covers whole days) and the ``old``
    windows: day sources widened to their UTC days, then spans ``merge_s`` apart merged."""
    spans = np.array([(a, b) for a, b, _ in rows], np.int64).reshape(-1, 2)
    day = np.array([bool(d) for *_, d in rows], np.bool_)
    day_us = 86400 * US
    spans[day, 0] = spans[day, 0] // day_us * day_us
    spans[day, 1] = (spans[day, 1] // day_us + 1) * day_us - 1
    if old:
        spans = np.concatenate([spans, np.array(old, np.int64).reshape(-1, 2)])
    if not len(spans):
        return np.zeros((0, 2), np.int64)
    spans = spans[np.argsort(spans[:, 0], kind="stable")]
    out = [list(spans[0])]
    for a, b in spans[1:]:
        if a <= out[-1][1] + merge_s * US:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return np.array(out, np.int64)


def pending_sources(store: Store) -> list[str]:
    """Sources ingested since the last run (from the small sources table, not positions)."""
    return [
        r[0]
        for r in store.con.execute(
            "SELECT source_id FROM sources EXCEPT SELECT source_id FROM processed_sources"
        ).fetchall()
    ]


def stale(store: Store) -> bool:
    """True when positions arrived that the derived tables do not include yet."""
    return bool(pending_sources(store))


def process(
    store: Store,
    params: ProcessParams = ProcessParams(),
    full: bool = False,
    run_id: str | None = None,
    jobs: int = 1,
) -> ProcessReport:
    """Recompute flights and airfield events for what changed since the last run; with
    ``jobs`` > 1 the kernels run on groups of aircraft in that many worker processes (the same
    rows)."""
    from ..lake import refuse_writes

    t0 = time.perf_counter()
    con = store.con
    report = ProcessReport(run_id=run_id or new_run_id())
    pending = pending_sources(store)
    report.new_sources = len(pending)
    old_windows = con.execute(
        "SELECT epoch_us(window_start), epoch_us(window_end) FROM data_windows ORDER BY 1"
    ).fetchall()
    full = full or not con.execute("SELECT count(*) FROM processed_sources").fetchone()[0]
    report.full = full
    if not pending and not full:
        report.seconds = time.perf_counter() - t0
        return report
    refuse_writes(con, "process")  # a store attached to a lake: Spark processes the lake
    windows = (
        data_windows(store, params.window_merge_s)
        if full
        else data_windows(store, params.window_merge_s, pending, old_windows)
    )

    # one transaction: a kill at any moment leaves the derived tables as they were
    with transaction(con):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _work (icao24 VARCHAR, t0 TIMESTAMPTZ, t1 TIMESTAMPTZ)"
        )
        if full:
            con.execute("DELETE FROM flights")
            con.execute("DELETE FROM airfield_events")
            con.execute(
                "INSERT INTO _work SELECT DISTINCT printf('%06x', icao), NULL, NULL FROM position_rows"
            )
        else:
            _plan_incremental(store, pending, params, old_windows, windows)
        n_work = con.execute("SELECT count(*) FROM _work").fetchone()[0]
        report.aircraft = n_work

        con.execute("DELETE FROM data_windows")
        if len(windows):
            con.register("_w", pa.table({"a": windows[:, 0], "b": windows[:, 1]}))
            con.execute(
                "INSERT INTO data_windows SELECT make_timestamptz(a), make_timestamptz(b) FROM _w"
            )
            con.unregister("_w")

        # the stored rows, joined on the integer address
        on = f"p.icao = {schema.stored_sql('icao24', 'w.icao24')}"
        rows = con.execute(
            f"SELECT count(*) FROM position_rows p JOIN _work w ON {on} "
            "AND (w.t0 IS NULL OR p.ts BETWEEN w.t0 AND w.t1)"
        ).fetchone()[0]
        parts = process_pool.groups(rows, params.partition_rows, jobs)

        def loads():
            for part in range(parts):
                where = f"JOIN _work w ON {on} AND (w.t0 IS NULL OR p.ts BETWEEN w.t0 AND w.t1)"
                if parts > 1:
                    where += f" WHERE hash(p.icao) % {parts} = {part}"
                yield load_tracks(con, where)

        for tracks, flights, events in process_pool.derived(
            derive_group, loads(), windows, params, jobs
        ):
            report.positions += len(tracks)
            report.stale_repeats += tracks.stale
            report.flights += flights.num_rows
            report.events += events.num_rows
            for kind, count in zip(
                *np.unique(events["event_type"].to_numpy(zero_copy_only=False), return_counts=True),
                strict=True,
            ):
                report.by_type[str(kind)] = report.by_type.get(str(kind), 0) + int(count)
            store_flights(con, flights)
            ev.store_events(con, events)
        # who the touched aircraft are (identity rules over databases, observed data, callsigns)
        from ..identity.identify import refresh_aircraft

        if full:
            refresh_aircraft(store)
        else:
            refresh_aircraft(
                store, icao24s=[r[0] for r in con.execute("SELECT icao24 FROM _work").fetchall()]
            )
        record_detectors(
            con,
            {flights_detector: params.split, ev.DETECTOR: params.events},
        )
        if pending:
            con.executemany(
                "INSERT INTO processed_sources VALUES (?, ?)", [(s, report.run_id) for s in pending]
            )
        con.execute("DROP TABLE _work")
    report.seconds = time.perf_counter() - t0
    return report


def _plan_incremental(store, pending, params, old_windows, windows) -> None:
    """Fill _work with (aircraft, time range) to recompute, and drop their old flights."""
    con = store.con
    reach = int((params.split.max_cruise_gap_s + params.events.edge_s) * US)
    con.register("_pending", pa.table({"source_id": pa.array(pending, pa.string())}))
    source = schema.stored_sql("source_id", "source_id")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _touched AS
        SELECT printf('%06x', icao) AS icao24, min(ts) - to_microseconds({reach}) AS t0,
               max(ts) + to_microseconds({reach}) AS t1
        FROM position_rows WHERE source IN (SELECT {source} FROM _pending) GROUP BY icao
        """
    )
    con.unregister("_pending")
    # flights cut by a window edge that the new data has moved
    gone = _vanished_edges(old_windows, windows)
    edge = int(params.events.edge_s * US)
    if gone:
        con.register("_gone", pa.table({"e": np.array(gone, np.int64)}))
        con.execute(
            f"""
            INSERT INTO _touched
            SELECT f.icao24, f.first_seen, f.last_seen FROM flights f, _gone g
            WHERE (f.origin_how = 'window_edge' AND abs(epoch_us(f.first_seen) - g.e) <= {edge})
               OR (f.destination_how = 'window_edge' AND abs(epoch_us(f.last_seen) - g.e) <= {edge})
            """
        )
        con.unregister("_gone")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _hit AS
        SELECT f.flight_id, f.icao24, f.first_seen, f.last_seen FROM flights f
        JOIN _touched t ON f.icao24 = t.icao24 AND f.last_seen >= t.t0 AND f.first_seen <= t.t1
        """
    )
    con.execute(
        """
        INSERT INTO _work
        SELECT icao24, min(t0), max(t1) FROM (
            SELECT icao24, t0, t1 FROM _touched
            UNION ALL SELECT icao24, first_seen, last_seen FROM _hit
        ) GROUP BY icao24
        """
    )
    # every flight inside an aircraft's work range goes, not only those overlapping what
    # touched it: an aircraft touched at two times (new data, a vanished edge) is recomputed
    # over the whole range between them, and its flights there must not be written twice
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _hit AS
        SELECT f.flight_id, f.icao24, f.first_seen, f.last_seen FROM flights f
        JOIN _work w ON f.icao24 = w.icao24 AND f.last_seen >= w.t0 AND f.first_seen <= w.t1
        """
    )
    ev.drop_events(con, "_hit")
    drop_flights(con, "_hit")
    con.execute("DROP TABLE _hit")
    con.execute("DROP TABLE _touched")


def _vanished_edges(old: list[tuple[int, int]], new: np.ndarray) -> list[int]:
    new_edges = set(new.ravel().tolist())
    return [e for pair in old for e in pair if e not in new_edges]


def derive_group(tr: Tracks, windows: np.ndarray, params: ProcessParams):
    """``derive`` over this process's airfield grid: the work of one group of aircraft, here or
    in a worker of ``process --jobs``."""
    return derive(tr, _grid(), windows, params)


def derive(
    tr: Tracks, grid: AirfieldGrid, windows: np.ndarray, params: ProcessParams = ProcessParams()
) -> tuple[pa.Table, pa.Table]:
    """Flights and airfield events of some aircraft's sorted positions (no store needed): each
    stage computes its own rows; this only runs them in order."""
    if len(tr) == 0:
        return schema.empty(schema.FLIGHTS), schema.empty(schema.AIRFIELD_EVENTS)
    g, starts = split(tr, grid, params.split)
    found = ev.detect_airfield_events(tr, g, starts, windows, grid, params.events)
    fid = flight_ids(tr, starts)
    events = ev.event_rows(tr, grid, fid, starts, found)
    return flight_rows(tr, starts, fid, found, events), events
