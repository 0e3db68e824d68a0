"""``aircraft import``: tar1090-db and OpenSky files, bad lines to rejects, re-import replaces."""

from __future__ import annotations

import json

import pytest
from identity_files import tar1090_line, write_opensky, write_tar1090
from rows import query

from basewatch import api
from basewatch.errors import ConfigError, FormatError, InputError
from basewatch.identity.aircraftdb import detect

GOOD = [
    tar1090_line("152fa2", "RA-86496", "IL62", "10", "ILYUSHIN Il-62M", "", "Russia - Air Force"),
    tar1090_line(
        "15107e", "RA-82035", "A124", "10", "ANTONOV An-124-100", "", "Russia - Air Force"
    ),
    tar1090_line("4b1805", "HB-JVN", "E190", "00", "EMBRAER ERJ-190-100 LR", "2009", "Helvetic"),
    tar1090_line("778fa1", "YK-AKB", "A320", "00", "AIRBUS A-320", "", "Syrian Air"),
    tar1090_line("ae0455", "162170", "C2", "1", "GRUMMAN C-2A Greyhound", "", "United States Navy"),
]
BAD = [
    "zzzzzz;X-XXX;A320;00;AIRBUS;;Op;",  # bad_icao24
    "4b1806;HB-X;E190;00;too few",  # bad_field_count
    "4b1807;HB-Y;E190;0a;flags not digits;;Op;",  # bad_flags
    "152fa2;RA-99999;IL62;00;a second row for the same address;;Op;",  # duplicate_icao24
]


def _db_rows(db):
    return query(
        db,
        "SELECT icao24, registration, type_code, military, source, format FROM aircraft_db"
        " ORDER BY source, icao24",
    )


def test_tar1090_rows_and_military_flag(tmp_path, db):
    path = write_tar1090(tmp_path / "aircraft.csv", GOOD)
    report = api.import_aircraft(path, db=db)
    assert (report.format, report.source) == ("tar1090_db", "tar1090_db")
    assert (report.rows_read, report.rows_stored, report.military) == (5, 5, 3)
    assert report.rejects == {}
    rows = {r[0]: r for r in _db_rows(db)}
    assert rows["152fa2"][1:4] == ("RA-86496", "IL62", True)
    assert rows["4b1805"][1:4] == ("HB-JVN", "E190", False)
    assert rows["ae0455"][3] is True  # a one-digit flag string
    # year, description and operator land in their columns, empty fields as NULL
    assert query(
        db,
        "SELECT year, description, operator, operator_icao FROM aircraft_db "
        "WHERE icao24 = '4b1805'",
    ) == [("2009", "EMBRAER ERJ-190-100 LR", "Helvetic", None)]
    assert query(db, "SELECT year FROM aircraft_db WHERE icao24 = '152fa2'") == [(None,)]


def test_bad_lines_are_rejected_with_reason_and_line(tmp_path, db):
    lines = GOOD[:2] + BAD[:2] + GOOD[2:] + BAD[2:] + [""]
    path = write_tar1090(tmp_path / "aircraft.csv", lines)
    report = api.import_aircraft(path, db=db)
    assert report.rows_stored == 5
    assert report.rejects == {
        "bad_icao24": 1,
        "bad_field_count": 1,
        "bad_flags": 1,
        "duplicate_icao24": 1,
    }
    rejects = dict(
        (reason, (location, excerpt))
        for reason, location, excerpt in query(
            db, "SELECT reason, location, excerpt FROM rejects ORDER BY reason"
        )
    )
    assert rejects["bad_field_count"] == ("line 4", "4b1806;HB-X;E190;00;too few")
    assert "zzzzzz" in rejects["bad_icao24"][1]
    assert "0a" in rejects["bad_flags"][1]
    # the first row of a duplicated address is kept, the other one rejected
    assert query(db, "SELECT registration FROM aircraft_db WHERE icao24 = '152fa2'") == [
        ("RA-86496",)
    ]
    run = query(db, "SELECT command, rows_read, rows_added, rejects, status FROM runs")
    assert run == [("aircraft import", 9, 5, 4, "ok")]


def test_bad_encoding_line(tmp_path, db):
    path = tmp_path / "aircraft.csv"
    path.write_bytes(
        ("\n".join(GOOD[:2]) + "\n").encode()
        + b"4b1808;HB-\xff;E190;00;x;;y;\n"
        + (GOOD[2] + "\n").encode()
    )
    report = api.import_aircraft(path, db=db)
    assert report.rows_stored == 3
    assert report.rejects == {"bad_encoding": 1}
    assert query(db, "SELECT location FROM rejects") == [("line 3",)]


def test_crlf_lines_and_a_byte_order_mark(tmp_path, db):
    tar = tmp_path / "crlf.csv"
    tar.write_bytes(("\r\n".join(GOOD) + "\r\n").encode())
    report = api.import_aircraft(tar, db=db)
    assert (report.format, report.rows_stored, report.rejects) == ("tar1090_db", 5, {})
    os_file = tmp_path / "bom.csv"
    os_file.write_bytes(
        b'\xef\xbb\xbf"icao24","registration","typecode"\r\n"152fa2","RA-86496","IL62"\r\n'
    )
    report = api.import_aircraft(os_file, db=db)
    assert (report.format, report.rows_stored, report.rejects) == ("opensky_db", 1, {})
    assert query(
        db, "SELECT registration FROM aircraft_db WHERE icao24 = '152fa2' ORDER BY source"
    ) == [
        ("RA-86496",),
        ("RA-86496",),
    ]


def test_gzip_content_whatever_the_name(tmp_path, db):
    path = write_tar1090(tmp_path / "aircraft.csv", GOOD + BAD[:1], gz=True)
    report = api.import_aircraft(path, db=db)
    assert (report.format, report.rows_stored, report.rejects) == (
        "tar1090_db",
        5,
        {"bad_icao24": 1},
    )


def test_header_line_is_skipped(tmp_path, db):
    path = write_tar1090(tmp_path / "aircraft.csv", GOOD, header=True)
    report = api.import_aircraft(path, db=db)
    assert (report.rows_stored, report.rejects) == (5, {})


def test_reimport_replaces_the_source(tmp_path, db):
    first = write_tar1090(tmp_path / "a.csv", GOOD)
    api.import_aircraft(first, db=db)
    again = api.import_aircraft(first, db=db)
    assert (again.rows_stored, again.rows_replaced) == (5, 5)
    assert len(_db_rows(db)) == 5
    newer = write_tar1090(tmp_path / "b.csv", GOOD[:2])
    report = api.import_aircraft(newer, db=db)
    assert (report.rows_stored, report.rows_replaced) == (2, 5)
    assert [r[0] for r in _db_rows(db)] == ["15107e", "152fa2"]


def test_named_sources_live_side_by_side(tmp_path, db):
    api.import_aircraft(write_tar1090(tmp_path / "a.csv", GOOD), db=db)
    mine = write_tar1090(tmp_path / "mine.csv", [tar1090_line("152fa3", "RF-12345", "IL76")])
    api.import_aircraft(mine, db=db, source="my-list")
    assert [r[4] for r in _db_rows(db)] == ["my-list"] + ["tar1090_db"] * 5
    with pytest.raises(ConfigError, match="source name"):
        api.import_aircraft(mine, db=db, source="bad name!")


def test_a_file_with_no_valid_row_replaces_nothing(tmp_path, db):
    api.import_aircraft(write_tar1090(tmp_path / "a.csv", GOOD), db=db)
    junk = write_tar1090(tmp_path / "junk.csv", ["zzzzzz;a;b;00;c;;d;", "qqqqqq;a;b;00;c;;d;"])
    report = api.import_aircraft(junk, db=db, format="tar1090_db")
    assert (report.rows_stored, report.rejects) == (0, {"bad_icao24": 2})
    assert len(_db_rows(db)) == 5
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    report = api.import_aircraft(empty, db=db)
    assert report.rejects == {"empty_file": 1}
    assert len(_db_rows(db)) == 5


OPENSKY_ROWS = [
    {
        "icao24": "152fa2",
        "registration": "RA-86496",
        "manufacturername": "Ilyushin",
        "model": "Il-62M",
        "typecode": "IL62",
        "operator": "Russian Air Force",
        "operatoricao": "RFF",
        "built": "1989-01-01",
    },
    {
        "icao24": "4B1805",
        "registration": "HB-JVN",
        "manufacturername": "Embraer",
        "model": "ERJ 190-100 LR",
        "typecode": "E190",
        "owner": "Helvetic Airways AG",
        "operatoricao": "OAW",
    },
]


def test_opensky_rows(tmp_path, db):
    path = write_opensky(tmp_path / "aircraftDatabase.csv", OPENSKY_ROWS)
    report = api.import_aircraft(path, db=db)
    assert (report.format, report.rows_stored, report.military, report.rejects) == (
        "opensky_db",
        2,
        0,
        {},
    )
    got = query(
        db,
        "SELECT icao24, registration, type_code, description, operator, operator_icao, year,"
        " military FROM aircraft_db ORDER BY icao24",
    )
    assert got == [
        ("152fa2", "RA-86496", "IL62", "Ilyushin Il-62M", "Russian Air Force", "RFF", "1989", None),
        # no operator: the owner stands in; the address is lower-cased
        (
            "4b1805",
            "HB-JVN",
            "E190",
            "Embraer ERJ 190-100 LR",
            "Helvetic Airways AG",
            "OAW",
            None,
            None,
        ),
    ]


def test_opensky_bad_lines(tmp_path, db):
    path = write_opensky(
        tmp_path / "aircraftDatabase.csv",
        OPENSKY_ROWS,
        extra_lines=['"abc","x"', '"4b1809","HB-Z","x","the "bad" quote"' + ',""' * 23],
    )
    report = api.import_aircraft(path, db=db)
    assert report.rows_stored == 2
    assert report.rejects == {"bad_field_count": 1, "bad_quoting": 1}
    assert query(db, "SELECT reason, location FROM rejects ORDER BY location") == [
        ("bad_field_count", "line 4"),
        ("bad_quoting", "line 5"),
    ]


def test_opensky_camel_case_single_quoted(tmp_path, db):
    path = write_opensky(tmp_path / "complete.csv", OPENSKY_ROWS, quote="'", camel=True)
    report = api.import_aircraft(path, db=db)
    assert (report.format, report.rows_stored, report.rejects) == ("opensky_db", 2, {})
    assert query(db, "SELECT operator_icao FROM aircraft_db ORDER BY icao24") == [
        ("RFF",),
        ("OAW",),
    ]


def test_detect():
    assert detect(b"152fa2;RA-86496;IL62;10;ILYUSHIN Il-62M;;Russia - Air Force;\n") == "tar1090_db"
    assert detect(b"icao;reg;type;flags;desc;year;ownop;\n") == "tar1090_db"
    assert detect(b'"icao24","registration","manufacturericao"\n') == "opensky_db"
    assert detect(b"'icao24','timestamp','registration'\n") == "opensky_db"
    assert detect(b"MSG,3,1,1,152FA2\n") is None
    assert detect(b"") is None


def test_unknown_content_is_a_format_error(tmp_path, db):
    path = tmp_path / "notes.txt"
    path.write_text("hello\nworld\n")
    with pytest.raises(FormatError, match="not an aircraft database"):
        api.import_aircraft(path, db=db)
    with pytest.raises(InputError, match="no such file"):
        api.import_aircraft(tmp_path / "nope.csv", db=db)
    with pytest.raises(InputError, match="not a file"):
        api.import_aircraft(tmp_path, db=db)
    with pytest.raises(ConfigError, match="choose one of"):
        api.import_aircraft(path, db=db, format="csv")


def test_forced_format_on_content_it_cannot_read(tmp_path, db):
    path = tmp_path / "notes.txt"
    path.write_text("hello\nworld\n")
    report = api.import_aircraft(path, db=db, format="tar1090_db")
    assert report.rows_stored == 0
    assert report.rejects == {"bad_field_count": 2}


def test_cut_gzip_is_a_format_error_not_a_crash(tmp_path, db):
    full = write_tar1090(tmp_path / "full.csv", GOOD * 200, gz=True).read_bytes()
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(full[: len(full) // 2])
    api.import_aircraft(write_tar1090(tmp_path / "a.csv", GOOD), db=db)
    with pytest.raises(FormatError, match="cut short"):
        api.import_aircraft(cut, db=db)
    assert query(db, "SELECT status FROM runs ORDER BY started_at") == [("ok",), ("error",)]
    assert query(db, "SELECT reason FROM rejects") == [("truncated_gzip",)]
    assert len(_db_rows(db)) == 5  # the earlier import is kept


def test_multi_member_gzip(tmp_path, db):
    a = write_tar1090(tmp_path / "a.gz", GOOD[:2], gz=True).read_bytes()
    b = write_tar1090(tmp_path / "b.gz", GOOD[2:], gz=True).read_bytes()
    both = tmp_path / "both.csv"
    both.write_bytes(a + b)
    report = api.import_aircraft(both, db=db)
    assert (report.rows_stored, report.rejects) == (5, {})


def test_report_as_json(tmp_path, db):
    report = api.import_aircraft(write_tar1090(tmp_path / "a.csv", GOOD + BAD[:1]), db=db)
    d = json.loads(json.dumps(report.as_dict()))
    assert (d["rows_stored"], d["rejects"], d["military"]) == (5, {"bad_icao24": 1}, 3)
