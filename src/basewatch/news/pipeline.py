"""News ingest: inputs → articles → parsed text → events and entities, in the store.

reads:   files, folders, http(s) pages and feeds (fetch.py)
writes:  articles, news_events, news_entities, rejects, runs
rejects: fetch_failed, timeout, too_large, not_text, bad_front_matter, empty_text, bad_feed

Idempotent: an article's id is the hash of its canonical URL (else of its text); an article met
again is counted as a duplicate (``articles.duplicates``) and not extracted twice.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pyarrow as pa

from .. import schema
from ..store import Store, append, transaction
from ..store.runs import Report, RunRecord, new_run_id, write_run
from .fetch import Article, Given, Reject, read_inputs

log = logging.getLogger(__name__)


@dataclass
class NewsReport(Report):
    run_id: str
    articles_read: int = 0
    articles_added: int = 0
    duplicates: int = 0
    events: int = 0
    entities: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        from ..words import count

        rej = sum(self.rejects.values())
        by = ", ".join(f"{k} {v}" for k, v in self.rejects.most_common())
        return (
            f"news: {count(self.articles_read, 'article')} read, {self.articles_added} new, "
            f"{count(self.duplicates, 'duplicate')}, {count(self.events, 'event')}, "
            f"{rej} rejected" + (f" ({by})" if by else "") + f" in {self.seconds:.1f} s"
        )

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "articles_read": self.articles_read,
            "articles_added": self.articles_added,
            "duplicates": self.duplicates,
            "events": self.events,
            "entities": self.entities,
            "rejects": dict(self.rejects),
            "seconds": round(self.seconds, 3),
        }


def local_day(article: Article) -> date | None:
    """The publication day in the publication's own time zone (what "on Wednesday" counts from)."""
    return article.published_at.date() if article.published_at else None


def layout_of(article: Article):
    """The article's body told apart from its headline, byline, dateline and captions."""
    from .document import read_layout

    return read_layout(article.text, local_day(article), article.outlet, article.title)


def extract_article(nlp_doc, article: Article, ref, layout=None) -> tuple[list[dict], list[dict]]:
    """Events and entity rows of one parsed article (``nlp_doc`` parsed from ``layout.text``)."""
    from .entities import entity_rows
    from .events import extract_events

    layout = layout or layout_of(article)
    events = extract_events(nlp_doc, layout.anchor, article.outlet, ref, layout)
    rows = [ev.row(article.article_id, n) for n, ev in enumerate(events)]
    for r in rows:  # offsets into the stored article, not into its body
        r["char_start"] = layout.original(r["char_start"])
    from .entities import People

    ents = entity_rows(nlp_doc, People(nlp_doc), ref)
    for e in ents:
        e["article_id"] = article.article_id
        e["char_start"] = layout.original(e["char_start"])
    return rows, ents


def extract(
    articles: list[Article], bases: tuple[str, ...] = (), n_process: int = 1
) -> tuple[list[dict], list[dict]]:
    """Run the whole extraction over articles (no store): (event rows, entity rows).

    ``n_process`` > 1 parses in that many worker processes (spaCy's ``nlp.pipe``)."""
    from ..airfields import load_reference
    from .nlp import load_pipeline

    nlp = load_pipeline(bases)
    ref = load_reference(bases)
    events, ents = [], []
    layouts = [layout_of(a) for a in articles]
    docs = nlp.pipe((lay.text for lay in layouts), n_process=n_process, batch_size=16)
    for art, lay, doc in zip(articles, layouts, docs, strict=True):
        ev, en = extract_article(doc, art, ref, lay)
        events += ev
        ents += en
    return events, ents


def add_news(
    inputs: list[str],
    store: Store,
    given: Given | None = None,
    bases: tuple[str, ...] = (),
    timeout_s: float = 10.0,
    max_bytes: int = 5 * 1024 * 1024,
    args: dict | None = None,
) -> NewsReport:
    t0 = time.perf_counter()
    started = datetime.now(UTC)
    run_id = new_run_id()
    report = NewsReport(run_id)
    given = given or Given()
    con = store.con
    new: dict[str, Article] = {}
    dup_ids: list[str] = []  # stored articles seen again (counted in the run's transaction)
    rejects: list[dict] = []
    for item in read_inputs(inputs, given, timeout_s, max_bytes):
        if isinstance(item, Reject):
            report.rejects[item.reason] += 1
            rejects.append(
                {
                    "run_id": run_id,
                    "source_id": None,
                    "uri": item.uri,
                    "reason": item.reason,
                    "location": None,
                    "excerpt": item.detail[:200],
                    "n": 1,
                }
            )
            continue
        report.articles_read += 1
        known = con.execute(
            "SELECT 1 FROM articles WHERE article_id = ?", [item.article_id]
        ).fetchone()
        if known or item.article_id in new:
            report.duplicates += 1
            if known:
                dup_ids.append(item.article_id)
            continue
        new[item.article_id] = item
    arts = list(new.values())
    events, ents = extract(arts, bases) if arts else ([], [])
    report.articles_added = len(arts)
    report.events = len(events)
    report.entities = len(ents)
    with transaction(con):
        append(
            con,
            "articles",
            [
                {
                    "article_id": a.article_id,
                    "url": a.url,
                    "outlet": a.outlet,
                    "title": a.title,
                    "published_at": a.published_at.astimezone(UTC) if a.published_at else None,
                    "text": a.text,
                    "language": a.language,
                    "words": a.words,
                    "source_uri": a.source_uri,
                    "duplicates": 0,
                    "run_id": run_id,
                }
                for a in arts
            ],
        )
        append(con, "news_events", events)
        append(con, "news_entities", ents)
        for article_id in dup_ids:
            con.execute(
                "UPDATE articles SET duplicates = duplicates + 1 WHERE article_id = ?",
                [article_id],
            )
        report.seconds = time.perf_counter() - t0
        write_run(
            con,
            RunRecord(
                "news add",
                args or {"inputs": inputs},
                run_id=run_id,
                started=started,
                rows_read=report.articles_read,
                rows_added=report.articles_added,
                rejects=report.rejects,
                counts={"duplicates": report.duplicates},
                reject_rows=[pa.Table.from_pylist(rejects, schema=schema.REJECTS)],
                seconds=report.seconds,
            ),
        )
    return report
