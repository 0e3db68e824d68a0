"""Changes at a base from project-written movements and observability, one trap per test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from basewatch.stages.changes import detect_changes, poisson_cdf, poisson_sf
from basewatch.store import open_store
from basewatch.watches import Watch

T0 = datetime(2025, 1, 1, 10, tzinfo=UTC)
WATCH = Watch(name="w", base="OSLK", countries=("RU",), state=True, gap_days=30)


def _store(db, moves: list[tuple[float, str]], days: int, unobservable: set[int] = frozenset()):
    """Movements at OSLK (day offset, icao24) by Russian state aircraft, and `days` days of
    observability (all observable except the given day offsets)."""
    store = open_store(db)
    con = store.con
    for d in range(days):
        con.execute(
            "INSERT INTO base_days VALUES ('OSLK', ?, 24, 10, 100, ?)",
            [date(2025, 1, 1) + timedelta(days=d), d not in unobservable],
        )
    for i, (off, icao) in enumerate(moves):
        con.execute(
            "INSERT INTO airfield_events (event_id, flight_id, icao24, event_type, airfield, ts, lat_deg,"
            " lon_deg, track_deg, height_ft, distance_nm, confidence, reason, detector)"
            " VALUES (?, ?, ?, 'landing', 'OSLK', ?, 35.4, 35.9, 350, NULL, 0.5, 1.0, '', 'test')",
            [f"{i + 1:016x}", f"{1000 + i:016x}", icao, T0 + timedelta(days=off)],
        )
    for icao in {m[1] for m in moves}:
        con.execute(
            "INSERT INTO aircraft (icao24, country_iso2, is_military, is_state, position_count, detector) "
            "VALUES (?, 'RU', true, true, 1, 'test')",
            [icao],
        )
    return store


def kinds(table):
    return sorted(table["kind"].to_pylist())


def test_gap_then_resumption_with_exact_length(tmp_path):
    moves = [(d, "152fa2") for d in range(0, 60, 3)] + [(245.5, "1540c2")]
    with _store(tmp_path / "s.duckdb", moves, 300) as store:
        out = detect_changes(store, WATCH)
    rows = {r["kind"]: r for r in out.to_pylist()}
    assert kinds(out) == ["gap", "resumption", "stop"]
    assert rows["gap"]["days"] == pytest.approx(245.5 - 57)
    assert rows["resumption"]["event_ids"] == [f"{21:016x}"]  # the movement that ends the gap
    assert "after 188 days" in rows["resumption"]["summary"]


def test_outage_is_not_a_gap(tmp_path):
    moves = [(d, "152fa2") for d in range(0, 40, 2)] + [(80, "152fa2"), (82, "152fa2")]
    dark = set(range(41, 80))  # the receiver near the base was down
    with _store(tmp_path / "s.duckdb", moves, 100, dark) as store:
        out = detect_changes(store, WATCH)
    assert "gap" not in kinds(out) and "resumption" not in kinds(out)
    assert "unobserved" in kinds(out)


def test_one_off_visit_is_not_a_surge_but_a_busy_week_is(tmp_path):
    weekly = [(d, "152fa2") for d in range(0, 120, 7)]
    one_off = [(100.2, "1540c2"), (100.4, "1540c2")]  # one aircraft, in and out
    with _store(tmp_path / "a.duckdb", weekly + one_off, 120) as store:
        assert "surge" not in kinds(detect_changes(store, WATCH))
    busy = [(99 + k * 0.5, f"15{k:04x}") for k in range(8)]  # eight movements, eight aircraft
    with _store(tmp_path / "b.duckdb", weekly + busy, 120) as store:
        out = detect_changes(store, WATCH)
    surge = [r for r in out.to_pylist() if r["kind"] == "surge"]
    assert len(surge) == 1 and surge[0]["score"] > 3 and "Poisson" in surge[0]["test"]


def test_poisson_tails():
    assert poisson_sf(0, 3.0) == 1.0
    assert poisson_sf(1, 2.0) == pytest.approx(1 - 0.1353352832, abs=1e-9)
    assert poisson_cdf(0, 2.0) == pytest.approx(0.1353352832, abs=1e-9)
    assert poisson_cdf(3, 2.0) + poisson_sf(4, 2.0) == pytest.approx(1.0)
