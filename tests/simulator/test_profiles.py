"""Flight profiles: positions, speeds, tracks and altitudes agree with each other."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from basewatch.airfields import load_reference
from basewatch.geo import haversine_nm
from basewatch.simulator.profiles import bearing, build_profile
from basewatch.simulator.scenario import Aircraft, Flight, Maneuver
from basewatch.simulator.types import PERFORMANCE


@pytest.mark.parametrize(
    "type_code, cls, origin, dest, mans",
    [
        ("A124", "heavy", "UUMU", "OSLK", ()),
        ("IL62", "airliner", "HL59", "OSLK", (Maneuver("OSLK", "go_around"),)),
        ("AN26", "turboprop", "OSDI", "OSLK", (Maneuver("OSLK", "low_pass"),)),
        ("C172", "light", "LCLK", "LCLK", (Maneuver("LCLK", "touch_and_go"),)),
    ],
)
def test_profile_is_consistent(type_code, cls, origin, dest, mans):
    ref = load_reference()
    ac = Aircraft("154c31", "RF-1", type_code, cls, "Russia")
    dep = datetime(2025, 10, 26, 6, tzinfo=UTC)
    f = Flight(
        "f", "154c31", "", origin, dest, dep, 30000 if cls != "light" else 4500, 420, maneuvers=mans
    )
    p = build_profile(f, ac, ref, {}, np.random.default_rng(1))
    assert p.takeoff_ts == dep.timestamp()
    kinds = [k for _, _, k in p.movements]
    assert kinds == ["takeoff", *[m.kind for m in mans], "landing"]
    ts = np.arange(p.start, p.end, 1.0)
    s = p.at(ts)
    # on the ground at both ends, at the airfields
    assert s["ground"][0] and s["ground"][-1]
    for i, code in ((0, origin), (-1, dest)):
        af = ref.airfield(code)
        assert haversine_nm(af.lat, af.lon, s["lat"][i], s["lon"][i]) < 2.0
    # distance flown each second matches the ground speed
    d_nm = haversine_nm(s["lat"][:-1], s["lon"][:-1], s["lat"][1:], s["lon"][1:])
    v = (s["gs_kt"][:-1] + s["gs_kt"][1:]) / 2
    # (all but the seconds at a waypoint corner or an instant stop)
    assert np.mean(np.abs(d_nm * 3600 - v) < 2.0) > 0.995
    # the track points where the aircraft goes (between waypoints, where it moves)
    moving = (v > 30) & (d_nm > 0)
    brg = bearing(s["lat"][:-1], s["lon"][:-1], s["lat"][1:], s["lon"][1:])
    diff = np.abs((brg - s["track_deg"][:-1] + 180) % 360 - 180)
    assert np.median(diff[moving]) < 0.5 and np.mean(diff[moving] < 2) > 0.97
    # climb rate and altitude agree; performance by class
    dh = np.diff(s["alt_ft"]) * 60
    agree = np.abs(dh - (s["vrate_fpm"][:-1] + s["vrate_fpm"][1:]) / 2) < 150
    assert np.mean(agree) > 0.99
    perf = PERFORMANCE[cls]
    assert s["vrate_fpm"].max() <= max(perf.climb_fpm, perf.climb_high_fpm) * 1.6 + 1
    assert s["alt_ft"].max() <= f.cruise_ft + 1
    lift = np.searchsorted(ts, p.takeoff_ts)
    assert abs(s["gs_kt"][lift] - perf.rotate_kt) < 5
