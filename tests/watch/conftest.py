"""The demo store, built once per test session (about 25 s) and copied for each module that
uses it, so one module's additions (hostile articles) never reach another's."""

from __future__ import annotations

import shutil

import pytest

from basewatch.demo import run_demo


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    text = "\n".join(run_demo(workdir=str(work)))
    return work / "demo.duckdb", text


@pytest.fixture(scope="module")
def demo_store(demo_run, tmp_path_factory):
    """(a copy of the demo store, the demo's printed text)."""
    db, text = demo_run
    copy = tmp_path_factory.mktemp("demo-copy") / "demo.duckdb"
    shutil.copyfile(db, copy)
    return copy, text
