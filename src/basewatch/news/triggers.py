"""Which event a word triggers in its sentence: a verb with its subject and objects ("the
Il-62M landed", "Belousov met his counterpart"), or an event noun with the verb that makes it
happen ("talks were held", "three flights"). Negated, hedged, proposed and habitual triggers make
none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clauses import future_tok, past_perfect
from .entities import People
from .lexicon import (
    AGREEMENT_NOUNS,
    AIRCRAFT_NOUNS,
    ATTACK_NOUNS,
    ATTACK_VERBS,
    CALL_NOUNS,
    EVENT_VERBS,
    EXERCISE_NOUNS,
    EXERCISE_VERBS,
    EXERCISE_WORDS,
    FLIGHT_NOUNS,
    FLIGHT_VERBS,
    FORCE_NOUNS,
    HEDGES,
    MEET_PARTIES,
    MISSILE_NOUNS,
    MOVE_NEEDS_PARTICLE,
    MOVE_VERBS,
    MOVEMENT_KINDS,
    NOUN_TRIGGERS,
    PERSON_MOVES,
    PHONE_WORDS,
    SANCTION_NOUNS,
    SANCTION_VERBS,
    TARGET_NOUNS,
    UNREAL,
    VERB_TRIGGERS,
)


@dataclass(slots=True)
class ArticleContext:
    """What the trigger rules know of the article beyond the sentence."""

    talks: bool = False  # the article speaks of talks or negotiations ("a round" is of talks)
    exercise: bool = False  # the article is about an exercise (aircraft that fly are part of it)
    last_move: str | None = None  # type of the last movement told ("It entered the Sea of ...")

    @classmethod
    def of(cls, text: str) -> ArticleContext:
        return cls(
            talks=bool(re.search(r"\b(talks|negotiations)\b", text)),
            exercise=bool(re.search(r"\b(exercises?|drills?|manoeuvres|wargames)\b", text, re.I)),
        )


def unreal(tok) -> bool:
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


def negated(tok) -> bool:
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


def participants(tok) -> tuple[set[str], bool]:
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
            words.add(t.lemma_.lower())  # "battalions" is a battalion
            if t.ent_type_ in ("AIRCRAFT", "REG"):
                aircraft = True
    if not subj and tok.dep_ not in ("acl", "relcl"):
        # the parse lost the subject (datelines, long appositions): what stands before the verb
        for t in tok.doc[tok.sent.start : tok.i]:
            words.add(t.lower_)
            words.add(t.lemma_.lower())  # "battalions" is a battalion
            if t.ent_type_ in ("AIRCRAFT", "REG"):
                aircraft = True
    if tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN"):
        words.add(tok.head.lower_)
        aircraft = aircraft or tok.head.ent_type_ in ("AIRCRAFT", "REG")
    return words, aircraft


def movement(tok, lemma: str, people: People, ctx: ArticleContext) -> str | None:
    need = MOVE_NEEDS_PARTICLE.get(lemma)
    if need and not any(c.lower_ == need for c in tok.children):
        return None
    words, aircraft = participants(tok)
    if lemma in ("fire", "launch"):
        own = {t.lower_ for t in tok.subtree}
        return "military_movement" if (own | words) & (MISSILE_NOUNS | FORCE_NOUNS) else None
    if words & {"delegation", "minister", "president", "premier"} and lemma in PERSON_MOVES:
        return "visit"
    subj_words = {
        t.lower_ for c in tok.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree
    }
    in_exercise = lemma == "operate" or (ctx.exercise and future_tok(tok) and lemma == "fly")
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
    if subj_words & {"it", "they"} and ctx.last_move:
        return ctx.last_move  # "It entered the Sea of Marmara"
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


def event_type_of(tok, sent, people: People, ctx: ArticleContext) -> str | None:
    """The event a token triggers in its sentence, or None: a phone call, a sanction or an attack
    told by its own words, else a meeting, visit, negotiation, agreement, flight or movement of
    forces, the last told apart as deployment, withdrawal, evacuation or exercise when its head
    word says which."""
    kind = call_sanction_or_attack(tok)
    if kind is not None:
        return kind
    kind = _coarse_type(tok, sent, people, ctx)
    if kind in ("flight", "military_movement"):
        sent_kind = _sent_or_pulled(tok)
        if sent_kind:
            return sent_kind
    if kind == "military_movement":
        return refine_movement(tok)
    if kind == "meeting" and _by_phone(tok):
        return "call"
    return kind


# ground forces: when they arrive somewhere they are deployed there, by whatever means
GROUND_FORCES = {
    "troops",
    "soldiers",
    "tanks",
    "brigade",
    "battalion",
    "contingent",
    "instructors",
    "personnel",
    "marines",
    "paratroopers",
    "infantry",
    "artillery",
    "batteries",
    "battery",
}
ARRIVALS = {"arrive", "come", "go", "follow", "move", "relocate", "transfer", "reach"}


def _sent_or_pulled(tok) -> str | None:
    """A movement told by a verb of sending or pulling out is a deployment or withdrawal
    whatever moves, aircraft too ('deployed a squadron of drones to Misrata', 'withdrew its
    drones from Niamey'); ground forces arriving somewhere are deployed there ('the first
    tanks of the brigade arrived by train')."""
    if tok.pos_ != "VERB" or tok.dep_ in ("acl", "relcl", "amod"):
        return None  # "the fleet deployed to Guam": a description, not the event told
    lemma = tok.lemma_.lower()
    kind = MOVEMENT_KINDS.get(lemma)
    if kind in ("deployment", "withdrawal"):
        return kind
    if lemma == "pull" and any(c.lower_ in ("out", "back") for c in tok.children):
        return "withdrawal"
    if lemma in ARRIVALS:
        subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
        heads = {c.lemma_.lower() for c in subj} | {c.lower_ for c in subj}
        carried = any(  # "arrived by transport aircraft": a flight
            c.lower_ in ("by", "aboard", "on")
            and any(t.ent_type_ == "AIRCRAFT" or t.lower_ in AIRCRAFT_NOUNS for t in c.subtree)
            for c in tok.children
        )
        if heads & GROUND_FORCES and not carried:
            return "deployment"
    return None


def _was_in_city(tok, people: People) -> bool:
    """'the Syrian defence minister was in Moscow on 28 October', 'X was in Ankara for talks': a
    person who was, on a day or for talks, in a city of another country is visiting it."""
    subj = [c for c in tok.children if c.dep_ == "nsubj"]
    if not subj or not (
        people.person_at(subj[0])
        or subj[0].lower_ in ("minister", "president", "delegation", "premier", "envoy")
    ):
        return False
    for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ == "in"):
        place = [g for g in prep.children if g.dep_ == "pobj" and g.ent_type_ in ("GPE", "PLACE")]
        if not place:
            continue
        dated = any(t.ent_type_ == "DATE" for t in tok.subtree)
        for_talks = any(t.lower_ in ("talks", "visit", "meeting") for t in tok.subtree)
        return dated or for_talks
    return False


def _by_phone(tok) -> bool:
    words = {t.lower_ for c in tok.children if c.dep_ == "prep" for t in c.subtree}
    words |= {c.lower_ for c in tok.children if c.dep_ in ("compound", "amod", "npadvmod")}
    return bool(words & PHONE_WORDS)


def call_sanction_or_attack(tok) -> str | None:
    """'spoke by phone', 'held a phone call' → call; 'imposed sanctions', 'sanctioned' →
    sanction; 'struck the base', 'a drone attack on the airfield' → attack."""
    lemma = tok.lemma_.lower()
    low = tok.lower_
    if (
        tok.pos_ == "VERB"
        and lemma in ("speak", "talk", "hold", "have", "confer")
        and (_by_phone(tok) or any(c.dep_ == "dobj" and _by_phone(c) for c in tok.children))
    ):
        return "call"
    if tok.pos_ == "VERB" and lemma in ("phone", "telephone", "ring"):
        return "call" if any(c.dep_ == "dobj" for c in tok.children) else None
    if tok.pos_ in ("NOUN", "PROPN") and low in CALL_NOUNS and _by_phone(tok):
        ok = tok.dep_ in ("nsubj", "nsubjpass", "dobj") and tok.head.lemma_.lower() in (
            EVENT_VERBS | {"have", "hold"}
        )
        return "call" if ok and tok.head.pos_ in ("VERB", "AUX") else None
    if tok.pos_ == "VERB" and lemma == "sanction" and tok.dep_ not in ("amod", "acl"):
        return "sanction"
    if low in SANCTION_NOUNS and tok.dep_ in ("dobj", "nsubjpass"):
        return "sanction" if tok.head.lemma_.lower() in SANCTION_VERBS else None
    if tok.pos_ == "VERB" and lemma in ATTACK_VERBS and tok.dep_ not in ("amod", "compound"):
        target = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
        target += [g for c in tok.children if c.dep_ == "prep" for g in c.children]
        words = {t.lower_ for c in target for t in c.subtree}
        ents = {t.ent_type_ for c in target for t in c.subtree}
        if words & TARGET_NOUNS or ents & {"BASE", "PLACE", "GPE", "LOC", "FAC"}:
            return "attack"
        return None
    if tok.pos_ in ("NOUN", "PROPN") and low in ATTACK_NOUNS and tok.dep_ != "compound":
        hl = tok.head.lemma_.lower()
        on = any(c.lower_ in ("on", "against") for c in tok.children)
        told = tok.dep_ in ("nsubj", "nsubjpass", "dobj") and hl in (EVENT_VERBS | ATTACK_VERBS)
        hit = tok.dep_ == "nsubj" and hl in ("hit", "damage", "destroy", "kill", "target")
        if told or hit or (on and tok.dep_ in ("nsubj", "nsubjpass", "dobj", "ROOT")):
            return "attack"
    return None


def refine_movement(tok) -> str:
    """A movement of forces told apart by its head word: deployed → deployment, withdrew /
    pulled out / handed over a base → withdrawal, evacuated → evacuation, an exercise or drills
    (or aircraft taking part in one) → exercise; a transit, port call or launch stays a
    movement."""
    words = [tok.lemma_.lower(), tok.lower_]
    words += [c.lower_ for c in tok.children if c.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj")]
    for c in tok.children:
        if c.dep_ == "prep":
            words += [g.lower_ for g in c.children if g.dep_ == "pobj"]
    if tok.lemma_.lower() == "take":  # "to take part in the exercise"
        words += [t.lower_ for t in tok.subtree]
    for w in words[:2]:
        if w in MOVEMENT_KINDS:
            return MOVEMENT_KINDS[w]
    if tok.lemma_.lower() in ("hand", "leave") and "base" in " ".join(words):
        return "withdrawal"
    if any(w in EXERCISE_WORDS for w in words):
        return "exercise"
    return "military_movement"


def _coarse_type(tok, sent, people: People, ctx: ArticleContext) -> str | None:
    """The event a token triggers, told as one of the first seven types."""
    lemma = tok.lemma_.lower()
    low = tok.lower_
    if lemma == "take" and any(c.dep_ == "dobj" and c.lower_ == "part" for c in tok.children):
        words, aircraft = participants(tok)
        if aircraft or words & (FORCE_NOUNS | AIRCRAFT_NOUNS):
            return "military_movement"  # "20 ships and a dozen aircraft are to take part"
    if lemma == "hand" and any(c.lower_ == "over" for c in tok.children):
        words = {t.lower_ for t in tok.subtree} | participants(tok)[0]
        if words & {"base", "bases", "facility", "airfield", "barracks", "camp"}:
            return "military_movement"  # handovers of bases
    if tok.pos_ == "VERB" and lemma in MOVE_VERBS:
        if tok.dep_ == "amod" or (
            tok.dep_ in ("acl", "relcl")
            and tok.tag_ == "VBN"
            and not any(c.dep_ in ("nsubj", "nsubjpass", "auxpass") for c in tok.children)
        ):
            return None  # "a fleet deployed to Guam": a description
        return movement(tok, lemma, people, ctx)
    if tok.pos_ in ("VERB",) and lemma in VERB_TRIGGERS:
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)
        signed = lemma == "sign" and tok.dep_ == "acl" and tok.head.lower_ in AGREEMENT_NOUNS
        participle = tok.dep_ in ("amod", "acl", "relcl") and tok.tag_ == "VBN"
        if participle and not own_subject and not signed:
            return None  # but "the original agreement, signed in 2020," is one
        if tok.dep_ == "relcl" and past_perfect(tok):
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
    if lemma == "be" and tok.dep_ in ("ROOT", "conj", "ccomp") and _was_in_city(tok, people):
        return "visit"
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
    of_talks = any(
        c.lower_ == "of" and any(g.lower_ in ("talks", "negotiations") for g in c.children)
        for c in tok.children
    )
    held = ctx.talks and tok.dep_ in ("nsubj", "nsubjpass") and hl in ("hold", "come", "take")
    if low == "round" and not of_talks and not held:
        return None  # "a round" is an event only as a round of talks
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
