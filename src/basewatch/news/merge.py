"""One event told by several articles: which reports are the same event.

Two reports are one event when they have the same type (a meeting, talks and a visit of the
same people on the same day are one encounter), their dates overlap (each taken with
its own precision: "in October" holds "on 15 October", "between 24 and 29 October" holds "on
26 October"), their parties agree (a person named in both, by full name or surname; countries
in common when neither names people) and their places do not disagree (the same place, or one
of them names none). Statements are one when the same speaker is given words sharing most of
their content on overlapping dates (or both undated).

Sources are counted by origin: an agency's copy republished by two outlets is one source, and
so are three articles citing Bloomberg (``independent_sources``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# words that carry no content when comparing two wordings of one statement
_LIGHT = {
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "that", "this",
    "is", "are", "was", "were", "be", "been", "it", "its", "he", "she", "they", "we", "would",
    "will", "has", "have", "had", "not", "by", "from", "as",
}  # fmt: skip


# one encounter told as a meeting by one article, talks or a visit by another
FAMILY = {"visit": "meeting", "negotiation": "meeting"}


def family(event_type: str) -> str:
    return FAMILY.get(event_type, event_type)


@dataclass
class Report:
    """One news event as one article tells it (the fields merging compares)."""

    event_type: str
    date_start: str | None  # YYYY-MM-DD, None when undated
    date_end: str | None
    people: Sequence[str] = ()  # named parties (not country codes)
    countries: Sequence[str] = ()  # ISO codes among the parties
    place: str | None = None  # ICAO code or place name
    speaker: str | None = None
    quote: str | None = None
    aircraft: Sequence[str] = ()  # aircraft types the report names
    payload: object = None  # whatever the caller keeps with the report


@dataclass
class Story:
    """Reports of one event, the most precisely dated first."""

    reports: list[Report] = field(default_factory=list)

    @property
    def best(self) -> Report:
        return self.reports[0]

    @property
    def event_type(self) -> str:
        """The type most reports give (on a tie a meeting, else the best-dated report's)."""
        types = [r.event_type for r in self.reports]
        return max(types, key=lambda t: (types.count(t), t == "meeting", t == types[0]))


def _span_days(r: Report) -> int:
    if not r.date_start:
        return 1 << 30
    a, b = r.date_start, r.date_end or r.date_start
    y0, m0, d0 = map(int, a.split("-"))
    y1, m1, d1 = map(int, b.split("-"))
    return (y1 - y0) * 372 + (m1 - m0) * 31 + (d1 - d0)


def dates_overlap(a: Report, b: Report) -> bool:
    """Both undated, or both dated with overlapping spans (an undated report joins none)."""
    if not a.date_start or not b.date_start:
        return not a.date_start and not b.date_start
    return a.date_start <= (b.date_end or b.date_start) and b.date_start <= (
        a.date_end or a.date_start
    )


def same_person(a: str, b: str) -> bool:
    """'Vladimir Putin' and 'Putin', 'Ahmed al-Sharaa' and 'al-Sharaa': the same person."""
    x, y = a.casefold().split(), b.casefold().split()
    if not x or not y:
        return False
    if x == y:
        return True
    return x[-1] == y[-1] and (len(x) == 1 or len(y) == 1 or x[0][:1] == y[0][:1])


def parties_agree(a: Report, b: Report) -> bool:
    if a.people and b.people:
        return any(same_person(p, q) for p in a.people for q in b.people)
    if a.countries and b.countries:
        return bool(set(a.countries) & set(b.countries))
    return True  # one of them names no parties of that kind: nothing disagrees


def places_agree(a: Report, b: Report) -> bool:
    if not a.place or not b.place:
        return True
    return a.place.casefold() == b.place.casefold()


def _content_words(text: str | None) -> set[str]:
    return {w for w in _WORD.findall((text or "").casefold()) if w not in _LIGHT}


def same_words(a: str | None, b: str | None) -> bool:
    """Two wordings of one statement: most content words of the shorter in the other."""
    x, y = _content_words(a), _content_words(b)
    if not x or not y:
        return False
    return len(x & y) >= 0.6 * min(len(x), len(y))


def same_event(a: Report, b: Report) -> bool:
    if family(a.event_type) != family(b.event_type):
        return False
    if a.event_type == "statement":
        # the same words of the same speaker: an undated report of them joins a dated one
        undated = not a.date_start or not b.date_start
        return (
            (undated or dates_overlap(a, b))
            and bool(a.speaker and b.speaker)
            and same_person(a.speaker, b.speaker)
            and same_words(a.quote, b.quote)
        )
    if a.aircraft and b.aircraft and not set(a.aircraft) & set(b.aircraft):
        return False  # an An-124 and an Il-62M landing on one day are two flights
    return dates_overlap(a, b) and parties_agree(a, b) and places_agree(a, b)


def merge_reports(reports: Sequence[Report]) -> list[Story]:
    """Reports grouped into stories: each report joins the first story whose every report it
    agrees with; reports are taken most precise date first, so a story's first report gives
    its date ('on 15 October' before 'earlier in October')."""
    stories: list[Story] = []
    for r in sorted(reports, key=_span_days):
        for s in stories:
            if all(same_event(r, o) for o in s.reports):
                s.reports.append(r)
                break
        else:
            stories.append(Story([r]))
    return stories


def independent_sources(sources: Sequence[str], outlets: Sequence[str]) -> int:
    """How many independent sources report it: outlets repeating one source count once, and an
    outlet reporting on its own counts as one."""
    return len({(s or o or "").casefold() for s, o in zip(sources, outlets, strict=False)} - {""})
