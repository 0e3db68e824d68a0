"""The news evaluation: the extraction must not fall below the pinned floors.

Two sets are scored: the tuning set (eval/news), which the rules were written against, and the
held-out set (eval/news/heldout), annotated apart from the rules and never used to change them.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parents[2] / "eval" / "news"
HELDOUT = EVAL / "heldout"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while it loads
    spec.loader.exec_module(mod)
    return mod


def _run_module():
    return _load("basewatch_news_eval_run", EVAL / "run.py")


needs_sets = pytest.mark.skipif(
    not (EVAL / "articles").is_dir() or not (EVAL / "score.py").is_file(),
    reason="the news evaluation set (eval/news/articles, gold, score.py) is not in this checkout",
)


@needs_sets
@pytest.mark.parametrize("eval_set", ["tuning", "heldout", "wire", "fresh", "blind"])
def test_news_eval_meets_floors(eval_set):
    run = _run_module()
    eval_dir = run.SETS[eval_set]
    floors = tomllib.loads((eval_dir / "floors.toml").read_text())
    assert (
        {
            "event_precision",
            "event_recall",
            "date_accuracy",
            "speaker_accuracy",
            "source_accuracy",
        }
        <= set(floors)
        <= {
            "event_precision",
            "event_recall",
            "date_accuracy",
            "speaker_accuracy",
            "source_accuracy",
            "all_right",
        }
    )
    result = run.evaluate(eval_dir)
    got = {
        "event_precision": result["precision"],
        "event_recall": result["recall"],
        "date_accuracy": result["date_accuracy"],
        "speaker_accuracy": result["speaker_accuracy"],
        "source_accuracy": result["source_accuracy"],
        "all_right": result["all_right"],
    }
    low = {k: (got[k], v) for k, v in floors.items() if (got[k] or 0.0) < v}
    assert not low, f"{eval_set}: below the floors (got, floor): {low}"
    assert result["articles"] == len(list((eval_dir / "articles").glob("*.md")))


@needs_sets
def test_heldout_set_is_well_formed_and_apart():
    score = _load("basewatch_news_eval_score", EVAL / "score.py")
    assert score.check_eval_set(HELDOUT, min_articles=20) == []
    heldout = score.load_eval_set(HELDOUT)
    tuning = score.load_eval_set(EVAL)
    # no article is shared with the tuning set, by name, address or text
    assert not set(heldout) & set(tuning)
    assert not {a.meta["url"] for a in heldout.values()} & {a.meta["url"] for a in tuning.values()}
    assert not {a.body for a in heldout.values()} & {a.body for a in tuning.values()}
    events = [ev for art in heldout.values() for ev in art.events]
    assert {ev["event_type"] for ev in events} == set(score.EVENT_TYPES) - set(score.FINE_TYPES)
    assert sum(not art.events for art in heldout.values()) >= 2
    assert {"day", "range", "week", "month", "year", "unknown"} <= {
        ev["date_precision"] for ev in events
    }
    # the gold scores itself perfectly, so every gold event can be matched
    result = score.score(score.gold_predictions(HELDOUT), HELDOUT)
    assert result["precision"] == result["recall"] == result["date_accuracy"] == 1.0


def _second_edition_set(set_dir: Path, others: list[Path], min_articles: int, types: set):
    """A set annotated by the second edition: well formed, sharing no article (name, address,
    text) with the other sets, with these event types and every kind of speaker, and its gold
    scoring itself perfectly; returns the set."""
    score = _load("basewatch_news_eval_score", EVAL / "score.py")
    assert score.check_eval_set(set_dir, min_articles=min_articles) == []
    got = score.load_eval_set(set_dir)
    rest = {k: v for d in others for k, v in score.load_eval_set(d).items()}
    assert not set(got) & set(rest)
    assert not {a.meta["url"] for a in got.values()} & {a.meta["url"] for a in rest.values()}
    assert not {a.body for a in got.values()} & {a.body for a in rest.values()}
    events = [ev for art in got.values() for ev in art.events]
    assert {ev["event_type"] for ev in events} == types
    statements = [ev for ev in events if ev["event_type"] == "statement"]
    assert {ev["speaker_kind"] for ev in statements} == set(score.SPEAKER_KINDS)
    result = score.score(score.gold_predictions(set_dir), set_dir)
    assert result["precision"] == result["recall"] == result["all_right"] == 1.0
    assert result["coarse_types"] is False
    return got


@needs_sets
def test_wire_set_is_well_formed_and_apart():
    score = _load("basewatch_news_eval_score", EVAL / "score.py")
    _second_edition_set(EVAL / "wire", [EVAL, HELDOUT], 40, set(score.EVENT_TYPES))


@needs_sets
def test_fresh_set_is_well_formed_and_apart():
    score = _load("basewatch_news_eval_score", EVAL / "score.py")
    fresh = _second_edition_set(
        EVAL / "fresh",
        [EVAL, HELDOUT, EVAL / "wire"],
        20,
        set(score.EVENT_TYPES) - {"sanction", "visit"},
    )
    assert sum(len(a.events) for a in fresh.values()) >= 100
    assert sum(not a.events for a in fresh.values()) >= 1


@needs_sets
def test_blind_set_is_well_formed_and_apart():
    score = _load("basewatch_news_eval_score", EVAL / "score.py")
    blind = _second_edition_set(
        EVAL / "blind",
        [EVAL, HELDOUT, EVAL / "wire", EVAL / "fresh"],
        40,
        set(score.EVENT_TYPES),
    )
    assert sum(len(a.events) for a in blind.values()) >= 300
    assert sum(not a.events for a in blind.values()) >= 2


def test_coarse_sets_fold_the_newer_types_back():
    score = _load("basewatch_news_eval_score", EVAL / "score.py")
    preds = [
        {**ev, "event_type": "exercise"} if "drills" in ev["sentence"] else ev
        for ev in score.gold_predictions(EVAL)
        if ev["event_type"] == "military_movement"
    ]
    result = score.score(preds, EVAL)
    assert result["coarse_types"] is True
    assert result["by_type"]["military_movement"]["recall"] == 1.0


def test_run_scores_the_chosen_set(capsys):
    run = _run_module()
    assert run.SETS["tuning"] == EVAL and run.SETS["heldout"] == HELDOUT
    assert run.SETS["wire"] == EVAL / "wire" and run.SETS["fresh"] == EVAL / "fresh"
    assert run.SETS["blind"] == EVAL / "blind"
    with pytest.raises(SystemExit):
        run.main(["--set", "no-such-set"])
    assert run.main(["--eval-dir", str(EVAL / "no-such-folder")]) == 2
    assert "no articles folder" in capsys.readouterr().err
