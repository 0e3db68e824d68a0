"""``spark ingest`` and the inflate cap (``BASEWATCH_MAX_INFLATE``, ``sources.inflate_cap``):
a file or archive member that inflates past the cap is a counted reject on the executors,
as in the embedded ingest, with the driver's cap (the executors' environment may not have
it), and a file stopped at the cap is not inflated again by a re-run while the cap is not
higher.

Needs pyspark and Java, as tests/spark/test_spark.py.
"""

from __future__ import annotations

import os
import shutil

import framing as F
import hostile as H
import pytest
import rows as R

from basewatch import api

pyspark = pytest.importorskip("pyspark") if not os.environ.get("CI") else __import__("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    if os.environ.get("CI"):
        raise RuntimeError("CI: the Spark tests need Java (make test installs it)")
    pytest.skip("no Java runtime", allow_module_level=True)

SNAP_HEAD = b'{"now": 1738700000.0, "aircraft": ['
PLANE = b'{"hex": "abcdef", "lat": 35.4, "lon": 35.9, "alt_baro": 900}'
CAP = 4 << 20


def _inputs(root):
    """A good aircraft.json, the same in a 16 MiB gzip bomb, and a tar.gz whose first member
    is over the cap (its second is a good trace of 250 rows)."""
    F.write(root / "good" / "aircraft.json", SNAP_HEAD + PLANE + b"]}")
    F.write(root / "bomb" / "aircraft.json", H.gzip_bomb(SNAP_HEAD + PLANE, b" ", 16 << 20, b"]}"))
    F.write(root / "day" / "day.tar.gz", H.tar_over_cap())
    return root


def _lake(lake, name):
    return f"read_parquet('{lake}/{name}/**/*.parquet')"


def test_over_the_cap_is_a_reject_as_embedded_and_not_inflated_again(tmp_path, monkeypatch):
    inputs = _inputs(tmp_path / "in")
    monkeypatch.delenv("BASEWATCH_MAX_INFLATE", raising=False)
    # Spark (and its Python workers) started before the cap is set: the executors' environment
    # has no cap, the driver's must reach them all the same
    api.spark_ingest([inputs / "good"], tmp_path / "started", master="local[2]")
    monkeypatch.setenv("BASEWATCH_MAX_INFLATE", "4MiB")
    db = tmp_path / "embedded.duckdb"
    embedded = api.ingest([inputs], db)
    lake = tmp_path / "lake"
    first = api.spark_ingest([inputs], lake, master="local[2]")
    assert first.rows_added == embedded.rows_added == 251
    assert dict(first.rejects) == dict(embedded.rejects) == {"over_inflate_cap": 2}
    assert sorted(first.incomplete) == sorted(embedded.incomplete)
    caps = "SELECT uri, complete, inflate_cap FROM {} WHERE inflate_cap IS NOT NULL"
    bomb = str(inputs / "bomb" / "aircraft.json")
    assert R.sorted_rows(db, caps.format(_lake(lake, "sources"))) == [(bomb, False, CAP)]
    assert R.sorted_rows(db, caps.format("sources")) == [(bomb, False, CAP)]

    again = api.spark_ingest([inputs], lake, master="local[2]")
    # the bomb is not read again, and said so; the good file and the archive (complete: its
    # member over the cap is a reject of its own, as in the embedded ingest) are skipped whole
    assert dict(again.rejects) == {"over_inflate_cap": 1}
    assert again.rows_added == 0 and bomb not in again.incomplete
    said = R.sorted_rows(
        db,
        f"SELECT uri, excerpt FROM {_lake(lake, 'rejects')} "
        f"WHERE run_id = '{again.run_id}' AND uri = '{bomb}'",
    )
    assert len(said) == 1 and "not read again" in said[0][1], said
    emb_again = api.ingest([inputs], db)
    assert dict(emb_again.rejects) == dict(again.rejects)
    assert (emb_again.sources, emb_again.sources_skipped) == (again.sources, again.sources_skipped)

    monkeypatch.setenv("BASEWATCH_MAX_INFLATE", "32MiB")  # a raised cap reads it again
    raised = api.spark_ingest([inputs], lake, master="local[2]")
    assert raised.rejects["over_inflate_cap"] == 0 and bomb not in raised.incomplete
