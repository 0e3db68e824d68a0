"""Rows from the API (Arrow tables, DataFrames, dicts) as plain JSON values: ids as 16 hex
digits, times as ISO 8601 in UTC with a Z, missing values as null."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import api


def _is_id(key: str) -> bool:
    return key.endswith("_id") or key.endswith("_ids")


def value(v: Any, key: str = "") -> Any:
    if v is None:
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else _iso(v.to_pydatetime())
    if isinstance(v, datetime):
        return _iso(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, np.ndarray | list | tuple):
        return [value(x, key) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, int) and not isinstance(v, bool) and _is_id(key):
        return api.id_hex(v)
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, dict):
        return {k: value(x, k) for k, x in v.items()}
    return v


def _iso(dt: datetime) -> str:
    text = dt.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def rows(data: Any) -> list[dict]:
    """A table, frame or list of dicts as a list of JSON-ready dicts."""
    if isinstance(data, pa.Table):
        data = data.to_pylist()
    elif isinstance(data, pd.DataFrame):
        data = records(data)
    return [{k: value(v, k) for k, v in r.items()} for r in data]


def records(df: pd.DataFrame) -> list[dict]:
    """A frame's rows as dicts for a template: missing values (NaN, NaT) as None."""
    return df.astype(object).where(df.notna(), None).to_dict("records")


def one(row: dict) -> dict:
    return {k: value(v, k) for k, v in row.items()}
