"""Entity labels the small English model gets wrong in this field, set right from the words
around them (a spaCy component, ``bw_entity_labels``, last in the pipeline):

- a place taken for a person or an organisation: a name after "in" / "at" / "near", after "the
  port of" / "the town of", before "air base" / "airport", or a country's own name ("landed in
  Mali", "the port of Izmail", "the Saky air base") becomes GPE;
- a person taken for an organisation or a place: a name right after a role word ("ministry
  spokeswoman Kadri Tamm") becomes PERSON, and so does a later mention of the same surname.

Only the label changes; the entity's span stays as the model found it.
"""

from __future__ import annotations

from .entities import ORG_HEADS, ROLE_WORDS, country_of

# prepositions after which a name is where something happened; "to", "from" and "for" are not
# among them ("spoke to Putin", "a call from Putin", "a gift for Kim")
PLACE_PREPS = {"in", "at", "near", "into", "outside", "inside", "towards", "toward", "via"}
# nouns of which a name is the place: "the port of Izmail", "the town of Boulkessi"
PLACE_OF = {
    "port",
    "town",
    "city",
    "village",
    "settlement",
    "region",
    "province",
    "district",
    "island",
    "islands",
    "capital",
    "oasis",
    "garrison",
    "area",
}
# what follows an airfield's or a site's name: "the Saky air base", "Zvartnots airport"
SITE_WORDS = {"air", "airbase", "airport", "airfield", "airstrip", "base", "range", "garrison"}
COMPASS = {
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "north-eastern",
    "north-western",
    "south-eastern",
    "south-western",
    "occupied",
}
# verbs of going somewhere: their "to" / "from" / "for" name places
MOTION_VERBS = {
    "return",
    "fly",
    "sail",
    "move",
    "travel",
    "arrive",
    "go",
    "head",
    "leave",
    "depart",
    "come",
    "deploy",
    "redeploy",
    "withdraw",
    "transfer",
    "relocate",
    "evacuate",
    "take",
    "continue",
    "divert",
}
WRONG_FOR_PLACE = ("PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "NORP", "FAC")
WRONG_FOR_PERSON = ("ORG", "GPE", "PRODUCT", "WORK_OF_ART", "NORP", "LOC", "FAC")
PERSON_ROLES = ROLE_WORDS - {"head", "leader", "chief", "official", "representative"}


def _before(doc, start: int) -> tuple[str, str]:
    """The word before an entity (skipping 'the') and the one before that."""
    i = start - 1
    while i >= 0 and (doc[i].lower_ == "the" or doc[i].lower_ in COMPASS):
        i -= 1
    w1 = doc[i].lower_ if i >= 0 else ""
    w2 = doc[i - 1].lower_ if i >= 1 else ""
    return w1, w2


def is_place(ent) -> bool:
    """Whether the words around an entity say it is a place."""
    doc = ent.doc
    if ent.end < len(doc) and doc[ent.end].lower_ in ("'s", "\u2019s"):
        return country_of(ent.text) is not None  # "in Putin's words"; "Mali's army" is Mali
    if ent.label_ not in ("NORP", "ORG") and country_of(ent.text):
        return True  # "Mali" taken for a person; "the Kremlin" (ORG) speaks for Russia
    if ent.label_ == "NORP":
        return False  # "Russian", "Syrian": peoples, not places
    w1, w2 = _before(doc, ent.start)
    if w1 in PLACE_PREPS and not doc[ent.start - 1].is_title:
        return True
    if w1 == "of" and w2 in PLACE_OF:
        return True
    prep = doc[ent.start - 1] if ent.start > 0 else None
    if prep is not None and prep.lower_ == "the" and ent.start > 1:
        prep = doc[ent.start - 2]
    if (
        prep is not None
        and prep.lower_ in ("to", "from", "for")
        and prep.head.lemma_.lower() in MOTION_VERBS
    ):
        return True  # "returned to Novorossiysk", "took off for Bamako"
    nxt = doc[ent.end].lower_ if ent.end < len(doc) else ""
    return nxt in SITE_WORDS and ent[-1].lower_ not in ORG_HEADS


def entity_labels(doc):
    """Relabel the entities the words around them contradict (see the module's doc)."""
    from spacy.tokens import Span

    ents = list(doc.ents)
    changed = False
    surnames = {e[-1].lower_ for e in ents if e.label_ == "PERSON" and len(e) >= 2}
    for n, e in enumerate(ents):
        label = e.label_
        if label in WRONG_FOR_PERSON and _after_role(e) and _looks_like_name(e):
            label = "PERSON"
        elif (
            label in WRONG_FOR_PLACE
            and label != "NORP"
            and e[-1].lower_ not in surnames
            and is_place(e)
        ):
            label = "GPE"
        if label == "PERSON" and len(e) >= 2:
            surnames.add(e[-1].lower_)
        if label != e.label_:
            ents[n] = Span(doc, e.start, e.end, label=label)
            changed = True
    for n, e in enumerate(ents):  # "Tamm said": the surname of a person named before
        named = len(e) == 1 and e[0].lower_ in surnames and not country_of(e.text)
        if e.label_ in ("ORG", "PRODUCT", "GPE") and named:
            ents[n] = Span(doc, e.start, e.end, label="PERSON")
            changed = True
    if changed:
        doc.ents = ents
    return doc


def _after_role(ent) -> bool:
    doc = ent.doc
    i = ent.start - 1
    if i >= 0 and doc[i].text == ",":
        i -= 1
    return i >= 0 and doc[i].lower_ in PERSON_ROLES


def _looks_like_name(ent) -> bool:
    words = [t for t in ent if not t.is_punct]
    return (
        1 <= len(words) <= 4
        and all(t.is_title or t.lower_ in ("al", "bin", "van", "de", "von") for t in words)
        and words[-1].lower_ not in ORG_HEADS
        and not country_of(ent.text)
    )
