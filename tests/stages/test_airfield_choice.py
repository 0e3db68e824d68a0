"""Which airfield, and when not to infer: the airfield events kernel on project-made grids and
tracks (items 1, 2, 3 and 8 of the real-data issue)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from basewatch.airfields import Airfield
from basewatch.stages.airfield_events import (
    EVENT_TYPES,
    LANDING_INF,
    TAKEOFF_INF,
    EventParams,
    _best_inferred,
    detect_airfield_events,
)
from basewatch.stages.flights import INFERRED, WINDOW_EDGE
from basewatch.stages.nearby import AirfieldGrid
from basewatch.stages.tracks import US

from .paths import dest

AIRPORT = Airfield("ZZAP", "Big Airport", 43.60, 1.40, 500.0, "FR")
# a heliport 1.3 NM from where the aircraft is, 62° off its track; the airport 4.1 NM ahead
HERE = dest(AIRPORT.lat, AIRPORT.lon, 263 + 180 - 6, 4.1)
HELI = Airfield("ZZHP", "Hospital Heliport", *dest(*HERE, 263 - 62, 1.3), 500.0, "FR")
NEAR = Airfield("ZZNR", "Near Field", *dest(*HERE, 20, 1.9), 500.0, "FR")
FAR = Airfield("ZZFR", "Far Field", *dest(*HERE, 200, 3.8), 500.0, "FR")
BEYOND = Airfield("ZZBY", "Beyond", *dest(AIRPORT.lat, AIRPORT.lon, 263, 3.0), 500.0, "FR")


def grid(*fields: Airfield) -> AirfieldGrid:
    return AirfieldGrid.build(SimpleNamespace(airfields={a.icao: a for a in fields}))


def test_the_field_the_track_points_at_beats_a_nearer_one_off_track():
    g = grid(AIRPORT, HELI).arrays
    a, conf, d, h, second, conf2 = _best_inferred(*HERE, 1500.0, 263.0, True, 20.0, 60.0, 4000.0, g)
    assert AirfieldGrid.build(SimpleNamespace(airfields={"x": AIRPORT})).codes[0] == "ZZAP"
    codes = grid(AIRPORT, HELI).codes
    assert codes[a] == "ZZAP" and codes[second] == "ZZHP"
    assert abs(d - 4.1) < 0.1 and conf > conf2 > 0.0


def test_without_a_track_the_nearer_field_wins():
    g = grid(NEAR, FAR)
    a, conf, d, _, second, conf2 = _best_inferred(
        *HERE, 1500.0, np.nan, True, 20.0, 60.0, 4000.0, g.arrays
    )
    assert g.codes[a] == "ZZNR" and g.codes[second] == "ZZFR" and conf > conf2


def track(points, step_s=5.0):
    """(t_s, lat, lon, alt_ft, vrate_fpm, track_deg) waypoints → the kernel's arrays."""
    t = np.array([p[0] for p in points], float)
    n = len(points)
    return SimpleNamespace(
        t=(t * US).astype(np.int64) + 1_700_000_000 * US,
        lat=np.array([p[1] for p in points]),
        lon=np.array([p[2] for p in points]),
        alt=np.array([p[3] for p in points], float),
        gs=np.full(n, 140.0),
        trk=np.array([p[5] for p in points], float),
        vr=np.array([p[4] for p in points], float),
    )


def run(points, window_s=(-3600.0, 3600.0), fields=(AIRPORT,)):
    tr = track(points)
    g = grid(*fields)
    base = 1_700_000_000 * US
    windows = np.array([[base + int(window_s[0] * US), base + int(window_s[1] * US)]], np.int64)
    found = detect_airfield_events(
        tr, np.zeros(len(tr.t), np.int8), np.array([0]), windows, g, EventParams()
    )
    kinds = [EVENT_TYPES[k] for k in found.ev_i[:, 1]]
    return found, kinds


def approach(n=12, from_nm=4.0, step_s=10.0, alt0=1700.0, rate=-700.0):
    """Descending on track 263° toward the airport, one point every ``step_s``."""
    pts = []
    for i in range(n):
        nm = from_nm - i * step_s * 140 / 3600
        pts.append(
            (i * step_s, *dest(AIRPORT.lat, AIRPORT.lon, 83, nm), alt0 + rate * i * step_s / 60,
             rate, 263.0)
        )  # fmt: skip
    return pts


def test_descending_toward_the_airport_when_seen_to_vanish_is_a_landing():
    found, kinds = run(approach())
    assert kinds == ["landing_inferred"] and found.end[0] == INFERRED


def test_nothing_is_inferred_where_the_data_end_or_begin():
    pts = approach()
    # the data end 20 s after the last position: it was not seen to vanish
    found, kinds = run(pts, window_s=(-3600.0, pts[-1][0] + 20))
    assert kinds == [] and found.end[0] == WINDOW_EDGE
    # a single snapshot: one instant is both edges
    one = [pts[-1]]
    found, kinds = run(one, window_s=(one[0][0], one[0][0]))
    assert kinds == [] and found.begin[0] == found.end[0] == WINDOW_EDGE


def test_a_climbing_or_level_aircraft_gets_no_landing():
    over = dest(AIRPORT.lat, AIRPORT.lon, 83, 0.8)
    # one point, 550 ft above the field, climbing at 3,400 ft/min: at most a take-off
    found, kinds = run([(0.0, *over, AIRPORT.elevation_ft + 550, 3400.0, 263.0)])
    assert "landing_inferred" not in kinds
    assert kinds.count("takeoff_inferred") <= 1
    # level at 700 ft along the approach: no landing either
    level = [(p[0], p[1], p[2], AIRPORT.elevation_ft + 700, 0.0, 263.0) for p in approach()]
    assert run(level)[1] == []
    # descending, then climbing away over the last half minute (a go-around cut short)
    pts = approach()
    pts += [
        (pts[-1][0] + 10 * k, *dest(AIRPORT.lat, AIRPORT.lon, 263, 0.2 * k), pts[-1][3] + 200 * k,
         1200.0, 263.0)
        for k in (1, 2, 3)
    ]  # fmt: skip
    assert "landing_inferred" not in run(pts)[1]


def test_never_both_ways_from_one_observation():
    over = dest(AIRPORT.lat, AIRPORT.lon, 83, 0.8)
    for rate in (3400.0, -1500.0, np.nan):
        _, kinds = run([(0.0, *over, AIRPORT.elevation_ft + 550, rate, 263.0)])
        assert len(kinds) <= 1, (rate, kinds)


def test_runner_up_and_margin_are_kept():
    found, kinds = run(approach(), fields=(AIRPORT, BEYOND))
    assert kinds == ["landing_inferred"]
    codes = grid(AIRPORT, BEYOND).codes
    assert (codes[found.ev_i[0, 4]], codes[found.ev_i[0, 5]]) == ("ZZAP", "ZZBY")
    assert 0.0 < found.ev_f[0, 4] <= found.ev_f[0, 0]  # the margin, at most the confidence
    assert LANDING_INF != TAKEOFF_INF
