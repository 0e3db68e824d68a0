"""A news date keeps its precision when the brief tells it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from basewatch.fuse.brief import when


def _d(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "a, b, precision, told",
    [
        ("2025-10-15", "2025-10-15", "day", "on 15 October 2025"),
        ("2025-10-01", "2025-10-19", "month", "earlier in October 2025"),
        ("2025-10-21", "2025-10-31", "month", "in late October 2025"),
        ("2025-10-11", "2025-10-20", "month", "in mid-October 2025"),
        ("2025-10-01", "2025-10-31", "month", "in October 2025"),
        ("2025-10-20", "2025-10-26", "week", "in the week of 20 October 2025"),
        ("2024-01-01", "2024-12-31", "year", "in 2024"),
        ("2025-10-24", "2025-10-29", "range", "between 24 and 29 October 2025"),
    ],
)
def test_precision_in_prose(a, b, precision, told):
    assert when(_d(a), _d(b), precision) == told


def test_long_quotes_are_cut_only_at_clause_boundaries():
    from basewatch.fuse.timeline import wording
    from basewatch.news.quotes import shorten_quote

    words = (
        "We have no plans to ask Russia to leave, and we have said so many times to our "
        "partners in Moscow and in Washington; but our security can no longer rest on one "
        "partner alone, whatever happens in the region over the coming years and whoever "
        "governs in the capitals that matter to us most of all"
    )
    cut = shorten_quote(words, 20)
    assert cut == "We have no plans to ask Russia to leave …"
    assert shorten_quote(words).endswith("one partner alone …")
    # every cut ends a clause of the original: the words before the mark are a prefix ending
    # at a boundary, never inside a word
    for n in (5, 12, 20, 30, 40):
        got = shorten_quote(words, n).removesuffix(" …")
        assert got == words or (words.startswith(got) and words[len(got)] in ",;.:")
    assert shorten_quote("no boundary at all in these many words here", 3) == (
        "no boundary at all in these many words here"
    )
    sentence = f'"{words}," she said.'
    assert wording(words, sentence) == "“" + shorten_quote(words) + "”"
