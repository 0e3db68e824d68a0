"""Flights and airfield events on project-written paths, each aimed at one known trap."""

from __future__ import annotations

import pyarrow as pa
import pytest

from basewatch.stages.process import process
from basewatch.store import open_store

from .paths import GROUND, T0, arrival, departure, dest, field, positions, store_positions

OSLK_RWY = 352.0  # runway 17/35 at Khmeimim


def run(db, tables: list, fmt: str = "sbs"):
    """Store each table as its own source, process, return (flights, events) as row dicts."""
    with open_store(db) as store:
        for i, t in enumerate(tables):
            store_positions(store, t, f"src{i}", fmt)
        report = process(store)
        flights = store.table("SELECT * FROM flights ORDER BY first_seen").to_pylist()
        events = store.table("SELECT * FROM airfield_events ORDER BY ts").to_pylist()
    return report, flights, events


def kinds(events):
    return [(e["event_type"], e["airfield"]) for e in events]


def round_trip():
    """OSLK → north 150 NM at FL300 → back to OSLK."""
    af = field("OSLK")
    far = dest(af.lat, af.lon, OSLK_RWY, 150)
    return (
        departure("OSLK", OSLK_RWY)
        + [(1800, *far, 30000)]
        + arrival("OSLK", OSLK_RWY, 3600)[0:0]
        + [(3000, *dest(af.lat, af.lon, 172, 40), 12000)]
        + arrival("OSLK", OSLK_RWY, 3700)
    )


def test_take_off_and_landing_are_observed_with_runway_heading(db):
    _, flights, events = run(db, [positions("152fa2", round_trip())])
    assert len(flights) == 1
    f = flights[0]
    assert (f["origin"], f["origin_how"], f["destination"], f["destination_how"]) == (
        "OSLK",
        "observed",
        "OSLK",
        "observed",
    )
    assert kinds(events) == [("takeoff", "OSLK"), ("landing", "OSLK")]
    assert all(e["confidence"] == 1.0 for e in events)
    assert abs(events[0]["track_deg"] - OSLK_RWY) < 5
    assert f["callsign"] is None  # no callsign: kept all the same
    assert f["max_alt_ft"] == 30000


def test_window_starting_mid_air_invents_no_take_off(db):
    path = round_trip()[5:]  # data begin at cruise, far from any field
    _, flights, events = run(db, [positions("152fa2", path)])
    assert flights[0]["origin_how"] == "window_edge" and flights[0]["origin"] is None
    assert kinds(events) == [("landing", "OSLK")]


def test_dark_arrival_is_an_inferred_landing(db):
    af = field("OSLK")
    far = dest(af.lat, af.lon, 172, 120)
    app = arrival("OSLK", OSLK_RWY, 3000)
    # transponder off 5 NM out at 1,500 ft above the field; a second aircraft keeps the
    # data window open well past that, so the track's end is not the window's
    path = (
        departure("HL59", 60)
        + [(1500, *far, 28000)]
        + app[:1]
        + [(2900, *dest(af.lat, af.lon, 172, 5.0), af.elevation_ft + 1500)]
    )
    other = positions("abcdef", departure("OSLK", OSLK_RWY, t=1000) + [(5000, 37.5, 36.5, 30000)])
    _, flights, events = run(db, [positions("152fa2", path), other])
    dark = [e for e in events if e["icao24"] == "152fa2"]
    assert kinds(dark) == [("takeoff", "HL59"), ("landing_inferred", "OSLK")]
    inferred = dark[1]
    assert inferred["confidence"] > 0.6
    assert "1,500 ft above the field" in inferred["reason"]
    f = [f for f in flights if f["icao24"] == "152fa2"][0]
    assert (f["destination"], f["destination_how"]) == ("OSLK", "inferred")


def test_track_lost_at_cruise_is_no_landing(db):
    af = field("OSLK")
    path = departure("OSLK", OSLK_RWY) + [(1800, *dest(af.lat, af.lon, 300, 150), 30000)]
    other = positions("abcdef", departure("OSLK", OSLK_RWY, t=1000) + [(5000, 37.5, 36.5, 30000)])
    _, flights, events = run(db, [positions("152fa2", path), other])
    mine = [e for e in events if e["icao24"] == "152fa2"]
    assert kinds(mine) == [("takeoff", "OSLK")]
    assert [f["destination_how"] for f in flights if f["icao24"] == "152fa2"] == ["unknown"]


def low_pass_then_land_at(code_pass: str, level_s: float):
    """Down to 300 ft over OSLK (level for ``level_s``), climb away, land back at OSLK."""
    af = field("OSLK")
    back = (OSLK_RWY + 180) % 360
    e = af.elevation_ft
    path = (
        departure("OSLK", 172)[:-1]
        + [
            (700, *dest(af.lat, af.lon, 172, 30), e + 8000),
            (2000, *dest(af.lat, af.lon, back, 15), e + 5000),
            (2240, *dest(af.lat, af.lon, back, 1.2), e + 300),
            (2240 + level_s, *dest(af.lat, af.lon, OSLK_RWY, 0.2 + level_s * 140 / 3600), e + 300),
            (2400 + level_s, *dest(af.lat, af.lon, OSLK_RWY, 6), e + 3000),
            (2700 + level_s, *dest(af.lat, af.lon, back, 20), e + 6000),
        ]
        + arrival("OSLK", OSLK_RWY, 3400 + level_s)
    )
    return path


def test_low_pass_is_not_a_landing(db):
    _, flights, events = run(db, [positions("152fa2", low_pass_then_land_at("OSLK", 40))])
    assert kinds(events) == [("takeoff", "OSLK"), ("low_pass", "OSLK"), ("landing", "OSLK")]
    assert len(flights) == 1


def test_go_around_is_not_a_landing(db):
    _, flights, events = run(db, [positions("152fa2", low_pass_then_land_at("OSLK", 0))])
    assert kinds(events) == [("takeoff", "OSLK"), ("go_around", "OSLK"), ("landing", "OSLK")]


def test_touch_and_go_keeps_one_flight(db):
    af = field("OSLK")
    e = af.elevation_ft
    tg = arrival("OSLK", OSLK_RWY, 2400)[:3] + [
        (2425, *dest(af.lat, af.lon, OSLK_RWY, 0.7), GROUND),  # rolling fast on the runway
        (2450, *dest(af.lat, af.lon, OSLK_RWY, 1.8), e + 500),
        (2800, *dest(af.lat, af.lon, OSLK_RWY, 15), e + 5000),
        (3100, *dest(af.lat, af.lon, 172, 20), e + 6000),
    ]
    path = departure("OSLK", 172)[:-1] + [(700, *dest(af.lat, af.lon, 172, 30), e + 8000)] + tg
    path += arrival("OSLK", OSLK_RWY, 3800)
    _, flights, events = run(db, [positions("152fa2", path, step_s=4)])
    assert len(flights) == 1
    assert kinds(events) == [("takeoff", "OSLK"), ("touch_and_go", "OSLK"), ("landing", "OSLK")]


def test_gap_at_cruise_is_the_same_flight(db):
    af = field("UUMU")
    path = (
        departure("OSLK", OSLK_RWY)
        + [(1200, 37.5, 37.0, 33000), (7200, 51.0, 38.0, 33000)]
        + arrival("UUMU", 70, 9000)
    )
    table = positions("152fa2", path, step_s=10)
    t = table["ts"].cast("int64").to_numpy()
    keep = (t < t[0] + 1500e6) | (t > t[0] + 4200e6)  # 45 minutes unseen over the sea
    _, flights, events = run(db, [table.filter(keep)])
    assert len(flights) == 1
    assert kinds(events) == [("takeoff", "OSLK"), ("landing", "UUMU")]
    assert af.icao == "UUMU"


def test_stop_unseen_in_a_gap_splits(db):
    """Lost low by HL59, seen again climbing out of HL59 an hour later: two flights."""
    first = (
        departure("OSLK", OSLK_RWY) + [(1500, 33.5, 25.0, 30000)] + arrival("HL59", 60, 4000)[:2]
    )
    second = departure("HL59", 240, t=7600)[3:]
    table = pa.concat_tables([positions("152fa2", first, 10), positions("152fa2", second, 10)])
    _, flights, events = run(db, [table])
    assert len(flights) == 2
    assert kinds(events) == [
        ("takeoff", "OSLK"),
        ("landing_inferred", "HL59"),
        ("takeoff_inferred", "HL59"),
    ]


def test_new_leg_flags_split(db):
    path = departure("OSLK", OSLK_RWY) + [(1500, 37.0, 37.0, 30000), (3000, 38.5, 38.5, 30000)]
    table = positions("152fa2", path, step_s=10, legs={200})
    _, flights, _ = run(db, [table], fmt="trace_full")
    assert len(flights) == 2


@pytest.mark.parametrize("spike", [38000, -2000])
def test_altitude_spikes_do_not_make_passes(db, spike):
    table = positions("152fa2", round_trip())
    alt = table["alt_baro_ft"].to_pylist()
    i = len(alt) // 2
    alt[i] = spike if spike > 0 else 300  # one absurd report at cruise
    table = table.set_column(5, "alt_baro_ft", __import__("pyarrow").array(alt, "int32"))
    _, flights, events = run(db, [table])
    assert kinds(events) == [("takeoff", "OSLK"), ("landing", "OSLK")]
    assert flights[0]["max_alt_ft"] == 30000


def test_landing_and_launch_at_sea_are_inferred_with_no_airfield(db):
    """A transport's trap on a carrier and its catapult launch 25 minutes later: no listed
    airfield within reach, so the movements are inferred at an unnamed place."""
    af = field("OSLK")
    ship = (33.40, 33.60)  # open sea south of Cyprus, no airfield within 50 NM
    final = dest(*ship, 160, 2.0)
    trap = departure("OSLK", OSLK_RWY) + [
        (1500, *dest(*ship, 160, 30.0), 8000),
        (1900, *final, 600),
        (1965, *ship, 60),  # ~110 kt at deck height
    ]
    launch_at = dest(*ship, 340, 7.0)  # the ship moved on
    launch = [
        (3500, *launch_at, 150),
        (3530, *dest(*launch_at, 340, 1.0), 700),
        (4400, *dest(af.lat, af.lon, 172, 40), 12000),
    ] + arrival("OSLK", OSLK_RWY, 5000)
    # two sources (nothing is received while the aircraft is on the deck), each spanning the
    # whole time, as archive days do: another aircraft cruises through both
    cruise = [(0, 36.0, 37.0, 30000), (5200, 37.5, 38.5, 30000)]
    tables = [
        pa.concat_tables([positions("ae0455", part), positions("abcdef", cruise)])
        for part in (trap, launch)
    ]
    _, flights, events = run(db, tables)
    events = [e for e in events if e["icao24"] == "ae0455"]
    flights = [f for f in flights if f["icao24"] == "ae0455"]
    assert kinds(events) == [
        ("takeoff", "OSLK"),
        ("landing_inferred", None),
        ("takeoff_inferred", None),
        ("landing", "OSLK"),
    ]
    at_sea = [e for e in events if e["airfield"] is None]
    assert all("place the reference does not list" in e["reason"] for e in at_sea)
    assert [f["destination_how"] for f in flights][:1] == ["inferred"]


def test_fast_low_flight_lost_at_sea_is_no_landing(db):
    """Lost from coverage at 200 ft but at 300 kt: a low pass out of sight, not a landing."""
    af = field("OSLK")
    ship = (33.40, 33.60)
    path = departure("OSLK", OSLK_RWY) + [
        (1500, *dest(*ship, 160, 30.0), 8000),
        (1800, *dest(*ship, 160, 5.0), 200),
        (1860, *ship, 200),
    ]
    cruise = [(0, 36.0, 37.0, 30000), (5200, 37.5, 38.5, 30000)]
    table = pa.concat_tables([positions("ae0455", path), positions("abcdef", cruise)])
    _, _, events = run(db, [table])
    events = [e for e in events if e["icao24"] == "ae0455"]
    assert kinds(events) == [("takeoff", "OSLK")]
    assert af is not None


def _no_speed_first(table: pa.Table) -> pa.Table:
    """The first row without ground speed, track or rate: a position decoded before the
    aircraft's velocity message came in, as after a gap in real feeds."""
    i = table.schema.get_field_index
    n = table.num_rows
    for name in ("gs_kt", "track_deg", "vrate_fpm"):
        col = table[name].to_pylist()
        col[0] = None
        table = table.set_column(i(name), name, pa.array(col, table.schema.field(name).type))
    return table.slice(0, n)


def test_trap_and_relaunch_inside_a_short_gap_are_two_movements(db):
    """Lost at deck height descending at 100 kt, seen again 8.5 minutes later 3.5 NM further
    along the ship's course, climbing through 650 ft (its first row has no speed yet): a trap and
    a launch out of sight although the gap is shorter than the flight-splitting gap."""
    ship = (33.40, 33.60)
    trap = departure("OSLK", OSLK_RWY) + [
        (1500, *dest(*ship, 160, 30.0), 8000),
        (1900, *dest(*ship, 160, 2.0), 600),
        (1965, *ship, 150),
    ]
    relaunch_at = dest(*ship, 340, 3.5)
    launch = [
        (1965 + 510, *relaunch_at, 650),
        (1965 + 540, *dest(*relaunch_at, 340, 1.2), 1300),
        (3000, *dest(*relaunch_at, 340, 40.0), 12000),
    ]
    table = pa.concat_tables(
        [positions("ae0455", trap), _no_speed_first(positions("ae0455", launch))]
    )
    cruise = [(0, 36.0, 37.0, 30000), (3200, 37.5, 38.5, 30000)]
    _, flights, events = run(db, [pa.concat_tables([table, positions("abcdef", cruise)])])
    events = [e for e in events if e["icao24"] == "ae0455"]
    assert kinds(events) == [
        ("takeoff", "OSLK"),
        ("landing_inferred", None),
        ("takeoff_inferred", None),
    ]
    assert len([f for f in flights if f["icao24"] == "ae0455"]) == 2


@pytest.mark.parametrize(
    "gap_s, after_alt, climbing",
    [
        (150, 400, True),  # a touch-and-go under coverage: back in view within minutes
        (510, 1500, False),  # a circuit flown out of sight: back in view on the next final
        (510, 3000, True),  # seen again climbing, but high: it flew on out of sight
    ],
)
def test_low_gap_that_is_no_stop_keeps_one_flight(db, gap_s, after_alt, climbing):
    """Lost low by a field and seen again by it without the signs of a stop: no movement is
    invented inside the gap."""
    af = field("HL59")
    lost = dest(af.lat, af.lon, 240, 1.0)
    path = departure("OSLK", OSLK_RWY) + [
        (1500, *dest(af.lat, af.lon, 240, 30.0), 8000),
        (1900, *dest(af.lat, af.lon, 240, 3.0), af.elevation_ft + 900),
        (1930, *lost, af.elevation_ft + 300),
    ]
    back = dest(af.lat, af.lon, 60, 1.0)
    step = 600 if climbing else -400
    after = [
        (1930 + gap_s, *back, af.elevation_ft + after_alt),
        (1930 + gap_s + 30, *dest(*back, 60, 1.2), af.elevation_ft + after_alt + step),
        (3600, *dest(af.lat, af.lon, 60, 120.0), 30000),
    ]
    table = pa.concat_tables([positions("152fa2", path), positions("152fa2", after)])
    _, flights, events = run(db, [table])
    assert len(flights) == 1
    assert [k for k, _ in kinds(events) if k in ("landing_inferred", "takeoff_inferred")] == []


def _roll_case(code: str, heading: float, t0: float, speeds_kt: list[float]) -> list:
    """Ground points along the runway from the field's reference point, 15 s apart, at the
    given speeds (kt) over each leg, then parked."""
    af = field(code)
    at = dest(af.lat, af.lon, (heading + 180) % 360, 0.5)
    path = [(t0, *at, GROUND)]
    for k, v in enumerate(speeds_kt):
        at = dest(*at, heading, v * 15 / 3600)
        path.append((t0 + 15 * (k + 1), *at, GROUND))
    return path


@pytest.mark.parametrize(
    "t0, speeds, want",
    [
        (2000, [110, 90, 60, 30, 15], [("landing", "OSLK")]),  # rolling out, slowing
        (2000, [15, 30, 60, 90, 120, 140], [("takeoff", "OSLK")]),  # lost at lift-off speed
        (2000, [25, 20, 15, 10], []),  # taxiing
        # fast and speeding up from the first sight: a take-off roll, not a roll-out
        (2000, [110, 120, 130, 140], [("takeoff", "OSLK")]),
        (10, [110, 90, 60, 30, 15], []),  # rolling out as the data begin: cut, not seen
        (2000, [15, 30, 60, 70, 75], []),  # accelerating below take-off speed
    ],
)
def test_runway_roll_without_airborne_positions(db, t0, speeds, want):
    """An aircraft whose airborne positions were never heard (a surface position takes one
    message, an airborne one a pair): its roll-out after touchdown, or its take-off roll up to
    the moment it went airborne, is the movement, unless it is cut by the data's edge."""
    path = _roll_case("OSLK", OSLK_RWY, t0, speeds)
    cruise = [(0, 36.0, 37.0, 30000), (5200, 37.5, 38.5, 30000)]
    table = pa.concat_tables([positions("152fa2", path), positions("abcdef", cruise)])
    _, _, events = run(db, [table])
    events = [e for e in events if e["icao24"] == "152fa2"]
    assert kinds(events) == want
    assert all("no airborne position heard" in e["reason"] for e in events)


@pytest.mark.parametrize("data_end_s, want_at", [(5200, 60), (100, None)])
def test_airborne_format_on_the_runway(db, data_end_s, want_at):
    """A transponder that reports airborne from 60 kt on the take-off roll: the take-off is
    reported (at the switch, 60 s) when the altitude is seen to leave the runway's level, and
    data that end during the roll, before it did, hold no take-off."""
    af = field("OSLK")
    at = dest(af.lat, af.lon, (OSLK_RWY + 180) % 360, 0.8)
    elev = af.elevation_ft
    path = [
        (0, *at, GROUND),
        (40, *dest(*at, OSLK_RWY, 0.3), GROUND),
        (58, *dest(*at, OSLK_RWY, 0.55), GROUND),
        (60, *dest(*at, OSLK_RWY, 0.6), elev),  # airborne format, still rolling
        (95, *dest(*at, OSLK_RWY, 1.8), elev + 25),
        (125, *dest(*at, OSLK_RWY, 3.0), elev + 900),
        (600, *dest(*at, OSLK_RWY, 40.0), 15000),
    ]
    path = [w for w in path if w[0] <= data_end_s - 10]
    cruise = [(0, 36.0, 37.0, 30000), (data_end_s, 37.5, 38.5, 30000)]
    table = pa.concat_tables([positions("152fa2", path), positions("abcdef", cruise)])
    _, _, events = run(db, [table])
    events = [e for e in events if e["icao24"] == "152fa2"]
    if want_at is None:
        assert events == []
        return
    assert kinds(events) == [("takeoff", "OSLK")]
    assert abs(events[0]["ts"].timestamp() - (T0.timestamp() + want_at)) <= 5
