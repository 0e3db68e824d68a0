"""The DuckDB store: migrations, tables from the schema, and clear errors when it cannot open."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pytest
from click.testing import CliRunner

from basewatch import schema
from basewatch.cli import cli
from basewatch.errors import StoreError
from basewatch.store import MIGRATIONS, open_store


def test_migrations_recorded_once(db):
    with open_store(db) as store:
        first = store.con.execute("SELECT name, applied_at FROM schema_migrations").fetchall()
    with open_store(db) as store:
        again = store.con.execute("SELECT name, applied_at FROM schema_migrations").fetchall()
    names = [name for name, _ in MIGRATIONS]
    assert [name for name, _ in first] == names and names[0] == "0001_initial"
    assert again == first


def test_tables_follow_the_schema(db):
    with open_store(db) as store:
        for name, sch in schema.TABLES.items():
            cols = store.con.execute(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                " WHERE table_name = ? ORDER BY ordinal_position",
                [name],
            ).fetchall()
            spelled = {"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE", "REAL": "FLOAT"}
            assert cols == [
                (
                    f.name,
                    spelled.get(schema.duckdb_type(f.type), schema.duckdb_type(f.type)),
                    "YES" if f.nullable or name in schema.VIEWS else "NO",
                )
                for f in sch
            ]


def test_views_follow_the_schema(db):
    """``positions`` is a view of ``position_rows``: the same columns, spelled as text."""
    with open_store(db) as store:
        kinds = dict(
            store.con.execute(
                "SELECT table_name, table_type FROM information_schema.tables"
            ).fetchall()
        )
    assert kinds["positions"] == "VIEW" and kinds["position_rows"] == "BASE TABLE"
    assert set(schema.VIEWS) == {"positions"}


def test_positions_move_to_integer_storage(tmp_path):
    """A store made before migration 0009 keeps every row, each read back the same, and its
    sources take 16-digit ids in every table that names them."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)")
    for name, fn in MIGRATIONS[:8]:
        fn(con)
        con.execute("INSERT INTO schema_migrations VALUES (?, now())", [name])
    old_sid = "0123456789abcdef" + "fedcba9876543210"  # blake2b-128, as before
    con.execute(
        """INSERT INTO positions VALUES
        (1, '2025-10-24 06:00:00+00', 'ac671b', 'RFF7074', 35.4, 35.9, 1200, 1300, false,
         140.5, 180.0, -700, '7700', false, ?),
        (2, '2025-10-24 06:00:05+00', '00a0ff', NULL, 35.5, 35.9, NULL, NULL, true,
         NULL, NULL, NULL, NULL, true, ?),
        (3, '2025-10-24 06:00:09+00', 'ffffff', 'X', 35.6, 35.9, NULL, NULL, NULL,
         NULL, NULL, NULL, '0017', NULL, ?)""",
        [old_sid] * 3,
    )
    con.execute(
        "INSERT INTO sources (source_id, uri, format, run_id, complete) "
        "VALUES (?, 'a.json', 'trace_full', 'r', true)",
        [old_sid],
    )
    con.execute(
        "INSERT INTO rejects (run_id, source_id, reason, n) VALUES ('r', ?, 'bad_json', 1)",
        [old_sid],
    )
    before = con.execute("SELECT * EXCLUDE (source_id) FROM positions ORDER BY ts").fetchall()
    con.close()
    with open_store(path) as store:
        after = store.con.execute(
            "SELECT * EXCLUDE (source_id) FROM positions ORDER BY ts"
        ).fetchall()
        sids = store.con.execute(
            "SELECT DISTINCT source_id FROM positions UNION ALL SELECT source_id FROM sources "
            "UNION ALL SELECT source_id FROM rejects"
        ).fetchall()
        stored = store.con.execute(
            "SELECT icao, squawk_code, source FROM position_rows ORDER BY ts"
        ).fetchall()
    # the rest unchanged; position ids are content ids now (migration 0014), as 16 hex digits
    assert [r[1:] for r in after] == [r[1:] for r in before]
    content = schema.position_ids_stored(
        [0xAC671B, 0xA0FF, 0xFFFFFF],
        [int(r[1].timestamp() * 1e6) for r in before],
        [r[4] for r in before],
        [r[5] for r in before],
        [1200, -99999, -99999],
    ).to_pylist()
    assert [r[0] for r in after] == [f"{i:016x}" for i in content]
    assert sids == [(old_sid[:16],)] * 3
    assert stored == [
        (0xAC671B, 0o7700, 0x0123456789ABCDEF),
        (0xA0FF, None, 0x0123456789ABCDEF),
        (0xFFFFFF, 0o17, 0x0123456789ABCDEF),
    ]


def test_read_only_needs_an_existing_store(tmp_path):
    with pytest.raises(StoreError, match="no store here yet; run `basewatch ingest` first"):
        open_store(tmp_path / "nothing.duckdb", read_only=True)


def test_read_only_store_with_pending_migrations(db):
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)")
    con.close()
    with pytest.raises(StoreError, match=r"store needs migrations \['0001_initial', "):
        open_store(db, read_only=True)
    with open_store(db) as store:  # any writing open migrates it
        assert store.scalar("SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)
    with open_store(db, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM positions") == 0


def test_not_a_store(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.duckdb: "):
        open_store(path)


def test_in_memory_store():
    with open_store(None) as store:
        assert store.path is None
        assert store.scalar("SELECT count(*) FROM positions") == 0


HOLDER = textwrap.dedent(
    """
    import sys
    from basewatch.store import open_store
    store = open_store(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.read()
    store.close()
    """
)


@pytest.fixture
def held(db):
    """The store held open for writing by another process until the test ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield db
    finally:
        proc.stdin.close()
        proc.wait(timeout=20)


def test_locked_store_gives_a_clear_error(held):
    message = "the store is in use by another basewatch process; wait for it to finish"
    with pytest.raises(StoreError, match=message):
        open_store(held)
    with pytest.raises(StoreError, match=message):
        open_store(held, read_only=True)
    result = CliRunner().invoke(cli, ["positions", "--db", str(held)])
    assert result.exit_code == 2
    assert result.stderr == f"basewatch: error: {held}: {message} or use another --db\n"


def test_store_opens_after_release(db):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    with pytest.raises(StoreError):
        open_store(db)
    proc.stdin.close()
    assert proc.wait(timeout=20) == 0
    with open_store(db) as store:
        assert store.scalar("SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)


def test_two_threads_of_one_process_never_write_at_once(tmp_path):
    """One process holds one writer per store: a second thread gets the clear 'in use' error
    (as a second process does), and nothing is stored twice."""
    import threading
    from pathlib import Path

    import basewatch as bw
    from basewatch.errors import StoreError

    sample = Path(bw.__file__).parent / "data" / "samples" / "trace_full_ac671b.json"
    db = tmp_path / "s.duckdb"
    start = threading.Barrier(2)
    done, refused = [], []

    def go():
        start.wait()
        try:
            done.append(bw.ingest([sample], db=db))
        except StoreError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(done) + len(refused) == 2 and done
    assert all("in use" in msg for msg in refused)
    with open_store(db, read_only=True) as store:
        rows, distinct = store.con.execute(
            "SELECT count(*), count(DISTINCT position_id) FROM position_rows"
        ).fetchone()
    assert rows == distinct == 2500


def test_old_position_ids_take_content_ids_and_overlap_is_stored_once(tmp_path):
    """A store written when position ids were not content ids (simulated: its ids changed
    and migration 0014 not applied yet), then a second file holding the same reports: they are
    not stored again, and reports the old store held twice are kept once."""
    import json
    from pathlib import Path

    from basewatch import api

    trace = Path(api.__file__).parent / "data" / "samples" / "trace_full_ac671b.json"
    db = tmp_path / "old.duckdb"
    api.ingest([trace], db=db)
    with open_store(db) as store:
        n = store.scalar("SELECT count(*) FROM position_rows")
        # the ids of then, and one report stored twice under two of them
        store.con.execute("UPDATE position_rows SET position_id = xor(position_id, 12345::UBIGINT)")
        store.con.execute(
            "INSERT INTO position_rows SELECT * REPLACE (xor(position_id, 99::UBIGINT) AS position_id) "
            "FROM position_rows ORDER BY ts LIMIT 1"
        )
        store.con.execute("DELETE FROM schema_migrations WHERE name = '0014_position_content_ids'")
    same = tmp_path / "same_reports.json"  # another file (another source id), same reports
    same.write_text(json.dumps(json.loads(trace.read_text()), indent=1))
    api.ingest([same], db=db)
    with open_store(db) as store:
        assert store.scalar("SELECT count(*) FROM position_rows") == n
        assert store.scalar("SELECT count(DISTINCT position_id) FROM position_rows") == n


def test_alerts_of_an_older_store_get_their_status(db):
    """0015: a skipped past match had been kept as delivered with its reason in ``error``."""
    with open_store(db) as store:
        store.con.execute("DROP TABLE alerts")
        store.con.execute(
            "CREATE TABLE alerts (alert_id VARCHAR NOT NULL, rule VARCHAR NOT NULL, watch VARCHAR, "
            "kind VARCHAR, ts TIMESTAMPTZ, summary VARCHAR, payload VARCHAR, raised_at "
            "TIMESTAMPTZ, delivered BOOLEAN NOT NULL, error VARCHAR)"
        )
        skipped = "not raised: it matched before its rule was first run"
        for aid, delivered, error in (
            ("00000000000000a1", True, None),
            ("00000000000000a2", False, "http://127.0.0.1:9/hook: HTTP 500"),
            ("00000000000000a3", True, skipped),
        ):
            store.con.execute(
                "INSERT INTO alerts VALUES (?, 'r', 'w', 'landing', now(), 's', '{}', now(), ?, ?)",
                [aid, delivered, error],
            )
        store.con.execute("DELETE FROM schema_migrations WHERE name = '0015_alert_status'")
    with open_store(db) as store:
        rows = store.con.execute(
            "SELECT alert_id, status, error FROM alerts ORDER BY alert_id"
        ).fetchall()
    assert rows == [
        ("00000000000000a1", "delivered", None),
        ("00000000000000a2", "pending", "http://127.0.0.1:9/hook: HTTP 500"),
        ("00000000000000a3", "skipped", None),
    ]
