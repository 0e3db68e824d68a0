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


def test_sources_named_by_their_proper_name():
    from basewatch.news.sources import find_source, proper_name

    assert proper_name("the Interfax news agency") == "Interfax"
    assert proper_name("news agency Vela") == "Vela"
    assert proper_name("the Izvestia daily") == "Izvestia"
    assert proper_name("the state news agency") == "the state news agency"
    assert find_source("The talks will go on, news agency Vela has said.") == "Vela"
    assert find_source("As per the Ukrainian side, the strike was the second.") == (
        "the Ukrainian side"
    )
    assert find_source("As announced by the Pentagon, the troops will move.") == "the Pentagon"


def test_credit_for_the_sentence_before_and_continuing_cues():
    from basewatch.news.sources import continues_attribution, credited_later

    assert credited_later("This was reported by the news agency Vela.") == "Vela"
    assert credited_later("This was a long week.") is None
    assert continues_attribution("In particular, the agency said, a jet landed.")
    assert continues_attribution("The jets reportedly landed at night.")
    assert continues_attribution("Russia has also sent two frigates.")
    assert not continues_attribution("The jets landed at night.")


def test_cross_sentence_sources_in_an_article(pipe, ref):
    from datetime import date

    from basewatch.news.extractor import ArticleExtractor

    doc = pipe(
        "Two Il-76 transports landed at Hmeimim on Monday. This was reported by Nordwire.\n\n"
        "Bloomberg reported that an An-124 landed at Hmeimim on Tuesday. In particular, an "
        "Il-62M landed there on Wednesday.\n\n"
        "An A400M landed at Akrotiri on Thursday.\n"
    )
    evs = ArticleExtractor(doc, date(2025, 10, 31), "Test Wire", ref).run()

    def source_of(aircraft):
        (ev,) = [e for e in evs if e.event_type == "flight" and aircraft in e.sentence]
        return ev.source

    assert source_of("Il-76") == "Nordwire"
    assert source_of("Il-62M") == "Bloomberg"
    assert source_of("A400M") == "Test Wire"  # no cue: no carry
    assert not any(e.sentence.startswith("This was reported") for e in evs)


def test_anonymous_speaker_and_the_agency_that_carried_the_words(pipe, ref):
    from datetime import date

    from basewatch.news.extractor import ArticleExtractor

    doc = pipe(
        "Russia resumed flights to Hmeimim, Bloomberg reported.\n\n"
        "A source close to the Kremlin told the agency that Moscow wanted to keep both bases.\n\n"
        "The source said talks were going well.\n"
    )
    evs = ArticleExtractor(doc, date(2025, 10, 31), "Test Wire", ref).run()
    st = [e for e in evs if e.event_type == "statement"]
    assert [(e.speaker, e.speaker_kind, e.source) for e in st][:2] == [
        ("A source close to the Kremlin", "anonymous", "Bloomberg"),
        ("A source close to the Kremlin", "anonymous", "Test Wire"),
    ]
