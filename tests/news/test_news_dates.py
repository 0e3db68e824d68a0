"""Time expressions normalised against the publication day, durations never taken for dates."""

from __future__ import annotations

from datetime import date

import pytest

from basewatch.news.dates import find_times, parse_duration

THU = date(2025, 10, 30)  # a Thursday


def spans(text, anchor=THU):
    return [
        (h.span.start.isoformat(), h.span.end.isoformat(), h.span.precision)
        for h in find_times(text, anchor)
        if h.span
    ]


@pytest.mark.parametrize(
    "text, want",
    [
        ("on October 26", ("2025-10-26", "2025-10-26", "day")),
        ("on 26 October", ("2025-10-26", "2025-10-26", "day")),
        ("from October 24 to 29", ("2025-10-24", "2025-10-29", "range")),
        ("between 24 and 29 October", ("2025-10-24", "2025-10-29", "range")),
        ("from October 30 to November 2", ("2025-10-30", "2025-11-02", "range")),
        ("in mid-October", ("2025-10-11", "2025-10-20", "month")),
        ("between September and October", ("2025-09-01", "2025-10-31", "range")),
        ("in the first half of next year", ("2026-01-01", "2026-06-30", "range")),
        ("at the end of the year", ("2025-12-21", "2025-12-31", "month")),
        ("earlier this month", ("2025-10-01", "2025-10-29", "month")),
        ("over the weekend", ("2025-10-25", "2025-10-26", "range")),
        ("last week", ("2025-10-20", "2025-10-26", "week")),
        ("on Wednesday", ("2025-10-29", "2025-10-29", "day")),
        ("on Thursday", ("2025-10-30", "2025-10-30", "day")),
        ("yesterday", ("2025-10-29", "2025-10-29", "day")),
        ("three days ago", ("2025-10-27", "2025-10-27", "day")),
        ("in September", ("2025-09-01", "2025-09-30", "month")),
        ("on 3 November 2024", ("2024-11-03", "2024-11-03", "day")),
        ("on December 20", ("2024-12-20", "2024-12-20", "day")),  # no year: the recent past
    ],
)
def test_rules(text, want):
    assert spans(f"It happened {text}.") == [want]


def test_future_tense_looks_forward():
    assert spans("The ministers will meet on Monday.") == [("2025-11-03", "2025-11-03", "day")]


def test_durations_are_not_dates():
    assert spans("Flights resumed after a six-month break.") == []
    assert spans("The ships stayed for three weeks.") == []
    assert parse_duration("a six-month break").days == 183


def test_relative_to_an_event_is_left_to_the_event():
    (hit,) = find_times("The talks took place less than two weeks after the visit.", THU)
    assert hit.span is None and hit.relative_days == (1, 14)
    assert hit.anchor_text == "the visit"


@pytest.mark.parametrize(
    "text, want",
    [
        ("drills on Tuesday and Wednesday", ("2025-10-28", "2025-10-29", "range")),
        ("four flights between Saturday and Monday", ("2025-10-25", "2025-10-27", "range")),
        ("from Wednesday to Thursday", ("2025-10-29", "2025-10-30", "range")),
        ("Last April, bombers flew in", ("2025-04-01", "2025-04-30", "month")),
        ("Last October, bombers flew in", ("2024-10-01", "2024-10-31", "month")),
        ("In October 2024 they left", ("2024-10-01", "2024-10-31", "month")),
    ],
)
def test_weekday_ranges_and_last_month_name(text, want):
    assert spans(text) == [want]
