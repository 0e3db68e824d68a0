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
