"""Attribution across a sentence and an article: who told of an event ("..., ship spotters
reported", "Lithuania's defence ministry said that X moved"), which source "the agency" or "the
same data" is, and which institution "it" or "the ministry" is when it speaks again.
"""

from __future__ import annotations

import re

from .entities import People
from .lexicon import SOURCE_VERBS, SPEECH_NOUNS
from .sources import is_media, proper_name

# words around a source that are not its name: "a statement from the Joint Staff", "our review
# of flight-tracking data"
_FRAME = re.compile(
    r"^(?:an?|the|our|its|their)\s+(?:\w+\s+)?(?:statement|review|analysis|reading|report|"
    r"post|posts|release|communiqu\u00e9)\s+(?:from|by|of|on)\s+",
    re.I,
)


def reported_by(tok, sent, people: People) -> str | None:
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
        # nearest first: a misparse can give "said" a second subject far before it
        subj = sorted(
            (c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")),
            key=lambda c: abs(c.i - verb.i),
        )
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
            if subj[0].lower_ == "it" and verb.i in leading and verb.i == sent.root.i:
                return "it"  # "It said the navy had evacuated ...": the source named before
            continue
        doc = tok.doc
        return doc[subj[0].left_edge.i : subj[0].right_edge.i + 1].text.strip()
    return None


class Attribution:
    """The sources and speaking institutions named so far in one article."""

    def __init__(self, outlet: str) -> None:
        self.outlet = outlet
        self.source_names: list[str] = [outlet] if outlet else []
        self.org_speakers: list[str] = []

    def resolve(self, name: str) -> str:
        """'the agency', 'the ministry', 'the same data' → the source named before in full."""
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
        name = proper_name(_FRAME.sub("", name.strip()))
        self.source_names.append(name)
        return name

    def last_named(self) -> str | None:
        """The source named last, other than the outlet: what 'It said' after 'according to
        the OSINT account Bosphorus Watch' stands for."""
        for name in reversed(self.source_names):
            if name != self.outlet and not name.casefold().startswith(("it", "they")):
                return name
        return None

    def last_org(self, word: str) -> str | None:
        for name in reversed(self.org_speakers):
            if word in ("it", "they") or word in name.casefold():
                return name
        return None

    def unnamed(self, speaker: str) -> str:
        """'the diplomat', 'the source' → the unnamed speaker or source described before ('a
        diplomat in the region who asked not to be named')."""
        words = speaker.casefold().split()
        if len(words) != 2 or words[0] != "the":
            return speaker
        head = words[1].rstrip("s")
        for prev in reversed(self.source_names):
            low = prev.casefold()
            if low != speaker.casefold() and any(w.rstrip("s") == head for w in low.split()):
                return prev
        return speaker
