"""Score basewatch's date resolver (``news.dates.find_times``) on a local copy of TimeBank.

    python eval/news/timebank.py PATH [--errors N] [--json]

PATH is a folder of TimeML files (``*.tml``, searched below it; e.g. the TimeBank part of the
TempEval-3 data) or one such file. Nothing is fetched: get the corpus yourself and point the
runner at it. Each document's creation time (the ``TIMEX3`` with
``functionInDocument="CREATION_TIME"``, else the first date in its ``DCT``) is the anchor, as a
publication date is for an article.

Measured: every ``TIMEX3`` of ``type="DATE"`` in the text whose ``value`` is one full day
(``YYYY-MM-DD``) is a gold day. It counts as found when ``find_times`` gives an expression
overlapping its characters (run sentence by sentence, as the extractor does), and as right when
that expression resolves to that one day. Reported: gold days, found, right, and day accuracy
(right / gold days), beside the share right among those found.

Standard library and basewatch only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SENT_END = re.compile(r"(?<=[.!?])[\"'\u201d]?\s+(?=[\"'\u201c]?[A-Z])")


def read_timeml(path: Path) -> tuple[date | None, str, list[tuple[int, int, str]]]:
    """(creation day, plain text of TEXT, [(start, end, value)] of its DATE TIMEX3s)."""
    return read_timeml_text(path.read_bytes())


def read_timeml_text(xml: str | bytes) -> tuple[date | None, str, list[tuple[int, int, str]]]:
    root = ET.fromstring(xml)
    dct = None
    for t in root.iter("TIMEX3"):
        if t.get("functionInDocument") == "CREATION_TIME" and _DAY.match(t.get("value", "")[:10]):
            dct = date.fromisoformat(t.get("value")[:10])
            break
    if dct is None:
        node = root.find("DCT")
        if node is not None:
            for t in node.iter("TIMEX3"):
                if _DAY.match(t.get("value", "")[:10]):
                    dct = date.fromisoformat(t.get("value")[:10])
                    break
    text_node = root.find("TEXT")
    if text_node is None:
        return dct, "", []
    parts: list[str] = []
    gold: list[tuple[int, int, str]] = []

    def walk(node) -> None:
        if node.tag == "TIMEX3":
            start = sum(map(len, parts))
            words = "".join(node.itertext())
            parts.append(words)
            if node.get("type") == "DATE":
                gold.append((start, start + len(words), node.get("value", "")))
        else:
            parts.append(node.text or "")
            for child in node:
                walk(child)
                parts.append(child.tail or "")

    walk(text_node)
    return dct, "".join(parts), gold


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence): split at sentence ends and blank lines."""
    out, pos = [], 0
    for block in re.split(r"(\n\s*\n)", text):
        start = pos
        pos += len(block)
        if not block.strip():
            continue
        cut = 0
        for m in _SENT_END.finditer(block):
            out.append((start + cut, block[cut : m.start()]))
            cut = m.end()
        out.append((start + cut, block[cut:]))
    return out


def score_file(path: Path, details: list | None = None) -> dict[str, int]:
    from basewatch.news.dates import find_times

    dct, text, gold = read_timeml(path)
    days = [(s, e, v) for s, e, v in gold if _DAY.match(v)]
    hits = []
    for off, sent in sentences(text):
        for h in find_times(sent, dct):
            hits.append((off + h.start_char, off + h.end_char, h))
    found = right = 0
    for s, e, v in days:
        h = next((h for hs, he, h in hits if hs < e and s < he), None)
        if h is None:
            if details is not None:
                details.append({"file": path.name, "text": text[s:e], "gold": v, "got": None})
            continue
        found += 1
        got = (
            h.span.start.isoformat()
            if h.span is not None and h.span.start == h.span.end
            else (f"{h.span.start}..{h.span.end}" if h.span else "relative")
        )
        if got == v:
            right += 1
        elif details is not None:
            details.append({"file": path.name, "text": text[s:e], "gold": v, "got": got})
    return {"gold_days": len(days), "found": found, "right": right}


def score(path: Path, details: list | None = None) -> dict:
    files = [path] if path.is_file() else sorted(path.rglob("*.tml"))
    if not files:
        raise SystemExit(f"no TimeML files (*.tml) in {path}")
    total = {"files": len(files), "unreadable": 0, "gold_days": 0, "found": 0, "right": 0}
    for f in files:
        try:
            got = score_file(f, details)
        except ET.ParseError as exc:  # counted and named, the other files still scored
            total["unreadable"] += 1
            if details is not None:
                details.append({"file": f.name, "unreadable": str(exc)})
            continue
        for k, v in got.items():
            total[k] += v
    g, found = total["gold_days"], total["found"]
    total["day_accuracy"] = round(total["right"] / g, 4) if g else None
    total["right_of_found"] = round(total["right"] / found, 4) if found else None
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=Path, help="a folder of TimeML files (*.tml) or one file")
    ap.add_argument("--errors", type=int, default=0, help="print up to N misses and wrong days")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    if not args.path.exists():
        print(f"{args.path}: no such file or folder", file=sys.stderr)
        return 2
    details: list = []
    result = score(args.path, details)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("  ".join(f"{k} {v}" for k, v in result.items()))
    for d in details[: args.errors]:
        print(json.dumps(d, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
