"""Where a word stands: quoted or not, its coordinated clause, tense marks, relative clauses."""

from __future__ import annotations

from basewatch.news import clauses


def test_in_quotes_counts_from_the_paragraph_start(pipe, first):
    doc = pipe('"We met them in Moscow. We signed nothing," he said.\n\nThe ministers met again.')
    assert clauses.in_quotes(first(doc, "signed"), None)
    assert not clauses.in_quotes([t for t in doc if t.text == "met"][1], None)


def test_coordinated_clause_with_its_own_subject(pipe, first):
    doc = pipe("Sharaa was received by Putin on 15 October, and the ministers met on 28 October.")
    met = first(doc, "met")
    received = first(doc, "received")
    assert clauses.clause_head(met).i == met.i
    assert clauses.clause_head(received).i != met.i


def test_tense_marks(pipe, first):
    doc = pipe("The jets had landed before the convoy will leave.")
    assert clauses.past_perfect(first(doc, "landed"))
    assert clauses.future_tok(first(doc, "leave"))
    assert not clauses.future_tok(first(doc, "landed"))


def test_relative_clause_is_not_the_verbs_own(pipe, first):
    doc = pipe("Osman, who arrived in Moscow on Sunday, told reporters the talks went well.")
    told = first(doc, "told")
    sunday = first(doc, "Sunday")
    assert clauses.in_relcl(doc, sunday.idx, told)
    assert not clauses.in_relcl(doc, first(doc, "reporters").idx, told)


def test_leading_speech_complement(pipe, first):
    doc = pipe("The ministry said on Monday that two frigates sailed into the port.")
    comp = clauses.complement_of_leading_speech(first(doc, "sailed"))
    assert comp is not None and comp.text == "sailed"
