"""Shared fixtures of the news tests: the pipeline, loaded once per session."""

from __future__ import annotations

import pytest

from basewatch.news import nlp


@pytest.fixture(scope="session")
def pipe():
    return nlp.load_pipeline()


@pytest.fixture(scope="session")
def ref():
    from basewatch.airfields import load_reference

    return load_reference(())


def _first(doc, word: str):
    return next(t for t in doc if t.text == word)


@pytest.fixture(scope="session")
def first():
    """The first token of a parsed text with this text: ``first(doc, "met")``."""
    return _first
