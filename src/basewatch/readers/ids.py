"""Position ids in one compiled pass: the same numbers as ``schema.position_ids``.

What "the same report" means. Two position rows are one report, stored once, when they have
the same aircraft (address), the same position (latitude and longitude to the micro-degree and
barometric altitude to the foot, or both without one) and times within ``SAME_WITHIN_S`` of
each other: an ``aircraft.json`` snapshot states ``now`` and ``seen_pos`` to 0.1 s each, so one
report seen in two snapshots comes out up to 0.2 s apart; a Beast capture and the JSON lines
decoded from it agree to the microsecond, and a receiver that hears one frame twice (multipath,
two antennas) gives it twice within microseconds. Rows a second or more apart are always
distinct: a feed that repeats the last position with newer speed or track (OpenSky state
vectors, ``traffic`` tables) keeps every row.

The id hashes the time's whole second (``ID_SECONDS``) instead of the time, so one report's
rows share it unless they straddle a second: each row also has the id it would have in the
second on the nearer side (``neighbour_ids``), and the writer drops a row whose neighbour id
belongs to an earlier row less than ``SAME_WITHIN_S`` away. Between 0.5 s and 1 s apart, rows
in one second share an id and are one report; across a second's edge they are two.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit

from .. import ids, schema

_GOLDEN = ids.GOLDEN
_NULL_ALT = -99999  # what schema.position_ids puts in place of a missing altitude
_LIMIT = 2.0**63  # micro-degrees past this (or NaN) are left to numpy, whose cast is platform's
ID_SECONDS = schema.POSITION_ID_SECONDS  # the time bucket an id hashes
SAME_WITHIN_S = 0.5  # half the bucket: every row has one nearer edge
_BUCKET_US = np.int64(ID_SECONDS * 1_000_000)
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
        h = _mix(h ^ np.uint64(ts[i] // _BUCKET_US))
        h = _mix(h ^ np.uint64(np.int64(y)))
        h = _mix(h ^ np.uint64(np.int64(x)))
        out[i] = _mix(h ^ np.uint64(np.int64(alt[i])))
    return True


def neighbour_ids(
    icao: np.ndarray, ts_us: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray
) -> np.ndarray:
    """The id each row would have in the bucket across its nearer edge (stored columns:
    address as an integer, time in microseconds, altitude with nulls as ``_NULL_ALT``)."""
    ts_us = np.asarray(ts_us, np.int64)
    step = np.where(ts_us % _BUCKET_US < _BUCKET_US // 2, -1, 1)
    moved = ts_us + step * _BUCKET_US
    return schema.position_ids_stored(icao, moved, lat, lon, alt).to_numpy()


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
