"""News events from one parsed article: who met whom, visited, said, negotiated, agreed, flew or
moved, where and when, per source, each with the sentence that supports it.

Every event comes from a trigger word in a sentence (no sentence, no event), so every row shows
its evidence. A trigger that only names an earlier event in passing ("the October 15 talks",
"three days after X met Y") makes no new event; a negated one ("did not meet") makes none either.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date

from . import dates as _dates
from .entities import CAPITALS, ROLE_WORDS, People, country_of
from .quotes import find_statements, strip_dateline
from .sources import find_source, is_media

EXTRACTOR = "basewatch-news-rules-1"
EVENT_TYPES = (
    "meeting",
    "visit",
    "statement",
    "negotiation",
    "agreement",
    "flight",
    "military_movement",
)

VERB_TRIGGERS = {
    "meet": "meeting",
    "host": "meeting",
    "receive": "meeting",
    "visit": "visit",
    "travel": "visit",
    "negotiate": "negotiation",
    "discuss": "negotiation",
    "talk": "negotiation",
    "sign": "agreement",
    "revise": "negotiation",
    "renegotiate": "negotiation",
    "agree": "agreement",
    "ratify": "agreement",
    "land": "flight",
    "depart": "flight",
    "fly": "flight",
    "deploy": "military_movement",
    "redeploy": "military_movement",
    "withdraw": "military_movement",
    "relocate": "military_movement",
    "evacuate": "military_movement",
    "dispatch": "military_movement",
    "reinforce": "military_movement",
    "station": "military_movement",
    "sail": "military_movement",
    "dock": "military_movement",
    "transfer": "military_movement",
    "move": "military_movement",
    "pull": "military_movement",
    "arrive": "flight",
}
NOUN_TRIGGERS = {
    "meeting": "meeting",
    "summit": "meeting",
    "talks": "negotiation",
    "round": "negotiation",
    "visit": "visit",
    "trip": "visit",
    "negotiations": "negotiation",
    "negotiation": "negotiation",
    "consultations": "negotiation",
    "agreement": "agreement",
    "deal": "agreement",
    "accord": "agreement",
    "treaty": "agreement",
    "memorandum": "agreement",
    "flight": "flight",
    "flights": "flight",
    "deployment": "military_movement",
    "withdrawal": "military_movement",
    "redeployment": "military_movement",
    "airlift": "flight",
}
# verbs that make a trigger noun an event: "a meeting was held", "talks took place"
EVENT_VERBS = {
    "hold",
    "take",
    "conduct",
    "make",
    "begin",
    "start",
    "open",
    "resume",
    "carry",
    "operate",
    "sign",
    "reach",
    "conclude",
    "pay",
    "complete",
    "end",
    "perform",
    "stage",
    "launch",
    "happen",
    "occur",
    "continue",
    "cover",
    "concern",
    "come",
}
AIRCRAFT_NOUNS = {
    "aircraft",
    "plane",
    "planes",
    "jet",
    "jets",
    "airliner",
    "transport",
    "freighter",
    "helicopter",
    "helicopters",
    "bomber",
    "bombers",
    "fighter",
    "fighters",
    "flight",
    "flights",
    "ruslan",
    "drone",
    "drones",
    "tanker",
    "airliners",
    "transports",
    "freighters",
    "typhoons",
    "eurofighters",
    "f-35s",
    "f-16s",
    "gripens",
    "rafales",
    "interceptors",
}
FORCE_NOUNS = {
    "troops",
    "forces",
    "soldiers",
    "equipment",
    "warship",
    "warships",
    "ship",
    "ships",
    "vessel",
    "vessels",
    "frigate",
    "frigates",
    "submarine",
    "corvette",
    "convoy",
    "units",
    "unit",
    "personnel",
    "systems",
    "battalion",
    "brigade",
    "fleet",
    "navy",
    "vehicles",
    "armour",
    "armor",
    "tanks",
    "contingent",
    "sailors",
    "marines",
    "mercenaries",
    "assets",
    "destroyer",
    "destroyers",
    "corvettes",
    "boats",
    "boat",
    "party",
    "guard",
    "warplanes",
    "carrier",
    "cruiser",
}
PERSON_MOVES = {"visit", "travel", "fly", "arrive"}
ANAPHORA = {
    "he",
    "she",
    "they",
    "parties",
    "sides",
    "latter",
    "former",
    "leaders",
    "ministers",
    "men",
    "delegations",
    "presidents",
}


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
    quote: str | None = None
    source: str | None = None
    quote_span: tuple[int, int] | None = None  # offsets of the quote in the sentence

    def row(self, article_id: str, n: int) -> dict:
        key = f"{article_id}|{self.event_type}|{self.char_start}|{n}"
        return {
            "event_id": hashlib.sha256(key.encode()).hexdigest()[:16],
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
        }


def _in_quotes(tok, sent) -> bool:
    """Inside quotation marks, counted from the start of the paragraph (quotes run across
    sentences)."""
    text = tok.doc.text
    start = text.rfind("\n\n", 0, tok.idx)
    before = text[start + 1 if start >= 0 else 0 : tok.idx]
    return (before.count('"') % 2 == 1) or (before.count("\u201c") > before.count("\u201d"))


HEDGES = {"could", "might", "may"}
UNREAL = {"propose", "suggest", "offer", "call", "ready", "willing", "want", "hope", "seek"}


def _unreal(tok) -> bool:
    """Proposed, hoped-for or merely possible ('proposed holding talks', 'could discuss'), left
    open ('whether Russian aircraft will continue to use Khmeimim'), or habitual ('the air force
    flies Su-34s from Olenya': the simple present tells what is usual, not what happened)."""
    if any(c.dep_ == "aux" and c.lower_ in HEDGES for c in tok.children):
        return True
    if (
        tok.tag_ in ("VBZ", "VBP")
        and tok.dep_ in ("ROOT", "conj")
        and not any(c.dep_ in ("aux", "auxpass") for c in tok.children)
    ):
        return True
    for a in [tok, *list(tok.ancestors)[:2]]:
        if any(c.dep_ == "mark" and c.lower_ == "whether" for c in a.children):
            return True
        if a.dep_ in ("nsubj", "nsubjpass", "relcl") and a.i != tok.i:
            break
    for a in [tok, *list(tok.ancestors)[:3]]:
        if a.i != tok.i and a.lemma_.lower() in UNREAL:
            return True
        if a.dep_ in ("nsubj", "nsubjpass", "ccomp", "advcl") and a.i != tok.i:
            break
    return False


MEET_PARTIES = ROLE_WORDS | {
    "officials",
    "official",
    "delegation",
    "delegations",
    "counterpart",
    "counterparts",
    "ministers",
    "leaders",
    "officers",
    "diplomats",
    "commander",
    "premier",
}


def _negated(tok) -> bool:
    if any(c.dep_ == "neg" for c in tok.children):
        return True
    if any(c.lower_ in ("no", "few") and c.dep_ in ("det", "amod") for c in tok.children):
        return True
    if tok.head.lemma_.lower() in ("decline", "refuse", "fail", "deny", "avoid"):
        return True
    # "none of this means an aircraft landed", "officials denied reports that X had asked to
    # station bombers": told only to be ruled out
    for a in list(tok.ancestors)[:3]:
        if any(c.dep_ == "nsubj" and c.lower_ in ("none", "nothing") for c in a.children):
            return True
        if a.lemma_.lower() in ("deny", "dismiss", "reject", "rule") and a.pos_ == "VERB":
            return True
    return False


def _has_aircraft(sent, near=None) -> bool:
    return any(e.label_ in ("AIRCRAFT", "REG") for e in sent.ents) or any(
        t.lower_ in AIRCRAFT_NOUNS for t in (near.subtree if near is not None else sent)
    )


def _subject_text(tok) -> set[str]:
    out = set()
    for c in tok.children:
        if c.dep_ in ("nsubj", "nsubjpass"):
            out |= {t.lower_ for t in c.subtree}
    return out


MOVE_VERBS = {
    "continue",
    "go",
    "land",
    "depart",
    "fly",
    "arrive",
    "touch",
    "take",
    "scramble",
    "return",
    "leave",
    "come",
    "head",
    "reach",
    "enter",
    "pass",
    "transit",
    "sail",
    "patrol",
    "escort",
    "follow",
    "cross",
    "intercept",
    "shadow",
    "fire",
    "launch",
    "travel",
    "operate",
    "deploy",
    "redeploy",
    "withdraw",
    "relocate",
    "evacuate",
    "dispatch",
    "reinforce",
    "station",
    "dock",
    "transfer",
    "move",
    "pull",
    "send",
}
MOVE_NEEDS_PARTICLE = {
    "take": "off",
    "touch": "down",
    "come": "in",
    "pull": "out",
    "go": "on",
}
MISSILE_NOUNS = {"missile", "missiles", "rocket", "rockets", "projectile", "projectiles"}
EXERCISE_NOUNS = {
    "exercise",
    "exercises",
    "drill",
    "drills",
    "manoeuvres",
    "maneuvers",
    "wargames",
    "patrol",
    "patrols",
    "mission",
    "launch",
    "handover",
    "rotation",
    "incursion",
    "resupply",
    "deployment",
    "withdrawal",
    "redeployment",
}
EXERCISE_VERBS = EVENT_VERBS | {"wrap", "involve", "run", "join", "finish", "pass", "follow"}
AGREEMENT_NOUNS = {
    "agreement",
    "agreements",
    "deal",
    "accord",
    "treaty",
    "memorandum",
    "arrangement",
    "protocol",
    "declaration",
}
FLIGHT_VERBS = EVENT_VERBS | {"reach", "restart", "land", "arrive", "bring", "carry", "use"}
FLIGHT_NOUNS = {"flight", "flights", "arrivals", "airlift", "sorties", "sortie", "overflight"}


def _participants(tok) -> tuple[set[str], bool]:
    """Words of a verb's subject (its head's, for a bare conjunct) and whether an aircraft
    entity is among them or its object."""
    words: set[str] = set()
    aircraft = False
    target = tok
    subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subj and tok.dep_ in ("conj", "xcomp", "advcl") and tok.head.i != tok.i:
        target = tok.head
        subj = [c for c in target.children if c.dep_ in ("nsubj", "nsubjpass")]
    subj = [c for c in subj if not (c.is_upper and c.ent_type_ == "GPE" and c.i == c.sent.start)]
    objs = [c for c in tok.children if c.dep_ in ("dobj", "agent")]
    for part in subj + objs:
        for t in part.subtree:
            words.add(t.lower_)
            if t.ent_type_ in ("AIRCRAFT", "REG"):
                aircraft = True
    if not subj and tok.dep_ not in ("acl", "relcl"):
        # the parse lost the subject (datelines, long appositions): what stands before the verb
        for t in tok.doc[tok.sent.start : tok.i]:
            words.add(t.lower_)
            if t.ent_type_ in ("AIRCRAFT", "REG"):
                aircraft = True
    if tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN"):
        words.add(tok.head.lower_)
        aircraft = aircraft or tok.head.ent_type_ in ("AIRCRAFT", "REG")
    return words, aircraft


def _movement(tok, lemma: str, people: People) -> str | None:
    need = MOVE_NEEDS_PARTICLE.get(lemma)
    if need and not any(c.lower_ == need for c in tok.children):
        return None
    words, aircraft = _participants(tok)
    if lemma in ("fire", "launch"):
        own = {t.lower_ for t in tok.subtree}
        return "military_movement" if (own | words) & (MISSILE_NOUNS | FORCE_NOUNS) else None
    if words & {"delegation", "minister", "president", "premier"} and lemma in PERSON_MOVES:
        return "visit"
    subj_words = {
        t.lower_ for c in tok.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree
    }
    exercise = tok.doc.user_data.get("bw_exercise", False)
    in_exercise = lemma == "operate" or (exercise and _future_tok(tok) and lemma == "fly")
    if in_exercise and (aircraft or words & (AIRCRAFT_NOUNS | FORCE_NOUNS)):
        return "military_movement"  # aircraft in an exercise are part of the exercise
    subj_aircraft = any(
        t.ent_type_ in ("AIRCRAFT", "REG")
        for c in tok.children
        if c.dep_ in ("nsubj", "nsubjpass")
        for t in c.subtree
    )
    carried = any(  # "arrived by transport aircraft", "aboard an Il-76"
        c.lower_ in ("by", "aboard", "on", "in")
        and any(t.ent_type_ == "AIRCRAFT" or t.lower_ in AIRCRAFT_NOUNS for t in c.subtree)
        for c in tok.children
    )
    if subj_aircraft or carried:
        return "flight"
    if subj_words & FORCE_NOUNS and not (subj_words & AIRCRAFT_NOUNS):
        return "military_movement"
    if aircraft or words & AIRCRAFT_NOUNS:
        return "flight"
    if words & FORCE_NOUNS:
        return "military_movement"
    if subj_words & {"it", "they"} and tok.doc.user_data.get("bw_last_move"):
        return tok.doc.user_data["bw_last_move"]  # "It entered the Sea of Marmara"
    if lemma in PERSON_MOVES and tok.dep_ == "relcl" and people.person_at(tok.head):
        return "visit"  # "Osman, who arrived in Moscow on Sunday, ..."
    if lemma in PERSON_MOVES:
        subj = [t for t in tok.children if t.dep_ == "nsubj"]
        before = tok.doc[tok.sent.start : tok.i]
        if (
            any(people.person_at(t) for t in subj)
            or "delegation" in words
            or (not subj and any(t.i in people.by_token for t in before))
        ):
            return "visit"
    return None


def event_type_of(tok, sent, people: People) -> str | None:
    """The event a token triggers in its sentence, or None."""
    lemma = tok.lemma_.lower()
    low = tok.lower_
    if lemma == "take" and any(c.dep_ == "dobj" and c.lower_ == "part" for c in tok.children):
        words, aircraft = _participants(tok)
        if aircraft or words & (FORCE_NOUNS | AIRCRAFT_NOUNS):
            return "military_movement"  # "20 ships and a dozen aircraft are to take part"
    if lemma == "hand" and any(c.lower_ == "over" for c in tok.children):
        words = {t.lower_ for t in tok.subtree} | _participants(tok)[0]
        if words & {"base", "bases", "facility", "airfield", "barracks", "camp"}:
            return "military_movement"  # handovers of bases
    if tok.pos_ == "VERB" and lemma in MOVE_VERBS:
        if tok.dep_ == "amod":
            return None
        return _movement(tok, lemma, people)
    if tok.pos_ in ("VERB",) and lemma in VERB_TRIGGERS:
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)
        signed = lemma == "sign" and tok.dep_ == "acl" and tok.head.lower_ in AGREEMENT_NOUNS
        participle = tok.dep_ in ("amod", "acl", "relcl") and tok.tag_ == "VBN"
        if participle and not own_subject and not signed:
            return None  # but "the original agreement, signed in 2020," is one
        if tok.dep_ == "relcl" and _past_perfect(tok):
            return None  # "the agreements that Moscow had signed": background
        kind = VERB_TRIGGERS[lemma]
        if lemma == "talk" and not any(c.lower_ in ("about", "with") for c in tok.children):
            return None
        if lemma in ("receive", "meet", "host"):
            sub = [t for c in tok.children if c.dep_ != "punct" for t in c.subtree]
            if not any(
                t.i in people.by_token
                or t.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
                or t.lower_ in MEET_PARTIES
                or t.lower_ in ("he", "she", "they")
                for t in sub
            ):
                return None
        if lemma == "discuss" and tok.head.lemma_.lower() in ("meet", "hold", "host"):
            return None  # "met ... to discuss": one occurrence, a meeting
        return kind
    if tok.pos_ == "VERB" and lemma == "sit" and any(c.lower_ == "down" for c in tok.children):
        return "meeting"
    if tok.pos_ not in ("NOUN", "PROPN"):
        return None
    head = tok.head
    hl = head.lemma_.lower()
    if low in FLIGHT_NOUNS:
        dets = {c.lower_ for c in tok.children if c.dep_ in ("det", "amod", "nummod")}
        if tok.dep_ in ("compound", "amod") or hl in ("since", "before", "of", "about"):
            return None
        if dets & {"such", "no", "few", "these", "those", "any"}:
            return None
        counted = any(c.dep_ == "nummod" for c in tok.children)
        if counted or (tok.dep_ in ("nsubj", "nsubjpass", "dobj") and hl in FLIGHT_VERBS):
            return "flight"
        return None
    if low in EXERCISE_NOUNS:
        ok = tok.dep_ in ("nsubj", "nsubjpass", "dobj") and hl in EXERCISE_VERBS
        ok = ok or (
            tok.dep_ == "pobj"
            and hl == "in"
            and (head.head.lower_ == "part" or any(c.lower_ == "part" for c in head.head.children))
        )
        return "military_movement" if ok else None
    if low == "talks" and any(c.lower_ == "with" for c in tok.children) and hl in ("for", "in"):
        return "meeting"  # "was in Moscow for talks with Vladimir Putin"
    reported = any(a.lemma_.lower() in ("say", "tell", "state") for a in tok.ancestors)
    if low in ("talks", "negotiations") and tok.dep_ in ("nsubj", "nsubjpass") and reported:
        return "negotiation"  # "Zakharova said the talks were closed and concerned ..."
    if low == "round" and not any(
        c.lower_ == "of" and any(g.lower_ in ("talks", "negotiations") for g in c.children)
        for c in tok.children
    ):
        talks = tok.doc.user_data.get("bw_talks", False)
        if not (talks and tok.dep_ in ("nsubj", "nsubjpass") and hl in ("hold", "come", "take")):
            return None
    if low in NOUN_TRIGGERS:
        kind = NOUN_TRIGGERS[low]
        if kind == "agreement" and tok.dep_ == "nsubj" and hl in ("cover", "concern", "come"):
            return None
        if kind == "agreement" and tok.dep_ == "pobj":
            return None
        ok = (tok.dep_ in ("nsubj", "nsubjpass", "dobj") and hl in EVENT_VERBS) or (
            tok.dep_ == "pobj" and head.head.lemma_.lower() in ("hold", "conduct")
        )
        if hl == "take" and not any(c.lower_ == "place" for c in head.children):
            ok = ok and tok.dep_ == "dobj"
        if not ok:
            return None
        if low == "talks":
            about = any(c.lower_ in ("on", "about", "over") for c in tok.children) or any(
                c.lower_ in ("on", "about", "over") and c.i > tok.i for c in head.children
            )
            if about or hl in ("conduct", "cover", "concern", "resume", "continue"):
                return "negotiation"
            if tok.dep_ == "dobj" and hl == "hold":
                return "meeting"
            return "meeting" if hl == "take" else "negotiation"
        return kind
    return None


def _place(sent, trigger, ref) -> tuple[str | None, str | None, str | None]:
    """(place, icao, country): an airfield, base or place named after in/at/to/near."""
    best = None
    for e in sent.ents:
        if e.label_ not in ("BASE", "PLACE", "GPE", "LOC", "FAC") or is_media(e.text):
            continue  # "confirmed to Bloomberg": an outlet, not a place
        prev = sent.doc[e.start - 1].lower_ if e.start > 0 else ""
        if prev == "the" and e.start > 1:
            prev = sent.doc[e.start - 2].lower_
        if prev not in ("in", "at", "to", "into", "near", "from", "outside", "via"):
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
        dist = abs(e.start - trigger.i)
        if prev == "from":
            dist += 50
        if best is None or dist < best[0]:
            best = (dist, cand)
    return best[1] if best else (None, None, None)


def _clause_head(tok):
    """The verb heading the coordinated clause that holds a token: the sentence's root, or a verb
    joined to it with its own subject ('X was received by Y on 15 October, and the ministers met
    on 28 October' has two)."""
    t = tok
    while t.head.i != t.i:
        if t.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children):
            return t
        t = t.head
    return t


def _clause_of(sent, trigger) -> list:
    """The tokens of the trigger's coordinated clause (the whole sentence when it has one)."""
    head = _clause_head(trigger)
    return [t for t in sent if _clause_head(t).i == head.i]


def _actors(sent, trigger, people: People, statements) -> list[str]:
    """People in the trigger's clause (not those who only tell of the event), else its
    countries; the whole sentence when the clause names none."""
    return _actors_in(_clause_of(sent, trigger), sent, trigger, people, statements) or (
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
            or _in_subject_of(t, v)
            for v in tellers
        ):
            continue
        names.append(p.canonical)
    if not names:
        inside = {t.i for t in tokens}
        for e in sent.ents:
            if e.start not in inside:
                continue
            c = country_of(e.text) if e.label_ in ("GPE", "NORP") else None
            if c and c not in names:
                names.append(c)
    return names


def _in_subject_of(tok, verb) -> bool:
    """Whether a token lies in the subject of a verb ('Kremlin spokesman Dmitry Peskov said')."""
    for c in verb.children:
        if c.dep_ in ("nsubj", "nsubjpass") and c.left_edge.i <= tok.i <= c.right_edge.i:
            return True
    return False


def _past_perfect(tok) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "had" for c in tok.children)


def _anaphoric(tok, sent) -> bool:
    subj = _subject_text(tok)
    if subj & ANAPHORA:
        return True
    text = sent.text.casefold()
    return bool(
        re.search(r"\b(during|at|after) the (meeting|talks|visit|summit|negotiations)\b", text)
    )


class ArticleExtractor:
    """Walks one parsed article sentence by sentence, keeping what later sentences refer to."""

    def __init__(self, doc, anchor: date | None, outlet: str | None, ref) -> None:
        self.doc = doc
        self.anchor = anchor
        self.outlet = outlet or ""
        self.ref = ref
        self.people = People(doc)
        self.events: list[Event] = []
        self.org_speakers: list[str] = []
        self.source_names: list[str] = [outlet] if outlet else []
        doc.user_data["bw_talks"] = bool(re.search(r"\b(talks|negotiations)\b", doc.text))
        doc.user_data["bw_exercise"] = bool(
            re.search(r"\b(exercises?|drills?|manoeuvres|wargames)\b", doc.text, re.I)
        )

    # dates ---------------------------------------------------------------------------------

    def _last(self, types: tuple[str, ...] | None = None) -> Event | None:
        for ev in reversed(self.events):
            if ev.date_start and (types is None or ev.event_type in types):
                return ev
        return None

    def _anchor_event(self, words: str) -> Event | None:
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
            return self._last(("flight",)) or self._last()
        if re.search(r"\b(visit|trip)\b", low):
            return self._last(("visit",)) or self._last(("meeting",))
        if re.search(r"\b(met|meeting|summit|talks)\b", low):
            return self._last(("meeting",)) or self._last(("visit", "negotiation"))
        if re.search(r"\b(flights?|airlift)\b", low):
            return self._last(("flight",)) or self._last()
        if re.search(r"\b(launch|exercise|drills?|deployment|withdrawal)\b", low):
            return self._last(("military_movement",)) or self._last()
        if re.search(r"\b(negotiations?|round)\b", low):
            return self._last(("negotiation", "meeting"))
        if re.search(r"\b(agreement|deal|signing)\b", low):
            return self._last(("agreement",))
        return self._last()

    def _set(self, ev: Event, span: _dates.TimeSpan | None) -> None:
        if span is None:
            return
        ev.date_start = span.start.isoformat()
        ev.date_end = span.end.isoformat()
        ev.date_precision = span.precision

    def _date(self, ev: Event, tok, sent, hits: list[_dates.TimeHit], rel_spans) -> None:
        sc = sent.start_char
        doc = self.doc
        rel_all = [h for h in hits if h.relative_days is not None]
        qs, qe = ev.quote_span or (-1, -1)
        statement = ev.event_type == "statement"
        comp = None if statement else _complement_of_leading_speech(tok)
        reported = comp is not None
        lo_c, hi_c = _clause_chars(comp if comp is not None else tok)
        dated = [
            h
            for h in hits
            if h.span is not None
            and not any(r.start_char <= h.start_char < r.end_char for r in rel_all)
            and not qs <= h.start_char < qe  # a date inside what was said dates the content
            and not (statement and _in_relcl(doc, sc + h.start_char, tok))
            and not (reported and not lo_c <= sc + h.start_char < hi_c)
        ]
        demo = _demonstrative(tok)
        if demo and not dated:
            prev = self._anchor_event(demo)
            if prev is not None:
                self._set_from(ev, prev)
                return
        if dated:
            own = _clause_chars(tok if tok.pos_ == "VERB" else tok.head)
            inside = [h for h in dated if own[0] <= sc + h.start_char < own[1]] or dated
            pos = tok.idx - sc
            best = min(inside, key=lambda h: min(abs(h.start_char - pos), abs(h.end_char - pos)))
            self._set(ev, best.span)
            if ev.event_type == "visit":
                m = re.search(r"\b(\w+)-day (?:visit|trip|tour)\b", sent.text)
                if m and best.span.precision == "day":
                    n = _dates._number(m.group(1))
                    if 1 < n < 60:
                        end = best.span.start.toordinal() + n - 1
                        self._set(
                            ev, _dates.TimeSpan(best.span.start, date.fromordinal(end), "range")
                        )
            return
        rel = [h for h in rel_all if not (statement and qs <= h.start_char < qe)]
        if rel:
            h = rel[0]
            base = self._anchor_event(h.anchor_text) if h.anchor_text else self._last()
            if base is not None and base.date_start:
                start = date.fromisoformat(base.date_start)
                if h.kind == "nth_day":
                    if "last" in h.text.lower():
                        start = date.fromisoformat(base.date_end)
                        self._set(ev, _dates.TimeSpan(start, start, "day"))
                    else:
                        self._set(
                            ev, _dates.TimeSpan(start, start, "day").shift(h.relative_days[0])
                        )
                    return
                if h.kind == "rel_prev":
                    self._set(ev, _dates.TimeSpan(start, start, "day").shift(h.relative_days[0]))
                    return
                if reported and _past_perfect(tok):
                    self._set_from(ev, base)
                    return
                lo, hi = h.relative_days
                span = _dates.TimeSpan(start, start, "day").shift(lo)
                if hi != lo:
                    end = date.fromordinal(start.toordinal() + hi)
                    span = _dates.TimeSpan(span.start, end, "range")
                if statement or not _anaphoric_subject(tok):
                    self._set(ev, span)
                    return
        if statement:
            self._date_statement(ev, sent, qs, qe)
            return
        if reported and ev.event_type not in ("flight", "military_movement"):
            # "X said the leaders had discussed ...": the earlier event; ongoing talk: undated
            if _past_perfect(tok) or tok.tag_ == "VBN":
                prev = self._last((ev.event_type,)) or self._last(("meeting", "negotiation"))
                if ev.event_type == "negotiation":
                    prev = self._last(("negotiation", "meeting")) or prev
                if prev:
                    self._set_from(ev, prev)
            return
        if ev.event_type in ("flight", "military_movement"):
            prev = self._last((ev.event_type,)) or self._last()
            if prev:
                self._set_from(ev, prev)
            return
        if _anaphoric(tok, sent) and not _future_tok(tok):
            prev = self._last()
            if prev:
                self._set_from(ev, prev)

    def _date_statement(self, ev: Event, sent, qs: int, qe: int) -> None:
        """A statement's date is its occasion's: 'at the meeting', 'after the talks', 'told his
        counterpart', or the statement it continues ('he added'); otherwise none."""
        text = sent.text[:qs] + " " + sent.text[qe:] if qs >= 0 else sent.text
        told = re.search(r"\btold (?:his|her|their) (?:\w+ )?counterparts?\b", text)
        told_person = re.search(r"\btold ([A-Z][\w-]+)", text)
        if told or (
            told_person
            and told_person.group(1) not in ("Reuters", "Bloomberg")
            and any(p.surname.endswith(told_person.group(1).casefold()) for p in self.people.people)
        ):
            prev = self._last(("meeting",))
            if prev:
                self._set_from(ev, prev)
                return
        m = re.search(
            r"\b(?:after|at|during|on the sidelines of|at the (?:start|end|opening|close) of)"
            r" (?:the|that|this) (meeting|talks|summit|visit|negotiations|signing|ceremony)\b",
            text,
            re.I,
        )
        if m:
            prev = self._anchor_event(m.group(1))
            if prev:
                self._set_from(ev, prev)
                return
        if re.search(r"\b(?:he|she|they) added\b|^(?:He|She) added\b", text):
            prev = self.events[-1] if self.events else None
            if prev is not None and prev.event_type == "statement" and prev.speaker == ev.speaker:
                self._set_from(ev, prev)

    @staticmethod
    def _set_from(ev: Event, prev: Event) -> None:
        ev.date_start, ev.date_end, ev.date_precision = (
            prev.date_start,
            prev.date_end,
            prev.date_precision,
        )

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
        if kind not in ("flight", "military_movement") or tok.pos_ != "VERB":
            return False
        if tok.dep_ == "relcl" and _past_perfect(tok):
            return False
        if tok.lemma_.lower() in ("base", "station", "base"):
            return False
        return sum(e.event_type == kind for e in new) < 3

    def _resolve_source(self, name: str) -> str:
        """'the agency', 'the ministry', 'the same data' → the source named before in full."""
        from .sources import is_media

        low = name.casefold()
        m = re.match(r"^the (?:same )?(?:\w+ )?(\w+)$", low)
        if m:
            head = m.group(1)
            for prev in reversed(self.source_names):
                pl = prev.casefold()
                if pl == low:
                    continue
                media_word = head in ("agency", "broadcaster", "channel", "newspaper", "outlet")
                if media_word and is_media(prev) and prev != self.outlet:
                    return prev
                if head in pl.split() or (head == "data" and "data" in pl):
                    return prev
        self.source_names.append(name)
        return name

    def _last_org(self, word: str) -> str | None:
        for name in reversed(self.org_speakers):
            if word in ("it", "they") or word in name.casefold():
                return name
        return None

    def _continues(self, ev: Event, sent) -> bool:
        """A direct quote that goes on from the same speaker's quote in the sentence before
        ('"...," he said. "..."') extends that statement instead of making a new one."""
        if not self.events or ev.quote_span is None:
            return False
        prev = self.events[-1]
        if prev.event_type != "statement" or prev.speaker != ev.speaker:
            return False
        gap = self.doc.text[prev.char_start + len(prev.sentence) : ev.char_start]
        if gap.strip() or ev.sentence[:1] not in ('"', "\u201c"):
            return False
        end = ev.char_start + len(ev.sentence)
        prev.sentence = self.doc.text[prev.char_start : end]
        prev.quote = f"{prev.quote} … {ev.quote}"
        return True

    # sentences -----------------------------------------------------------------------------

    def run(self) -> list[Event]:
        last_source = None
        for sent in self.doc.sents:
            text = sent.text.strip()
            if len(text.split()) < 3:
                continue
            self._sentence(sent, text, last_source)
            src = find_source(text)
            cont = re.match(r"^(additionally|also|in addition|moreover|furthermore)\b", text, re.I)
            last_source = src or (last_source if cont else None)
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
        if sent_source is None:
            cont = re.match(r"^(additionally|also|in addition|moreover|furthermore)\b", text, re.I)
            sent_source = carried_source if cont else None
        statements = find_statements(sent, self.people)
        new: list[Event] = []
        kept = []
        for st in statements:
            if st.speaker_kind == "anaphor":
                org = self._last_org(st.speaker)
                if org is None:
                    continue
                st = replace(st, speaker=org, speaker_kind="org")
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
                quote=st.quote,
                source=sent_source or self.outlet,
                actors=[st.speaker],
                quote_span=(qpos, qpos + len(st.quote)) if qpos >= 0 else None,
            )
            self._date(ev, self.doc[st.verb], sent, hits, rel_spans)
            new.append(ev)
        seen_types = set()
        for tok in sent:
            kind = event_type_of(tok, sent, self.people)
            if kind is None:
                continue
            clause = _clause_head(tok).i
            if (
                kind in {k for k, _ in seen_types}
                and not self._another_leg(kind, tok, new)
                and not self._own_clause(kind, clause, seen_types, tok)
            ):
                continue
            if _negated(tok) or _in_quotes(tok, sent) or _under_negated_speech(tok):
                continue
            if _unreal(tok):
                continue
            if any(s <= tok.idx < e for s, e in rel_spans):
                continue  # "three days after X met Y": names an earlier event
            ev = Event(kind, text, char_start, tok.i)
            by = sent_source or _reported_by(tok, sent, self.people)
            ev.source = self._resolve_source(by) if by else self.outlet
            ev.place, ev.place_icao, ev.country = _place(sent, tok, self.ref)
            if ev.place is None and kind in ("meeting", "visit", "negotiation", "agreement"):
                m = re.match(r"^([A-Z][A-Z .'\-]{2,40})\s*[\u2014\u2013-]", text)
                if m:
                    ev.place = m.group(1).strip().title()
            ev.actors = _actors(sent, tok, self.people, statements)
            self._date(ev, tok, sent, hits, rel_spans)
            seen_types.add((kind, clause))
            new.append(ev)
        moves = [e for e in new if e.event_type in ("flight", "military_movement")]
        kinds = {st.verb: st.speaker_kind for st in statements}
        out = []
        for ev in new:
            if ev.event_type == "statement":
                if kinds.get(ev.trigger) == "org":
                    self.org_speakers.append(ev.speaker)
                    self.source_names.append(ev.speaker)
                    # "X flew over Y, the navy said": the navy is the source, not a statement
                    told = [e for e in new if e.event_type != "statement"]
                    if any(m.trigger < ev.trigger for m in moves + told):
                        continue
                if self._continues(ev, sent):
                    continue
            out.append(ev)
        self.events.extend(out)
        moves_now = [e for e in out if e.event_type in ("flight", "military_movement")]
        if moves_now:
            self.doc.user_data["bw_last_move"] = moves_now[-1].event_type


def _complement_of_leading_speech(tok):
    """For an event told in reported speech that comes first ('X said on Monday that ...'),
    the complement clause holding it; None otherwise."""
    from .quotes import SPEECH

    t = tok
    while t.head.i != t.i:
        if t.dep_ in ("nsubj", "nsubjpass", "relcl", "acl"):
            return None
        parent = t.head
        if parent.lemma_.lower() in SPEECH and parent.i < tok.i:
            return t
        t = parent
    return None


def _clause_chars(tok) -> tuple[int, int]:
    """Character span of a trigger's own clause (its subtree)."""
    left, right = tok.left_edge, tok.right_edge
    return left.idx, right.idx + len(right.text)


def _in_relcl(doc, char: int, verb) -> bool:
    """Whether a character lies in a relative clause that does not hold the verb
    ('Osman, who arrived in Moscow on Sunday, told reporters ...')."""
    for t in doc[verb.sent.start : verb.sent.end]:
        if t.dep_ in ("relcl", "acl") and not t.is_ancestor(verb) and t.i != verb.i:
            lo, hi = _clause_chars(t)
            if lo <= char < hi:
                return True
    return False


def _future_tok(tok) -> bool:
    return any(
        c.dep_ == "aux" and c.lower_ in ("will", "would", "shall", "'ll") for c in tok.children
    )


def _demonstrative(tok) -> str | None:
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


def _under_speech(tok) -> bool:
    from .quotes import SPEECH

    return any(a.lemma_.lower() in SPEECH for a in tok.ancestors)


SPEECH_NOUNS = {"words", "comments", "remarks", "statement", "statements", "account"}
SOURCE_VERBS = {"say", "report", "tell", "confirm", "announce", "show", "state", "add", "write"}


def _reported_by(tok, sent, people: People) -> str | None:
    """Who a sentence says told of the event: '..., ship spotters in Istanbul reported' or
    'Lithuania's defence ministry said ... that X moved'. None when no one does."""
    cands = []
    leading = set()
    t = tok
    while t.head.i != t.i:
        if t.dep_ in ("relcl", "acl"):
            break  # "Osman, who arrived ..., told": the arrival is not what was told
        parent = t.head
        if parent.lemma_.lower() in SOURCE_VERBS:
            if t.dep_ in ("nsubj", "nsubjpass"):
                break  # the event is who speaks, not what is said
            cands.append(parent)
            leading.add(parent.i)
        t = parent
    cands += [
        c
        for c in list(tok.children) + list(tok.head.children)
        if c.lemma_.lower() in SOURCE_VERBS
        and c.dep_ in ("parataxis", "ccomp", "advcl", "conj")
        and c.i > tok.i
        and not any(g.dep_ == "ccomp" for g in c.children)
    ]
    cands += [  # a trailing "..., the Estonian Defence Forces said" attached elsewhere
        t
        for t in sent
        if t.lemma_.lower() in SOURCE_VERBS
        and t.i > tok.i
        and t.dep_ in ("parataxis", "ROOT")
        and not any(g.dep_ == "ccomp" and g.i > t.i for g in t.children)
    ]
    for verb in cands:
        if any(c.dep_ == "neg" for c in verb.children):
            continue
        subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subj:
            continue
        pronoun = subj[0].lower_ in ("he", "she", "they", "it", "which", "who")
        if subj[0].lower_ in SPEECH_NOUNS and any(c.dep_ == "poss" for c in subj[0].children):
            continue  # "Her words confirm ...": whose words is told elsewhere
        if pronoun and verb.i not in leading:
            continue  # "..., he said" after the event: the pronoun may be anyone
        p = people.person_at(subj[0])
        if p is None:
            for t in subj[0].subtree:
                p = people.by_token.get(t.i)
                if p:
                    break
        if p is not None:
            return p.canonical
        if pronoun:
            continue
        doc = tok.doc
        return doc[subj[0].left_edge.i : subj[0].right_edge.i + 1].text
    return None


def _under_negated_speech(tok) -> bool:
    from .quotes import SPEECH

    for anc in tok.ancestors:
        if anc.lemma_.lower() in SPEECH and any(c.dep_ == "neg" for c in anc.children):
            return True
    return False


def _det_of_subject(tok) -> list[str]:
    for c in tok.children:
        if c.dep_ in ("nsubj", "nsubjpass"):
            return [d.lower_ for d in c.children if d.dep_ == "det"]
    return []


def _anaphoric_subject(tok) -> bool:
    return bool(_det_of_subject(tok))


def extract_events(doc, anchor: date | None, outlet: str | None, ref) -> list[Event]:
    """All events of one parsed article (see the module doc)."""
    return ArticleExtractor(doc, anchor, outlet, ref).run()


def clean_quote(text: str) -> str:
    return strip_dateline(text).strip()


__all__ = ["EXTRACTOR", "Event", "extract_events", "is_media"]
