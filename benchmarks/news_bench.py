"""News extraction speed against the bare spaCy pipeline (same model, same texts, same run).

    taskset -c 0 .venv/bin/python benchmarks/news_bench.py [--eval-dir eval/news] [--repeat 5]
    taskset -c 0,1 .venv/bin/python benchmarks/news_bench.py --processes 2

Texts: the articles of the news evaluation set when present, else the test articles. The bare
pass is the pinned en_core_web_sm 3.8.0 over the same texts with ``nlp.pipe``; the whole pass is
basewatch's extraction (its tokenizer and entity rules, events, quotes, sources, dates,
entities), without the store. Writes ``benchmarks/news_results.md``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_articles(eval_dir: Path):
    from basewatch.news.fetch import read_text

    paths = sorted((eval_dir / "articles").glob("*.md"))
    if not paths:
        paths = sorted((ROOT / "tests" / "news" / "data").glob("*.md"))
    return [read_text(p.read_text(encoding="utf-8"), str(p)) for p in paths]


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _consume(docs) -> None:
    for _doc in docs:  # like the extraction, hold one parsed text at a time
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval-dir", type=Path, default=ROOT / "eval" / "news")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--copies", type=int, default=4, help="texts repeated to make the run longer")
    ap.add_argument("--processes", type=int, default=1, help="parsing processes, both passes")
    args = ap.parse_args()

    from basewatch.news.nlp import load_model, load_pipeline
    from basewatch.news.pipeline import extract

    arts = load_articles(args.eval_dir) * args.copies
    texts = [a.text for a in arts]
    words = sum(len(t.split()) for t in texts)
    bare = load_model()
    load_pipeline()  # load once outside the timing
    extract(arts[:2])
    # interleaved, best of each: the machine is shared, so load spikes hit both passes alike
    t_bare = t_all = float("inf")
    n = args.processes

    def bare_pass() -> None:
        _consume(bare.pipe(texts, n_process=n, batch_size=16))

    def whole_pass() -> None:
        extract(arts, n_process=n)

    for _ in range(args.repeat):
        t_bare = min(t_bare, timed(bare_pass, 1))
        t_all = min(t_all, timed(whole_pass, 1))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        "# News extraction speed",
        "",
        f"{len(texts)} articles, {words:,} words; best of {args.repeat}; {cores} core(s) allowed,"
        f" {args.processes} parsing process(es).",
        "",
        "| pass | articles/s | words/s | seconds |",
        "|---|---:|---:|---:|",
        f"| bare spaCy en_core_web_sm 3.8.0 | {len(texts) / t_bare:,.1f} | "
        f"{words / t_bare:,.0f} | {t_bare:.3f} |",
        f"| basewatch whole extraction | {len(texts) / t_all:,.1f} | "
        f"{words / t_all:,.0f} | {t_all:.3f} |",
        "",
        f"Whole extraction / bare spaCy: {t_all / t_bare:.2f}x (goal: at most 1.5x).",
        "",
        f"Command: `taskset -c {','.join(str(c) for c in range(max(1, args.processes)))} "
        f".venv/bin/python benchmarks/news_bench.py --processes {args.processes}`",
    ]
    text = "\n".join(lines) + "\n"
    out = ROOT / "benchmarks" / "news_results.md"
    old = out.read_text() if out.exists() else ""
    keep = [b for b in old.split("\n# ") if b and f"--processes {args.processes}`" not in b]
    blocks = [b if b.startswith("# ") else "# " + b for b in keep] + [text]
    out.write_text("\n".join(b.rstrip("\n") + "\n" for b in blocks))
    print(text)


if __name__ == "__main__":
    main()
