"""The ``aircraft`` table: attributes by source precedence, and why each is military or state."""

from __future__ import annotations

import json

import pytest
from identity_files import tar1090_line, write_opensky, write_tar1090, write_trace
from rows import query

from basewatch import api
from basewatch.errors import ConfigError
from basewatch.identity.identify import DETECTOR, refresh_aircraft
from basewatch.identity.rules import Operators, load_rules
from basewatch.store import open_store


def _ingest_traces(tmp_path, db, *traces):
    folder = tmp_path / "traces"
    folder.mkdir(exist_ok=True)
    for i, kwargs in enumerate(traces):
        write_trace(folder / f"trace_full_{i}.json", **kwargs)
    api.ingest([folder], db=db)


def _row(db, icao24, **kw):
    table = api.aircraft_table(db, icao24=icao24, watchlists=kw.pop("watchlists", []))
    assert table.num_rows == 1
    return table.to_pylist()[0]


def test_tar1090_military_flag(tmp_path, db):
    path = write_tar1090(
        tmp_path / "a.csv",
        [
            tar1090_line("152fa2", "RA-86496", "IL62", "10", "ILYUSHIN Il-62M", "", "Russia - AF"),
            tar1090_line("4b1805", "HB-JVN", "E190", "00", "EMBRAER ERJ-190", "2009", "Helvetic"),
        ],
    )
    api.import_aircraft(path, db=db)
    mil = _row(db, "152fa2")
    assert (mil["is_military"], mil["is_state"]) == (True, True)
    assert mil["reason"] == "tar1090-db military flag"
    assert (mil["registration"], mil["type_code"], mil["country_iso2"], mil["country"]) == (
        "RA-86496",
        "IL62",
        "RU",
        "Russia",
    )
    assert mil["sources"] == "tar1090_db"
    assert mil["detector"] == DETECTOR
    civil = _row(db, "4b1805")
    assert (civil["is_military"], civil["is_state"], civil["reason"]) == (False, False, None)
    assert civil["country"] == "Switzerland"


def test_readsb_db_flags_and_callsign_prefix(tmp_path, db):
    _ingest_traces(
        tmp_path,
        db,
        {"icao": "152fa2", "callsign": "RFF7085", "r": "RA-86496", "t": "IL62", "db_flags": 1},
        {"icao": "15107e", "callsign": "RSD087"},  # a state operator, not military
        {"icao": "3b7777", "callsign": "FAF4011"},
        {"icao": "ac671b", "callsign": "DAL1812", "r": "N899DN", "t": "B739", "db_flags": 0},
        {"icao": "4b1806", "callsign": "RFFX"},  # prefix letters, no flight number: no match
    )
    first = _row(db, "152fa2")
    assert first["reason"] == "readsb dbFlags military; callsign prefix RFF (Russian Air Force)"
    assert (first["registration"], first["type_code"], first["callsigns"]) == (
        "RA-86496",
        "IL62",
        "RFF7085",
    )
    assert first["sources"] == "observed,positions"
    assert first["position_count"] == 5
    state = _row(db, "15107e")
    assert (state["is_military"], state["is_state"]) == (False, True)
    assert state["reason"] == "callsign prefix RSD (Rossiya Special Flight Squadron)"
    french = _row(db, "3b7777")
    assert french["is_military"] and french["country_iso2"] == "FR"
    for civil in ("ac671b", "4b1806"):
        row = _row(db, civil)
        assert (row["is_military"], row["is_state"], row["reason"]) == (False, False, None)


def test_opensky_operator_designator_and_words(tmp_path, db):
    path = write_opensky(
        tmp_path / "os.csv",
        [
            {"icao24": "152fa2", "registration": "RA-86496", "operatoricao": "RFF"},
            {"icao24": "ae0455", "registration": "162170", "operator": "United States Navy"},
            {"icao24": "a00001", "registration": "N1", "operator": "Navy Pier Tours"},
            {"icao24": "a00002", "registration": "N2", "operator": "Navigator Air"},
            {"icao24": "3c0001", "registration": "D-A", "operator": "Bundespolizei Police"},
        ],
    )
    api.import_aircraft(path, db=db)
    assert _row(db, "152fa2")["reason"] == "operator ICAO RFF (Russian Air Force)"
    navy = _row(db, "ae0455")
    assert (navy["is_military"], navy["reason"]) == (True, 'operator "United States Navy"')
    # "navy" as a whole word only
    assert _row(db, "a00001")["is_military"] is True
    assert _row(db, "a00002")["is_military"] is False
    police = _row(db, "3c0001")
    assert (police["is_military"], police["is_state"]) == (False, True)


@pytest.mark.parametrize(
    ("registration", "state", "military", "reason"),
    [
        ("RF-95432", True, False, "registration RF-"),
        ("rf-95432", True, False, "registration RF-"),
        ("RA-86496", False, False, None),
        ("F-ZBFX", True, False, "registration F-Z"),
        ("ZZ177", True, True, "registration ZH/ZZ serial"),
        ("MM62243", True, False, "registration MM"),
        ("MM622", False, False, None),  # five digits needed
        ("FAB2101", True, True, "registration FAB"),
    ],
)
def test_registration_patterns(tmp_path, db, registration, state, military, reason):
    path = write_tar1090(tmp_path / "a.csv", [tar1090_line("100001", registration, "IL76")])
    api.import_aircraft(path, db=db)
    row = _row(db, "100001")
    assert (row["is_state"], row["is_military"], row["reason"]) == (state, military, reason)


def test_reasons_combine_in_rule_order(tmp_path, db):
    api.import_aircraft(
        write_tar1090(
            tmp_path / "a.csv",
            [tar1090_line("152fa2", "RF-12345", "IL62", "10", "Il-62M", "", "Russian Air Force")],
        ),
        db=db,
    )
    _ingest_traces(tmp_path, db, {"icao": "152fa2", "callsign": "RFF7085", "db_flags": 1})
    row = _row(db, "152fa2")
    assert row["reason"] == (
        "tar1090-db military flag; readsb dbFlags military; "
        'callsign prefix RFF (Russian Air Force); operator "Russian Air Force"; registration RF-'
    )
    assert row["sources"] == "tar1090_db,observed,positions"


def test_databases_before_observed_and_tar1090_before_opensky(tmp_path, db):
    _ingest_traces(tmp_path, db, {"icao": "152fa2", "r": "RA-00000", "t": "XXXX", "own_op": "Old"})
    assert _row(db, "152fa2")["registration"] == "RA-00000"
    api.import_aircraft(
        write_opensky(
            tmp_path / "os.csv",
            [{"icao24": "152fa2", "registration": "RA-11111", "typecode": "IL62", "model": "M"}],
        ),
        db=db,
    )
    row = _row(db, "152fa2")
    assert (row["registration"], row["type_code"], row["operator"]) == ("RA-11111", "IL62", "Old")
    api.import_aircraft(
        write_tar1090(tmp_path / "a.csv", [tar1090_line("152fa2", "RA-86496", "", "00")]), db=db
    )
    row = _row(db, "152fa2")
    # tar1090-db has the registration; its empty type falls back to OpenSky's
    assert (row["registration"], row["type_code"]) == ("RA-86496", "IL62")
    assert row["sources"] == "opensky_db,tar1090_db,observed,positions"


def test_unseen_address_still_has_its_country(db):
    with open_store(db):
        pass
    row = _row(db, "778abc")
    assert (row["country_iso2"], row["country"], row["sources"]) == ("SY", "Syria", None)
    with pytest.raises(ConfigError, match="6 hex digits"):
        api.aircraft(db, icao24="xyz")


def test_filters(tmp_path, db):
    api.import_aircraft(
        write_tar1090(
            tmp_path / "a.csv",
            [
                tar1090_line("152fa2", "RA-86496", "IL62", "10"),
                tar1090_line("4b1805", "HB-JVN", "E190", "00"),
            ],
        ),
        db=db,
    )
    assert list(api.aircraft(db, military=True)["icao24"]) == ["152fa2"]
    assert list(api.aircraft(db, military=False)["icao24"]) == ["4b1805"]
    assert list(api.aircraft(db, registration="ra86496")["icao24"]) == ["152fa2"]
    assert api.aircraft(db, registration="XX-1").empty
    assert list(api.aircraft(db)["icao24"]) == ["152fa2", "4b1805"]
    assert set(api.aircraft(db).columns) == set(api.AIRCRAFT_COLUMNS)


def test_refresh_writes_the_stored_table(tmp_path, db):
    path = write_tar1090(
        tmp_path / "a.csv",
        [tar1090_line("152fa2", "RA-86496", "IL62", "10"), tar1090_line("4b1805", "HB-JVN")],
    )
    api.import_aircraft(path, db=db)  # refreshes after the import
    assert query(db, "SELECT icao24, is_military FROM aircraft ORDER BY icao24") == [
        ("152fa2", True),
        ("4b1805", False),
    ]
    _ingest_traces(tmp_path, db, {"icao": "3b7777", "callsign": "FAF4011"})
    with open_store(db) as store:
        assert refresh_aircraft(store, load_rules(watchlists=[]), ["3b7777"]) == 1
    assert query(db, "SELECT icao24, is_military FROM aircraft ORDER BY icao24") == [
        ("152fa2", True),
        ("3b7777", True),
        ("4b1805", False),
    ]


def test_user_operators_file_extends_and_overrides(tmp_path, db):
    ops = tmp_path / "ops.toml"
    ops.write_text(
        '[[callsign]]\nprefix = "SYR"\noperator = "Test state operator"\ncountry = "SY"\n'
        'kind = "state"\n\n'
        '[[callsign]]\nprefix = "RSD"\noperator = "Rossiya (overridden)"\nkind = "military"\n'
    )
    _ingest_traces(
        tmp_path,
        db,
        {"icao": "778001", "callsign": "SYR501"},
        {"icao": "15107e", "callsign": "RSD1"},
    )
    rules = load_rules(watchlists=[], operators=[ops])
    with open_store(db) as store:
        refresh_aircraft(store, rules)
    got = dict(query(db, "SELECT icao24, reason FROM aircraft"))
    assert got["778001"] == "callsign prefix SYR (Test state operator)"
    assert got["15107e"] == "callsign prefix RSD (Rossiya (overridden))"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[callsign]]\nprefix = "RF"\noperator = "x"\nkind = "military"\n', "three letters"),
        ('[[callsign]]\nprefix = "RFF"\nkind = "military"\n', "operator name missing"),
        ('[[callsign]]\nprefix = "RFF"\noperator = "x"\nkind = "navy"\n', "kind must be"),
        ('[[registration]]\npattern = "^RF-("\nkind = "state"\n', "bad regular expression"),
        ("[[tails]]\n", "unknown table"),
        ("not = toml = at all", "cannot read"),
    ],
)
def test_bad_operators_files(tmp_path, text, message):
    path = tmp_path / "ops.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        Operators().merge_file(path)


def test_shipped_operators_include_the_russian_ones():
    ops = load_rules(watchlists=[]).operators
    assert ops.callsigns["RFF"]["kind"] == "military"
    assert ops.callsigns["RSD"]["kind"] == "state"
    assert ops.registrations["^RF-"]["literal"] == "RF-"
    countries = {e["country"] for e in ops.callsigns.values()}
    assert {"RU", "US", "FR", "DE", "GB"} <= countries


def test_real_trace_sample(db, samples):
    """The shipped readsb trace (N899DN, a Delta B739): identity from what the trace said."""
    api.ingest([samples("trace_full_ac671b.json")], db=db)
    row = _row(db, "ac671b")
    assert (row["registration"], row["type_code"], row["operator"]) == (
        "N899DN",
        "B739",
        "DELTA AIR LINES INC",
    )
    assert (row["country_iso2"], row["is_military"], row["is_state"], row["reason"]) == (
        "US",
        False,
        False,
        None,
    )
    assert row["callsigns"].split(", ")[0].startswith("DAL")
    assert row["position_count"] == 2500


def test_aircraft_json_snapshot_db_flags(tmp_path, db):
    snap = tmp_path / "aircraft.json"
    snap.write_text(
        json.dumps(
            {
                "now": 1761285600.0,
                "messages": 10,
                "aircraft": [
                    {
                        "hex": "778abc",
                        "flight": "SYR501  ",
                        "alt_baro": 12000,
                        "gs": 310.0,
                        "track": 90.0,
                        "lat": 35.2,
                        "lon": 36.1,
                        "seen_pos": 0.5,
                        "r": "YK-ATA",
                        "t": "IL76",
                        "dbFlags": 1,
                    }
                ],
            }
        )
    )
    api.ingest([snap], db=db)
    row = _row(db, "778abc")
    assert (row["registration"], row["type_code"], row["country"]) == ("YK-ATA", "IL76", "Syria")
    assert (row["is_military"], row["reason"]) == (True, "readsb dbFlags military")
    assert row["callsigns"] == "SYR501"


def test_user_ranges_and_operators_from_settings(tmp_path, db, monkeypatch):
    ranges = tmp_path / "ranges.json"
    ranges.write_text(
        '{"registers": [{"start": "0x0f0000", "end": "0x0fffff", "country": "Testland",'
        ' "iso2": "TX"}]}'
    )
    ops = tmp_path / "ops.toml"
    ops.write_text(
        '[[callsign]]\nprefix = "TXA"\noperator = "Testland Air Force"\nkind = "military"\n'
    )
    (tmp_path / "basewatch.toml").write_text(f'icao_ranges = ["{ranges}"]\n')
    monkeypatch.setenv("BASEWATCH_OPERATORS", str(ops))
    monkeypatch.chdir(tmp_path)
    _ingest_traces(tmp_path, db, {"icao": "0f1234", "callsign": "TXA12"})
    row = _row(db, "0f1234")
    assert (row["country_iso2"], row["country"]) == ("TX", "Testland")
    assert (row["is_military"], row["reason"]) == (True, "callsign prefix TXA (Testland Air Force)")
    (tmp_path / "basewatch.toml").write_text("icao_ranges = 3\n")
    with pytest.raises(ConfigError, match="must be a path or a list of paths"):
        api.aircraft(db, icao24="0f1234")
