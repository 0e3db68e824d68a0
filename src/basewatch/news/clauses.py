"""Where a word stands in its sentence: its clause, its subject, whether it is quoted, told in
reported speech, in a relative clause, in the future or the past perfect. Shared by the trigger,
attribution and date rules.
"""

from __future__ import annotations

import re

from .lexicon import ANAPHORA, SPEECH


def in_quotes(tok, sent) -> bool:
    """Inside quotation marks, counted from the start of the paragraph (quotes run across
    sentences)."""
    text = tok.doc.text
    start = text.rfind("\n\n", 0, tok.idx)
    before = text[start + 1 if start >= 0 else 0 : tok.idx]
    return (before.count('"') % 2 == 1) or (before.count("\u201c") > before.count("\u201d"))


def subject_text(tok) -> set[str]:
    out = set()
    for c in tok.children:
        if c.dep_ in ("nsubj", "nsubjpass"):
            out |= {t.lower_ for t in c.subtree}
    return out


def clause_head(tok):
    """The verb heading the coordinated clause that holds a token: the sentence's root, or a verb
    joined to it with its own subject ('X was received by Y on 15 October, and the ministers met
    on 28 October' has two)."""
    t = tok
    while t.head.i != t.i:
        if t.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children):
            return t
        t = t.head
    return t


def clause_of(sent, trigger) -> list:
    """The tokens of the trigger's coordinated clause (the whole sentence when it has one)."""
    head = clause_head(trigger)
    return [t for t in sent if clause_head(t).i == head.i]


def in_subject_of(tok, verb) -> bool:
    """Whether a token lies in the subject of a verb ('Kremlin spokesman Dmitry Peskov said')."""
    for c in verb.children:
        if c.dep_ in ("nsubj", "nsubjpass") and c.left_edge.i <= tok.i <= c.right_edge.i:
            return True
    return False


def past_perfect(tok) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "had" for c in tok.children)


def anaphoric(tok, sent) -> bool:
    subj = subject_text(tok)
    if subj & ANAPHORA:
        return True
    text = sent.text.casefold()
    return bool(
        re.search(r"\b(during|at|after) the (meeting|talks|visit|summit|negotiations)\b", text)
    )


def complement_of_leading_speech(tok):
    """For an event told in reported speech that comes first ('X said on Monday that ...'),
    the complement clause holding it; None otherwise."""
    t = tok
    while t.head.i != t.i:
        if t.dep_ in ("nsubj", "nsubjpass", "relcl", "acl"):
            return None
        parent = t.head
        if parent.lemma_.lower() in SPEECH and parent.i < tok.i:
            return t
        t = parent
    return None


def clause_chars(tok) -> tuple[int, int]:
    """Character span of a trigger's own clause (its subtree)."""
    left, right = tok.left_edge, tok.right_edge
    return left.idx, right.idx + len(right.text)


def in_relcl(doc, char: int, verb) -> bool:
    """Whether a character lies in a relative clause that does not hold the verb
    ('Osman, who arrived in Moscow on Sunday, told reporters ...')."""
    for t in doc[verb.sent.start : verb.sent.end]:
        if t.dep_ in ("relcl", "acl") and not t.is_ancestor(verb) and t.i != verb.i:
            lo, hi = clause_chars(t)
            if lo <= char < hi:
                return True
    return False


def future_tok(tok) -> bool:
    return any(
        c.dep_ == "aux" and c.lower_ in ("will", "would", "shall", "'ll") for c in tok.children
    )


def under_negated_speech(tok) -> bool:
    for anc in tok.ancestors:
        if anc.lemma_.lower() in SPEECH and any(c.dep_ == "neg" for c in anc.children):
            return True
    return False


def det_of_subject(tok) -> list[str]:
    for c in tok.children:
        if c.dep_ in ("nsubj", "nsubjpass"):
            return [d.lower_ for d in c.children if d.dep_ == "det"]
    return []


def anaphoric_subject(tok) -> bool:
    return bool(det_of_subject(tok))
