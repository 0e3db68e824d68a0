"""Position ids in one compiled pass: the same numbers as ``schema.position_ids``.

``schema.position_ids`` states what a position id is (a splitmix64 chain over the address, the
time in microseconds, latitude and longitude in micro-degrees and the barometric altitude)
with whole-array numpy steps: about twenty passes over the batch and as many temporaries.
The writer needs an id for every row it sees, so here the same chain runs once per row,
reading the address straight from the Arrow string buffers. Anything outside the common
case (addresses of unequal length, nulls, characters that are not hex digits) goes to the
numpy definition, which stays the reference; the tests hold the two equal.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit

from .. import ids, schema

_GOLDEN = ids.GOLDEN
_NULL_ALT = -99999  # what schema.position_ids puts in place of a missing altitude
_LIMIT = 2.0**63  # micro-degrees past this (or NaN) are left to numpy, whose cast is platform's
_mix = ids.mix_nb


@njit(cache=True)
def _ids(data, offsets, ts, lat, lon, alt, out, address):
    """Fill ``out`` and ``address`` (the address as a number); False (both unfinished) for an
    address that is not plain hex or a coordinate numpy would have to cast from NaN, ±inf or
    past int64."""
    width = offsets[1] - offsets[0]
    if width < 1 or width > 16:
        return False
    for i in range(out.shape[0]):
        a = offsets[i]
        if offsets[i + 1] - a != width:
            return False
        icao = np.uint64(0)
        for j in range(width):
            c = data[a + j]
            if 48 <= c <= 57:
                d = c - 48
            elif 97 <= c <= 102:
                d = c - 87
            elif 65 <= c <= 70:
                d = c - 55
            else:
                return False
            icao = (icao << np.uint64(4)) | np.uint64(d)
        address[i] = icao
        y = np.rint(lat[i] * 1e6)  # half to even, as np.round
        x = np.rint(lon[i] * 1e6)
        if not (-_LIMIT <= y < _LIMIT and -_LIMIT <= x < _LIMIT):
            return False
        h = _mix(icao + _GOLDEN)
        h = _mix(h ^ np.uint64(ts[i]))
        h = _mix(h ^ np.uint64(np.int64(y)))
        h = _mix(h ^ np.uint64(np.int64(x)))
        out[i] = _mix(h ^ np.uint64(np.int64(alt[i])))
    return True


def position_ids(table: pa.Table) -> pa.Array:
    """The ``position_id`` of every row of a READER_POSITIONS table."""
    return ids_and_addresses(table)[0]


def ids_and_addresses(table: pa.Table) -> tuple[pa.Array, np.ndarray]:
    """The ``position_id`` of every row of a READER_POSITIONS table, and its address as the
    integer ``position_rows.icao`` stores (read in the same pass)."""
    icao = table.column("icao24").combine_chunks()
    ts = table.column("ts").combine_chunks().cast(pa.int64()).to_numpy(zero_copy_only=False)
    lat = table.column("lat_deg").to_numpy()
    lon = table.column("lon_deg").to_numpy()
    alt = table.column("alt_baro_ft").fill_null(_NULL_ALT).to_numpy()
    n = table.num_rows
    out = np.empty(n, np.uint64)
    address = np.empty(n, np.uint32)
    if n and not icao.null_count and icao.type == pa.string():
        offsets = np.frombuffer(icao.buffers()[1], np.int32)[icao.offset : icao.offset + n + 1]
        data = np.frombuffer(icao.buffers()[2], np.uint8)
        if _ids(data, offsets, ts, lat, lon, alt, out, address):
            return pa.array(out, pa.uint64()), address
    return schema.position_ids(
        table.column("icao24"),
        table.column("ts"),
        table.column("lat_deg"),
        table.column("lon_deg"),
        table.column("alt_baro_ft"),
    ), schema.hex_to_u64(icao).astype(np.uint32)
