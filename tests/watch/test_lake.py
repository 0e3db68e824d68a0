"""The Parquet lake: a store written out and attached to another store gives the same tables,
and watch, changes and brief give the same answers on it."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
import rows as R

import basewatch as bw
from basewatch import api, lake
from basewatch.errors import StoreError

TABLES = ("flights", "airfield_events", "positions", "data_windows", "sources", "callsigns")


@pytest.fixture(scope="module")
def attached(demo_store, tmp_path_factory):
    db, _ = demo_store
    work = tmp_path_factory.mktemp("lake")
    counts = api.write_lake(work / "lake", db)
    other = work / "attached.duckdb"
    shown = api.attach(work / "lake", other)
    return db, work / "lake", other, counts, shown


def test_lake_layout_and_types(attached):
    db, root, _, counts, shown = attached
    assert counts == shown and counts["positions"] > 100_000 and counts["flights"] > 100
    days = sorted(p.name for p in (root / "positions").iterdir())
    assert days[0].startswith("day=2025-") and len(days) > 200
    # no unsigned integers in the files: Spark reads them as they are
    sch = pq.read_schema(next((root / "positions").rglob("*.parquet")))
    assert str(sch.field("position_id").type) == "int64"
    assert sch.field("position_id").type == lake.lake_schema("positions").field("position_id").type


@pytest.mark.parametrize("table", TABLES)
def test_attached_tables_equal_the_store(attached, table):
    db, _, other, *_ = attached
    n, differing = R.differing_rows(db, other, table)
    assert n > 0 and differing == 0


def test_watch_changes_brief_on_an_attached_lake(attached):
    db, _, other, *_ = attached
    bw.watch(other)
    assert (
        bw.changes(other)
        .drop(columns=["detector"])
        .equals(bw.changes(db).drop(columns=["detector"]))
    )
    assert len(bw.changes(other)) > 0
    # the air-traffic part of the brief is the same; news stays in the store that read it
    mine = bw.brief(other, watch="oslk-russian-state").split("\n\n")
    theirs = bw.brief(db, watch="oslk-russian-state").split("\n\n")
    assert mine[:2] == theirs[:2] and "resum" in mine[1]


def test_attach_refuses_a_store_with_positions(attached, tmp_path):
    db, root, *_ = attached
    with pytest.raises(StoreError, match="positions of its own"):
        api.attach(root, db)
