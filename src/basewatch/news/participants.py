"""Who took part in an event and where it happened: the people of the trigger's clause (not
those who only tell of it), else its countries; the airfield, base or place named after
in / at / to / near.
"""

from __future__ import annotations

import re

from .clauses import clause_of, in_subject_of
from .entities import CAPITALS, People, country_of
from .lexicon import SOURCE_VERBS
from .sources import is_media

# seats of power that news names for their city: "hosted him in the Kremlin" → Moscow
SEATS = {
    "kremlin": "Moscow",
    "white house": "Washington",
    "pentagon": "Washington",
    "elysee": "Paris",
    "élysée": "Paris",
    "élysée palace": "Paris",
    "downing street": "London",
    "zhongnanhai": "Beijing",
}


def place_of(
    sent, trigger, ref, attached: bool = False
) -> tuple[str | None, str | None, str | None]:
    """(place, icao, country): an airfield, base or place named after in/at/to/near. With
    ``attached``, only a place on the trigger's own verb or noun ('talks in Moscow about the
    bases in Syria' → Moscow, never Syria)."""
    best = None
    told = _tellers_words(sent, trigger)
    for e in sent.ents:
        if e.label_ not in ("BASE", "PLACE", "GPE", "LOC", "FAC", "ORG") or is_media(e.text):
            continue  # "confirmed to Bloomberg": an outlet, not a place
        if e.start in told:
            continue  # "ship spotters in Istanbul said", "told reporters in Tokyo": the teller's
        seat = SEATS.get(e.text.casefold().removeprefix("the "))
        if e.label_ == "ORG" and seat is None:
            continue
        prep = e.start - 1
        if prep >= 0 and sent.doc[prep].lower_ == "the":
            prep -= 1
        prev = sent.doc[prep].lower_ if prep >= 0 else ""
        before_of = e.end + 1 < len(sent.doc) and sent.doc[e.end + 1].lower_ == "of"
        if before_of and _place_noun_before(sent.doc, e.end + 1):
            continue  # "the Black Sea port of Izmail": the place is the one after "of"
        named_of = prev == "of" and _place_noun_before(sent.doc, prep)
        target = trigger.i in _attack_heads(e)  # "drones struck the Saky air base"
        if named_of or target:
            prep = _place_noun_start(sent.doc, prep) if named_of else e.start
            prev = "at"  # "the port of Izmail", "struck the Saky air base": the place
        if prev not in PLACE_PREPS or (seat and prev not in ("in", "at")):
            continue
        if attached and not _on_trigger(sent.doc[prep], trigger):
            continue
        if seat:
            rank = (False, True, False, abs(e.start - trigger.i))
            if best is None or rank < best[0]:
                best = (rank, (seat, None, None))
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
        if cand[0]:
            cand = (re.sub(r"['\u2019]s$", "", cand[0]), cand[1], cand[2])  # "Port Sudan's"
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


def _place_noun_before(doc, i: int) -> bool:
    """'the port of Izmail', 'the coastal city of Jableh': a place noun before 'of'."""
    from .labels import PLACE_OF

    return i > 0 and doc[i - 1].lower_ in PLACE_OF


def _place_noun_start(doc, i: int) -> int:
    """The first word of 'the (coastal) city' before 'of' at ``i``."""
    j = i - 1
    while j > 0 and doc[j - 1].pos_ in ("ADJ", "PROPN", "NOUN") and doc[j - 1].lower_ != "the":
        j -= 1
    return j


def _attack_heads(ent) -> set[int]:
    """The verb whose object is an entity or names it ('struck the Saky air base')."""
    t = ent.root
    while t.dep_ in ("compound", "amod", "nmod", "appos") and t.head.i != t.i:
        t = t.head
    if t.dep_ in ("dobj", "nsubjpass") and t.head.pos_ == "VERB":
        return {t.head.i}
    return set()


def _tellers_words(sent, trigger) -> set[int]:
    """The words that say who told of an event and where they told it: the subject of a verb of
    saying and the phrases on that verb, when the event is not among them."""
    out: set[int] = set()
    for v in sent:
        if v.i == trigger.i or v.lemma_.lower() not in SOURCE_VERBS or v.pos_ != "VERB":
            continue
        for c in v.children:
            if c.dep_ in ("nsubj", "prep", "dobj", "dative", "npadvmod") and not (
                c.left_edge.i <= trigger.i <= c.right_edge.i
            ):
                out |= {t.i for t in c.subtree}
    return out


def _on_trigger(prep, trigger) -> bool:
    """Whether a preposition tells where the trigger happened rather than where a thing it
    speaks of lies: it hangs on a verb, a person or an event noun ('held talks with X in
    Moscow', 'met him in the Kremlin'), not on a topic ('the presence of troops in Syria', 'the
    future of the bases at Khmeimim')."""
    h = prep.head
    if h.i == trigger.i or h.pos_ in ("VERB", "AUX") or h.lower_ in TALK_NOUNS:
        return True
    return h.ent_type_ in ("PERSON", "NORP") or h.lower_ in PARTY_WORDS


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


# plural back-references to the parties of a meeting told before: "the ministers discussed",
# "the two sides agreed", "the parties", "they"
PARTY_WORDS = {
    "minister",
    "ministers",
    "side",
    "sides",
    "party",
    "parties",
    "man",
    "men",
    "leader",
    "leaders",
    "president",
    "presidents",
    "delegation",
    "delegations",
    "counterpart",
    "counterparts",
    "country",
    "countries",
    "they",
    "both",
    "two",
}
TALK_NOUNS = {"talks", "meeting", "negotiations", "discussions", "consultations", "conversation"}


def refers_to_parties(trigger) -> bool:
    """Whether a meeting, talks or agreement names its parties only by pointing back: its
    subject is 'the ministers' / 'the two sides' / 'they', it is 'the talks' themselves, or it is
    passive with no agent ('the bases had been discussed')."""
    verb = trigger if trigger.pos_ in ("VERB", "AUX") else trigger.head
    if (
        trigger.pos_ in ("NOUN", "PROPN")
        and trigger.lower_ in TALK_NOUNS
        and any(
            c.dep_ == "det" and c.lower_ in ("the", "these", "those", "that", "their")
            for c in trigger.children
        )
        and not any(
            c.dep_ in ("prep", "amod", "compound")
            and any(t.ent_type_ in ("PERSON", "GPE", "NORP") for t in c.subtree)
            for c in trigger.children
        )
    ):
        return True
    subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if verb.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in verb.children):
        return not any(c.dep_ == "agent" for c in verb.children)  # "X had been discussed"
    for s in subj:
        words = list(s.subtree)
        if any(t.ent_type_ in ("PERSON", "GPE", "NORP", "ORG") for t in words):
            return False
        if s.lower_ in PARTY_WORDS or s.lemma_.lower() in PARTY_WORDS:
            return True
        if s.lower_ in TALK_NOUNS and any(
            d.lower_ in ("the", "these", "those") for d in s.children
        ):
            return True
    return False


def movers(trigger) -> list[str]:
    """Who moves in a flight or a movement of forces: the countries and alliances of the verb's
    subject ('an Il-62M of the Russian Aerospace Forces', 'Romania scrambled ...', 'jets from
    five NATO countries'), and of its object when that is an aircraft or force being met
    ('intercepted a Russian Il-20'); never the places it flew from or to. When the parse lost
    the subject, the words before the verb. Empty when they name none."""
    verb = trigger if trigger.pos_ in ("VERB", "AUX") else trigger.head
    parts = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "agent")]
    if not parts and verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.i != verb.i:
        parts = [c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")]
    doc = trigger.doc
    spans = [doc[p.left_edge.i : p.right_edge.i + 1] for p in parts]
    if trigger.pos_ in ("NOUN", "PROPN"):
        spans.append(doc[trigger.left_edge.i : trigger.right_edge.i + 1])
    names = _nationals(spans)
    if not names and verb.i > trigger.sent.start:
        # "Russian Il-76 transports flew ..." parsed with "transports" as the verb, "On 26
        # October an Il-62M of ... touched down" with the aircraft under the date
        lead = [t for t in doc[trigger.sent.start : verb.i] if t.dep_ != "prep" or t.lower_ == "of"]
        if lead and not any(t.pos_ in ("VERB", "AUX") and t.i != verb.i for t in lead[-4:]):
            names = _nationals([doc[trigger.sent.start : verb.i]])
    return names


_MEMBERS = {"country", "nation", "state", "member", "ally", "navy", "force", "army"}
# services and alliances whose names carry no country word
_FORCES = {"royal air force": "GB", "raf": "GB", "royal navy": "GB", "luftwaffe": "DE"}
ALLIANCES = {"nato": "NATO", "allied": "NATO", "allies": "NATO"}


def _nationals(spans) -> list[str]:
    names: list[str] = []
    for span in spans:
        doc = span.doc
        # "Il-76 transports, which NATO calls Candid": a relative clause describes, it does not
        # say whose they are
        skip = {
            d.i
            for t in span
            if t.dep_ in ("relcl", "acl") and t.i != span.root.i
            for d in t.subtree
        }
        for t in span:
            if t.i in skip or _in_place_phrase(t, span):
                continue  # "fighters based at Ämari in Estonia": a place, not who flies
            ent = next((e for e in doc.ents if e.start <= t.i < e.end), None)
            c = None
            if t.lower_ in ALLIANCES and (ent is None or ent.label_ in ("ORG", "NORP")):
                c = ALLIANCES[t.lower_] if t.lower_ == "nato" else None
            elif ent is not None and ent.label_ in ("GPE", "NORP", "ORG"):
                low = ent.text.casefold().removeprefix("the ")
                c = country_of(ent.text) or _FORCES.get(low)
                if c is None and t.pos_ in ("ADJ", "PROPN"):
                    c = country_of(t.text)
            elif t.pos_ == "ADJ" and t.ent_type_ == "":
                c = country_of(t.text) if t.text[:1].isupper() else None
            if c and c not in names:
                names.append(c)
    return names


def _in_place_phrase(tok, span) -> bool:
    """Whether a word stands under a place preposition inside a span ('at Ämari in Estonia')."""
    t = tok
    for _ in range(6):
        if t.i < span.start or t.i >= span.end:
            return False
        if t.dep_ == "prep" and t.lower_ in PLACE_PREPS and t.i != tok.i:
            return True
        if t.dep_ == "pobj" and t.head.lower_ in PLACE_PREPS:
            # "jets from five NATO countries": whose they are, not where they flew from
            return not (t.head.lower_ == "from" and t.lemma_.lower() in _MEMBERS)
        if t.head.i == t.i:
            return False
        t = t.head
    return False


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


def aircraft_family(text: str) -> str:
    """'Il-76MD' and 'IL-76TD' → 'il-76', 'An-124-100' → 'an-124': one type's family."""
    m = re.match(r"([A-Za-z]+)[-\u2010\u2011 ]?(\d+)", text.strip())
    return f"{m.group(1).lower()}-{m.group(2)}" if m else text.strip().casefold()


# design bureaus whose types fly mostly with Russia's forces in the news this tool reads; the
# last guess for an aircraft no sentence gives a nationality ("an Il-76MD landed at Al Jufra")
RUSSIAN_MAKERS = {"il", "an", "tu", "su", "mig", "ka", "mi", "yak", "be"}


def maker_country(family: str) -> str | None:
    return "RU" if family.split("-")[0] in RUSSIAN_MAKERS else None


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
