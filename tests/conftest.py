"""Shared fixtures: a fresh store per test, paths to shipped samples and test data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from basewatch.demo import sample_path

DATA = Path(__file__).parent / "data"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def samples():
    return sample_path


@pytest.fixture
def data_dir() -> Path:
    return DATA


CHROMIUM = os.environ.get("BASEWATCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -e '.[test]'"
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM}: apt-get install chromium (or set BASEWATCH_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by playwright (never a downloaded browser); in CI (``CI``
    set) a missing browser fails the tests instead of skipping them."""
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()
