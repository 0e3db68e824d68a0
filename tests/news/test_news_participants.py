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
