"""plane-alert-db CSVs (aircraft data and watch-list labels) and tar1090's web database folder."""

from __future__ import annotations

import gzip
import json

from rows import query

from basewatch import api

PLANE_ALERT_HEADER = (
    "$ICAO,$Registration,$Operator,$Type,$ICAO Type,#CMPG,$Tag 1,$#Tag 2,$#Tag 3,Category,$#Link"
)
# written for these tests: real addresses of state aircraft, our own tags and categories
PLANE_ALERT_MIL = [
    PLANE_ALERT_HEADER + ",#ImageLink",
    'AE07E1,05-5140,United States Air Force,"Boeing C-17A, Globemaster III",C17,Mil,'
    "Moose,Strategic Airlift,,USAF,https://example.org/c17,",
    "152FA2,RA-86496,Russian Air Force,Ilyushin Il-62M,IL62,Mil,State Transport,,,"
    "Other Air Forces,,",
    "3B7777,,French Air Force,Boeing C-135FR,K35R",  # a row that stops short (the files have them)
    "ZZZZZZ,XX-1,Nobody,Something,,Mil,,,,Other Air Forces,,",
    "152FA2,RA-00000,Again,Ilyushin Il-62M,IL62,Mil,,,,Other Air Forces,,",
]
PLANE_ALERT_GOV = [
    PLANE_ALERT_HEADER,
    "4B1805,HB-JVN,Swiss Confederation,Embraer ERJ-190,E190,Gov,Federal,,,Governments,,",
]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def test_plane_alert_db_as_aircraft_data(tmp_path, db):
    mil = _write(tmp_path / "plane-alert-mil.csv", PLANE_ALERT_MIL)
    report = api.import_aircraft(mil, db=db)
    assert report.format == "plane_alert_db"
    assert (report.rows_read, report.rows_stored, report.military) == (5, 3, 2)
    assert dict(report.rejects) == {"bad_icao24": 1, "duplicate_icao24": 1}
    gov = api.import_aircraft(_write(tmp_path / "plane-alert-gov.csv", PLANE_ALERT_GOV), db=db,
                              source="plane-alert-gov")  # fmt: skip
    assert (gov.rows_stored, gov.military) == (1, 0)
    rows = query(
        db,
        "SELECT icao24, registration, type_code, description, operator, military, source"
        " FROM aircraft_db ORDER BY icao24",
    )
    assert rows == [
        ("152fa2", "RA-86496", "IL62", "Ilyushin Il-62M", "Russian Air Force", True,
         "plane_alert_db"),
        ("3b7777", None, "K35R", "Boeing C-135FR", "French Air Force", None, "plane_alert_db"),
        ("4b1805", "HB-JVN", "E190", "Embraer ERJ-190", "Swiss Confederation", False,
         "plane-alert-gov"),
        ("ae07e1", "05-5140", "C17", "Boeing C-17A, Globemaster III", "United States Air Force",
         True, "plane_alert_db"),
    ]  # fmt: skip


def test_plane_alert_db_as_watch_list_labels(tmp_path, db):
    mil = _write(tmp_path / "plane-alert-mil.csv", PLANE_ALERT_MIL)
    gov = _write(tmp_path / "plane-alert-gov.csv", PLANE_ALERT_GOV)
    # aircraft known from another list only: the labels come from the watch lists
    other = tmp_path / "fleet.csv"
    other.write_text(
        "ae07e1;05-5140;C17;00;BOEING C-17A;;;\n4b1805;HB-JVN;E190;00;EMBRAER;;;\n"
        "3b7777;;K35R;00;BOEING;;;\n3c6589;D-ABCD;A320;00;AIRBUS;;;\n"
    )
    api.import_aircraft(other, db=db)
    table = api.aircraft_table(db, watchlists=[mil, gov]).to_pylist()
    got = {r["icao24"]: (r["watch_labels"], r["is_military"], r["is_state"]) for r in table}
    assert got["ae07e1"] == (
        "USAF: Moose / Strategic Airlift (United States Air Force)",
        True,
        True,
    )
    assert got["3b7777"] == ("plane-alert-db (French Air Force)", False, False)  # no #CMPG
    assert got["4b1805"] == ("Governments: Federal (Swiss Confederation)", False, True)
    assert got["3c6589"][0] is None


def _js(doc: dict, gz: bool = True) -> bytes:
    raw = json.dumps(doc).encode()
    return gzip.compress(raw) if gz else raw


def test_tar1090_web_database_folder(tmp_path, db):
    web = tmp_path / "tar1090" / "html"
    d = web / "db"
    d.mkdir(parents=True)
    # the A prefix is split further: A0 in its own file
    (d / "A.js").write_bytes(
        _js({"children": ["A0"], "E07E1": ["05-5140", "C17", "10", "BOEING C-17A Globemaster III"]})
    )
    (d / "A0.js").write_bytes(_js({"0001": ["N1", "C172", "00", "CESSNA 172"], "XYZ": ["bad"]}))
    (d / "15.js").write_bytes(
        _js({"2FA2": ["RA-86496", "IL62", "10", "ILYUSHIN Il-62M", "x"]}, gz=False)
    )
    (d / "3.js").write_bytes(b"\x1f\x8b not really gzip")
    (d / "files.js").write_text(json.dumps(["A", "A0", "15", "3"]))
    (d / "operators.js").write_bytes(_js({"RFF": ["Russian Air Force", "Russia", "RUSSIAN"]}))
    report = api.import_aircraft(web, db=db)
    assert report.format == "tar1090_web"
    assert (report.rows_stored, report.military) == (3, 2)
    assert dict(report.rejects) == {"bad_json": 1, "bad_icao24": 1}
    rows = query(db, "SELECT icao24, registration, type_code, military FROM aircraft_db ORDER BY 1")
    assert rows == [
        ("152fa2", "RA-86496", "IL62", True),
        ("a00001", "N1", "C172", False),
        ("ae07e1", "05-5140", "C17", True),
    ]
    # the db/ folder itself reads the same; re-import replaces, adds nothing
    again = api.import_aircraft(d, db=db)
    assert (again.rows_stored, again.rows_replaced) == (3, 3)
