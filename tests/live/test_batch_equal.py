"""Live steps against batch processing: what the soak found, in small.

The 40-minute soak stored 7 flights and 6 airfield events twice: one step touched an aircraft
at two times (new positions on one day, a data-window edge that vanished on another), the step
recomputed everything between, but dropped only the flights overlapping the two times, so the
flights in between were written again beside their old rows.
"""

from __future__ import annotations

import pyarrow as pa
from stages.paths import positions, store_positions
from stages.test_flights import round_trip

from basewatch.stages.process import process
from basewatch.store import open_store

DAY = 86400.0


def _shift(table: pa.Table, seconds: float) -> pa.Table:
    us = (table.column("ts").cast(pa.int64()).to_numpy() + round(seconds * 1e6)).astype("int64")
    return table.set_column(0, "ts", pa.array(us).cast(table.schema.field("ts").type))


def _cut(table: pa.Table, keep: float) -> pa.Table:
    """The first ``keep`` of the table's rows (a flight whose data end mid-air)."""
    return table.slice(0, int(table.num_rows * keep))


def _derived(store) -> tuple[list, list]:
    f = store.con.execute(
        "SELECT flight_id, icao24, first_seen, last_seen, origin, destination, n_points "
        "FROM flights ORDER BY ALL"
    ).fetchall()
    e = store.con.execute(
        "SELECT icao24, event_type, airfield, ts FROM airfield_events ORDER BY ALL"
    ).fetchall()
    return f, e


def test_a_step_touching_an_aircraft_twice_equals_batch(tmp_path):
    trip = positions("152fa2", round_trip())
    other = positions("152fb3", round_trip())
    first = [
        ("day1", trip),
        ("day2", _shift(trip, DAY)),
        ("day3", _cut(_shift(trip, 2 * DAY), 0.4)),  # ends mid-air: a data-window edge
    ]
    # one step: the aircraft again on day 1 (later that day), and another aircraft heard
    # over the day-3 edge, so the edge is no longer one
    day3_end = _shift(trip, 2 * DAY).column("ts")[int(trip.num_rows * 0.4) - 1].as_py()
    late = _shift(
        other,
        2 * DAY
        + 0.35 * (trip.column("ts")[-1].as_py() - trip.column("ts")[0].as_py()).total_seconds(),
    )
    second = [("day1b", _shift(trip, 6 * 3600.0)), ("over", late)]
    assert late.column("ts")[0].as_py() < day3_end < late.column("ts")[-1].as_py()
    with open_store(tmp_path / "live.duckdb") as store:
        for name, t in first:
            store_positions(store, t, name)
        process(store)
        for name, t in second:
            store_positions(store, t, name)
        step = process(store)
        live = _derived(store)
        assert not step.full
        process(store, full=True)
        batch = _derived(store)
    assert len(set(live[0])) == len(live[0]), "a flight stored twice"
    assert live == batch
