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
