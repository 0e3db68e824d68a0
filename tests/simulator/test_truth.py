"""The truth files say what the scenario scripted, and classify what the data could show."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
from sim_cases import short_scenario

from basewatch import api
from basewatch.airfields import load_reference
from basewatch.simulator.coverage import Coverage
from basewatch.simulator.scenario import load_scenario
from basewatch.simulator.traffic import plan_traffic
from basewatch.simulator.truth import FLIGHT_COLUMNS, MOVEMENT_COLUMNS, movements


def read(path):
    with path.open() as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def low_pass(tmp_path_factory):
    out = tmp_path_factory.mktemp("lowpass")
    api.simulate("trap-low-pass", out, format="trace_full")
    return out


def test_truth_columns_and_low_pass_sequence(low_pass):
    mv = read(low_pass / "truth_movements.csv")
    assert list(mv[0]) == list(MOVEMENT_COLUMNS)
    fl = read(low_pass / "truth_flights.csv")
    assert list(fl[0]) == list(FLIGHT_COLUMNS)
    an26 = [(m["airfield"], m["kind"]) for m in mv if m["flight_ref"] == "an26-lowpass"]
    assert an26 == [
        ("OSDI", "takeoff"),
        ("OSLK", "low_pass"),
        ("OSLK", "go_around"),
        ("OSLK", "landing"),
    ]
    c172 = [m["kind"] for m in mv if m["flight_ref"] == "c172-circuits"]
    assert c172 == ["takeoff", "touch_and_go", "touch_and_go", "landing"]
    first = next(m for m in mv if m["flight_ref"] == "an26-lowpass")
    assert first["ts"] == "2025-10-26T07:10:00.000Z"  # the scripted departure is the take-off
    rows = {f["flight_ref"]: f for f in fl}
    assert rows["an26-lowpass"]["military"] == "true" and rows["an26-lowpass"]["state"] == "true"
    assert rows["an26-lowpass"]["type_code"] == "AN26" and rows["an26-lowpass"]["callsign"] == ""
    assert rows["c172-circuits"]["category"] == "scripted"
    assert {f["category"] for f in fl} == {"scripted", "background"}
    assert all(m["visibility"] in ("observed", "dark", "no_coverage", "outside_window") for m in mv)


def test_aircraft_database(low_pass):
    lines = (low_pass / "aircraft.csv").read_text().splitlines()
    by_icao = {ln.split(";")[0]: ln.split(";") for ln in lines}
    assert by_icao["154c31"][:4] == ["154c31", "RF-36074", "AN26", "10"]
    assert by_icao["4c8d21"][3] == "00"
    assert all(ln.endswith(";") and ln.count(";") == 7 for ln in lines)


def test_midair_window_and_missing_day():
    ref = load_reference()
    for name, check in (
        ("trap-midair", lambda m: m["flight_ref"] != "a124-midair" or m["kind"] != "takeoff"
         or m["visibility"] == "outside_window"),
        ("trap-missing-day", lambda m: not m["ts"].startswith("2025-03-02")
         or m["visibility"] == "no_coverage"),
    ):  # fmt: skip
        sc = short_scenario(name)
        traffic = plan_traffic(sc, ref, sc.seed)
        mv = movements(traffic.profiles, Coverage(sc), ref)
        assert mv and all(check(m) for m in mv)
    sc = short_scenario("trap-missing-day")
    mv = movements(plan_traffic(sc, ref, sc.seed).profiles, Coverage(sc), ref)
    assert any(m["ts"].startswith("2025-03-02") for m in mv)


def test_khmeimim_follows_the_reported_facts():
    ref = load_reference()
    sc = load_scenario("khmeimim-2025")
    sc_state = sc.__class__(
        **{**{f: getattr(sc, f) for f in sc.__dataclass_fields__}, "background": ()}
    )
    traffic = plan_traffic(sc_state, ref, sc.seed)
    state = {a.icao24 for a in sc.aircraft if a.state}
    assert all(0x100000 <= int(i, 16) <= 0x1FFFFF for i in state)
    at_oslk = sorted(
        (datetime.fromtimestamp(t, UTC), p.aircraft.type_code, kind, p.flight)
        for p in traffic.profiles
        if p.flight.icao24 in state
        for t, af, kind in p.movements
        if af == "OSLK"
    )
    spring = [m for m in at_oslk if m[0] < datetime(2025, 5, 1, tzinfo=UTC)]
    autumn = [m for m in at_oslk if m[0] >= datetime(2025, 5, 1, tzinfo=UTC)]
    assert len(spring) > 50 and spring[0][0] < datetime(2025, 1, 10, tzinfo=UTC)
    assert datetime(2025, 4, 1, tzinfo=UTC) < spring[-1][0] < datetime(2025, 4, 20, tzinfo=UTC)
    # about six months without a Russian state movement at OSLK
    assert (autumn[0][0] - spring[-1][0]).days >= 180
    a124_in = [m for m in autumn if m[1] == "A124" and m[2] == "landing"]
    assert len(a124_in) == 3
    assert all(
        datetime(2025, 10, 24, tzinfo=UTC) <= m[0] < datetime(2025, 10, 30, tzinfo=UTC)
        for m in a124_in
    )
    il62 = [m for m in autumn if m[1] == "IL62"]
    assert [(m[2], m[3].origin if m[2] == "landing" else m[3].destination) for m in il62] == [
        ("landing", "HL59"),
        ("takeoff", "UUMU"),
    ]
    assert {m[0].date().isoformat() for m in il62} == {"2025-10-26"}
    # the regular period reached both Libyan bases
    dests = {p.flight.destination for p in traffic.profiles if p.flight.icao24 in state}
    assert {"HL59", "HL69", "OSLK", "UUMU"} <= dests


def test_coverage_truth_knows_the_missing_day(tmp_path):
    api.simulate("trap-missing-day", tmp_path, format="opensky-csv")
    rows = {(r["day"], r["airfield"]): r for r in read(tmp_path / "truth_coverage.csv")}
    assert rows[("2025-03-02", "OSLK")]["archived"] == "false"
    assert float(rows[("2025-03-02", "OSLK")]["low_fraction"]) == 0.0
    assert rows[("2025-03-01", "OSLK")]["archived"] == "true"
    assert float(rows[("2025-03-01", "OSLK")]["ground_fraction"]) == 1.0
    assert float(rows[("2025-03-03", "OSDI")]["low_fraction"]) == 0.0  # no receiver near Damascus
    assert not (tmp_path / "opensky" / "states_2025-03-02.csv").exists()
