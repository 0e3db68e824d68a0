"""The extractor: walks one parsed article sentence by sentence, finds each sentence's
statements (quotes.py) and triggered events (triggers.py), and gives every event its actors and
place (participants.py), source (sources.py, attribution.py) and date (occasion.py).

Every event comes from a trigger word in a sentence (no sentence, no event), so every row shows
its evidence. A trigger that only names an earlier event in passing ("the October 15 talks",
"three days after X met Y") makes no new event; a negated one ("did not meet") makes none either.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from ..airfields import Airfield
from . import dates as _dates
from .attribution import Attribution, reported_by
from .clauses import clause_head, in_quotes, past_perfect, under_negated_speech
from .entities import People, country_of
from .events import MOVES, Event
from .occasion import EventDates
from .participants import (
    actors_of,
    aircraft_family,
    base_place,
    maker_country,
    movers,
    named_airfield,
    own_words,
    place_of,
    refers_to_parties,
    says_the_base,
    speech_place,
)
from .quotes import SPEAKER_KINDS, find_statements, subject_words
from .sources import continues_attribution, credited_later, find_source, is_media
from .triggers import ArticleContext, event_type_of, negated, unreal

TALKS = ("meeting", "negotiation", "agreement", "call")


class ArticleExtractor:
    """Walks one parsed article sentence by sentence, keeping what later sentences refer to."""

    def __init__(self, doc, anchor: date | None, outlet: str | None, ref, layout=None) -> None:
        self.doc = doc
        self.anchor = anchor
        # what the article reports without naming a source comes from the agency it credits
        # (dateline, byline, "republished from"), else from the outlet
        self.outlet = (layout.credit if layout is not None else None) or outlet or ""
        self.dateline = layout.dateline if layout is not None else None
        self.lead = layout.body_offset(self.dateline.end) if self.dateline else 0
        self.ref = ref
        self.people = People(doc)
        self.events: list[Event] = []
        self.attribution = Attribution(self.outlet)
        self.dates = EventDates(doc, anchor, self.people, self.events)
        self.context = ArticleContext.of(doc.text)
        self.last_airfield: str | None = None  # what "the base" means in this article
        self.last_place: dict[str, tuple] = {}  # where the last flight / force movement went
        self.countries = {country_of(e.text) for e in doc.ents if e.label_ in ("GPE", "NORP")}
        # who flies each aircraft type the article names ("Russian Il-76s ... an Il-76MD
        # landed"), and who moved last (flights and forces apart): "the bombers", "the ships"
        self.operators: dict[str, list[str]] = {}
        self.last_movers: dict[str, tuple[list[str], set[str]]] = {}

    def _airfield(self, ev: Event, text: str) -> None:
        """``text``: the trigger's own words (its clause without coordinated ones)."""
        """Flights and movements to a city that names a watched base go to the base ('landed at
        Latakia' → OSLK); 'the base' / 'the airfield' is the one named before."""
        if ev.event_type not in MOVES:
            return
        dest = re.search(
            r"\b(?:left|departed|headed|flew on|went on|continued) (?:for|to|towards) (?:the )?"
            r"(?P<p>[A-Z][\w'-]+(?: (?:region|[A-Z][\w'-]+))?)",
            text,
        )
        if dest and (ev.place is None or ev.place not in text):
            # "... and afterwards left for the Moscow region": this leg's own destination
            hit = base_place(dest.group("p"), self.ref)
            if hit is not None:
                ev.place, ev.place_icao, ev.country = hit.icao, hit.icao, hit.country
            else:
                ev.place, ev.place_icao, ev.country = dest.group("p"), None, None
        if ev.place_icao is None:
            hit = base_place(ev.place, self.ref) or named_airfield(text, self.ref)
            if hit is None and ev.place and ev.event_type == "flight":
                # an airfield by its own name ("landed at Kunsan", "returned to Ämari"), in a
                # country the article names (a "Clark" in Texas is not Clark in the Philippines)
                found = self.ref.resolve(ev.place)
                if isinstance(found, Airfield) and found.country in self.countries:
                    hit = found
            if hit is not None:
                ev.place, ev.place_icao, ev.country = hit.icao, hit.icao, hit.country
            elif ev.place is None and self.last_airfield and says_the_base(text):
                ev.place = ev.place_icao = self.last_airfield
        family = "flight" if ev.event_type == "flight" else "force"
        if ev.place is None and family in self.last_place:
            # "Four of the flights arrived this week", "A second Il-76MD followed on 19 October":
            # a movement told without a place went where the one before it went
            ev.place, ev.place_icao, ev.country = self.last_place[family]
        if ev.place_icao:
            self.last_airfield = ev.place_icao
        if ev.place:
            self.last_place[family] = (ev.place, ev.place_icao, ev.country)

    def _movers(self, tok, sent, kind: str) -> list[str]:
        """Who moves: the nationality the sentence gives the aircraft or forces; else who the
        article said flies that aircraft type; else, for an aircraft, ship or unit told again
        ("the bombers", "four of the flights", "it"), who moved last in the article; else the
        country whose forces fly most of that type's design bureau (Il-, An-, Tu- → RU)."""
        family = "flight" if kind == "flight" else "force"
        types = [aircraft_family(t.text) for t in sent if t.ent_type_ == "AIRCRAFT"]
        own = movers(tok)
        if own:
            for t in types:
                self.operators.setdefault(t, own)
            self.last_movers[family] = (own, set(types))
            return own
        for t in types:
            if t in self.operators:
                return list(self.operators[t])
        last, last_types = self.last_movers.get(family, ([], set()))
        if last and (not types or set(types) <= last_types):
            return list(last)
        return [c for c in {maker_country(t) for t in types[:1]} if c]

    def _parties_before(self, ev: Event) -> None:
        """'The ministers discussed ...', 'the two sides agreed ...', 'the talks covered ...':
        the parties (and, when the sentence names no place, the place) of the meeting told
        before, when it had two or more parties and the sentence names fewer people."""
        people = [a for a in ev.actors if not re.fullmatch(r"[A-Z]{2}", a)]
        if len(people) >= 2:
            return
        for prev in reversed(self.events[-12:]):
            if prev.event_type in TALKS + ("visit",) and len(prev.actors) >= 2:
                ev.actors = list(prev.actors)
                if ev.place is None and prev.place:
                    ev.place, ev.place_icao, ev.country = prev.place, prev.place_icao, prev.country
                if ev.date_start is None and prev.date_start:
                    ev.date_start, ev.date_end = prev.date_start, prev.date_end
                    ev.date_precision = prev.date_precision
                return

    def _statement_source(self, sent_source: str | None, st, text: str) -> str:
        """Who reports the words: the source named in the sentence, unless that is the speaker
        ("a source close to the Kremlin told the agency that ...": the agency reports them)."""
        if sent_source and st.speaker_kind == "anonymous":
            low = sent_source.casefold()
            if low in st.speaker.casefold() or st.speaker.casefold() in low:
                m = re.search(
                    r"\btold (the (?:\w+ )?(?:agency|newspaper|channel|broadcaster)|[A-Z][\w.&-]+(?: [A-Z][\w.&-]+)*)",
                    text,
                )
                told = m.group(1) if m else None
                sent_source = told if told and (is_media(told) or told.startswith("the ")) else None
        return self.attribution.resolve(sent_source) if sent_source else self.outlet

    def _dateline_place(self, sent) -> str | None:
        """The dateline's city places the lead sentence's meetings ('VILNIUS — The ministers
        met on Monday')."""
        d = self.dateline
        if d is None or sent.start_char < self.lead:
            return None
        return d.place if not self.doc.text[self.lead : sent.start_char].strip() else None

    @staticmethod
    def _own_clause(kind: str, clause: int, seen: set, tok) -> bool:
        """A second event of one kind in its own coordinated clause with its own subject ('...,
        and the two defence ministers met on 28 October'): told apart, not a repeat."""
        return clause == tok.i and all(c != clause for k, c in seen if k == kind)

    @staticmethod
    def _another_leg(kind: str, tok, new: list[Event]) -> bool:
        """Another movement in one sentence: each leg or aircraft is its own event ('landed at
        Latakia before heading on to the Moscow region'); a relative clause in the past perfect
        ('an Il-76MD that had taken off from Chkalovsky landed ...') is background."""
        if kind not in MOVES or tok.pos_ != "VERB":
            return False
        if tok.dep_ == "relcl" and past_perfect(tok):
            return False
        if tok.lemma_.lower() in ("base", "station", "base"):
            return False
        return sum(e.event_type == kind for e in new) < 3

    def _continues(self, ev: Event, sent) -> bool:
        """A direct quote that goes on from the same speaker's quote in the sentence before
        ('"...," he said. "..."', '... he said. He added: "..."') extends that statement
        instead of making a new one."""
        if not self.events or ev.quote_span is None:
            return False
        prev = self.events[-1]
        if prev.event_type != "statement" or prev.speaker != ev.speaker:
            return False
        gap = self.doc.text[prev.char_start + len(prev.sentence) : ev.char_start]
        opens_quote = ev.sentence[:1] in ('"', "\u201c")
        added = re.match(r"(?:He|She|They|[A-Z][\w'-]+) added: [\"\u201c]", ev.sentence)
        if gap.strip() or not (opens_quote or added):
            return False
        if not added and not re.search(r"[\"\u201c\u201d]", prev.sentence):
            return False  # "..., spokeswoman X said." then '"...," X said': two statements
        end = ev.char_start + len(ev.sentence)
        prev.sentence = self.doc.text[prev.char_start : end]
        prev.quote = f"{prev.quote} … {ev.quote}"
        return True

    # sentences -----------------------------------------------------------------------------

    def run(self) -> list[Event]:
        last_source = None
        before: list[Event] = []  # the events of the sentence before
        for sent in self.doc.sents:
            text = sent.text.strip()
            if len(text.split()) < 3:
                continue
            later = credited_later(text)
            if later:  # "This was reported by Nordwire.": the sentence before is Nordwire's
                name = self.attribution.resolve(later)
                for ev in before:
                    if ev.source == self.outlet:
                        ev.source = name
                last_source = name
                continue
            n = len(self.events)
            self._sentence(sent, text, last_source)
            before = self.events[n:]
            src = find_source(text)
            last_source = src or (last_source if continues_attribution(text) else None)
        return self.events

    def _sentence(self, sent, text: str, carried_source: str | None) -> None:
        lead = len(sent.text) - len(sent.text.lstrip())
        char_start = sent.start_char + lead
        hits = _dates.find_times(sent.text, self.anchor)
        rel_spans = [
            (h.start_char + sent.start_char, h.end_char + sent.start_char)
            for h in hits
            if h.relative_days is not None
        ]
        sent_source = find_source(text)
        if sent_source is None and continues_attribution(text):
            sent_source = carried_source
        statements = find_statements(sent, self.people)
        new: list[Event] = []
        kept = []
        for st in statements:
            if st.speaker_kind == "anaphor":
                org = self.attribution.last_org(st.speaker)
                quoted = st.direct or bool(re.search(r"[\"\u201c]", text))
                if org is None and quoted and st.speaker not in ("it", "they"):
                    # "The army said in a statement that the attack had been 'repelled'": an
                    # institution's own words, named as the article names it
                    org = subject_words(self.doc[st.verb]) or f"the {st.speaker}"
                if org is None:
                    continue
                st = replace(st, speaker=org, speaker_kind="org")
            if st.speaker_kind == "anonymous":
                st = replace(st, speaker=self.attribution.unnamed(st.speaker))
            kept.append(st)
        statements = kept
        for st in statements:
            qpos = sent.text.find(st.quote)
            ev = Event(
                "statement",
                text,
                char_start,
                st.verb,
                speaker=st.speaker,
                speaker_kind=SPEAKER_KINDS.get(st.speaker_kind),
                quote=st.quote,
                source=self._statement_source(sent_source, st, text),
                actors=[st.speaker],
                quote_span=(qpos, qpos + len(st.quote)) if qpos >= 0 else None,
                place=speech_place(self.doc[st.verb]),
            )
            self.dates.date_event(ev, self.doc[st.verb], sent, hits, rel_spans)
            new.append(ev)
        seen_types = set()
        for tok in sent:
            kind = event_type_of(tok, sent, self.people, self.context)
            if kind is None:
                continue
            clause = clause_head(tok).i
            if (
                kind in {k for k, _ in seen_types}
                and not self._another_leg(kind, tok, new)
                and not self._own_clause(kind, clause, seen_types, tok)
            ):
                continue
            if negated(tok) or in_quotes(tok, sent) or under_negated_speech(tok):
                continue
            if unreal(tok):
                continue
            if any(s <= tok.idx < e for s, e in rel_spans):
                continue  # "three days after X met Y": names an earlier event
            ev = Event(kind, text, char_start, tok.i)
            by = sent_source or reported_by(tok, sent, self.people)
            if by == "it":
                by = self.attribution.last_named()
            ev.source = self.attribution.resolve(by) if by else self.outlet
            ev.place, ev.place_icao, ev.country = place_of(
                sent, tok, self.ref, attached=kind in TALKS
            )
            self._airfield(ev, own_words(tok))
            if ev.place is None and kind in ("meeting", "visit", "negotiation", "agreement"):
                ev.place = self._dateline_place(sent)
            ev.actors = actors_of(sent, tok, self.people, statements)
            if kind in MOVES:
                ev.actors = self._movers(tok, sent, kind) or _no_places(ev.actors, sent)
            self.dates.date_event(ev, tok, sent, hits, rel_spans)
            if kind in TALKS and refers_to_parties(tok):
                self._parties_before(ev)
            seen_types.add((kind, clause))
            new.append(ev)
        moves = [e for e in new if e.event_type in MOVES]
        kinds = {st.verb: st.speaker_kind for st in statements}
        out = []
        seen = set()
        for ev in new:
            if ev.event_type == "statement":
                if kinds.get(ev.trigger) in ("org", "anonymous"):
                    if kinds.get(ev.trigger) == "org":
                        self.attribution.org_speakers.append(ev.speaker)
                    self.attribution.source_names.append(ev.speaker)
                    # "X flew over Y, the navy said": the navy is the source, not a statement
                    told = [e for e in new if e.event_type != "statement"]
                    if any(m.trigger < ev.trigger for m in moves + told):
                        continue
                if self._continues(ev, sent):
                    continue
            if ev.key() in seen and ev.event_type not in MOVES:
                continue  # one event per thing said (legs of a journey may look alike)
            seen.add(ev.key())
            out.append(ev)
        self.events.extend(out)
        self.dates.saw(sent, hits)
        moves_now = [e for e in out if e.event_type in MOVES]
        if moves_now:
            self.context.last_move = moves_now[-1].event_type


def _no_places(actors: list[str], sent) -> list[str]:
    """A movement's actors when no nationality is given: the people of its clause, never the
    countries of the places it went to or from ('took off for Bamako in Mali')."""
    places = {e.text for e in sent.ents if e.label_ in ("GPE", "LOC", "FAC", "PLACE", "BASE")}
    return [a for a in actors if a not in places and not re.fullmatch(r"[A-Z]{2}", a)]
