"""Event extraction on articles we wrote, including the known traps of the tools analysts use."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from basewatch import api
from basewatch.news.fetch import read_text
from basewatch.news.pipeline import extract

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def events():
    art = read_text((DATA / "belousov_meeting.md").read_text(), "belousov_meeting.md")
    rows, ents = extract([art])
    return art, rows, ents


def _one(rows, etype, contains):
    hits = [r for r in rows if r["event_type"] == etype and contains in r["sentence"]]
    assert len(hits) == 1, (etype, contains, rows)
    return hits[0]


def test_every_event_shows_its_sentence(events):
    art, rows, _ = events
    assert rows
    for r in rows:
        assert r["sentence"] in art.text
        assert r["extractor"].startswith("basewatch-news-rules-")


def test_meeting_with_people_place_date(events):
    _, rows, _ = events
    ev = _one(rows, "meeting", "met his Syrian counterpart")
    assert ev["actors"][:2] == ["Andrei Belousov", "Murhaf Abu Qasra"]
    assert (ev["date_start"], ev["date_precision"]) == ("2025-10-28", "day")
    assert ev["place"] == "Moscow" and ev["source"] == "Test Wire"


def test_direct_quote_and_later_surname_is_same_person(events):
    _, rows, ents = events
    ev = _one(rows, "statement", "substantive and fruitful")
    assert ev["speaker"] == "Andrei Belousov"
    assert ev["quote"].startswith("contacts between our military departments")
    person = [e for e in ents if e["label"] == "person" and e["canonical"] == "Andrei Belousov"]
    assert person[0]["role"] == "Defence Minister" and person[0]["country"] == "RU"


def test_the_minister_and_he_resolve_to_the_speaker(events):
    _, rows, _ = events
    ev = _one(rows, "statement", "The minister added")
    assert ev["speaker"] == "Andrei Belousov"
    assert ev["date_start"] is None  # the text does not say when; never the publication day


def test_flights_dated_and_attributed(events):
    _, rows, _ = events
    il62 = _one(rows, "flight", "Il-62M landed")
    assert (il62["date_start"], il62["place"], il62["source"]) == (
        "2025-10-26",
        "OSLK",
        "Bloomberg",
    )
    ruslan = _one(rows, "flight", "made three flights")
    assert (ruslan["date_start"], ruslan["date_end"]) == ("2025-10-24", "2025-10-29")
    assert ruslan["date_precision"] == "range"  # the six-month break is a duration, not a date


def test_relative_date_counts_from_the_event_not_publication(events):
    _, rows, _ = events
    ev = _one(rows, "meeting", "These talks took place")
    assert ev["date_start"] == "2025-10-28"  # the talks named before, not 30 Oct minus 2 weeks


def test_negated_saying_is_no_statement(events):
    _, rows, _ = events
    assert not [r for r in rows if "did not say" in r["sentence"]]


def test_aircraft_never_people(events):
    _, _, ents = events
    assert not [e for e in ents if e["label"] == "person" and "An-124" in e["text"]]
    types = {e["canonical"] for e in ents if e["label"] == "aircraft_type"}
    assert {"Il-62M", "An-124-100"} <= types
    assert "Ruslan" not in {e["text"] for e in ents if e["label"] == "person"}


def test_indirect_quote_with_source(tmp_path, db):
    f = tmp_path / "a.md"
    f.write_text(
        "Syrian Foreign Minister Asaad al-Shibani said on Saturday that the fate of the bases "
        "had not been resolved. The two sides were revising the agreements, he said, "
        "according to Reuters.\n"
    )
    api.news_add([str(f)], db=db, published="2025-10-19T11:00:00+03:00", outlet="Own Desk")
    df = api.news_events(db=db, type="statement")
    assert list(df["speaker"]) == ["Asaad al-Shibani", "Asaad al-Shibani"]
    assert df.iloc[0]["quote"] == "the fate of the bases had not been resolved"
    assert df.iloc[0]["date_start"] == "2025-10-18"  # "said on Saturday"
    assert pd.isna(df.iloc[1]["date_start"])  # no day for the second saying: none invented
    assert list(df["source"]) == ["Own Desk", "Reuters"]
    assert api.news_events(db=db, actor="asaad al-shibani").shape[0] == 2


def test_odd_texts_do_not_crash_and_no_date_is_invented():
    from basewatch.news.fetch import Given, make_article

    texts = [
        "...",
        "\x01 garbage ü",
        "a " * 5000,
        '"""',
        "On 31 February 2025 the Il-62M landed at Hmeimim.",
        "Между тем самолёт Ил-62М приземлился.",
        "Two Il-76 transports landed at Al Jufra on Saturday.",  # no publication date known
    ]
    arts = [make_article(t, f"t{i}", Given()) for i, t in enumerate(texts)]
    rows, _ = extract(arts)
    for r in rows:
        assert r["date_start"] is None  # neither a 31 February nor a Saturday from nowhere


def _extract_text(body: str) -> list[dict]:
    text = (
        '+++\nurl = "https://wire.example/a"\noutlet = "Test Wire"\n'
        'published = "2025-11-03T10:00:00+00:00"\n+++\n\n' + body
    )
    rows, _ = extract([read_text(text, "a.md")])
    return rows


def test_two_meetings_joined_by_and_are_told_apart():
    rows = _extract_text(
        "Syria's president Ahmed al-Sharaa was received by Vladimir Putin in the Kremlin on "
        "15 October, and the two countries' defence ministers, Andrei Belousov and Murhaf Abu "
        "Qasra, met on 28 October.\n"
    )
    met = sorted(
        (r["date_start"], tuple(r["actors"])) for r in rows if r["event_type"] == "meeting"
    )
    assert met == [
        ("2025-10-15", ("Ahmed al-Sharaa", "Vladimir Putin")),
        ("2025-10-28", ("Andrei Belousov", "Murhaf Abu Qasra")),
    ]


def test_an_outlet_is_not_a_place_and_her_words_are_not_a_source():
    rows = _extract_text(
        "A source close to the Kremlin confirmed to Bloomberg that the flights to Syria had "
        "resumed on 24 October.\n\nMaria Zakharova said the talks were going on. Her words "
        "confirm that the status of the Khmeimim air base is being negotiated.\n"
    )
    assert all(r["place"] != "Bloomberg" for r in rows), rows
    assert all(r["source"] != "Her words" for r in rows), rows


def test_a_question_left_open_is_not_an_event():
    rows = _extract_text(
        "The minister's comments leave open whether Russian aircraft will continue to use "
        "Khmeimim air base.\n"
    )
    assert [r for r in rows if r["event_type"] == "flight"] == []


def test_habits_denials_and_institutions_are_not_events_or_speakers():
    rows = _extract_text(
        "The Russian air force flies Su-34 strike aircraft from Olenya.\n\n"
        "Norwegian officials denied reports that Washington had asked to base bombers at "
        "Evenes.\n\nNone of this means a new unit has arrived there.\n\n"
        "Two Tu-95MS bombers held drills over the Barents Sea on Tuesday and Wednesday, the "
        "Norwegian Joint Headquarters said.\n"
    )
    # the denied basing is no event; the denial is a statement by unnamed officials
    assert [(r["event_type"], r["source"], r["speaker_kind"]) for r in rows] == [
        ("statement", "Test Wire", "anonymous"),
        ("exercise", "the Norwegian Joint Headquarters", None),
    ], rows
    assert (rows[1]["date_start"], rows[1]["date_end"]) == ("2025-10-28", "2025-10-29")


def _rows_of(body: str, published: str = "2026-03-12T09:00:00+00:00") -> list[dict]:
    art = read_text(
        f'+++\noutlet = "Test Post"\npublished = "{published}"\n+++\n\n{body}\n', "t.md"
    )
    rows, _ = extract([art])
    return rows


def test_he_added_colon_quote_extends_the_statement_before():
    rows = _rows_of(
        "Colonel Marta Lind, the base commander, said the runway would reopen in May. "
        'She added: "Our crews will be back before the summer."'
    )
    said = [r for r in rows if r["event_type"] == "statement"]
    assert len(said) == 1 and said[0]["speaker"] == "Marta Lind"
    assert said[0]["quote"].endswith("Our crews will be back before the summer")


def test_words_said_at_a_placed_occasion_and_origins_are_not_places():
    rows = _rows_of(
        "Defence Minister Ivo Kask met his Latvian counterpart in Riga on Tuesday. At the "
        "meeting, Kask said Estonia would buy more air-defence systems.\n\n"
        "Two Dutch F-35 jets flew in from Volkel in the Netherlands on Wednesday."
    )
    said = next(r for r in rows if r["event_type"] == "statement")
    assert said["place"] == "Riga" and said["date_start"] == "2026-03-10"
    flight = next(r for r in rows if r["event_type"] == "flight")
    assert flight["place"] != "Netherlands" and "NL" in flight["actors"]
