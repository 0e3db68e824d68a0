"""Callsigns: one row per distinct callsign (``callsigns``); positions keep only its key.

A callsign repeats for hours of positions, and DuckDB appends a short-string column several
times slower than an integer one. So ``position_rows`` holds ``callsign_key``, the xxh3-64
hash of the callsign's text, and the view ``positions`` joins the text back.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from .. import schema


def key_of(callsign: str) -> int:
    return xxhash.xxh3_64_intdigest(callsign.encode("utf-8"))


class Callsigns:
    """Keys for callsign columns, each new callsign written to ``callsigns`` once."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None) -> None:
        self.con = con
        self.known: set[int] = set()  # keys this object has written or found stored

    def keys(self, callsigns: pa.Array | pa.ChunkedArray) -> pa.Array:
        """The key of every value (null stays null); new callsigns go to the store first."""
        enc = pc.dictionary_encode(callsigns)
        if isinstance(enc, pa.ChunkedArray):
            enc = enc.combine_chunks() if enc.num_chunks else pa.array([], enc.type)
        values = enc.dictionary
        keys = np.fromiter(
            (key_of(v) for v in values.to_pylist()), dtype=np.uint64, count=len(values)
        )
        new = [i for i, k in enumerate(keys.tolist()) if k not in self.known]
        if new and self.con is not None:
            self._store(pa.table({"callsign_key": keys[new], "callsign": values.take(new)}))
        self.known.update(keys.tolist())
        return pa.array(keys, pa.uint64()).take(enc.indices)

    def store(self, rows: pa.Table) -> None:
        """Write callsigns whose keys were worked out elsewhere (``ingest --jobs``)."""
        self._store(rows)
        self.known.update(rows.column("callsign_key").to_pylist())

    def _store(self, rows: pa.Table) -> None:
        self.con.register("_callsigns", rows.cast(schema.CALLSIGNS))
        try:
            self.con.execute(
                "INSERT INTO callsigns SELECT * FROM _callsigns "
                "WHERE callsign_key NOT IN (SELECT callsign_key FROM callsigns)"
            )
        finally:
            self.con.unregister("_callsigns")
