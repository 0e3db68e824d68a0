"""The process stage: incremental equals full, no row lost, stable ids, CLI and API."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import basewatch as bw
from basewatch.cli import cli
from basewatch.stages.process import process
from basewatch.store import open_store

from .paths import arrival, departure, dest, field, positions, store_positions
from .test_flights import round_trip


def _fleet():
    af = field("OSLK")
    a = positions("152fa2", round_trip())
    b = positions(
        "1520ab", departure("UUMU", 70) + [(3000, 45.0, 37.0, 35000)] + arrival("OSLK", 172, 9000)
    )
    c = positions(
        "abc123", departure("HL59", 60, t=500) + [(4000, *dest(af.lat, af.lon, 250, 200), 31000)]
    )
    return [a, b, c]


def _derived(store):
    f = store.table(
        "SELECT flight_id, icao24, first_seen, last_seen, origin, origin_how, destination, "
        "destination_how, n_points FROM flights ORDER BY flight_id"
    ).to_pylist()
    e = store.table(
        "SELECT event_id, event_type, airfield, ts FROM airfield_events ORDER BY event_id"
    )
    return f, e.to_pylist()


def test_incremental_equals_full_and_costs_less(tmp_path):
    fleet = _fleet()
    # the same data, ingested in two steps, the second step only touching one aircraft
    b = fleet[1]
    t = b["ts"].cast(pa.int64()).to_numpy()
    cut = t[len(t) // 2]
    others = [positions(f"4b{k:04x}", round_trip()) for k in range(8)]
    step1 = [fleet[0], fleet[2], b.filter(pa.array(t < cut)), *others]
    step2 = [b.filter(pa.array(t >= cut))]
    with open_store(tmp_path / "inc.duckdb") as store:
        for i, tb in enumerate(step1):
            store_positions(store, tb, f"a{i}")
        first = process(store)
        store_positions(store, step2[0], "b0")
        second = process(store)
        inc = _derived(store)
    with open_store(tmp_path / "full.duckdb") as store:
        for i, tb in enumerate(step1 + step2):
            store_positions(store, tb, f"x{i}")
        process(store)
        full = _derived(store)
    assert inc == full
    assert second.aircraft == 1 and not second.full
    assert second.positions < first.positions / 4  # one aircraft of eleven


def test_processing_twice_changes_nothing(db):
    with open_store(db) as store:
        for i, tb in enumerate(_fleet()):
            store_positions(store, tb, f"s{i}")
        process(store)
        before = _derived(store)
        again = process(store)
        assert again.positions == 0 and _derived(store) == before


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), drop=st.floats(0.0, 0.6))
def test_no_row_lost_and_ids_stable_under_shuffling(tmp_path_factory, seed, drop):
    """Every (non-stale) position lies in exactly one flight; flights never overlap; the same
    data in any order and any split into sources gives the same flights."""
    rng = np.random.default_rng(seed)
    table = pa.concat_tables(_fleet())
    keep = rng.random(table.num_rows) >= drop * (rng.random(table.num_rows) < 0.5)
    table = table.filter(pa.array(keep))
    results = []
    for k in range(2):
        order = rng.permutation(table.num_rows)
        parts = np.array_split(order, 1 + k * 3)
        path = tmp_path_factory.mktemp("p") / "s.duckdb"
        with open_store(path) as store:
            for j, idx in enumerate(parts):
                store_positions(store, table.take(pa.array(idx)), f"s{k}{j}")
            process(store)
            outside = store.scalar(
                "SELECT count(*) FROM positions p WHERE NOT EXISTS (SELECT 1 FROM flights f "
                "WHERE f.icao24 = p.icao24 AND p.ts BETWEEN f.first_seen AND f.last_seen)"
            )
            overlaps = store.scalar(
                "SELECT count(*) FROM flights a JOIN flights b ON a.icao24 = b.icao24 "
                "AND a.flight_id < b.flight_id AND a.first_seen <= b.last_seen AND b.first_seen <= a.last_seen"
            )
            points = store.scalar("SELECT sum(n_points) FROM flights")
            assert outside == 0 and overlaps == 0 and points == table.num_rows
            results.append(_derived(store))
    assert results[0] == results[1]


def test_api_and_cli(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_store(db) as store:
        for i, tb in enumerate(_fleet()):
            store_positions(store, tb, f"s{i}")
    # a query reads the store as it is (read-only): the new sources wait for process
    assert bw.pending(db=db) == 3
    assert bw.flights(db=db).empty
    runner = CliRunner()
    out = runner.invoke(cli, ["flights", "--db", str(db), "--format", "csv"])
    assert out.exit_code == 0 and "processing 3 new sources" in out.output, out.output
    assert bw.pending(db=db) == 0
    df = bw.flights(db=db, base="Khmeimim")
    assert set(df["icao24"]) == {"152fa2", "1520ab"}
    assert list(df.columns) == list(bw.FLIGHT_COLUMNS)
    ev = bw.events(db=db, base="OSLK", event_type="landing")
    assert len(ev) == 2 and set(ev["airfield"]) == {"OSLK"}
    out = runner.invoke(cli, ["events", "--db", str(db), "--base", "HL59", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)  # one JSON array
    assert [(r["icao24"], r["event_type"]) for r in rows] == [("abc123", "takeoff")]
    out = runner.invoke(cli, ["events", "--db", str(db), "--type", "landed"])
    assert out.exit_code == 2 and "choose one of" in out.output
    out = runner.invoke(cli, ["flights", "--db", str(db), "--base", "Atlantis"])
    assert out.exit_code == 2 and "unknown base" in out.output
    out = runner.invoke(cli, ["process", "--db", str(db), "--full"])
    assert out.exit_code == 0 and "3 flights" in out.output


def test_export_geojson_and_kml(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_store(db) as store:
        for i, tb in enumerate(_fleet()):
            store_positions(store, tb, f"s{i}")
    bw.process(db=db)
    n = bw.export_flights(tmp_path / "f.geojson", db=db, base="OSLK")
    doc = json.loads((tmp_path / "f.geojson").read_text())
    assert n == 2 and len(doc["features"]) == 2
    line = doc["features"][0]["geometry"]["coordinates"]
    assert len(line) > 100 and all(len(c) in (2, 3) for c in line)
    bw.export_flights(tmp_path / "f.kml", db=db, icao24="152fa2")
    kml = (tmp_path / "f.kml").read_text()
    assert kml.count("<Placemark>") == 1 and "OSLK → OSLK" in kml
    runner = CliRunner()
    out = runner.invoke(cli, ["flights", "--db", str(db), "--export", str(tmp_path / "f.txt")])
    assert out.exit_code == 2 and ".geojson or .kml" in out.output


def test_identity_filters(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_store(db) as store:
        for i, tb in enumerate(_fleet()):
            store_positions(store, tb, f"s{i}")
    dbfile = tmp_path / "tar1090.csv"
    dbfile.write_text(
        "152fa2;RA-86496;IL62;10;Ilyushin Il-62M;;Russian Air Force;\n1520ab;RA-82038;A124;00;Antonov An-124-100;;;\n"
    )
    bw.import_aircraft(dbfile, db=db)
    bw.process(db=db)
    assert set(bw.flights(db=db, military=True)["icao24"]) == {"152fa2"}
    assert set(bw.flights(db=db, type_code="a124")["icao24"]) == {"1520ab"}
    assert set(bw.flights(db=db, country="RU")["icao24"]) == {"152fa2", "1520ab"}
    runner = CliRunner()
    out = runner.invoke(cli, ["flights", "--db", str(db), "--military", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert [r["icao24"] for r in json.loads(out.output)] == ["152fa2"]


def test_ids_are_16_hex_digits_and_found_by_every_command(tmp_path):
    """An id is shown one way (16 hex digits, a string in JSON) and the API and CLI take it."""
    db = tmp_path / "w.duckdb"
    with open_store(db) as store:
        for i, tb in enumerate(_fleet()):
            store_positions(store, tb, f"s{i}")
    bw.process(db=db)
    flights = bw.flights(db=db)
    events = bw.events(db=db)
    for col in (flights["flight_id"], events["event_id"], events["flight_id"]):
        assert col.map(lambda v: isinstance(v, str) and len(v) == 16).all()
        assert col.str.fullmatch("[0-9a-f]{16}").all()
    fid = flights["flight_id"].iloc[0]
    assert list(bw.flights(db=db, flight_id=fid.upper())["flight_id"]) == [fid]
    eid = events["event_id"].iloc[-1]
    assert list(bw.events(db=db, event_id=eid)["event_id"]) == [eid]
    runner = CliRunner()
    out = runner.invoke(cli, ["flights", "--db", str(db), "--flight", fid, "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)  # one JSON array
    assert [r["flight_id"] for r in rows] == [fid]
    out = runner.invoke(cli, ["events", "--db", str(db), "--event", eid, "--format", "csv"])
    assert out.exit_code == 0 and eid in out.output
    out = runner.invoke(cli, ["flights", "--db", str(db), "--flight", "12345"])
    assert out.exit_code == 2 and "16 hex digits" in out.output


def test_queries_never_create_or_write_a_store(tmp_path):
    missing = tmp_path / "typo.duckdb"
    runner = CliRunner()
    queries = (
        ["changes"],
        ["report"],
        ["timeline"],
        ["news", "events"],
        ["activity", "--base", "OSLK"],
    )
    queries += (["aircraft", "show", "1554a1"], ["brief", "--watch", "oslk-russian-state"])
    queries += (["chart", "--base", "OSLK", "-o", str(tmp_path / "c.png")],)
    for args in (["flights"], ["events"], ["process"], ["watch"], ["positions"], *queries):
        out = runner.invoke(cli, [*args, "--db", str(missing)])
        assert out.exit_code != 0 and "no store here yet" in out.output, (args, out.output)
        assert not missing.exists()
    db = tmp_path / "w.duckdb"
    with open_store(db) as store:
        for i, tb in enumerate(_fleet()):
            store_positions(store, tb, f"s{i}")
    bw.process(db=db)
    before = db.stat().st_mtime_ns, db.read_bytes()
    bw.flights(db=db)
    bw.events(db=db)
    bw.positions(db=db, limit=5)
    assert (db.stat().st_mtime_ns, db.read_bytes()) == before
