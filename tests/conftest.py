"""Shared fixtures: a fresh store per test, paths to shipped samples and test data."""

from __future__ import annotations

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
