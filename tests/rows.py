"""Test-side helpers for comparing stored rows with expected ones, and querying the store."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from basewatch import api
from basewatch.store import open_store


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with open_store(db, read_only=True) as store:
        return store.con.execute(sql, params or []).fetchall()


def sorted_rows(db: Path, sql: str) -> list[tuple]:
    """Rows of a query in a fixed order, for comparing two stores (or a store and a lake)."""
    return sorted(query(db, sql), key=repr)


def differing_rows(db: Path, other: Path, table: str) -> tuple[int, int]:
    """(rows of ``table`` in ``db``, rows in one store and not the other, duplicates counted):
    the comparison runs inside DuckDB, so a table of millions of rows costs seconds."""
    with open_store(db, read_only=True) as store:
        con = store.con
        con.execute(f"ATTACH '{other}' AS other (READ_ONLY)")
        try:
            mine, theirs = f"SELECT * FROM {table}", f"SELECT * FROM other.{table}"
            n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            diff = con.execute(
                f"SELECT count(*) FROM (({mine} EXCEPT ALL {theirs}) "
                f"UNION ALL ({theirs} EXCEPT ALL {mine}))"
            ).fetchone()[0]
        finally:
            con.execute("DETACH other")
    return n, diff


def at(hms: str, day: str = "2025-10-24") -> pd.Timestamp:
    return pd.Timestamp(f"{day}T{hms}Z")


def expected(rows: list[tuple], columns: list[str]) -> list[dict]:
    """Rows written as (icao24, "HH:MM:SS", *rest) → records keyed by ``columns``."""
    return [dict(zip(columns, (r[0], at(r[1]), *r[2:]), strict=True)) for r in rows]


def stored(db: Path, columns: list[str]) -> list[dict]:
    """api.positions as plain records (NaN and None both as None), ordered by aircraft, time."""
    df = api.positions(db=db)[columns]
    out = []
    for rec in df.to_dict("records"):
        clean = {}
        for k, v in rec.items():
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                v = None
            elif isinstance(v, np.generic):
                v = v.item()
            clean[k] = v
        out.append(clean)
    return out
