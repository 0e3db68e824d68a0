"""Dates by occasion: relative dates counted from the event they name, statements dated by
their occasion, never by the publication day."""

from __future__ import annotations

from datetime import date

from basewatch.news.extractor import ArticleExtractor

ANCHOR = date(2025, 10, 30)  # a Thursday


def _events(pipe, ref, text):
    return ArticleExtractor(pipe(text), ANCHOR, "Test Wire", ref).run()


def _one(events, etype, contains):
    (ev,) = [e for e in events if e.event_type == etype and contains in e.sentence]
    return ev


def test_a_day_later_counts_from_the_event(pipe, ref):
    evs = _events(
        pipe,
        ref,
        "An Il-62M landed at Khmeimim on October 26. A day later an An-124 landed at Khmeimim.",
    )
    assert _one(evs, "flight", "A day later").date_start == "2025-10-27"


def test_statement_at_the_meeting_takes_its_date(pipe, ref):
    evs = _events(
        pipe,
        ref,
        "Andrei Belousov met Murhaf Abu Qasra in Moscow on 28 October. "
        'At the meeting, Belousov said that "our cooperation is growing in every field".',
    )
    st = _one(evs, "statement", "At the meeting")
    assert (st.date_start, st.date_precision) == ("2025-10-28", "day")


def test_statement_without_occasion_is_undated(pipe, ref):
    evs = _events(pipe, ref, "Dmitry Peskov said the bases were discussed at length.")
    assert _one(evs, "statement", "Peskov").date_start is None


def test_past_weekday_is_the_last_one(pipe, ref):
    evs = _events(pipe, ref, "Two frigates sailed into the port of Tartus on Tuesday.")
    assert _one(evs, "military_movement", "frigates").date_start == "2025-10-28"
