"""The compiled trace scan against the general orjson path: same tables, same rejects.

Each case runs the bytes of a trace file through both paths of ``readsb.trace_bytes_to_table``
and compares everything a reader hands on: the table, the reject rows, the aircraft rows and
whether the source was read whole. Where the scan declines a file (exponents, escapes, cut
content...), the result must still be the orjson path's, and ``accepts`` says which path ran.
"""

from __future__ import annotations

import gzip
import json

import framing as F
import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basewatch import api
from basewatch.readers import readsb, trace_scan
from basewatch.readers.base import ReadContext, RejectLog

TRACE = "trace_full_ac671b.json"


def both(data: bytes) -> tuple:
    """(fast result, general result); each: table, rejects, aircraft, complete."""
    out = []
    for fast in (True, False):
        ctx = ReadContext(rejects=RejectLog("run"))
        table = readsb.trace_bytes_to_table(data, ctx, "mem", fast=fast)
        rejects = [(r["reason"], r["location"], r["excerpt"], r["n"]) for r in ctx.rejects.rows]
        out.append((table, rejects, ctx.aircraft, ctx.complete))
    return out[0], out[1]


def same(data: bytes) -> None:
    (t1, *rest1), (t2, *rest2) = both(data)
    assert (t1 is None) == (t2 is None)
    if t1 is not None:
        assert t1.schema == t2.schema
        assert t1.equals(t2), _first_diff(t1, t2)
    assert rest1 == rest2


def _first_diff(a, b) -> str:
    for name in a.column_names:
        x, y = a.column(name).to_pylist(), b.column(name).to_pylist()
        if x != y:
            i = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), None)
            return f"{name}: row {i}: {x[i] if i is not None else len(x)} != {y[i] if i is not None else len(y)}"
    return "?"


def accepts(data: bytes) -> bool:
    ctx = ReadContext(rejects=RejectLog("run"))
    return readsb.scanned_trace_to_table(data, ctx, "mem")[0]


def doc_bytes(trace: list, **header) -> bytes:
    doc = {"icao": "ac671b", "r": "N899DN", "t": "B739", "timestamp": 1738703622.619}
    doc.update(header)
    doc["trace"] = trace
    return json.dumps(doc).encode()


ROW = [
    0.0,
    16.777359,
    -88.036868,
    32000,
    478.6,
    327.8,
    1,
    0,
    None,
    "adsb_icao",
    33825,
    32,
    280,
    0.0,
]


def rows(*changes: tuple[int, int, object], n: int = 5) -> list:
    out = []
    for k in range(n):
        r = list(ROW)
        r[0] = 2.5 * k
        r[1] = round(r[1] + 0.01 * k, 6)
        out.append(r)
    for i, j, v in changes:
        out[i][j] = v
    return out


# --- the shipped sample ---------------------------------------------------------------------------


def test_shipped_sample_same_table(samples):
    data = samples(TRACE).read_bytes()
    assert accepts(data)
    fast, general = both(data)
    assert fast[0].num_rows == 2500
    same(data)


def test_shipped_sample_compact_and_indented(samples):
    doc = orjson.loads(samples(TRACE).read_bytes())
    for data in (orjson.dumps(doc), json.dumps(doc, indent=3).encode()):
        assert accepts(data)
        same(data)


def test_scan_columns_of_sample(samples):
    """The scan alone, checked against rows parsed by the standard library."""
    data = samples(TRACE).read_bytes()
    want = json.loads(data)["trace"]
    sc = trace_scan.scan_trace(data)
    assert sc is not None and sc.n == len(want)
    for k, col in trace_scan.NUM_FIELDS.items():
        if k == 3:
            continue
        got = sc.num[col].tolist()
        exp = [float("nan") if r[k] is None else float(r[k]) for r in want]
        assert [g if g == g else None for g in got] == [e if e == e else None for e in exp], k
    assert sc.ground.tolist() == [r[3] == "ground" for r in want]
    alts = [None if v != v else v for v in sc.num[trace_scan.ALT].tolist()]
    assert alts == [None if r[3] in (None, "ground") else float(r[3]) for r in want]
    assert [data[a:b] for a, b in sc.row_at[:3].tolist()] == [
        json.dumps(r, separators=(",", ":")).encode() for r in want[:3]
    ] or all(json.loads(data[a:b]) == r for (a, b), r in zip(sc.row_at.tolist(), want, strict=True))


# --- accepted variations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "trace",
    [
        rows((1, 3, "ground"), (2, 3, "ground"), (2, 4, None)),  # ground altitudes
        rows((0, 3, None), (1, 4, None), (1, 5, None), (2, 7, None), (3, 10, None), (4, 6, None)),
        rows((2, 1, None)),  # a row without latitude: rejected as bad_position
        rows((3, 1, 91.5), (4, 2, -181)),  # out of range
        rows((1, 6, 2), (2, 6, 8), (3, 6, 10), (4, 6, 15)),  # leg and geometric altitude flags
        [r + ["extra", {"a": [1, {"b": None}]}, [], {}] for r in rows()],  # extra fields
        [r[:6] for r in rows()],  # only the six leading fields
        [r[:9] for r in rows()] + [r[:6] for r in rows()],  # rows of differing widths
        rows(
            (0, 8, {"flight": "RCH123  ", "squawk": "7700", "nested": {"x": [1, 2, {"y": "z"}]}}),
            (2, 8, {"flight": "   ", "squawk": None}),  # blank and null keep what was carried
            (3, 8, {"flight": "RCH124", "flight2": "x"}),
            (4, 8, {}),
        ),
        rows((1, 8, {"flight": "A", "flight": "B"})),  # noqa: F601 (json keeps one)
        rows((0, 0, -0.0), (0, 1, -0.0), (0, 2, 0)),
        rows((1, 1, 12.3456789012345), (2, 2, -0.001), (3, 4, 123456789012345)),
        rows((1, 3, -1200), (2, 3, 45000.5), (3, 7, -64)),
        [],
    ],
)
def test_accepted_variations_same(trace):
    data = doc_bytes(trace)
    assert accepts(data)
    same(data)


def test_header_variations_same():
    for data in (
        doc_bytes(rows(), icao="~2a0001"),  # non-ICAO address: rejected
        doc_bytes(rows(), icao="AC671B"),  # upper case
        doc_bytes(rows(), timestamp=None),  # no base time
        doc_bytes(rows(), dbFlags=1, desc="BOEING 737-900", year=2018),
        b'{"trace": ' + json.dumps(rows()).encode() + b', "icao": "ac671b", "timestamp": 1.5}',
    ):
        same(data)


# --- declined: the general path decides -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"icao":"ac671b","timestamp":1,"trace":[[1e3,1,2,3,4,5,0,0]]}',  # exponent
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1.12345678901234567,2,3,4,5,0,0]]}',
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,3,4,5,0,0,{"flight":"A\\u0042C"}]]}',
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,"12000",4,5,0,0]]}',  # a string altitude
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,true,4,5,0,0]]}',
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,3,4,5,0,0,7]]}',  # details not an object
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,3,4],[1,1,2,3,4,5]]}',  # a short row
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,3,4,5],null,7]}',
        '{"icao":"ac671b","timestamp":1,"trace":[[01,1,2,3,4,5]]}',  # not JSON
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,3,4,5],]}',
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,3,4,5]]',
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,3,4,5]]} x',
        '{"icao":"ac671b","timestamp":1,"trace":{"a":1}}',
        '{"icao":"ac671b","timestamp":1,"x":{"trace":[[1,1,2,3,4,5]]},"trace":[]}',
        '{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,3,4,5]],"trace":[[2,1,2,3,4,5]]}',
        '[{"icao":"ac671b","timestamp":1,"trace":[[1,1,2,3,4,5]]}]',
        '{"icao":"ac671b","timestamp":1,"tracer":[]}',
    ],
)
def test_declined_same(text):
    data = text.encode()
    assert not accepts(data)
    same(data)


def test_non_ascii_callsign_declined_same():
    data = doc_bytes(rows((0, 8, {"flight": "ÆØÅ123"})))
    data = data.replace(b"\\u00c6\\u00d8\\u00c5", "ÆØÅ".encode())
    assert not accepts(data)
    same(data)


def test_truncated_same(samples):
    raw = samples(TRACE).read_bytes()
    for cut in (10, 200, len(raw) // 3, len(raw) // 2 + 17, len(raw) - 50):
        data = raw[:cut]
        assert not accepts(data)
        same(data)
    # cut after the array, before the closing brace: declined too, then salvaged
    data = raw.rstrip()[:-1]
    assert not accepts(data)
    same(data)


# --- property: generated trace files ----------------------------------------------------------------

# mostly what readsb writes (fixed decimals), now and then what the scan leaves to orjson
# (full-precision doubles, which JSON writers may print with exponents)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _plain(v: float) -> bool:  # printed without an exponent by json and orjson
    return v == 0 or abs(v) >= 1e-4


coord = st.one_of(
    st.integers(-200, 200), st.decimals(-200, 200, places=6).map(float).filter(_plain)
)
number = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.decimals(-(10**5), 10**5, places=3, allow_nan=False).map(float).filter(_plain),
)
# values the scan leaves to orjson: doubles printed in full or with exponents, escapes, ...
exotic = st.one_of(
    finite,
    st.floats(-200, 200, allow_nan=False),
    st.booleans(),
    st.text(max_size=4),
    st.fixed_dictionaries({"flight": st.text(max_size=8)}),
    st.lists(st.integers(), max_size=2),
)
text = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126, exclude_characters='"\\'),
    max_size=10,
)
details = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "flight": st.one_of(st.none(), text, st.sampled_from(["DAL1812 ", "  ", "RCH1"])),
            "squawk": st.one_of(st.none(), text, st.sampled_from(["7700", "4637"])),
            "alt_geom": number,
            "other": st.recursive(
                st.one_of(st.none(), st.booleans(), number, text),
                lambda inner: (
                    st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3)
                ),
                max_leaves=6,
            ),
        },
    ),
)


@st.composite
def trace_row(draw):
    row = [
        draw(st.one_of(st.decimals(0, 86400, places=2).map(float), number)),
        draw(coord),
        draw(coord),
        draw(st.one_of(number, st.just("ground"))),
        draw(number),
        draw(number),
        draw(st.one_of(st.none(), st.integers(0, 15))),
        draw(number),
        draw(details),
        draw(st.one_of(st.none(), st.sampled_from(["adsb_icao", "mlat", "tisb_icao"]))),
        draw(number),
        draw(number),
        draw(number),
        draw(number),
    ]
    width = draw(st.sampled_from([6, 8, 9, 11, 14, 14, 14, 16]))
    return (row + [None, "x"])[:width]


@st.composite
def trace_file(draw, odd: bool):
    """A trace file as readsb writes them; ``odd``: with an odd value, maybe cut short."""
    trace = draw(st.lists(trace_row(), max_size=30))
    if odd and trace:  # one odd value somewhere
        row = draw(st.sampled_from(trace))
        row[draw(st.integers(0, len(row) - 1))] = draw(exotic)
    doc = {
        "icao": draw(st.sampled_from(["ac671b", "4ca9f0", "~2a0001", "AC671B"])),
        "timestamp": draw(
            st.one_of(st.floats(1.6e9, 1.8e9), st.integers(1_600_000_000, 1_800_000_000))
        ),
        "trace": trace,
    }
    if draw(st.booleans()):
        doc["r"] = draw(text)
    style = draw(st.sampled_from(["compact", "spaced", "indent"]))
    if style == "compact":
        data = json.dumps(doc, separators=(",", ":")).encode()
    elif style == "spaced":
        data = json.dumps(doc).encode()
    else:
        data = json.dumps(doc, indent=2).encode()
    if odd and draw(st.booleans()):  # cut somewhere
        data = data[: draw(st.integers(0, len(data)))]
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trace_file(odd=False))
def test_generated_trace_files_scanned_same(data):
    assert accepts(data)
    same(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trace_file(odd=True))
def test_generated_odd_trace_files_same(data):
    same(data)


# --- gzip content ----------------------------------------------------------------------------------


def test_gzip_in_two_members_same_as_plain(db, tmp_path, samples):
    """One whole member is inflated in memory; anything else streams: same rows either way."""
    raw = samples(TRACE).read_bytes()
    half = len(raw) // 2
    assert readsb._whole(gzip.compress(raw)) == raw
    two = gzip.compress(raw[:half]) + gzip.compress(raw[half:])
    assert readsb._whole(two) is None
    path = F.write(tmp_path / "trace_full_ac671b.json", two)
    report = api.ingest([path], db=db)
    assert (report.rows_added, dict(report.rejects)) == (2500, {})
    plain = tmp_path / "plain.duckdb"
    api.ingest([samples(TRACE)], db=plain)
    cols = "* EXCLUDE (source_id) FROM positions ORDER BY ts"
    assert F.query(db, f"SELECT {cols}") == F.query(plain, f"SELECT {cols}")


# --- the typed columns: a scan whose rows are all valid skips the numpy path ------------------------

lat_ok = st.one_of(st.integers(-90, 90), st.decimals(-90, 90, places=6).map(float).filter(_plain))
lon_ok = st.one_of(
    st.integers(-180, 180), st.decimals(-180, 180, places=6).map(float).filter(_plain)
)


@st.composite
def valid_trace(draw):
    rows = []
    for _ in range(draw(st.integers(1, 30))):
        row = draw(trace_row())
        row[0] = draw(st.decimals(-100, 86400, places=2).map(float))
        row[1], row[2] = draw(lat_ok), draw(lon_ok)
        rows.append(row)
    doc = {"icao": "ac671b", "timestamp": draw(st.floats(1.6e9, 1.8e9)), "trace": rows}
    return json.dumps(doc).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_trace())
def test_typed_columns_same_as_numpy_path(data):
    sc = trace_scan.scan_trace(data)
    assert sc is not None
    base = orjson.loads(data)["timestamp"]
    assert trace_scan.typed_columns(sc, base) is not None
    same(data)


@pytest.mark.parametrize(
    "row",
    [
        [1.0, 91.0, 2.0, 100, 1, 2, 0, 0],  # a row to reject
        [1.0, 1.0, 2.0, 3000000000, 1, 2, 0, 0],  # an altitude past int32
        [999999999999999, 1.0, 2.0, 100, 1, 2, 0, 0],  # a time past int64 microseconds
    ],
)
def test_typed_columns_leave_odd_rows_to_numpy_path(row):
    doc = {"icao": "ac671b", "timestamp": 1.7e9, "trace": [[0, 1.5, 2.5, 100, 1, 2, 0, 0], row]}
    data = json.dumps(doc).encode()
    sc = trace_scan.scan_trace(data)
    assert sc is not None and trace_scan.typed_columns(sc, 1.7e9) is None
    same(data)


def test_span_strings():
    data = b'xx"RCH1"  "7700" "DAL1812"'
    spans = np.array([[3, 7], [3, 7], [-1, -1], [11, 15], [-1, -1], [18, 25], [3, 3]])
    expected = [None if s < 0 else data[s:e].decode() for s, e in spans.tolist()]
    arr = readsb._span_strings(data, spans)
    arr.validate(full=True)
    assert arr.to_pylist() == expected
    assert readsb._span_strings(data, spans[[0, 3]]).null_count == 0
    assert readsb._span_strings(data, spans[:0]).to_pylist() == []
