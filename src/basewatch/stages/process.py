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
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa

from .. import schema
from ..airfields import load_reference
from ..store import Store
from . import airfield_events as ev
from .flights import DETECTOR as SPLIT_DETECTOR
from .flights import SplitParams, split
from .nearby import AirfieldGrid
from .tracks import US, Tracks, load_tracks

log = logging.getLogger(__name__)

# formats whose files each cover whole UTC days (globe_history): the day is the data window
_DAY_FORMATS = ("trace_full",)


@dataclass(frozen=True, slots=True)
class ProcessParams:
    split: SplitParams = SplitParams()
    events: ev.EventParams = ev.EventParams()
    window_merge_s: float = 300.0  # sources this close in time make one data window
    partition_rows: int = 4_000_000  # positions per unit of work (bounds memory)


@dataclass(slots=True)
class ProcessReport:
    run_id: str
    positions: int = 0
    aircraft: int = 0
    flights: int = 0
    events: int = 0
    new_sources: int = 0
    full: bool = False
    seconds: float = 0.0
    by_type: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        kinds = ", ".join(f"{v:,} {k}" for k, v in sorted(self.by_type.items())) or "no events"
        scope = "all" if self.full else "changed"
        return (
            f"processed {self.positions:,} positions of {self.aircraft:,} {scope} aircraft from "
            f"{self.new_sources:,} new sources: {self.flights:,} flights, {kinds} "
            f"in {self.seconds:.1f} s"
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
        SELECT epoch_us(min(p.ts)), epoch_us(max(p.ts)), any_value(s.format) IN {_DAY_FORMATS!r}
        FROM position_rows p LEFT JOIN sources s ON p.source = {source_of_s} {where}
        GROUP BY p.source
        """.replace(",)", ")")
    ).fetchall()
    if sources is not None:
        store.con.unregister("_srcs")
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


def _pending_sources(store: Store) -> list[str]:
    """Sources ingested since the last run (from the small sources table, not positions)."""
    return [
        r[0]
        for r in store.con.execute(
            "SELECT source_id FROM sources EXCEPT SELECT source_id FROM processed_sources"
        ).fetchall()
    ]


def stale(store: Store) -> bool:
    """True when positions arrived that the derived tables do not include yet."""
    return bool(_pending_sources(store))


def process(
    store: Store, params: ProcessParams = ProcessParams(), full: bool = False
) -> ProcessReport:
    """Recompute flights and airfield events for what changed since the last run."""
    t0 = time.perf_counter()
    con = store.con
    report = ProcessReport(run_id=uuid.uuid4().hex)
    pending = _pending_sources(store)
    report.new_sources = len(pending)
    old_windows = con.execute(
        "SELECT epoch_us(window_start), epoch_us(window_end) FROM data_windows ORDER BY 1"
    ).fetchall()
    full = full or not con.execute("SELECT count(*) FROM processed_sources").fetchone()[0]
    report.full = full
    if not pending and not full:
        report.seconds = time.perf_counter() - t0
        return report
    windows = (
        data_windows(store, params.window_merge_s)
        if full
        else data_windows(store, params.window_merge_s, pending, old_windows)
    )

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
    parts = max(1, -(-rows // params.partition_rows))
    grid = _grid()
    for part in range(parts):
        where = f"JOIN _work w ON {on} AND (w.t0 IS NULL OR p.ts BETWEEN w.t0 AND w.t1)" + (
            f" WHERE hash(p.icao) % {parts} = {part}" if parts > 1 else ""
        )
        tracks = load_tracks(con, where)
        flights, events = derive(tracks, grid, windows, params)
        report.positions += len(tracks)
        report.flights += flights.num_rows
        report.events += events.num_rows
        for kind, count in zip(
            *np.unique(events["event_type"].to_numpy(zero_copy_only=False), return_counts=True),
            strict=True,
        ):
            report.by_type[str(kind)] = report.by_type.get(str(kind), 0) + int(count)
        _append(store, "flights", flights)
        _append(store, "airfield_events", events)
    # who the touched aircraft are (identity rules over databases, observed data, callsigns)
    from ..identity.identify import refresh_aircraft

    if full:
        refresh_aircraft(store)
    else:
        refresh_aircraft(
            store, icao24s=[r[0] for r in con.execute("SELECT icao24 FROM _work").fetchall()]
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
    con.execute("DELETE FROM airfield_events WHERE flight_id IN (SELECT flight_id FROM _hit)")
    con.execute("DELETE FROM flights WHERE flight_id IN (SELECT flight_id FROM _hit)")
    con.execute("DROP TABLE _hit")
    con.execute("DROP TABLE _touched")


def _vanished_edges(old: list[tuple[int, int]], new: np.ndarray) -> list[int]:
    new_edges = set(new.ravel().tolist())
    return [e for pair in old for e in pair if e not in new_edges]


def _append(store: Store, table: str, rows: pa.Table) -> None:
    if rows.num_rows:
        store.con.register("_rows", rows)
        store.con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
        store.con.unregister("_rows")


def derive(
    tr: Tracks, grid: AirfieldGrid, windows: np.ndarray, params: ProcessParams = ProcessParams()
) -> tuple[pa.Table, pa.Table]:
    """Flights and airfield events of some aircraft's sorted positions (no store needed)."""
    if len(tr) == 0:
        return schema.empty(schema.FLIGHTS), schema.empty(schema.AIRFIELD_EVENTS)
    g, starts = split(tr, grid, params.split)
    p = params.events
    ws = windows[:, 0].copy() if len(windows) else np.zeros(0, np.int64)
    we = windows[:, 1].copy() if len(windows) else np.zeros(0, np.int64)
    f_begin, f_end, f_max_alt, f_dist, f_air, ev_i, ev_f = ev._events(
        starts, tr.t, tr.lat, tr.lon, tr.alt, tr.gs, tr.trk, tr.vr, g, ws, we,
        p.field_radius_nm, p.edge_s, p.infer_radius_nm, p.infer_far_nm, p.infer_max_height_ft, p.edge_max_height_ft,
        p.infer_min_conf,
        p.pass_radius_nm, p.pass_ceiling_ft, p.level_band_ft, p.level_min_s,
        grid.cell_ptr, grid.cell_items, grid.lat, grid.lon, grid.elev_ft, grid.is_base,
        grid.max_elev_near,
    )  # fmt: skip
    n = len(tr)
    ends = np.append(starts[1:], n)
    nf = len(starts)
    icao_f = tr.icao[starts]
    fid = _ids(icao_f, tr.t[starts])
    paired = _pair_dark_visits(ev_i, ev_f, icao_f)
    events = _events_table(tr, grid, fid, icao_f, ev_i, ev_f, paired)
    # origin and destination from the take-off and landing events of each flight
    et = events["event_type"].to_numpy(zero_copy_only=False)
    ef = ev_i[:, 0]
    origin = np.full(nf, None, object)
    dest = np.full(nf, None, object)
    t_off = np.full(nf, np.iinfo(np.int64).min, np.int64)
    t_on = np.full(nf, np.iinfo(np.int64).min, np.int64)
    codes = events["airfield"].to_numpy(zero_copy_only=False)
    ets = events["ts"].cast(pa.int64()).to_numpy()
    for kinds, target, times in (
        (("takeoff", "takeoff_inferred"), origin, t_off),
        (("landing", "landing_inferred"), dest, t_on),
    ):
        sel = np.isin(et, kinds)
        target[ef[sel]] = codes[sel]
        times[ef[sel]] = ets[sel]
    cs_rows = np.flatnonzero(tr.cs != 0)
    pos = np.searchsorted(cs_rows, starts)
    has = pos < len(cs_rows)
    has[has] = cs_rows[pos[has]] < ends[has]
    callsign = np.full(nf, None, object)
    callsign[has] = [tr.callsigns.get(int(h)) for h in tr.cs[cs_rows[pos[has]]]]
    ends_names = np.array(ev.ENDS, object)
    max_alt = np.where(np.isnan(f_max_alt), np.nan, np.round(f_max_alt))
    flights = pa.table(
        {
            "flight_id": pa.array(fid, pa.uint64()),
            "icao24": _hex(icao_f),
            "callsign": pa.array(callsign, pa.string()),
            "first_seen": _ts(tr.t[starts]),
            "last_seen": _ts(tr.t[ends - 1]),
            "n_points": pa.array(ends - starts, pa.int64()),
            "n_airborne": pa.array(f_air, pa.int64()),
            "origin": pa.array(origin, pa.string()),
            "origin_how": pa.array(ends_names[f_begin], pa.string()),
            "destination": pa.array(dest, pa.string()),
            "destination_how": pa.array(ends_names[f_end], pa.string()),
            "takeoff_ts": _ts(t_off, missing=np.iinfo(np.int64).min),
            "landing_ts": _ts(t_on, missing=np.iinfo(np.int64).min),
            "max_alt_ft": pa.array(max_alt, pa.float64(), from_pandas=True).cast(pa.int32()),
            "distance_nm": pa.array(f_dist, pa.float64()),
            "detector": pa.array([SPLIT_DETECTOR] * nf, pa.string()),
        }
    )
    return flights.cast(schema.FLIGHTS), events


def _ids(icao: np.ndarray, t: np.ndarray, salt: int = 0x5851F42D4C957F2D) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = schema._mix(icao.astype(np.uint64) + np.uint64(salt))
        return schema._mix(h ^ t.astype(np.int64).view(np.uint64))


def _hex(icao: np.ndarray) -> pa.Array:
    return pa.array([f"{x:06x}" for x in icao.tolist()], pa.string())


def _ts(us: np.ndarray, missing: int | None = None) -> pa.Array:
    mask = None if missing is None else (us == missing)
    return pa.array(us, pa.int64(), mask=mask).cast(schema.UTC_US)


_REASONS = {
    "takeoff": "on the ground then airborne{at}",
    "landing": "airborne then on the ground{at}",
    "touch_and_go": "on the runway briefly at speed, then airborne again{at}",
    "takeoff_inferred": "first seen {h:,.0f} ft above the field and climbing, {d:.1f} NM out",
    "landing_inferred": "last seen {h:,.0f} ft above the field, {d:.1f} NM out, descending toward it",
    "low_pass": "down to {h:,.0f} ft above the field, flying level along it, then climbing away",
    "go_around": "descended to {h:,.0f} ft above the field, then climbed away without landing",
}


_UNLISTED = {
    "takeoff_inferred": "first seen {h:,.0f} ft up, climbing at launch speed, no listed airfield "
    "within reach: a take-off from a place the reference does not list (a ship, a strip)",
    "landing_inferred": "last seen {h:,.0f} ft up at approach speed, no listed airfield within "
    "reach: a landing at a place the reference does not list (a ship, a strip)",
}


def _pair_dark_visits(
    ev_i: np.ndarray,
    ev_f: np.ndarray,
    icao_f: np.ndarray,
    min_s: float = 600,
    max_s: float = 7 * 86400,
) -> np.ndarray:
    """An inferred landing at a field and the same aircraft's next flight leaving that field
    (inferred or observed) confirm each other: both confidences become 1 - (1-c1)(1-c2),
    at most 0.95. Returns, per event, the seconds to (or from) its partner, NaN if none."""
    partner = np.full(len(ev_i), np.nan)
    flight, kind, _, ts, af = (ev_i[:, k] for k in range(5))
    first_of = {}
    for k in np.flatnonzero(np.isin(kind, (ev.TAKEOFF, ev.TAKEOFF_INF))):
        first_of[int(flight[k])] = k
    for k in np.flatnonzero(kind == ev.LANDING_INF):
        f = int(flight[k])
        j = first_of.get(f + 1)
        if j is None or icao_f[f + 1] != icao_f[f] or af[j] != af[k] or af[k] < 0:
            continue
        dt = (ts[j] - ts[k]) / 1e6
        if not (min_s <= dt <= max_s):
            continue
        both = 1.0 - (1.0 - ev_f[k, 0]) * (1.0 - ev_f[j, 0])
        for q in (k, j):
            if kind[q] in (ev.LANDING_INF, ev.TAKEOFF_INF):
                ev_f[q, 0] = min(0.95, max(ev_f[q, 0], both))
            partner[q] = dt
    return partner


def _events_table(tr, grid, fid, icao_f, ev_i, ev_f, paired):
    m = len(ev_i)
    flight, e_type, row, ts, af = (ev_i[:, k] for k in range(5))
    e_conf, dist, height, e_trk = (ev_f[:, k] for k in range(4))
    kind = np.array(ev.EVENT_TYPES, object)[e_type]
    code = np.where(af >= 0, grid.codes[np.maximum(af, 0)] if m else af, None)
    reasons = []
    for k, d, h, c, p in zip(
        kind.tolist(), dist.tolist(), height.tolist(), code.tolist(), paired.tolist(), strict=True
    ):
        at = (
            f", {d:.1f} NM from {c}'s reference point"
            if c is not None
            else ", no airfield within reach"
        )
        if c is None and k in _UNLISTED:
            text = _UNLISTED[k].format(h=h if h == h else 0.0)
        else:
            text = _REASONS[k].format(at=at, d=d, h=h if h == h else 0.0)
        if p == p and k == "landing_inferred":
            text += f"; seen leaving it {p / 3600:.1f} h later"
        elif p == p and k == "takeoff_inferred":
            text += f"; last seen arriving there {p / 3600:.1f} h before"
        reasons.append(text)
    types = e_type.astype(np.uint64)
    with np.errstate(over="ignore"):
        eid = schema._mix(schema._mix(fid[flight] ^ types) ^ ts.view(np.uint64))
    table = pa.table(
        {
            "event_id": pa.array(eid, pa.uint64()),
            "flight_id": pa.array(fid[flight], pa.uint64()),
            "icao24": _hex(icao_f[flight]),
            "event_type": pa.array(kind, pa.string()),
            "airfield": pa.array(code, pa.string()),
            "ts": _ts(ts),
            "lat_deg": pa.array(tr.lat[row]),
            "lon_deg": pa.array(tr.lon[row]),
            "track_deg": pa.array(e_trk, from_pandas=True),
            "height_ft": pa.array(height, from_pandas=True),
            "distance_nm": pa.array(np.where(np.isinf(dist), np.nan, dist), from_pandas=True),
            "confidence": pa.array(e_conf),
            "reason": pa.array(reasons, pa.string()),
            "detector": pa.array([ev.DETECTOR] * m, pa.string()),
        }
    )
    return table.cast(schema.AIRFIELD_EVENTS)
