"""Dates by occasion: each event takes the date its sentence gives it, or the date of the event
it refers to ("a day later", "the same day", "These negotiations took place ..."), and a statement
the date of its occasion ("at the meeting", "told his counterpart", "he added"). The publication
day is only the anchor that relative dates count from, never an event's date by default.
"""

from __future__ import annotations

import re
from datetime import date

from . import dates as _dates
from .clauses import (
    anaphoric,
    anaphoric_subject,
    clause_chars,
    complement_of_leading_speech,
    future_tok,
    in_relcl,
    past_perfect,
)
from .entities import People
from .events import FORCE_MOVES, MOVES, Event
from .lexicon import EXERCISE_NOUNS, FLIGHT_NOUNS, NOUN_TRIGGERS, SPEECH

OCCASIONS = ("meeting", "visit", "call", "negotiation", "agreement", "exercise")


def demonstrative(tok) -> str | None:
    """'These talks took place' / 'the meeting was held': the event noun, when it points back."""
    nouns = [tok] if tok.pos_ in ("NOUN", "PROPN") else []
    nouns += [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    for n in nouns:
        dets = [d.lower_ for d in n.children if d.dep_ == "det"]
        if not dets or n.lower_ not in (set(NOUN_TRIGGERS) | FLIGHT_NOUNS | EXERCISE_NOUNS):
            continue
        if dets[0] in ("these", "this", "those", "that"):
            return n.lower_
        if dets[0] == "the" and tok.lemma_.lower() in ("come", "take", "follow", "happen"):
            return n.lower_  # "The flights came a few days before ...", "The talks took place"
    return None


def tellers_chars(tok) -> set[int]:
    """Character offsets of the words that belong to a verb of saying and not to the event's
    own clause ('Russia has resumed flights, Bloomberg reported on Thursday'): a date there
    dates the report, not the event."""
    out: set[int] = set()
    for v in tok.sent:
        if v.i == tok.i or v.pos_ != "VERB" or v.lemma_.lower() not in SPEECH:
            continue
        if v.is_ancestor(tok):  # "X said on Monday that ...": all but the complement
            child = next(c for c in v.children if c.is_ancestor(tok) or c.i == tok.i)
            own = {t.i for t in child.subtree}
            out |= {t.idx for t in v.subtree if t.i not in own}
        elif not tok.is_ancestor(v) or v.dep_ in ("advcl", "parataxis", "conj", "ccomp"):
            # "..., a daily reported on Thursday" parsed under the event's verb
            out |= {
                t.idx
                for c in v.children
                if c.dep_ in ("prep", "npadvmod", "nsubj", "advmod")
                for t in c.subtree
            }
    return out


def _describes_event(tok, char: int) -> bool:
    """Whether the relative clause holding a character describes the event itself ('wrapped
    up the exercise, which ran from 10 to 20 March'): its dates are the event's. One on another
    noun ('the handover ended a presence that began in 1992') is background."""
    for t in tok.sent:
        if t.dep_ in ("relcl", "acl") and t.left_edge.idx <= char <= t.right_edge.idx:
            h = t.head
            return h.i == tok.i or (h.head.i == tok.i and h.dep_ in ("dobj", "nsubj", "nsubjpass"))
    return False


def planned_chars(tok) -> set[int]:
    """Character offsets of what an agreement or decision is about ('agreed to hold a joint
    exercise in July'): a date there dates the plan's content, not the agreeing."""
    if tok.lemma_.lower() not in ("agree", "decide", "plan", "pledge", "promise"):
        return set()
    return {t.idx for c in tok.children if c.dep_ in ("xcomp", "ccomp") for t in c.subtree}


class EventDates:
    """Dates the events of one article in the order they are told; ``events`` is the list of
    events told so far (shared with the extractor, which appends to it)."""

    def __init__(self, doc, anchor: date | None, people: People, events: list[Event]) -> None:
        self.doc = doc
        self.anchor = anchor
        self.people = people
        self.events = events
        # the last single day the article named before the sentence at hand: (offset, day)
        self.last_day: tuple[int, date] | None = None

    def saw(self, sent, hits: list[_dates.TimeHit]) -> None:
        """Remember the last single day a sentence names (outside quotes)."""
        for h in hits:
            if h.span is not None and h.span.precision == "day" and '"' not in h.text:
                self.last_day = (sent.start_char + h.start_char, h.span.start)

    def last(self, types: tuple[str, ...] | None = None) -> Event | None:
        for ev in reversed(self.events):
            if ev.date_start and (types is None or ev.event_type in types):
                return ev
        return None

    def anchor_event(self, words: str) -> Event | None:
        low = words.casefold()
        # an event whose sentence names the same aircraft or proper name ("the Il-62M landed")
        names = {w for w in re.findall(r"[A-Z][\w-]*\d[\w-]*|[A-Z][a-z]{3,}", words)}
        for ev in reversed(self.events):
            if ev.date_start and names and any(n in ev.sentence for n in names):
                if re.search(r"\b(land|flew|fly|flight|arriv|touch)", low):
                    if ev.event_type == "flight":
                        return ev
                    continue
                return ev
        if re.search(r"\b(landed|flew|flights?|arrived|touched)\b", low):
            return self.last(("flight",)) or self.last()
        if re.search(r"\b(visit|trip)\b", low):
            return self.last(("visit",)) or self.last(("meeting",))
        if re.search(r"\b(met|meeting|summit|talks)\b", low):
            return self.last(("meeting",)) or self.last(("visit", "negotiation"))
        if re.search(r"\b(flights?|airlift)\b", low):
            return self.last(("flight",)) or self.last()
        if re.search(r"\b(launch|exercise|drills?|deployment|withdrawal)\b", low):
            return self.last(FORCE_MOVES) or self.last()
        if re.search(r"\b(negotiations?|round)\b", low):
            return self.last(("negotiation", "meeting"))
        if re.search(r"\b(agreement|deal|signing)\b", low):
            return self.last(("agreement",))
        return self.last()

    def set_span(self, ev: Event, span: _dates.TimeSpan | None) -> None:
        if span is None:
            return
        ev.date_start = span.start.isoformat()
        ev.date_end = span.end.isoformat()
        ev.date_precision = span.precision

    def date_event(self, ev: Event, tok, sent, hits: list[_dates.TimeHit], rel_spans) -> None:
        sc = sent.start_char
        doc = self.doc
        rel_all = [h for h in hits if h.relative_days is not None]
        qs, qe = ev.quote_span or (-1, -1)
        statement = ev.event_type == "statement"
        comp = None if statement else complement_of_leading_speech(tok)
        reported = comp is not None
        lo_c, hi_c = clause_chars(comp if comp is not None else tok)
        teller = set() if statement else tellers_chars(tok)
        content = set() if statement else planned_chars(tok)
        dated = [
            h
            for h in hits
            if h.span is not None
            and not any(r.start_char <= h.start_char < r.end_char for r in rel_all)
            and not qs <= h.start_char < qe  # a date inside what was said dates the content
            and not (  # a background clause ("a presence that began in 1992")
                in_relcl(doc, sc + h.start_char, tok)
                and (statement or not _describes_event(tok, sc + h.start_char))
            )
            and not (reported and not lo_c <= sc + h.start_char < hi_c)
            and sc + h.start_char not in teller  # "..., the agency reported on Thursday"
            and sc + h.start_char not in content  # "agreed to hold an exercise in July"
        ]
        demo = demonstrative(tok)
        if demo and not dated:
            prev = self.anchor_event(demo)
            if prev is not None:
                self.set_from(ev, prev)
                return
        if dated:
            own = clause_chars(tok if tok.pos_ == "VERB" else tok.head)
            inside = [h for h in dated if own[0] <= sc + h.start_char < own[1]] or dated
            pos = tok.idx - sc
            best = min(inside, key=lambda h: min(abs(h.start_char - pos), abs(h.end_char - pos)))
            self.set_span(ev, best.span)
            if ev.event_type == "visit":
                m = re.search(r"\b(\w+)-day (?:visit|trip|tour)\b", sent.text)
                if m and best.span.precision == "day":
                    n = _dates._number(m.group(1))
                    if 1 < n < 60:
                        end = best.span.start.toordinal() + n - 1
                        self.set_span(
                            ev, _dates.TimeSpan(best.span.start, date.fromordinal(end), "range")
                        )
            return
        rel = [h for h in rel_all if not (statement and qs <= h.start_char < qe)]
        if rel:
            h = rel[0]
            base = self.anchor_event(h.anchor_text) if h.anchor_text else self.last()
            day = self.last_day
            later = day and (base is None or day[0] > base.char_start)
            if h.kind == "rel_prev" and not h.anchor_text and later:
                # "The busiest day was 26 October. An Il-62M landed that morning": the day
                # named last, though no event was told with it
                start = day[1]
                self.set_span(ev, _dates.TimeSpan(start, start, "day").shift(h.relative_days[0]))
                return
            if base is not None and base.date_start:
                start = date.fromisoformat(base.date_start)
                if h.kind == "nth_day":
                    if "last" in h.text.lower():
                        start = date.fromisoformat(base.date_end)
                        self.set_span(ev, _dates.TimeSpan(start, start, "day"))
                    else:
                        self.set_span(
                            ev, _dates.TimeSpan(start, start, "day").shift(h.relative_days[0])
                        )
                    return
                if h.kind == "rel_prev":
                    self.set_span(
                        ev, _dates.TimeSpan(start, start, "day").shift(h.relative_days[0])
                    )
                    return
                if reported and past_perfect(tok):
                    self.set_from(ev, base)
                    return
                lo, hi = h.relative_days
                span = _dates.TimeSpan(start, start, "day").shift(lo)
                if hi != lo:
                    end = date.fromordinal(start.toordinal() + hi)
                    span = _dates.TimeSpan(span.start, end, "range")
                if statement or not anaphoric_subject(tok):
                    self.set_span(ev, span)
                    return
        if statement:
            self.date_statement(ev, sent, qs, qe)
            return
        if reported and ev.event_type not in MOVES:
            # "X said the leaders had discussed ...": the earlier event; ongoing talk: undated
            if past_perfect(tok) or tok.tag_ == "VBN":
                prev = self.last((ev.event_type,)) or self.last(("meeting", "negotiation"))
                if ev.event_type == "negotiation":
                    prev = self.last(("negotiation", "meeting")) or prev
                if prev:
                    self.set_from(ev, prev)
            return
        if ev.event_type in MOVES:
            family = FORCE_MOVES if ev.event_type in FORCE_MOVES else (ev.event_type,)
            prev = self.last(family) or self.last()
            if prev:
                self.set_from(ev, prev)
            return
        if anaphoric(tok, sent) and not future_tok(tok):
            prev = self.last()
            if prev:
                self.set_from(ev, prev)

    def date_statement(self, ev: Event, sent, qs: int, qe: int) -> None:
        """A statement's date is its occasion's: 'at the meeting', 'after the talks', 'told his
        counterpart', or the statement it continues ('he added'); otherwise none. Words said at a
        placed occasion were said there ('at the talks' in Moscow → Moscow)."""
        text = sent.text[:qs] + " " + sent.text[qe:] if qs >= 0 else sent.text
        told = re.search(r"\btold (?:his|her|their) (?:\w+ )?counterparts?\b", text)
        told_person = re.search(r"\btold ([A-Z][\w-]+)", text)
        if told or (
            told_person
            and told_person.group(1) not in ("Reuters", "Bloomberg")
            and any(p.surname.endswith(told_person.group(1).casefold()) for p in self.people.people)
        ):
            prev = self.last(("meeting",))
            if prev:
                self.at_occasion(ev, prev)
                return
        m = re.search(
            r"\b(?:after|at|during|on the sidelines of|at the (?:start|end|opening|close) of)"
            r" (?:the|that|this|their|his|her) (meeting|talks|summit|visit|negotiations|signing|"
            r"ceremony|call|conversation)\b",
            text,
            re.I,
        )
        if m:
            prev = self.anchor_event(m.group(1))
            if prev:
                self.at_occasion(ev, prev)
                return
        if re.search(r"\b(?:he|she|they) added\b|^(?:He|She) added\b", text):
            prev = self.events[-1] if self.events else None
            if prev is not None and prev.event_type == "statement" and prev.speaker == ev.speaker:
                self.at_occasion(ev, prev)
                return
        # "Keller said the brigade was 'a promise kept'" right after the visit Keller made, "he
        # said afterwards": words said at the occasion just told, by one who took part in it
        prev = self._occasion_just_told(ev)
        earlier = re.search(r"\b(?:had|before|earlier|previously)\b", text, re.I)
        if (
            prev is not None
            and not earlier
            and (ev.speaker in prev.actors or re.search(r"\bafterwards\b|\bafter that\b", text))
        ):
            self.at_occasion(ev, prev)

    def _occasion_just_told(self, ev: Event) -> Event | None:
        """The dated meeting, visit, call or talks of the sentence before (or this one)."""
        if not self.events:
            return None
        last_sentence = self.events[-1].char_start
        for prev in reversed(self.events):
            if prev.char_start != last_sentence:
                break
            if prev.event_type in OCCASIONS and prev.date_precision == "day":
                return prev
        return None

    @classmethod
    def at_occasion(cls, ev: Event, prev: Event) -> None:
        cls.set_from(ev, prev)
        if not ev.place and prev.place:
            ev.place, ev.place_icao, ev.country = prev.place, prev.place_icao, prev.country

    @staticmethod
    def set_from(ev: Event, prev: Event) -> None:
        ev.date_start, ev.date_end, ev.date_precision = (
            prev.date_start,
            prev.date_end,
            prev.date_precision,
        )
