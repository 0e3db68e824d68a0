"""The news evaluation set is well formed, and its scorer scores what it should."""

from __future__ import annotations

import copy
import importlib.util
import json
import shutil
import sys
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = ROOT / "eval" / "news"
DEMO_DIR = ROOT / "src" / "basewatch" / "data" / "articles" / "khmeimim-2025"


def _load_scorer():
    spec = importlib.util.spec_from_file_location("news_score", EVAL_DIR / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


score_mod = _load_scorer()


@pytest.fixture(scope="module")
def gold():
    return score_mod.gold_predictions(EVAL_DIR)


def test_set_is_well_formed():
    problems = score_mod.check_eval_set(EVAL_DIR, min_articles=30)
    assert problems == []


def test_set_has_every_event_type_and_enough_events(gold):
    types = {ev["event_type"] for ev in gold}
    assert types == set(score_mod.EVENT_TYPES) - set(score_mod.FINE_TYPES)
    assert len(gold) >= 150
    precisions = {ev["date_precision"] for ev in gold}
    assert {"day", "range", "week", "month", "unknown"} <= precisions


def test_set_has_an_article_without_events():
    articles = score_mod.load_eval_set(EVAL_DIR)
    assert any(not art.events for art in articles.values())


def test_demo_articles_are_shipped_and_scored():
    shipped = sorted(DEMO_DIR.glob("*.md"))
    assert 6 <= len(shipped) <= 8
    for path in shipped:
        copy_in_set = EVAL_DIR / "articles" / path.name
        assert copy_in_set.read_text() == path.read_text(), path.name
        assert path.stem.startswith("demo_")
        assert (EVAL_DIR / "gold" / f"{path.stem}.toml").exists()
    in_set = {p.name for p in (EVAL_DIR / "articles").glob("demo_*.md")}
    assert in_set == {p.name for p in shipped}


def test_demo_articles_are_package_data():
    folder = resources.files("basewatch") / "data" / "articles" / "khmeimim-2025"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".md"))
    assert names == sorted(p.name for p in DEMO_DIR.glob("*.md"))
    meta, body = score_mod.split_front_matter((folder / names[0]).read_text(encoding="utf-8"))
    assert meta["language"] == "en"
    assert "al-Sharaa" in body


def test_gold_scores_one(gold):
    result = score_mod.score(gold, EVAL_DIR)
    for key in ("precision", "recall", "f1", "date_accuracy", "speaker_accuracy"):
        assert result[key] == 1.0, key
    assert result["source_accuracy"] == 1.0
    assert result["matched"] == result["gold"] == len(gold)
    for row in result["by_type"].values():
        assert row["recall"] == 1.0


def test_dropping_one_event_lowers_recall_only(gold):
    result = score_mod.score(gold[1:], EVAL_DIR)
    assert result["recall"] < 1.0
    assert result["precision"] == 1.0
    assert result["matched"] == len(gold) - 1
    assert result["by_type"][gold[0]["event_type"]]["recall"] < 1.0


def test_misdating_one_event_lowers_date_accuracy_only(gold):
    preds = copy.deepcopy(gold)
    target = next(p for p in preds if p["date_start"])
    target["date_start"] = target["date_end"] = "1999-01-01"
    result = score_mod.score(preds, EVAL_DIR)
    assert result["recall"] == result["precision"] == 1.0
    assert result["date_accuracy"] < 1.0
    assert result["by_type"][target["event_type"]]["date_accuracy"] < 1.0


def test_wrong_type_or_sentence_does_not_match(gold):
    preds = copy.deepcopy(gold)
    preds[0]["event_type"] = "agreement" if preds[0]["event_type"] != "agreement" else "visit"
    preds[1]["sentence"] = "A sentence that is nowhere in the article."
    result = score_mod.score(preds, EVAL_DIR)
    assert result["matched"] == len(gold) - 2
    assert result["precision"] < 1.0 and result["recall"] < 1.0


def test_speaker_and_source_are_scored(gold):
    preds = copy.deepcopy(gold)
    statement = next(p for p in preds if p["event_type"] == "statement")
    statement["speaker"] = "Nobody In Particular"
    preds[0]["source"] = "Some Other Outlet"
    result = score_mod.score(preds, EVAL_DIR)
    assert result["speaker_accuracy"] < 1.0
    assert result["source_accuracy"] < 1.0


def test_sentence_overlap_and_whitespace():
    assert score_mod.sentences_overlap("a  b\nc", "x a b c y")
    assert score_mod.sentences_overlap("a b c", "b")
    assert not score_mod.sentences_overlap("", "a b c")
    assert not score_mod.sentences_overlap("a b c", "a c")


def test_matching_is_one_to_one():
    g = {"event_type": "flight", "sentence": "Two jets landed.", "date_start": "2025-01-01"}
    g2 = dict(g, date_start="2025-01-02")
    p = dict(g2)
    pairs = score_mod.match_events([p, dict(p)], [g, g2])
    assert pairs == [(0, 1), (1, 0)]
    assert score_mod.match_events([p, dict(p), dict(p)], [g]) == [(0, 0)]


def test_predictions_found_by_url_and_file(tmp_path, gold):
    stem = gold[0]["article"]
    by_url = [dict(ev, article=None) for ev in gold if ev["article"] == stem]
    path = tmp_path / "pred.jsonl"
    path.write_text("\n".join(json.dumps(ev) for ev in by_url) + "\n\n")
    result = score_mod.score(path, EVAL_DIR)
    assert result["by_article"][stem]["matched"] == len(by_url)
    stray = score_mod.score([{"article": "no_such_article", "event_type": "visit"}], EVAL_DIR)
    assert stray["unknown_article"] == 1 and stray["predicted"] == 0


def test_bad_predictions_file_is_a_clear_error(tmp_path):
    path = tmp_path / "pred.jsonl"
    path.write_text('{"article": "x"}\nnot json\n')
    with pytest.raises(score_mod.EvalFormatError, match=r"pred.jsonl:2"):
        score_mod.read_predictions(path)
    path.write_text("[1, 2]\n")
    with pytest.raises(score_mod.EvalFormatError, match="JSON object"):
        score_mod.read_predictions(path)
    assert score_mod.main(["--pred", str(tmp_path / "missing.jsonl")]) == 2


def test_checker_finds_broken_gold(tmp_path):
    work = tmp_path / "set"
    shutil.copytree(EVAL_DIR / "articles", work / "articles")
    shutil.copytree(EVAL_DIR / "gold", work / "gold")
    victim = sorted((work / "gold").glob("0*.toml"))[0]
    text = victim.read_text()
    first_sentence = text.split('sentence = "', 1)[1].split('"', 1)[0]
    broken = text.replace(first_sentence, first_sentence + " (not in the text)", 1)
    broken = broken.replace('date_precision = "', 'date_precision = "fortnight', 1)
    victim.write_text(broken)
    (work / "articles" / "999_orphan.md").write_text("no front matter\n")
    problems = score_mod.check_eval_set(work)
    assert any("999_orphan" in p and "front-matter" in p for p in problems)
    (work / "articles" / "999_orphan.md").unlink()
    problems = score_mod.check_eval_set(work)
    assert any(victim.stem in p and "exact substring" in p for p in problems)
    assert any(victim.stem in p and "date_precision" in p for p in problems)


def test_command_line_scores_and_checks(tmp_path, gold, capsys):
    path = tmp_path / "pred.jsonl"
    path.write_text("\n".join(json.dumps(ev) for ev in gold))
    assert score_mod.main(["--pred", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["f1"] == 1.0
    assert score_mod.main(["--check"]) == 0


def test_keyword_baseline_is_far_from_gold():
    spec = importlib.util.spec_from_file_location("news_baseline", EVAL_DIR / "baseline.py")
    baseline = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = baseline
    spec.loader.exec_module(baseline)
    result = score_mod.score(baseline.predict(EVAL_DIR), EVAL_DIR)
    assert 0.3 < result["recall"] < 0.9
    assert result["date_accuracy"] < 0.2
    assert result["speaker_accuracy"] < 0.5
