"""Position ids: the compiled pass gives exactly the numbers of the numpy definition."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from basewatch import schema
from basewatch.readers.ids import position_ids


def reference(t: pa.Table) -> list[int]:
    return schema.position_ids(
        t.column("icao24"), t.column("ts"), t.column("lat_deg"), t.column("lon_deg"),
        t.column("alt_baro_ft"),
    ).to_pylist()  # fmt: skip


def table(icao, ts_us, lat, lon, alt) -> pa.Table:
    return pa.table(
        {
            "icao24": pa.array(icao, pa.string()),
            "ts": pa.array(np.asarray(ts_us, np.int64), pa.int64()).cast(schema.UTC_US),
            "lat_deg": pa.array(lat, pa.float64()),
            "lon_deg": pa.array(lon, pa.float64()),
            "alt_baro_ft": pa.array(alt, pa.int32()),
        }
    )


def test_known_ids_stay_the_same():
    # written down once from the numpy definition: stored ids must never change (last
    # changed when ids came to hash the second instead of the microsecond)
    t = pa.table(
        {
            "icao24": ["ac671b", "4b1805"],
            "ts": pa.array(
                [
                    datetime(2025, 2, 4, 21, 13, 42, 619000, tzinfo=UTC),
                    datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
                ],
                schema.UTC_US,
            ),
            "lat_deg": [16.777359, -33.5],
            "lon_deg": [-88.036868, 151.25],
            "alt_baro_ft": pa.array([32000, None], pa.int32()),
        }
    )
    expected = [7412641195905745575, 12224965640243010866]
    assert reference(t) == expected
    assert position_ids(t).to_pylist() == expected


def test_random_rows_match_the_reference():
    rng = np.random.default_rng(11)
    n = 50_000
    icao = [f"{v:06x}" for v in rng.integers(0, 1 << 24, n)]
    icao[:100] = [s.upper() for s in icao[:100]]  # readers lower-case, but the hash must not care
    ts = rng.integers(-(10**15), 4 * 10**15, n)
    lat = rng.uniform(-90, 90, n)
    lon = rng.uniform(-180, 180, n)
    # values exactly half a micro-degree: numpy rounds half to even, so must the kernel
    lat[:1000] = (rng.integers(-90_000_000, 90_000_000, 1000) + 0.5) / 1e6
    lon[1000:2000] = np.array([0.5, 1.5, 2.5, -0.5, -1.5] * 200) / 1e6
    alt = rng.integers(-2000, 60000, n).astype(object)
    alt[rng.random(n) < 0.2] = None
    t = table(icao, ts, lat, lon, list(alt))
    assert position_ids(t).to_pylist() == reference(t)
    # many chunks and a sliced table read from the right offsets
    chunked = pa.concat_tables([t.slice(i, 7_000) for i in range(0, n, 7_000)])
    assert position_ids(chunked).to_pylist() == reference(t)
    assert position_ids(t.slice(123, 999)).to_pylist() == reference(t)[123 : 123 + 999]


@pytest.mark.parametrize(
    "icao, lat",
    [
        (["abc", "abcdef"], [1.0, 2.0]),  # unequal lengths
        (["abcdeg", "abcdef"], [1.0, 2.0]),  # not a hex digit
        (["abcdef", "abcdef"], [float("nan"), 2.0]),  # a coordinate numpy casts its own way
        (["abcdef", "abcdef"], [1e300, 2.0]),
    ],
)
def test_odd_rows_take_the_reference_path(icao, lat):
    t = table(icao, [0, 1], lat, [3.0, 4.0], [100, None])
    with np.errstate(invalid="ignore"):
        assert position_ids(t).to_pylist() == reference(t)


def test_empty():
    assert position_ids(table([], [], [], [], [])).to_pylist() == []
