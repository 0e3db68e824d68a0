"""Statements: direct and indirect quotes with their speaker.

"Peskov said the talks were useful" (indirect), '"We will stay," Belousov said' (direct),
"..., reported Kremlin spokesman Dmitry Peskov" (inverted), "..., he said" (the speaker is the
named person "he" refers to). A verb of saying that is negated ("did not say", "declined to
say") makes no statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import ORG_HEADS, People, country_of
from .lexicon import ANONYMOUS_HEADS, BLOCKERS, SPEECH, SPEECH_PARTICLES
from .sources import is_media

_QUOTE = re.compile(r"[\"\u201c\u201d](.+?)[\"\u201c\u201d]", re.S)
_DATELINE = re.compile(r"^[A-Z][A-Z .'\-]{2,40}\s*(?:\([^)]*\)\s*)?[\u2014\u2013-]+\s*")


@dataclass(frozen=True, slots=True)
class Statement:
    verb: int  # token index of the verb of saying
    speaker: str  # for kind "anaphor": the pronoun or noun, to resolve
    speaker_kind: str  # person, org, anonymous, anaphor (to resolve)
    quote: str
    direct: bool


def strip_dateline(text: str) -> str:
    return _DATELINE.sub("", text)


def _negated(verb) -> bool:
    if any(c.dep_ == "neg" for c in verb.children):
        return True
    head = verb.head
    return verb.dep_ in ("xcomp",) and head.lemma_.lower() in BLOCKERS


def _subject(verb):
    for c in verb.children:
        if c.dep_ in ("nsubj", "nsubjpass", "csubj"):
            return c
    for c in verb.children:  # passive: "was confirmed by X"
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.i != verb.i:  # "..., adding that"
        return _subject(verb.head)
    return None


def subject_words(verb) -> str:
    """The subject of a verb of saying as written ('The Kremlin', 'The army')."""
    subj = _subject(verb)
    if subj is None:
        return ""
    return subj.doc[subj.left_edge.i : subj.right_edge.i + 1].text.strip()


def _speaker(subj, people: People):
    """The speaker a subject token stands for → (name, kind). Kinds: person, org, media,
    country, anaphor (it / they / the ministry: resolved by the caller), unknown."""
    if subj is None:
        return None, "unknown"
    p = people.person_at(subj)
    if p is None:
        for t in subj.subtree:
            p = people.by_token.get(t.i) or (people.person_at(t) if t.pos_ == "PROPN" else None)
            if p:
                break
    if p is not None:
        return p.canonical, "person"
    if subj.lemma_.lower() in ANONYMOUS_HEADS and subj.pos_ != "PROPN":
        return _anonymous(subj), "anonymous"  # before organisations: "close to the Kremlin"
    doc = subj.doc
    span = doc[subj.left_edge.i : subj.right_edge.i + 1]
    text = span.text.strip()
    low = subj.lower_
    if low in ("it", "they"):
        return low, "anaphor"
    dets = [c.lower_ for c in subj.children if c.dep_ == "det"]
    if low in ORG_HEADS and dets and dets[0] in ("the", "this") and len(span) <= 3:
        return low, "anaphor"
    if is_media(text):
        return text, "media"
    orgs = [e for e in doc.ents if e.label_ == "ORG" and span.start <= e.start < span.end]
    proper = [e for e in orgs if e.text[:1].isupper() and not e.text.lower().startswith("the ")]
    if proper and any(t.lower_ in ORG_HEADS or t.pos_ == "PROPN" for t in proper[0]):
        name = proper[0].text
        if not any(t.lower_ in ("ministry",) for t in proper[0]) or len(orgs) == 1:
            return name, "media" if is_media(name) else "org"
    if low in ORG_HEADS or orgs:
        return re.sub(r"^(the|a|an)\s+", "", text, flags=re.I), "org"
    c = country_of(subj.text)
    if c:
        return c, "country"
    return None, "unknown"


def _anonymous(subj) -> str:
    """'a source close to the Kremlin', 'a senior Ethiopian official' (without ', who spoke on
    condition of anonymity,')."""
    doc = subj.doc
    end = subj.right_edge.i
    for t in doc[subj.left_edge.i : end + 1]:
        if t.text == "," and t.i > subj.i:
            end = t.i - 1
            break
    return doc[subj.left_edge.i : end + 1].text.strip()


# verbs whose object is what was said: "lauded the progress", "called for restraint"
EVALUATIVE = {
    "laud",
    "congratulate",
    "praise",
    "criticise",
    "criticize",
    "condemn",
    "welcome",
    "question",
    "call",
    "thank",
    "blame",
    "express",
    "highlight",
    "underscore",
}
SPEAKER_KINDS = {"person": "person", "org": "institution", "anonymous": "anonymous"}


def _content(verb, sent) -> tuple[str, bool]:
    """What was said: the quoted words, else the clause the verb governs."""
    doc = verb.doc
    for m in _QUOTE.finditer(sent.text):
        words = m.group(1).strip()
        if len(words.split()) >= 3 or verb.lemma_.lower() in ("describe", "call"):
            return words.rstrip(" ,."), True
    comp = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp") and c.i > verb.i]
    if comp:
        c = comp[0]
        toks = [t for t in c.subtree if t.dep_ != "mark" or t.i != c.left_edge.i]
        start = min(t.i for t in toks)
        end = max(t.i for t in toks)
        while end > start and doc[end].is_punct:
            end -= 1
        return doc[start : end + 1].text, False
    # "lauded the progress", "called for restraint": what the verb takes
    if verb.lemma_.lower() in EVALUATIVE:
        objs = [c for c in verb.children if c.dep_ in ("dobj", "prep") and c.i > verb.i]
        if objs and not any(t.lower_ == "that" for t in objs[0].subtree):
            end = max(t.i for c in objs for t in c.subtree)
            while end > verb.i and doc[end].is_punct:
                end -= 1
            if end - verb.i >= 2:
                return doc[verb.i : end + 1].text, False
    # "told reporters after the talks that ...": the clause after "that"
    for t in doc[verb.i + 1 : sent.end]:
        if t.lower_ == "that" and t.dep_ in ("mark", "nsubj", "dobj"):
            end = sent.end - 1
            while end > t.i and doc[end].is_punct:
                end -= 1
            if end > t.i + 2:
                return doc[t.i + 1 : end + 1].text, False
            break
    # "X, he said" / "X, reported Y": what came before the verb in the sentence
    if verb.i > sent.start:
        before = doc[sent.start : verb.i].text
        subj = _subject(verb)
        if subj is not None and subj.i < verb.i:
            before = doc[sent.start : subj.left_edge.i].text
        before = strip_dateline(before.strip()).rstrip(" ,\u2014-")
        if len(before.split()) >= 3:
            return before, False
    return "", False


def find_statements(sent, people: People) -> list[Statement]:
    out: list[Statement] = []
    seen: set[str] = set()
    for tok in sent:
        if tok.pos_ not in ("VERB", "AUX") or tok.lemma_.lower() not in SPEECH:
            continue
        need = SPEECH_PARTICLES.get(tok.lemma_.lower())
        # "called the strike 'an irresponsible act'": a verdict on something, said
        verdict = tok.lemma_.lower() == "call" and any(c.dep_ == "oprd" for c in tok.children)
        if need and not verdict and not any(c.lower_ == need for c in tok.children):
            continue  # "pointed out" and "called for" speak; "pointed", "called X" do not
        if tok.tag_ in ("VBN",) and tok.dep_ in ("acl", "amod"):
            continue  # "the agreements signed ...", "the reported flights"
        if _negated(tok):
            continue
        subj = _subject(tok)
        speaker, kind = _speaker(subj, people)
        if speaker is None or kind in ("media", "country"):
            continue
        if kind == "org" and country_of(speaker):
            continue  # "Belarus announced exercises": a country acting, not a voice
        quote, direct = _content(tok, sent)
        if not quote:
            continue
        if speaker in seen:
            continue
        seen.add(speaker)
        out.append(Statement(tok.i, speaker, kind, quote, direct))
    return out


_CLAUSE_END = re.compile(r"[.!?;:](?=\s)|,(?=\s)|\s[\u2013\u2014-](?=\s)")


def shorten_quote(text: str, max_words: int = 40) -> str:
    """Words said, cut to about ``max_words`` only at a sentence or clause boundary (a full
    stop, semicolon, colon, comma or dash), never inside a clause or a word; ' …' marks the
    cut. Text that fits, or has no boundary to cut at, is returned whole."""
    words = text.split()
    if len(words) <= max_words:
        return text
    limit = len(" ".join(words[:max_words]))
    cuts = [m.start() for m in _CLAUSE_END.finditer(text) if 0 < m.start() <= limit]
    if not cuts:
        return text
    # the latest sentence end within the limit, else the latest clause boundary
    ends = [c for c in cuts if text[c] in ".!?"]
    cut = (ends or cuts)[-1]
    if len(text[:cut].split()) < max_words // 4:
        cut = cuts[-1]
    head = text[:cut].rstrip(" ,;:\u2013\u2014-")
    return head + (" …" if text[cut] not in ".!?" else text[cut] + " …")
