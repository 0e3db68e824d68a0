"""The news evaluation: the extraction must not fall below the pinned floors."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parents[2] / "eval" / "news"


def _run_module():
    spec = importlib.util.spec_from_file_location("basewatch_news_eval_run", EVAL / "run.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(
    not (EVAL / "articles").is_dir() or not (EVAL / "score.py").is_file(),
    reason="the news evaluation set (eval/news/articles, gold, score.py) is not in this checkout",
)
def test_news_eval_meets_floors():
    floors = tomllib.loads((EVAL / "floors.toml").read_text())
    result = _run_module().evaluate(EVAL)
    got = {
        "event_precision": result["precision"],
        "event_recall": result["recall"],
        "date_accuracy": result["date_accuracy"],
        "speaker_accuracy": result["speaker_accuracy"],
        "source_accuracy": result["source_accuracy"],
    }
    low = {k: (got[k], v) for k, v in floors.items() if (got[k] or 0.0) < v}
    assert not low, f"below the floors (got, floor): {low}"
