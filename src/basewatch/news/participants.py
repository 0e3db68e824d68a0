"""Who took part in an event and where it happened: the people of the trigger's clause (not
those who only tell of it), else its countries; the airfield, base or place named after
in / at / to / near.
"""

from __future__ import annotations

import re

from .clauses import clause_of, in_subject_of
from .entities import CAPITALS, People, country_of
from .sources import is_media


def place_of(sent, trigger, ref) -> tuple[str | None, str | None, str | None]:
    """(place, icao, country): an airfield, base or place named after in/at/to/near."""
    best = None
    for e in sent.ents:
        if e.label_ not in ("BASE", "PLACE", "GPE", "LOC", "FAC") or is_media(e.text):
            continue  # "confirmed to Bloomberg": an outlet, not a place
        prev = sent.doc[e.start - 1].lower_ if e.start > 0 else ""
        if prev == "the" and e.start > 1:
            prev = sent.doc[e.start - 2].lower_
        if prev not in PLACE_PREPS:
            continue
        if e.label_ in ("GPE",) and country_of(e.text) and e.text.casefold() not in CAPITALS:
            c = country_of(e.text)
            cand = (e.text, None, c)
        else:
            name = e.ent_id_ or e.text
            nxt = sent.doc[e.end].lower_ if e.end < len(sent.doc) else ""
            if e.label_ == "BASE" or nxt in ("airfield", "airport", "airbase"):
                hit = ref.resolve(name + (" airport" if nxt in ("airfield", "airport") else ""))
            else:
                hit = None
            if e.label_ == "PLACE" and nxt not in ("airfield", "airport", "airbase"):
                hit = ref.resolve(name) if e.ent_id_ and e.ent_id_ != name else None
                cand = (name, None, None)
                if hit is None:
                    from ..airfields import Place

                    h = ref.places.get(name)
                    cand = (name, None, h.country if isinstance(h, Place) else None)
            elif hit is not None and hasattr(hit, "icao"):
                cand = (hit.icao, hit.icao, hit.country)
            else:
                cand = (e.text.removeprefix("the "), None, None)
        # the nearest place, where the event happened rather than where it came from ("from
        # Volkel in the Netherlands"), an airfield before a town and a town before a country
        rank = (
            _from_phrase(sent.doc[e.start]),
            cand[1] is None,
            cand[2] is not None and cand[0] == e.text and country_of(e.text) is not None,
            abs(e.start - trigger.i),
        )
        if best is None or rank < best[0]:
            best = (rank, cand)
    return best[1] if best else (None, None, None)


def speech_place(verb) -> str | None:
    """Where words were said: a town named with 'in' / 'at' on the verb of saying or on whom it
    was told to ('told reporters in Tokyo', 'said at a parade in Benghazi'); never a country
    ('said in Syria' is about Syria as often as said there)."""
    heads = [verb] + [c for c in verb.children if c.dep_ in ("dobj", "dative", "prep", "npadvmod")]
    for h in heads:
        for prep in [h] if h.dep_ == "prep" else [c for c in h.children if c.dep_ == "prep"]:
            if prep.lower_ not in ("in", "at"):
                continue
            for obj in (c for c in prep.children if c.dep_ == "pobj"):
                # "at a military parade in Benghazi": the town in the occasion's phrase
                for t in [
                    obj,
                    *(
                        g
                        for c in obj.children
                        if c.dep_ == "prep" and c.lower_ == "in"
                        for g in c.children
                        if g.dep_ == "pobj"
                    ),
                ]:
                    ent = next((e for e in t.doc.ents if e.start <= t.i < e.end), None)
                    if ent is None or ent.label_ not in ("GPE", "LOC", "FAC", "PLACE", "BASE"):
                        continue
                    if country_of(ent.text) and ent.text.casefold() not in CAPITALS:
                        continue
                    return ent.text.removeprefix("the ")
    return None


def _from_phrase(tok) -> bool:
    """Whether a word stands in a 'from …' or 'via …' phrase, also deeper ('from Volkel in the
    Netherlands')."""
    t = tok
    for _ in range(5):
        if t.dep_ == "prep" and t.lower_ in ("from", "via"):
            return True
        if t.head.i == t.i or t.pos_ in ("VERB", "AUX"):
            return False
        t = t.head
    return False


def actors_of(sent, trigger, people: People, statements) -> list[str]:
    """People in the trigger's clause (not those who only tell of the event), else its
    countries; the whole sentence when the clause names none."""
    return _actors_in(clause_of(sent, trigger), sent, trigger, people, statements) or (
        _actors_in(list(sent), sent, trigger, people, statements)
    )


def _actors_in(tokens, sent, trigger, people: People, statements) -> list[str]:
    names: list[str] = []
    doc = sent.doc
    tellers = [doc[st.verb] for st in statements if doc[st.verb].i != trigger.i]
    for t in tokens:
        p = people.person_at(t) if t.i in people.by_token or t.lower_ in ("he", "she") else None
        if p is None or p.canonical in names:
            continue
        if any(
            t.i in {c.i for c in v.children if c.dep_ in ("nsubj", "nsubjpass")}
            or (t.head.i == v.i and t.dep_ in ("nsubj", "nsubjpass"))
            or in_subject_of(t, v)
            for v in tellers
        ):
            continue
        names.append(p.canonical)
    if not names:
        inside = {t.i for t in tokens}
        for e in sent.ents:
            if e.start not in inside:
                continue
            before = doc[e.start - 1].lower_ if e.start > 0 else ""
            if before == "the" and e.start > 1:
                before = doc[e.start - 2].lower_
            if before in PLACE_PREPS:
                continue  # "talks in Moscow about Syria", "a flight from Libya": places
            c = country_of(e.text) if e.label_ in ("GPE", "NORP") else None
            if c and c not in names:
                names.append(c)
    return names


def movers(trigger) -> list[str]:
    """Who moves in a flight or a movement of forces: the countries and organisations of the
    verb's subject ('an Il-62M of the Russian Aerospace Forces', 'Romania scrambled ...'), and of
    its object when that is an aircraft or force being met ('intercepted a Russian Il-20');
    never the places it flew from or to. Empty when the subject names none."""
    verb = trigger if trigger.pos_ in ("VERB", "AUX") else trigger.head
    parts = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "agent")]
    if not parts and verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.i != verb.i:
        parts = [c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")]
    if trigger.pos_ in ("NOUN", "PROPN"):
        parts.append(trigger)
    names: list[str] = []
    doc = trigger.doc
    for part in parts:
        span = doc[part.left_edge.i : part.right_edge.i + 1]
        for e in span.ents:
            if e.label_ not in ("GPE", "NORP", "ORG"):
                continue
            before = doc[e.start - 1].lower_ if e.start > 0 else ""
            if before in PLACE_PREPS and before not in ("of",):
                continue  # "fighters based at Ämari in Estonia": a place, not who flies
            c = country_of(e.text) or next(
                (
                    country_of(t.text)
                    for t in e
                    if t.pos_ in ("ADJ", "PROPN") and country_of(t.text)
                ),
                None,
            )
            if c and c not in names:
                names.append(c)
    return names


PLACE_PREPS = {
    "in",
    "at",
    "to",
    "into",
    "near",
    "from",
    "outside",
    "via",
    "over",
    "through",
    "across",
    "along",
    "off",
    "towards",
    "toward",
    "around",
    "inside",
}
_WORD = r"[^\W\d_][\w'\u2019-]*"
_NAMED_FIELD = re.compile(
    rf"\b(?:at|to|into|from|in|near|on) (?:the )?(?P<name>{_WORD}(?:[ -]{_WORD}){{0,3}}?)"
    r"(?P<kind> air ?base| airport| airfield| air station)\b"
)
_NAMED_PLACE = re.compile(rf"\b(?:at|to|into|from|in|near) (?:the )?(?P<name>{_WORD}(?:-{_WORD})?)")


def own_words(trigger) -> str:
    """The words of a trigger's own phrase: its subtree without coordinated verbs and their
    words ('came in from Libya' in 'came in from Libya and then went on to the Moscow
    region'); for a noun, its verb's."""
    head = trigger if trigger.pos_ in ("VERB", "AUX") else trigger.head
    skip = set()
    for c in head.children:
        if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"):
            skip |= {t.i for t in c.subtree}
    return " ".join(t.text for t in head.subtree if t.i not in skip)


def named_airfield(sentence: str, ref):
    """The airfield a sentence names ('at the Šiauliai air base', 'at El Fasher airport'), or a
    watched base it names by its own name ('at Bamako-Senou'), resolved to the reference."""
    from ..airfields import Airfield

    for m in _NAMED_FIELD.finditer(sentence):
        words = m.group("name").split()
        while words and not words[0][:1].isupper():
            words = words[1:]
        if words:
            hit = ref.resolve(" ".join(words) + m.group("kind"))
            if isinstance(hit, Airfield):
                return hit
    for m in _NAMED_PLACE.finditer(sentence):
        if m.group("name")[:1].isupper():
            hit = base_place(m.group("name"), ref)
            if hit is not None:
                return hit
    return None


_THE_BASE = re.compile(
    r"\b(?:at|to|into|from|near|over|on|in|visited) the (?:air ?base|base|airfield|airstrip|"
    r"air station|runway)\b",
    re.I,
)


def base_place(place: str | None, ref):
    """A place that names a watched base ("landed at Latakia", "at Khmeimim") → that base; a
    city with other airfields too ("Moscow") names none of them."""
    if not place:
        return None
    from ..airfields import Airfield, normalize_name

    hit = ref.resolve(place)
    if not isinstance(hit, Airfield) or not hit.is_base:
        return None
    key = normalize_name(place)
    if key != normalize_name(hit.city or ""):
        return hit  # the base's own name or alias
    fields = _city_fields(ref)
    return hit if fields.get((key, hit.country), 0) <= 1 else None


_CITY_FIELDS: dict[int, dict] = {}


def _city_fields(ref) -> dict[tuple[str, str], int]:
    """How many airfields each (city, country) has, per reference."""
    from ..airfields import normalize_name

    got = _CITY_FIELDS.get(id(ref))
    if got is None:
        got = {}
        for af in ref.airfields.values():
            if af.city:
                k = (normalize_name(af.city), af.country)
                got[k] = got.get(k, 0) + 1
        _CITY_FIELDS[id(ref)] = got
    return got


def says_the_base(sentence: str) -> bool:
    """'landed at the base', 'flew into the airfield': an airfield named before."""
    return bool(_THE_BASE.search(sentence))


def place_keys(place: str, ref=None) -> list[str]:
    """Every name a place is stored under, lower case: an airfield's ICAO code, name, city and
    aliases ('Khmeimim' → 'oslk', 'latakia', 'hmeimim', ...); else the name itself."""
    from ..airfields import Airfield, load_reference

    ref = ref or load_reference(())
    hit = ref.resolve(place)
    keys = {place.casefold().strip()}
    if isinstance(hit, Airfield):
        keys |= {hit.icao.casefold(), hit.name.casefold()}
        keys |= {a.casefold() for a in hit.aliases}
        if hit.is_base and hit.city:
            keys.add(hit.city.casefold())
    return sorted(keys)
