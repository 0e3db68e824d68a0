"""Watch lists: every key, AND across keys, OR across values, flags, and bad files."""

from __future__ import annotations

import pytest
from identity_files import tar1090_line, write_opensky, write_tar1090, write_trace

from basewatch import api
from basewatch.errors import ConfigError
from basewatch.identity.rules import example_watchlist_file, load_rules, read_watchlist

FLEET = [
    tar1090_line("152fa2", "RA-86496", "IL62", "10", "ILYUSHIN Il-62M", "", "Russia - Air Force"),
    tar1090_line("15107e", "RA-82035", "A124", "00", "ANTONOV An-124-100", "", "Volga-Dnepr"),
    tar1090_line("152003", "RF-76551", "IL76", "00", "ILYUSHIN Il-76MD", "", ""),
    tar1090_line("778fa1", "YK-AKB", "A320", "00", "AIRBUS A-320", "", "Syrian Air"),
    tar1090_line("018a01", "5A-DKA", "IL76", "00", "ILYUSHIN Il-76TD", "", ""),
    tar1090_line("4b1805", "HB-JVN", "E190", "00", "EMBRAER ERJ-190", "", "Helvetic"),
]


@pytest.fixture
def fleet(tmp_path, db):
    api.import_aircraft(write_tar1090(tmp_path / "fleet.csv", FLEET), db=db)
    return db


def _labels(db, watchlist) -> dict[str, str | None]:
    table = api.aircraft_table(db, watchlists=[watchlist])
    return {r["icao24"]: r["watch_labels"] for r in table.to_pylist()}


def _write(tmp_path, text, name="watch.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_each_key(tmp_path, fleet):
    wl = _write(
        tmp_path,
        """
[[watch]]
label = "by address"
icao24 = "4B1805"

[[watch]]
label = "by glob"
registration = "RA-8*"

[[watch]]
label = "by regex"
registration_regex = "^RF-\\\\d{5}$"

[[watch]]
label = "by type"
type = ["il76", "A124"]

[[watch]]
label = "by country code"
country = "SY"

[[watch]]
label = "by country name"
country = "libya"

[[watch]]
label = "by operator words"
operator = "air force"
""",
    )
    got = _labels(fleet, wl)
    assert got == {
        "152fa2": "by glob; by operator words",
        "15107e": "by glob; by type",
        "152003": "by regex; by type",
        "778fa1": "by country code",
        "018a01": "by country name; by type",
        "4b1805": "by address",
    }


def test_keys_combine_with_and(tmp_path, fleet):
    wl = _write(
        tmp_path,
        '[[watch]]\nlabel = "Russian Il-76"\ntype = "IL76"\ncountry = "RU"\n',
    )
    got = _labels(fleet, wl)
    assert [k for k, v in got.items() if v] == ["152003"]


def test_watch_match_sets_flags_only_when_asked(tmp_path, fleet):
    wl = _write(
        tmp_path,
        '[[watch]]\nlabel = "heavy"\ntype = "A124"\n\n'
        '[[watch]]\nlabel = "Libyan"\ncountry = "LY"\nmilitary = true\n',
    )
    rows = {r["icao24"]: r for r in api.aircraft_table(fleet, watchlists=[wl]).to_pylist()}
    heavy = rows["15107e"]
    assert (heavy["is_military"], heavy["is_state"], heavy["reason"]) == (
        False,
        False,
        "watch list heavy",
    )
    libyan = rows["018a01"]
    assert (libyan["is_military"], libyan["is_state"], libyan["reason"]) == (
        True,
        True,
        "watch list Libyan",
    )


def test_operator_designator_matches_callsigns_and_databases(tmp_path, db):
    write_trace(tmp_path / "t.json", "152fa2", callsign="RFF7085")
    api.ingest([tmp_path / "t.json"], db=db)
    api.import_aircraft(
        write_opensky(tmp_path / "os.csv", [{"icao24": "152fa3", "operatoricao": "RFF"}]), db=db
    )
    wl = _write(tmp_path, '[[watch]]\nlabel = "RFF"\noperator = "RFF"\n')
    got = _labels(db, wl)
    assert got == {"152fa2": "RFF", "152fa3": "RFF"}


def test_the_example_watch_list(fleet):
    got = _labels(fleet, example_watchlist_file())
    assert got["152fa2"] == "Russian heavy transport"
    assert got["15107e"] == "Russian heavy transport"
    assert got["152003"] == "Russian heavy transport; Russian state registration"
    assert got["778fa1"] == "Syrian address block"
    assert got["018a01"] == "Libyan address block"
    assert got["4b1805"] is None


def test_watch_lists_from_environment_and_settings(tmp_path, fleet, monkeypatch):
    wl = _write(tmp_path, '[[watch]]\nlabel = "Swiss"\ncountry = "CH"\n')
    monkeypatch.setenv("BASEWATCH_WATCHLISTS", str(wl))
    assert [e.label for e in load_rules().watch] == ["Swiss"]
    monkeypatch.delenv("BASEWATCH_WATCHLISTS")
    (tmp_path / "basewatch.toml").write_text(f'watchlists = ["{wl}"]\n')
    assert [e.label for e in load_rules(cwd=tmp_path).watch] == ["Swiss"]
    assert load_rules(watchlists=[], cwd=tmp_path).watch == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "needs \\[\\[watch\\]\\] entries"),
        ('[[watch]]\ntype = "IL62"\n', "label missing"),
        ('[[watch]]\nlabel = "x"\n', "give at least one of"),
        ('[[watch]]\nlabel = "x"\ntail = "RA-1"\n', "unknown key 'tail'"),
        ('[[watch]]\nlabel = "x"\nicao24 = "12345g"\n', "not 6 hex digits"),
        ('[[watch]]\nlabel = "x"\nregistration_regex = "^RF-("\n', "bad regular expression"),
        ('[[watch]]\nlabel = "x"\ntype = []\n', "empty list"),
        ('[[watch]]\nlabel = "x"\ntype = 3.5\n', "must be text"),
        ('[[watch]]\nlabel = "x"\ntype = "IL62"\nmilitary = "yes"\n', "true or false"),
        ("[[watch]\n", "cannot read watch list"),
    ],
)
def test_bad_watch_lists(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        read_watchlist(_write(tmp_path, text))


def test_a_regex_python_takes_but_re2_does_not(tmp_path, fleet):
    wl = _write(tmp_path, '[[watch]]\nlabel = "x"\nregistration_regex = "^RF-(?=7)"\n')
    with pytest.raises(ConfigError, match="RE2"):
        api.aircraft(fleet, watchlists=[wl])


def test_missing_watch_list(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_rules(watchlists=[tmp_path / "nope.toml"])
