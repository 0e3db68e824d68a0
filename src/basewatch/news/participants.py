"""Who took part in an event and where it happened: the people of the trigger's clause (not
those who only tell of it), else its countries; the airfield, base or place named after
in / at / to / near.
"""

from __future__ import annotations

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
            c = country_of(e.text) if e.label_ in ("GPE", "NORP") else None
            if c and c not in names:
                names.append(c)
    return names
