"""The document layer: headlines, bylines, datelines and captions are told apart from the body,
and what they say about the article (its day, its agency, its place) is kept."""

from __future__ import annotations

from datetime import date

from basewatch.news.document import read_layout
from basewatch.news.fetch import read_text
from basewatch.news.pipeline import extract

WIRE = (
    "Russian transports return to Syria\n\n"
    "By Ana Vell | Nordwire\n\n"
    "LATAKIA, May 14. /NORDWIRE/. Two Il-76 transports landed at the Hmeimim air base on"
    " Tuesday.\n\n"
    "Photo: An Il-76 at Hmeimim on May 3, 2025. (Nordwire)\n\n"
    "What comes next\n\n"
    "The flights continued on Wednesday, the ministry said.\n"
)


def test_parts_around_the_body_are_taken_out_and_offsets_map_back():
    lay = read_layout(WIRE, date(2025, 5, 15), "Test Wire", "Russian transports return to Syria")
    kinds = [k for *_, k in lay.skipped]
    assert kinds == ["heading", "byline", "dateline", "caption", "heading"]
    assert lay.text.lstrip("\n").startswith("Two Il-76 transports landed")
    assert "Photo" not in lay.text and "Nordwire" not in lay.text and "By Ana" not in lay.text
    assert lay.text.count("\n\n") >= 3  # paragraphs stay paragraphs
    i = lay.text.index("The flights continued")
    assert WIRE[lay.original(i) :].startswith("The flights continued")
    assert lay.body_offset(lay.original(i)) == i


def test_dateline_gives_place_day_and_agency():
    lay = read_layout(WIRE, date(2025, 5, 15), "Test Wire")
    d = lay.dateline
    assert (d.place, d.day, d.agency) == ("Latakia", date(2025, 5, 14), "Nordwire")
    assert lay.credit == "Nordwire"
    assert lay.anchor == date(2025, 5, 14)  # filed the day before it was published


def test_undated_article_takes_its_dateline_or_caption_day():
    lay = read_layout("KYIV, March 3, 2025 (AP) — Two jets landed on Monday.", None, "X")
    assert lay.anchor == date(2025, 3, 3) and lay.credit == "AP"
    assert read_layout(WIRE, None, "Test Wire").anchor == date(2025, 5, 3)  # the caption's


def test_plain_sentences_are_no_datelines():
    for text in (
        "Moscow is far from Latakia. The jets landed.",
        "NATO. The alliance said nothing more.",
        "Two Il-76 transports landed at Hmeimim.",
    ):
        lay = read_layout(text, date(2025, 5, 15), "X")
        assert lay.dateline is None and lay.text == text and lay.original(5) == 5


def test_the_outlets_own_dateline_credits_no_agency():
    lay = read_layout("MOSCOW (Test Wire) — Two jets landed.", date(2025, 5, 15), "Test Wire")
    assert lay.dateline.agency is None and lay.credit is None


def test_republished_credit():
    text = (
        "Two jets landed at Hmeimim on Monday.\n\nThis article was republished from Sahel Monitor."
    )
    assert read_layout(text, None, "X").credit == "Sahel Monitor"


def test_events_of_a_wire_article():
    art = read_text(
        '+++\noutlet = "Test Wire"\npublished = "2025-05-15T08:00:00+00:00"\n+++\n' + WIRE,
        "wire.md",
    )
    rows, _ = extract([art])
    flights = [r for r in rows if r["event_type"] == "flight"]
    assert flights, rows
    first = flights[0]
    assert first["sentence"].startswith("Two Il-76 transports landed")
    assert art.text[first["char_start"] :].startswith(first["sentence"])
    assert (first["date_start"], first["source"]) == ("2025-05-13", "Nordwire")
    assert not any("Photo" in r["sentence"] or "By Ana" in r["sentence"] for r in rows)
