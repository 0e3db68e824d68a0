"""Score predicted news events against the gold of the news evaluation set.

A predicted event matches a gold event of the same article when their ``event_type`` is equal and
their ``sentence``s overlap (after whitespace is normalised, one contains the other). Matching is
one-to-one and greedy: all candidate pairs are ranked (same sentence exactly first, then by how
many of date, speaker and source agree, then by order in the files) and taken best first.

Reported: event precision, recall and F1; over matched events, date accuracy (``date_start`` and
``date_end`` both equal), speaker accuracy (gold statements only), source accuracy, and two
extras (date precision, place); the same per event type and counts per article.

Use it from Python::

    score(predictions, eval_dir)      # predictions: dicts, or a path to a JSON lines file

or from the shell::

    python eval/news/score.py --pred PRED.jsonl [--eval-dir DIR] [--json] [--errors]
    python eval/news/score.py --check            # is the set itself well formed?

Standard library only (tomllib), so it runs without basewatch installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # the package's error tree when basewatch is installed; a plain ValueError otherwise
    from basewatch.errors import FormatError as _FormatBase
except ImportError:  # pragma: no cover - exercised only without the package
    _FormatBase = ValueError  # type: ignore[misc,assignment]

EVAL_DIR = Path(__file__).resolve().parent

EVENT_TYPES = (
    "meeting",
    "visit",
    "statement",
    "negotiation",
    "agreement",
    "flight",
    "military_movement",
    "call",
    "deployment",
    "withdrawal",
    "evacuation",
    "exercise",
    "attack",
    "sanction",
)
# the types added after the first sets were annotated, and the type those sets give them; a set
# whose gold uses none of them is scored on the first seven types (predictions folded back)
FINE_TYPES = {
    "call": "meeting",
    "deployment": "military_movement",
    "withdrawal": "military_movement",
    "evacuation": "military_movement",
    "exercise": "military_movement",
    "attack": "military_movement",
    "sanction": "sanction",
}
SPEAKER_KINDS = ("person", "institution", "anonymous")
DATE_PRECISIONS = ("day", "range", "week", "month", "year", "unknown")
ARTICLE_FIELDS = ("url", "outlet", "title", "published", "language")
EVENT_FIELDS = (
    "event_type",
    "date_start",
    "date_end",
    "date_precision",
    "actors",
    "place",
    "speaker",
    "quote",
    "source",
    "sentence",
)
OPTIONAL_FIELDS = ("speaker_kind",)
ENTITY_LABELS = ("person", "org", "country", "place", "aircraft_type", "registration")
MIN_WORDS, MAX_WORDS = 150, 400
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class EvalFormatError(_FormatBase):
    """A predictions file or an evaluation-set file that cannot be read."""


@dataclass(slots=True)
class Article:
    stem: str
    meta: dict[str, Any]
    body: str
    events: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# reading


def split_front_matter(text: str, name: str = "article") -> tuple[dict[str, Any], str]:
    """``+++`` TOML front matter, then the body → (front matter, body)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "+++":
        raise EvalFormatError(f"{name}: does not start with a '+++' front-matter line")
    for i in range(1, len(lines)):
        if lines[i].strip() == "+++":
            try:
                meta = tomllib.loads("".join(lines[1:i]))
            except tomllib.TOMLDecodeError as exc:
                raise EvalFormatError(f"{name}: front matter is not valid TOML ({exc})") from exc
            return meta, "".join(lines[i + 1 :]).strip("\n") + "\n"
    raise EvalFormatError(f"{name}: front matter has no closing '+++' line")


def read_article(path: Path) -> Article:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFormatError(f"{path.name}: cannot be read ({exc})") from exc
    meta, body = split_front_matter(text, path.name)
    return Article(stem=path.stem, meta=meta, body=body)


def read_gold(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A gold file → (events, entities)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EvalFormatError(f"{path.name}: cannot be read as TOML ({exc})") from exc
    events, entities = data.get("event", []), data.get("entity", [])
    if not isinstance(events, list) or not isinstance(entities, list):
        raise EvalFormatError(f"{path.name}: 'event' and 'entity' must be arrays of tables")
    return events, entities


def load_eval_set(eval_dir: Path | str = EVAL_DIR) -> dict[str, Article]:
    """Every article of ``eval_dir/articles`` with the events of its gold file, by file stem."""
    eval_dir = Path(eval_dir)
    art_dir = eval_dir / "articles"
    if not art_dir.is_dir():
        raise EvalFormatError(f"{eval_dir}: no 'articles' folder; point --eval-dir at the set")
    articles: dict[str, Article] = {}
    for path in sorted(art_dir.glob("*.md")):
        art = read_article(path)
        gold = eval_dir / "gold" / f"{path.stem}.toml"
        if gold.exists():
            art.events, art.entities = read_gold(gold)
        articles[art.stem] = art
    return articles


def read_predictions(path: Path | str) -> list[dict[str, Any]]:
    """A JSON lines file of predicted events (blank lines skipped)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFormatError(f"{path}: cannot be read ({exc})") from exc
    preds = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFormatError(f"{path}:{n}: not a JSON object ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise EvalFormatError(f"{path}:{n}: each line must be a JSON object")
        preds.append(obj)
    return preds


def gold_predictions(eval_dir: Path | str = EVAL_DIR) -> list[dict[str, Any]]:
    """The gold written out as predictions (one dict per event, keyed by ``article``)."""
    out = []
    for stem, art in load_eval_set(eval_dir).items():
        for ev in art.events:
            out.append({"article": stem, "url": art.meta.get("url", ""), **ev})
    return out


# ---------------------------------------------------------------------------------------------
# comparing


def norm_space(text: Any) -> str:
    return " ".join(str(text or "").split())


def sentences_overlap(a: Any, b: Any) -> bool:
    a, b = norm_space(a), norm_space(b)
    return bool(a) and bool(b) and (a in b or b in a)


def norm_name(text: Any) -> str:
    """Casefold, drop punctuation and a leading article: 'The Kremlin.' == 'kremlin'."""
    words = re.sub(r"[^\w\s-]", " ", str(text or "").casefold()).split()
    if words and words[0] in {"a", "an", "the"}:
        words = words[1:]
    return " ".join(words)


def norm_date(value: Any) -> str:
    """'' for no date; the YYYY-MM-DD part of a date or timestamp string."""
    if value is None:
        return ""
    text = str(value).strip()
    m = _DATE_RE.match(text)
    return m.group(0) if m else text


def _same_dates(p: Mapping[str, Any], g: Mapping[str, Any]) -> bool:
    return norm_date(p.get("date_start")) == norm_date(g.get("date_start")) and norm_date(
        p.get("date_end")
    ) == norm_date(g.get("date_end"))


def _same(p: Mapping[str, Any], g: Mapping[str, Any], key: str) -> bool:
    return norm_name(p.get(key)) == norm_name(g.get(key))


def same_actors(p: Mapping[str, Any], g: Mapping[str, Any]) -> bool:
    """Actors as sets of normalised names; an empty gold list asks for none."""
    return {norm_name(a) for a in p.get("actors") or []} == {
        norm_name(a) for a in g.get("actors") or []
    }


def all_right(p: Mapping[str, Any], g: Mapping[str, Any]) -> bool:
    """The strict measure: a matched event whose date, actors, place, speaker and source are all
    right (its type is right by matching)."""
    speaker_ok = g.get("event_type") != "statement" or _same(p, g, "speaker")
    return (
        _same_dates(p, g)
        and same_actors(p, g)
        and _same(p, g, "place")
        and speaker_ok
        and _same(p, g, "source")
    )


def match_events(
    preds: list[Mapping[str, Any]], golds: list[Mapping[str, Any]]
) -> list[tuple[int, int]]:
    """One-to-one greedy matching of one article's events → (pred index, gold index) pairs."""
    candidates = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if p.get("event_type") != g.get("event_type"):
                continue
            if not sentences_overlap(p.get("sentence"), g.get("sentence")):
                continue
            agree = (
                (norm_space(p.get("sentence")) == norm_space(g.get("sentence")))
                + _same_dates(p, g)
                + _same(p, g, "speaker")
                + _same(p, g, "source")
            )
            candidates.append((-agree, i, j))
    candidates.sort()
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def _article_of(pred: Mapping[str, Any], articles: dict[str, Article], by_url: dict[str, str]):
    for key in ("article", "stem", "article_file", "article_id"):
        value = pred.get(key)
        if value:
            stem = Path(str(value)).name.removesuffix(".md")
            if stem in articles:
                return stem
    url = norm_url(pred.get("url"))
    return by_url.get(url) if url else None


def norm_url(url: Any) -> str:
    text = str(url or "").strip()
    return text.rstrip("/").casefold()


class _Tally:
    """Counts for one group of events (all, or one event type)."""

    def __init__(self) -> None:
        self.gold = self.pred = self.matched = 0
        self.date_ok = self.prec_ok = self.place_ok = self.source_ok = 0
        self.statements = self.speaker_ok = 0
        self.kinds = self.kind_ok = 0
        self.all_ok = 0

    def add_pair(self, p: Mapping[str, Any], g: Mapping[str, Any]) -> None:
        self.matched += 1
        self.all_ok += all_right(p, g)
        if g.get("speaker_kind"):
            self.kinds += 1
            self.kind_ok += norm_name(p.get("speaker_kind")) == norm_name(g.get("speaker_kind"))
        self.date_ok += _same_dates(p, g)
        self.prec_ok += norm_name(p.get("date_precision")) == norm_name(g.get("date_precision"))
        self.place_ok += norm_name(p.get("place")) == norm_name(g.get("place"))
        self.source_ok += _same(p, g, "source")
        if g.get("event_type") == "statement":
            self.statements += 1
            self.speaker_ok += _same(p, g, "speaker")

    def report(self) -> dict[str, Any]:
        def ratio(num: int, den: int) -> float | None:
            return round(num / den, 4) if den else None

        precision, recall = ratio(self.matched, self.pred), ratio(self.matched, self.gold)
        f1 = None
        if precision is not None and recall is not None:
            f1 = round(2 * precision * recall / (precision + recall), 4) if self.matched else 0.0
        return {
            "gold": self.gold,
            "predicted": self.pred,
            "matched": self.matched,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "date_accuracy": ratio(self.date_ok, self.matched),
            "speaker_accuracy": ratio(self.speaker_ok, self.statements),
            "source_accuracy": ratio(self.source_ok, self.matched),
            "date_precision_accuracy": ratio(self.prec_ok, self.matched),
            "place_accuracy": ratio(self.place_ok, self.matched),
            "speaker_kind_accuracy": ratio(self.kind_ok, self.kinds),
            # strict: type, date, actors, place, speaker and source all right
            "all_right": ratio(self.all_ok, self.matched),
            "strict_precision": ratio(self.all_ok, self.pred),
            "strict_recall": ratio(self.all_ok, self.gold),
        }


def score(
    predictions: Iterable[Mapping[str, Any]] | Path | str,
    eval_dir: Path | str = EVAL_DIR,
    *,
    details: bool = False,
) -> dict[str, Any]:
    """Score predicted events against the gold in ``eval_dir``.

    ``predictions``: dicts (or a JSON lines path) with ``article`` (the article's file stem) or
    ``article_id``/``url``, and the event fields. Predictions for articles not in the set are
    counted under ``unknown_article`` and not scored. Returns the overall figures, ``by_type``,
    ``by_article`` and, with ``details=True``, ``errors`` (missed, spurious and mis-dated events).
    """
    if isinstance(predictions, (str, Path)):
        predictions = read_predictions(predictions)
    articles = load_eval_set(eval_dir)
    by_url = {norm_url(a.meta.get("url")): s for s, a in articles.items() if a.meta.get("url")}
    grouped: dict[str, list[Mapping[str, Any]]] = {stem: [] for stem in articles}
    unknown = 0
    for pred in predictions:
        if not isinstance(pred, Mapping):
            raise EvalFormatError(f"a prediction must be a mapping, not {type(pred).__name__}")
        stem = _article_of(pred, articles, by_url)
        if stem is None:
            unknown += 1
        else:
            grouped[stem].append(pred)

    fine = any(ev.get("event_type") in FINE_TYPES for a in articles.values() for ev in a.events)
    if not fine:  # a set annotated with the first seven types: fold the newer types back
        grouped = {
            stem: [
                {**p, "event_type": FINE_TYPES.get(p.get("event_type"), p.get("event_type"))}
                for p in preds
            ]
            for stem, preds in grouped.items()
        }
    total, per_type = _Tally(), {t: _Tally() for t in EVENT_TYPES}
    by_article, errors = {}, []
    for stem, art in articles.items():
        preds, golds = grouped[stem], art.events
        pairs = match_events(preds, golds)
        for ev in golds:
            total.gold += 1
            if ev.get("event_type") in per_type:
                per_type[ev["event_type"]].gold += 1
        for ev in preds:
            total.pred += 1
            if ev.get("event_type") in per_type:
                per_type[ev["event_type"]].pred += 1
        for i, j in pairs:
            total.add_pair(preds[i], golds[j])
            per_type[golds[j]["event_type"]].add_pair(preds[i], golds[j])
        by_article[stem] = {"gold": len(golds), "predicted": len(preds), "matched": len(pairs)}
        if details:
            errors.extend(_errors(stem, preds, golds, pairs))

    result = {"articles": len(articles), **total.report(), "unknown_article": unknown}
    result["by_type"] = {
        t: tally.report() for t, tally in per_type.items() if tally.gold or tally.pred
    }
    result["coarse_types"] = not fine
    result["by_article"] = by_article
    if details:
        result["errors"] = errors
    return result


def _errors(stem, preds, golds, pairs) -> list[dict[str, Any]]:
    keys = ("event_type", "date_start", "date_end", "actors", "place", "speaker", "source")
    keys += ("sentence",)
    brief = lambda ev: {k: ev.get(k, "") for k in keys}  # noqa: E731
    matched_p, matched_g = {i for i, _ in pairs}, {j for _, j in pairs}
    out = [
        {"article": stem, "kind": "missed", "gold": brief(g)}
        for j, g in enumerate(golds)
        if j not in matched_g
    ]
    out += [
        {"article": stem, "kind": "spurious", "pred": brief(p)}
        for i, p in enumerate(preds)
        if i not in matched_p
    ]
    for i, j in pairs:
        p, g = preds[i], golds[j]
        wrong = [
            k for k in ("date", "speaker", "source", "actors", "place") if not _agrees(p, g, k)
        ]
        if wrong:
            out.append(
                {
                    "article": stem,
                    "kind": "wrong_" + "+".join(wrong),
                    "gold": brief(g),
                    "pred": brief(p),
                }
            )
    return out


def _agrees(p, g, what: str) -> bool:
    if what == "date":
        return _same_dates(p, g)
    if what == "speaker":
        return g.get("event_type") != "statement" or _same(p, g, "speaker")
    if what == "actors":
        return same_actors(p, g)
    return _same(p, g, what)


# ---------------------------------------------------------------------------------------------
# checking the set itself


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(_DATE_RE.fullmatch(text))


def check_event(ev: Mapping[str, Any], body: str) -> list[str]:
    """What is wrong with one gold event (an empty list when nothing is)."""
    problems = []
    missing = [k for k in EVENT_FIELDS if k not in ev]
    if missing:
        problems.append(f"missing fields {missing}")
    extra = sorted(set(ev) - set(EVENT_FIELDS) - set(OPTIONAL_FIELDS))
    if ev.get("speaker_kind", "person") not in SPEAKER_KINDS:
        problems.append(f"speaker_kind {ev.get('speaker_kind')!r} is not one of {SPEAKER_KINDS}")
    if extra:
        problems.append(f"unknown fields {extra}")
    etype = ev.get("event_type")
    if etype not in EVENT_TYPES:
        problems.append(f"event_type {etype!r} is not one of {EVENT_TYPES}")
    start, end, prec = ev.get("date_start", ""), ev.get("date_end", ""), ev.get("date_precision")
    if prec not in DATE_PRECISIONS:
        problems.append(f"date_precision {prec!r} is not one of {DATE_PRECISIONS}")
    if (start == "") != (end == ""):
        problems.append("date_start and date_end must both be given or both be empty")
    elif start == "":
        if prec != "unknown":
            problems.append("an event without a date must have date_precision 'unknown'")
    elif not (_valid_date(start) and _valid_date(end)):
        problems.append(f"dates {start!r}/{end!r} are not YYYY-MM-DD")
    elif start > end:
        problems.append(f"date_start {start} is after date_end {end}")
    elif prec == "day" and start != end:
        problems.append("a 'day' event must have date_start == date_end")
    elif prec in ("range", "week") and start == end:
        problems.append(f"a '{prec}' event must span more than one day")
    elif prec == "unknown":
        problems.append("a dated event cannot have date_precision 'unknown'")
    if not isinstance(ev.get("actors", []), list) or not all(
        isinstance(a, str) and a for a in ev.get("actors", [])
    ):
        problems.append("actors must be a list of non-empty strings")
    for key in ("place", "speaker", "quote", "source", "sentence"):
        if not isinstance(ev.get(key, ""), str):
            problems.append(f"{key} must be a string")
    if etype == "statement":
        if not ev.get("speaker") or not ev.get("quote"):
            problems.append("a statement needs a speaker and a quote")
        else:
            # a quote broken by its attribution is written with " … " where the break is
            pieces = [norm_space(q) for q in ev["quote"].split(" … ")]
            if not all(q and q in norm_space(body) for q in pieces):
                problems.append(f"quote is not in the article: {ev['quote']!r}")
    elif ev.get("speaker") or ev.get("quote"):
        problems.append("only statements have a speaker and a quote")
    if not ev.get("source"):
        problems.append("source is empty (use the outlet when it reports directly)")
    sentence = ev.get("sentence", "")
    if not sentence or not isinstance(sentence, str) or sentence not in body:
        problems.append(f"sentence is not an exact substring of the body: {sentence!r}")
    return problems


def check_eval_set(eval_dir: Path | str = EVAL_DIR, *, min_articles: int = 30) -> list[str]:
    """Every problem found in the set: front matter, gold fields, dates, sentences, pairing."""
    eval_dir = Path(eval_dir)
    problems: list[str] = []
    try:
        articles = load_eval_set(eval_dir)
    except EvalFormatError as exc:
        return [str(exc)]
    if len(articles) < min_articles:
        problems.append(f"only {len(articles)} articles (at least {min_articles} wanted)")
    gold_stems = {p.stem for p in (eval_dir / "gold").glob("*.toml")}
    for stem in sorted(gold_stems - set(articles)):
        problems.append(f"gold/{stem}.toml has no article")
    urls: dict[str, str] = {}
    for stem, art in articles.items():
        where = f"articles/{stem}.md"
        if stem not in gold_stems:
            problems.append(f"{where}: no gold file")
        if not re.fullmatch(r"(demo_)?\d{2,3}_[a-z0-9_]+", stem):
            problems.append(f"{where}: name is not NNN_slug or demo_NN_slug")
        missing = [k for k in ARTICLE_FIELDS if not art.meta.get(k)]
        if missing:
            problems.append(f"{where}: front matter lacks {missing}")
        published = str(art.meta.get("published", ""))
        try:
            stamp = dt.datetime.fromisoformat(published)
            if stamp.tzinfo is None:
                problems.append(f"{where}: 'published' has no UTC offset")
        except ValueError:
            problems.append(f"{where}: 'published' {published!r} is not ISO 8601")
        if art.meta.get("language") != "en":
            problems.append(f"{where}: language must be 'en'")
        url = norm_url(art.meta.get("url"))
        if url in urls:
            problems.append(f"{where}: same url as articles/{urls[url]}.md")
        urls[url] = stem
        words = len(art.body.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"{where}: {words} words (want {MIN_WORDS}-{MAX_WORDS})")
        for n, ev in enumerate(art.events, 1):
            problems += [f"gold/{stem}.toml event {n}: {p}" for p in check_event(ev, art.body)]
        for n, ent in enumerate(art.entities, 1):
            if ent.get("label") not in ENTITY_LABELS:
                problems.append(f"gold/{stem}.toml entity {n}: label {ent.get('label')!r}")
            if ent.get("text", "") not in art.body:
                problems.append(f"gold/{stem}.toml entity {n}: text not in the article")
    return problems


# ---------------------------------------------------------------------------------------------
# command line


def _print_table(result: dict[str, Any]) -> None:
    cols = ("gold", "predicted", "matched", "precision", "recall", "f1")
    cols += ("date_accuracy", "speaker_accuracy", "source_accuracy", "all_right")
    heads = ("gold", "pred", "match", "P", "R", "F1", "date", "speaker", "source", "all")

    def cell(v: Any) -> str:
        return "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    print(f"{'':18}" + "".join(f"{h:>9}" for h in heads))
    print(f"{'all':18}" + "".join(f"{cell(result[c]):>9}" for c in cols))
    for etype, row in result["by_type"].items():
        print(f"{etype:18}" + "".join(f"{cell(row[c]):>9}" for c in cols))
    print(
        f"articles: {result['articles']}; predictions for unknown articles: {result['unknown_article']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Score predicted news events against the gold of the news evaluation set.",
        epilog="example: python eval/news/score.py --pred predictions.jsonl --errors",
    )
    parser.add_argument("--pred", type=Path, help="predicted events, JSON lines")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR, help="the set (default: here)")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    parser.add_argument("--errors", action="store_true", help="list missed/spurious/wrong events")
    parser.add_argument("--check", action="store_true", help="check the set, score nothing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check_eval_set(args.eval_dir)
            for p in problems:
                print(p)
            n = len(load_eval_set(args.eval_dir))
            print(f"{n} articles, {len(problems)} problems")
            return 1 if problems else 0
        if args.pred is None:
            parser.error("--pred is required unless --check is given")
        result = score(args.pred, args.eval_dir, details=args.errors)
    except EvalFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print_table(result)
        for err in result.get("errors", []):
            print(json.dumps(err, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
