"""Actors and places of an event."""

from __future__ import annotations

from basewatch.news.entities import People
from basewatch.news.participants import actors_of, place_of
from basewatch.news.quotes import find_statements


def test_place_is_the_base_after_at(pipe, ref, first):
    doc = pipe("A Russian Il-62M landed at Hmeimim air base on October 26.")
    tok = first(doc, "landed")
    name, icao, _ = place_of(tok.sent, tok, ref)
    assert (name, icao) == ("OSLK", "OSLK")


def test_place_is_a_city(pipe, ref, first):
    doc = pipe("Belousov met Abu Qasra in Moscow on 28 October.")
    tok = first(doc, "met")
    assert place_of(tok.sent, tok, ref)[0] == "Moscow"


def test_actors_are_the_people_of_the_clause_not_the_teller(pipe, first):
    doc = pipe("Kremlin spokesman Dmitry Peskov said Vladimir Putin met Ahmed al-Sharaa in Moscow.")
    people = People(doc)
    tok = first(doc, "met")
    st = find_statements(tok.sent, people)
    names = actors_of(tok.sent, tok, people, st)
    assert "Vladimir Putin" in names and "Ahmed al-Sharaa" in names
    assert "Dmitry Peskov" not in names


def test_flights_to_the_city_of_a_base_and_to_the_base(pipe, ref):
    from datetime import date

    from basewatch.news.extractor import ArticleExtractor

    doc = pipe(
        "An Il-62M of the Russian Aerospace Forces touched down at Latakia on 26 October.\n\n"
        "Two An-124 freighters landed at the base on 27 October.\n\n"
        "Four Dutch F-35A fighters landed at the Šiauliai air base on 28 October.\n"
    )
    evs = ArticleExtractor(doc, date(2025, 10, 30), "Test Wire", ref).run()
    flights = [e for e in evs if e.event_type == "flight"]
    # the An-124s are given no nationality: an Antonov type flies with Russia's forces here
    assert [(e.place_icao, e.actors) for e in flights] == [
        ("OSLK", ["RU"]),
        ("OSLK", ["RU"]),
        ("EYSA", ["NL"]),
    ]


def test_place_names_at_query_time(ref):
    from basewatch.news.participants import place_keys

    keys = place_keys("Khmeimim", ref)
    assert "oslk" in keys and "latakia" in keys
    assert place_keys("OSLK", ref) == place_keys("oslk", ref)
    assert place_keys("Nowhere Town", ref) == ["nowhere town"]
