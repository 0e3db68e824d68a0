"""Who told of an event, and which source "the agency" is."""

from __future__ import annotations

from basewatch.news.attribution import Attribution, reported_by
from basewatch.news.entities import People


def test_trailing_teller_is_the_source(pipe, first):
    doc = pipe("Two frigates passed the Bosphorus on Monday, ship spotters in Istanbul reported.")
    tok = first(doc, "passed")
    assert reported_by(tok, tok.sent, People(doc)) == "ship spotters in Istanbul"


def test_the_event_told_by_a_ministry(pipe, first):
    doc = pipe("Lithuania's defence ministry said that a German brigade moved to Rukla.")
    tok = first(doc, "moved")
    assert reported_by(tok, tok.sent, People(doc)) == "Lithuania's defence ministry"


def test_no_teller_no_source(pipe, first):
    doc = pipe("A German brigade moved to Rukla on Monday.")
    tok = first(doc, "moved")
    assert reported_by(tok, tok.sent, People(doc)) is None


def test_the_agency_is_the_agency_named_before():
    att = Attribution("Test Wire")
    assert att.resolve("Interfax") == "Interfax"
    assert att.resolve("the agency") == "Interfax"
    assert att.resolve("flight-tracking data") == "flight-tracking data"
    assert att.resolve("the same data") == "flight-tracking data"


def test_it_is_the_institution_that_spoke_last():
    att = Attribution("Test Wire")
    att.org_speakers.append("the Estonian Defence Forces")
    assert att.last_org("it") == "the Estonian Defence Forces"
    assert att.last_org("ministry") is None
