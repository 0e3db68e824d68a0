"""The word lists: every trigger names a known event type; lists that must not overlap do not."""

from __future__ import annotations

from basewatch.news import lexicon
from basewatch.news.events import EVENT_TYPES


def test_triggers_name_known_event_types():
    assert set(lexicon.VERB_TRIGGERS.values()) <= set(EVENT_TYPES)
    assert set(lexicon.NOUN_TRIGGERS.values()) <= set(EVENT_TYPES)


def test_lists_are_lower_case_words():
    for name in ("AIRCRAFT_NOUNS", "FORCE_NOUNS", "MOVE_VERBS", "SPEECH", "SOURCE_VERBS"):
        words = getattr(lexicon, name)
        assert words and all(w == w.lower() and w.strip() == w for w in words), name


def test_particles_belong_to_movement_verbs():
    assert set(lexicon.MOVE_NEEDS_PARTICLE) <= lexicon.MOVE_VERBS
