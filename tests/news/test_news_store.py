"""News events in the store: migration 0011 gives old stores the PLOVER and speaker-kind columns,
and new rows land in them."""

from __future__ import annotations

import duckdb

from basewatch.news.fetch import read_text
from basewatch.news.pipeline import add_news
from basewatch.store import open_store


def test_old_store_gains_plover_and_speaker_kind(tmp_path):
    path = tmp_path / "old.duckdb"
    with open_store(path):
        pass
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE news_events DROP COLUMN speaker_kind")
    con.execute("ALTER TABLE news_events DROP COLUMN plover")
    con.execute("DELETE FROM schema_migrations WHERE name = '0011_news_plover_speaker_kind'")
    con.execute(
        "INSERT INTO news_events (event_id, article_id, event_type, extractor) "
        "VALUES ('e1', 'a1', 'meeting', 'old'), ('e2', 'a1', 'statement', 'old')"
    )
    con.close()
    with open_store(path) as store:
        rows = store.con.execute(
            "SELECT event_id, plover, speaker_kind FROM news_events ORDER BY event_id"
        ).fetchall()
    assert rows == [("e1", "CONSULT", None), ("e2", None, None)]


def test_new_rows_carry_plover_and_speaker_kind(tmp_path, monkeypatch):
    src = tmp_path / "a.md"
    src.write_text(
        '+++\noutlet = "Test Wire"\npublished = "2025-10-30T09:00:00+00:00"\n+++\n\n'
        "Drones struck the air base near Latakia on Tuesday, the ministry said.\n\n"
        "A source close to the Kremlin said Moscow wanted to keep both of its bases.\n"
    )
    with open_store(tmp_path / "s.duckdb") as store:
        add_news([str(src)], store)
        rows = store.con.execute(
            "SELECT event_type, plover, speaker_kind FROM news_events ORDER BY char_start"
        ).fetchall()
    assert ("attack", "ASSAULT", None) in rows
    assert ("statement", None, "anonymous") in rows
    assert read_text(src.read_text(), str(src)).outlet == "Test Wire"


def test_old_sha256_ids_become_xxh3_ids(tmp_path):
    """Migration 0016: a store whose article and event ids were sha256-16 gets the ids
    ``ids.of_text`` makes; events keep their article, and the article added again is a
    duplicate (its new id is the one the reader makes)."""
    import hashlib

    from basewatch import ids
    from basewatch.news.fetch import article_id

    src = tmp_path / "a.md"
    src.write_text(
        '+++\nurl = "https://wire.example/a"\noutlet = "Test Wire"\n'
        'published = "2025-10-30T09:00:00+00:00"\n+++\n\n'
        "Two Russian Il-76 transports landed at the Hmeimim air base on Tuesday, the ministry "
        "said.\n\nThe defence minister met his Syrian counterpart in Moscow on Monday.\n"
    )
    path = tmp_path / "old.duckdb"
    with open_store(path) as store:
        add_news([str(src)], store)
        fresh_events = store.con.execute(
            "SELECT event_id FROM news_events ORDER BY rowid"
        ).fetchall()
    old_article = hashlib.sha256(b"url:https://wire.example/a").hexdigest()[:16]
    con = duckdb.connect(str(path))
    con.execute("UPDATE articles SET article_id = ?", [old_article])
    con.execute("UPDATE news_entities SET article_id = ?", [old_article])
    con.execute(
        "UPDATE news_events SET article_id = ?, event_id = substr(sha256(event_id), 1, 16)",
        [old_article],
    )
    con.execute("DELETE FROM schema_migrations WHERE name = '0016_news_ids_xxh3'")
    con.close()
    with open_store(path) as store:
        arts = store.con.execute("SELECT article_id FROM articles").fetchall()
        evs = store.con.execute(
            "SELECT event_id, article_id FROM news_events ORDER BY rowid"
        ).fetchall()
        ents = store.con.execute("SELECT DISTINCT article_id FROM news_entities").fetchall()
        report = add_news([str(src)], store)
    new_article = article_id("https://wire.example/a", "")
    assert new_article == ids.of_text("url", "https://wire.example/a") != old_article
    assert arts == [(new_article,)] and ents in ([], [(new_article,)])
    assert len(evs) == len(fresh_events) >= 2
    assert {a for _, a in evs} == {new_article}
    assert all(ids.parse(e) == e for e, _ in evs)
    assert len({e for e, _ in evs}) == len(evs)
    assert report.duplicates == 1 and report.articles_added == 0
