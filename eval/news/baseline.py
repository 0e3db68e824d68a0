"""A keyword baseline for the news evaluation set: the floor any real extractor must clear.

Each sentence (split on end punctuation) that holds a cue word becomes an event of the cue's type,
dated on the publication day, attributed to the outlet, with no speaker resolution beyond a
capitalised name right before "said". It shows what the set asks beyond keyword spotting:

    python eval/news/baseline.py [--eval-dir DIR] [--out PRED.jsonl]

Standard library only.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CUES = {
    "meeting": r"\b(met|meets|meeting|hosted|received)\b",
    "visit": r"\b(visit|visited|arrived in|flew to)\b",
    "statement": r"\b(said|told|says|stated|added)\b",
    "negotiation": r"\b(talks|negotiations?|discussed)\b",
    "agreement": r"\b(signed|agreement|memorandum|accord|protocol)\b",
    "flight": r"\b(flew|landed|flights?|took off|scrambled)\b",
    "military_movement": r"\b(exercise|troops|warships?|corvette|convoy|launched|fired|drills)\b",
}
_SPLIT = re.compile(r"(?<=[.!?])[\"”]?\s+(?=[\"“A-Z])|\n+")
_SPEAKER = re.compile(r"([A-Z][\w'-]+(?: [A-Z][\w'-]+)*),? (?:said|told)")


def _load_scorer():
    spec = importlib.util.spec_from_file_location("news_score", HERE / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def predict(eval_dir: Path | str = HERE) -> list[dict]:
    """Keyword-baseline predictions for every article of the set."""
    scorer = _load_scorer()
    preds = []
    for stem, art in scorer.load_eval_set(eval_dir).items():
        day = str(art.meta.get("published", ""))[:10]
        for sentence in (s.strip() for s in _SPLIT.split(art.body)):
            for etype, cue in CUES.items():
                if not sentence or not re.search(cue, sentence, re.IGNORECASE):
                    continue
                speaker = ""
                if etype == "statement":
                    m = _SPEAKER.search(sentence)
                    speaker = m.group(1) if m else ""
                preds.append(
                    {
                        "article": stem,
                        "event_type": etype,
                        "date_start": day,
                        "date_end": day,
                        "date_precision": "day",
                        "actors": [],
                        "place": "",
                        "speaker": speaker,
                        "quote": "",
                        "source": art.meta.get("outlet", ""),
                        "sentence": sentence,
                    }
                )
    return preds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=HERE)
    parser.add_argument("--out", type=Path, help="also write the predictions as JSON lines")
    args = parser.parse_args(argv)
    preds = predict(args.eval_dir)
    if args.out:
        args.out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds))
    result = _load_scorer().score(preds, args.eval_dir)
    keys = ("precision", "recall", "f1", "date_accuracy", "speaker_accuracy", "source_accuracy")
    print(json.dumps({k: result[k] for k in keys}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
