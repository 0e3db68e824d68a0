"""News events: what one event extracted from an article holds, and the extraction's entry point.

The extraction is split by question: the words (lexicon.py), where a word stands in its sentence
(clauses.py), which event a word triggers (triggers.py), who took part and where
(participants.py), who told of it (sources.py, attribution.py), when it happened (occasion.py),
and the walk over an article that puts them together (extractor.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .. import ids
from .lexicon import PLOVER
from .sources import is_media

EXTRACTOR = "basewatch-news-rules-1"
EVENT_TYPES = (
    "meeting",
    "visit",
    "statement",
    "negotiation",
    "agreement",
    "flight",
    "military_movement",
    "call",
    "deployment",
    "withdrawal",
    "evacuation",
    "exercise",
    "attack",
    "sanction",
)
# the movements of forces told apart by type; a coarse reader folds them back
MOVEMENT_TYPES = ("deployment", "withdrawal", "evacuation", "exercise", "attack")
FORCE_MOVES = ("military_movement", *MOVEMENT_TYPES)  # forces on the ground, at sea, in the air
MOVES = ("flight", *FORCE_MOVES)


def coarse_type(event_type: str) -> str:
    """The type among the first seven: a deployment is a military movement, a call a meeting."""
    if event_type in MOVEMENT_TYPES:
        return "military_movement"
    return "meeting" if event_type == "call" else event_type


def event_id(article_id: str, event_type: str, char_start: int, n: int) -> str:
    """A news event's id: its article, type, sentence offset and place among the article's
    events, as 16 hex digits (``ids.of_text``)."""
    return ids.of_text(article_id, event_type, char_start, n)


@dataclass(slots=True)
class Event:
    event_type: str
    sentence: str
    char_start: int
    trigger: int
    date_start: str | None = None
    date_end: str | None = None
    date_precision: str = "unknown"
    actors: list[str] = field(default_factory=list)
    place: str | None = None
    place_icao: str | None = None
    country: str | None = None
    speaker: str | None = None
    speaker_kind: str | None = None  # person, institution or anonymous (statements only)
    quote: str | None = None
    source: str | None = None
    quote_span: tuple[int, int] | None = None  # offsets of the quote in the sentence

    def row(self, article_id: str, n: int) -> dict:
        return {
            "event_id": event_id(article_id, self.event_type, self.char_start, n),
            "article_id": article_id,
            "event_type": self.event_type,
            "date_start": self.date_start,
            "date_end": self.date_end,
            "date_precision": self.date_precision,
            "actors": self.actors,
            "place": self.place,
            "place_icao": self.place_icao,
            "country": self.country,
            "speaker": self.speaker,
            "quote": self.quote,
            "source": self.source,
            "sentence": self.sentence,
            "char_start": self.char_start,
            "extractor": EXTRACTOR,
            "plover": PLOVER.get(self.event_type),
            "speaker_kind": self.speaker_kind,
        }

    def key(self) -> tuple:
        """What makes two events of one sentence the same event."""
        return (
            self.event_type,
            self.char_start,
            self.date_start,
            self.date_end,
            tuple(self.actors),
            self.place,
            self.speaker,
            self.source,
        )


def extract_events(doc, anchor: date | None, outlet: str | None, ref, layout=None) -> list[Event]:
    """All events of one parsed article, in the order the article tells them. ``layout``
    (document.read_layout) gives the dateline's place and the agency credited for the article."""
    from .extractor import ArticleExtractor

    return ArticleExtractor(doc, anchor, outlet, ref, layout).run()


__all__ = ["EVENT_TYPES", "EXTRACTOR", "Event", "extract_events", "is_media"]
