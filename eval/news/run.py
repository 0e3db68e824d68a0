"""Run basewatch's news extraction over an evaluation set and score it.

    python eval/news/run.py                       # the tuning set, eval/news
    python eval/news/run.py --set heldout         # the held-out set, eval/news/heldout
    python eval/news/run.py --eval-dir DIR --pred out.jsonl --errors

Each article of ``DIR/articles`` is read as the pipeline reads a Markdown file with front
matter; the predicted events are written as JSON lines (``article`` = file stem) and scored with
``DIR/score.py`` (falling back to the scorer beside this file).

The tuning set is the one the extraction rules were written against; the held-out set was
annotated apart from the rules and must never be used to change them (see README.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the named evaluation sets: each folder holds articles/, gold/ and floors.toml
SETS = {
    "tuning": HERE,
    "heldout": HERE / "heldout",
    "wire": HERE / "wire",
    "fresh": HERE / "fresh",
    "blind": HERE / "blind",
}


def load_scorer(eval_dir: Path):
    for cand in (eval_dir / "score.py", HERE / "score.py"):
        if cand.is_file():
            spec = importlib.util.spec_from_file_location("basewatch_news_score", cand)
            mod = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = mod
            spec.loader.exec_module(mod)
            return mod
    raise SystemExit(f"no score.py in {eval_dir} or {HERE}")


def predict(eval_dir: Path) -> list[dict]:
    from basewatch.news.fetch import read_text
    from basewatch.news.pipeline import extract

    paths = sorted((eval_dir / "articles").glob("*.md"))
    arts = [read_text(p.read_text(encoding="utf-8"), str(p)) for p in paths]
    events, _ = extract(arts)
    stem_of = {a.article_id: p.stem for a, p in zip(arts, paths, strict=True)}
    url_of = {a.article_id: a.url for a in arts}
    out = []
    for ev in events:
        row = {k: ("" if v is None else v) for k, v in ev.items()}
        row["article"] = stem_of[ev["article_id"]]
        row["url"] = url_of[ev["article_id"]] or ""
        out.append(row)
    return out


def evaluate(eval_dir: Path, details: bool = False) -> dict:
    scorer = load_scorer(eval_dir)
    t0 = time.perf_counter()
    preds = predict(eval_dir)
    result = scorer.score(preds, eval_dir, details=details)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    result["_predictions"] = preds
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python eval/news/run.py --set heldout --errors",
    )
    ap.add_argument(
        "--set",
        choices=sorted(SETS),
        default="tuning",
        help="which evaluation set to score (default: tuning, the set in eval/news)",
    )
    ap.add_argument("--eval-dir", type=Path, help="score the set in this folder instead of --set")
    ap.add_argument("--pred", type=Path, help="also write the predictions here (JSON lines)")
    ap.add_argument("--errors", action="store_true", help="list missed/spurious/wrong events")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    eval_dir = args.eval_dir or SETS[args.set]
    if not (eval_dir / "articles").is_dir():
        print(f"no articles folder in {eval_dir}", file=sys.stderr)
        return 2
    result = evaluate(eval_dir, details=args.errors)
    preds = result.pop("_predictions")
    if args.pred:
        args.pred.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds))
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    keys = ("precision", "recall", "f1", "date_accuracy", "speaker_accuracy", "source_accuracy")
    keys += ("all_right", "strict_precision", "speaker_kind_accuracy")
    print(
        f"set {args.set if args.eval_dir is None else eval_dir}  articles {result['articles']}"
        f"  gold {result['gold']}  predicted {result['predicted']}"
        f"  matched {result['matched']}  in {result['seconds']} s"
    )
    print("  ".join(f"{k} {result[k]}" for k in keys))
    for t, r in result["by_type"].items():
        print(
            f"  {t:18} gold {r['gold']:3} pred {r['predicted']:3} P {r['precision']} "
            f"R {r['recall']} F1 {r['f1']} date {r['date_accuracy']} src {r['source_accuracy']}"
            + (f" speaker {r['speaker_accuracy']}" if t == "statement" else "")
        )
    for e in result.get("errors", []):
        print(json.dumps(e, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
