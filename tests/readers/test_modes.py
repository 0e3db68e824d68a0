"""The decoder adapter: CRC-24, Mode A codes and the checks around rs1090."""

import gzip

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import rs1090

from basewatch.readers.base import FRAMES, ReadContext, RejectLog
from basewatch.readers.frames import frame_keys
from basewatch.readers.modes import (
    DecodeParams,
    crc_syndrome,
    decode_frames,
    hex_matrix,
    squawk_from_id13,
)


@pytest.fixture(scope="module")
def corpus(request):
    from basewatch.demo import sample_path

    with gzip.open(sample_path("rs1090_full_flight_short.jsonl.gz"), "rb") as fh:
        return [orjson.loads(line) for line in fh]


def test_crc_clean_squitter_is_zero_and_reply_gives_address():
    es = hex_matrix(pa.array(["8f393322384a02aea63afc43dcba"]), 14)
    assert crc_syndrome(es).tolist() == [0]
    reply = hex_matrix(pa.array(["212800bf40f1ef", "2928080069049e"]), 7)
    assert [f"{a:06x}" for a in crc_syndrome(reply)] == ["393322", "393322"]


def test_crc_detects_every_single_bit_flip():
    frame = bytes.fromhex("8f393322384a02aea63afc43dcba")
    flipped = []
    for bit in range(112):
        b = bytearray(frame)
        b[bit // 8] ^= 0x80 >> (bit % 8)
        flipped.append(b.hex())
    syn = crc_syndrome(hex_matrix(pa.array(flipped), 14))
    assert np.all(syn != 0)


def test_squawk_agrees_with_rs1090_on_every_identity_reply(corpus):
    replies = [d for d in corpus if d["df"] in ("5", "21") and "squawk" in d]
    assert len(replies) > 1000
    ours = []
    for d in replies:
        width = 7 if d["df"] == "5" else 14
        mm = hex_matrix(pa.array([d["frame"][: width * 2]]), width)
        id13 = ((mm[:, 2].astype(np.int64) & 0x1F) << 8) | mm[:, 3]
        ours.append(squawk_from_id13(id13)[0])
    differ = [(d, o) for d, o in zip(replies, ours, strict=True) if d["squawk"] != o]
    # one corrupt reply (flight status 7, unassigned) decodes differently in rs1090; the decoder
    # rejects it as reserved_fs before any squawk is read from it
    assert [d["frame"] for d, _ in differ] == ["afb921a79a54822501c02aa5d9b9"]


def test_reserved_flight_status_is_rejected(corpus):
    rows = [(d["timestamp"], d["frame"]) for d in corpus if d["df"] in ("17", "21")][:20000]
    ctx = ReadContext(rejects=RejectLog("t"), receiver=(49.0097, 2.5479))
    list(decode_frames(iter([_frames(rows)]), ctx))
    assert ctx.rejects.counts["reserved_fs"] == sum(
        1
        for _, f in rows
        if f.startswith("a") and int(f[:2], 16) >> 3 == 21 and int(f[:2], 16) & 7 >= 6
    )


def _frames(rows):
    ts = np.array([r[0] for r in rows], dtype=np.float64)
    return pa.table(
        {"ts": ts, "frame": [r[1] for r in rows], "key": np.arange(len(rows), dtype=np.uint64)},
        schema=FRAMES,
    )


def test_bad_frames_are_rejected_with_reasons(corpus):
    good = [(d["timestamp"], d["frame"]) for d in corpus[:3000]]
    bad_crc = bytearray(bytes.fromhex("8f393322384a02aea63afc43dcba"))
    bad_crc[5] ^= 0x10
    rows = good + [
        (good[-1][0] + 0.1, bad_crc.hex()),
        (good[-1][0] + 0.2, "zz393322384a02aea63afc43dcba"),
        (good[-1][0] + 0.3, "8f3933"),
        (good[-1][0] + 0.4, "c8393322384a02aea63afc43dcba"),  # DF25: Comm-D, not decodable here
        (good[-1][0] + 0.5, "b8393322384a02aea63afc43dcba"),  # DF23: no such downlink format
    ]
    ctx = ReadContext(rejects=RejectLog("t"), receiver=(49.0097, 2.5479))
    out = pa.concat_tables(list(decode_frames(iter([_frames(rows)]), ctx)))
    ref = pa.concat_tables(
        list(
            decode_frames(
                iter([_frames(good)]),
                ReadContext(rejects=RejectLog("t"), receiver=(49.0097, 2.5479)),
            )
        )
    )
    assert out.num_rows == ref.num_rows > 0
    assert ctx.rejects.counts["crc_fail"] == 1
    assert ctx.rejects.counts["bad_frame"] == 2
    assert ctx.rejects.counts["unknown_df"] == 1


def test_positions_agree_with_rs1090_frame_for_frame(corpus):
    """Airborne positions as the capture's own decoder (jet1090, built on rs1090) gave them;
    surface positions as rs1090 decodes them against the receiver."""
    ctx = ReadContext(rejects=RejectLog("t"), receiver=(49.0097, 2.5479))
    rows = [(d["timestamp"], d["frame"]) for d in corpus]
    # in batches, so CPR state must carry across them
    batches = [_frames(rows[i : i + 5000]) for i in range(0, len(rows), 5000)]
    out = pa.concat_tables(list(decode_frames(iter(batches), ctx)))
    air = {}
    for d in corpus:
        if d.get("bds") == "05" and d.get("latitude") is not None:
            air.setdefault(round(d["timestamp"], 6), (d["latitude"], d["longitude"]))
    ground = {}
    for d in rs1090.decode([r[1] for r in rows], [r[0] for r in rows], reference=(49.0097, 2.5479)):
        if "latitude" in d and d["bds"] == "06":
            ground[round(d["timestamp"], 6)] = (d["latitude"], d["longitude"])
    ts = out.column("ts").cast(pa.int64()).to_numpy() / 1e6
    lat, lon = out.column("lat_deg").to_numpy(), out.column("lon_deg").to_numpy()
    on = out.column("on_ground").to_pylist()
    for want, surface in ((air, False), (ground, True)):
        sel = [i for i, g in enumerate(on) if g is surface]
        matched = [want.get(round(ts[i], 6)) for i in sel]
        assert sum(m is not None for m in matched) == len(sel)
        assert len(sel) >= 0.99 * len(want)
        for m, i in zip(matched, sel, strict=True):
            assert abs(m[0] - lat[i]) < 1e-9 and abs(m[1] - lon[i]) < 1e-9
    assert dict(ctx.rejects.counts) == {"reserved_fs": 1}


def _beast(rows, t0):
    """Beast bytes of ``(ts, hex frame)`` rows, the 12 MHz counter from ``t0``."""
    out = bytearray()
    for t, f in rows:
        body = round((t - t0) * 12e6).to_bytes(6, "big") + b"\x80" + bytes.fromhex(f)
        out += b"\x1a" + (b"\x33" if len(f) == 28 else b"\x32") + body.replace(b"\x1a", b"\x1a\x1a")
    return bytes(out)


@pytest.fixture(scope="module")
def long_stream(corpus, tmp_path_factory):
    """115,586 frames read from a Beast capture: the flight, and the same flight a day later."""
    from pathlib import Path

    from basewatch.readers.base import Source
    from basewatch.readers.beast import read_beast

    rows = [(d["timestamp"], d["frame"]) for d in corpus]
    rows += [(t + 86400.0, f) for t, f in rows]
    path = Path(tmp_path_factory.mktemp("beast")) / "two_days.beast"
    path.write_bytes(_beast(rows, rows[0][0]))
    ctx = ReadContext(rejects=RejectLog("t"), start_ts=rows[0][0])
    frames = pa.concat_tables(list(read_beast(Source(uri=str(path), path=path), ctx)))
    assert frames.num_rows == len(rows) > 65_536
    return frames


def _in_batches(frames, size, decode_rows):
    ctx = ReadContext(rejects=RejectLog("t"), receiver=(49.0097, 2.5479))
    batches = [frames.slice(i, size) for i in range(0, frames.num_rows, size)]
    out = pa.concat_tables(
        list(decode_frames(iter(batches), ctx, DecodeParams(decode_rows=decode_rows)))
    )
    order = [(c, "ascending") for c in ("icao24", "ts", "lat_deg", "lon_deg", "on_ground")]
    return out.sort_by(order), ctx


def test_positions_do_not_depend_on_the_batches(long_stream):
    """A decode batch of 65,536 frames or more lost positions (2.3 % of a soak feed's), and so
    did any batch longer than the gaps in an aircraft's messages: rs1090 pairs CPR halves and
    keeps references within one call, so where a call began decided which positions came out.
    Now the decoder keeps that state itself: every batch size gives the same rows, every
    column, and the same rejects."""
    whole, ctx = _in_batches(long_stream, long_stream.num_rows, long_stream.num_rows)
    assert whole.num_rows == 2 * 8318
    sizes = ((65_536, 65_536), (65_535, 65_535), (65_537, 8_192), (1_000, 1_000))
    runs = {size: _in_batches(long_stream, size, rows) for size, rows in sizes}
    assert [size for size, (got, _) in runs.items() if not got.equals(whole)] == []
    for _, c in runs.values():
        assert c.rejects.counts == ctx.rejects.counts
        assert c.counters == ctx.counters


def _decoded(rows, size, params=None):
    """Positions decoded in batches of ``size`` frames, in time order."""
    ctx = ReadContext(rejects=RejectLog("t"), receiver=(49.0097, 2.5479))
    keyed = _frames(rows)
    ts = keyed.column("ts").to_numpy()
    keyed = keyed.set_column(2, "key", pa.array(frame_keys([r[1] for r in rows], ts)))
    batches = [keyed.slice(i, size) for i in range(0, len(rows), size)]
    out = pa.concat_tables(list(decode_frames(iter(batches), ctx, params or DecodeParams())))
    return out.sort_by(
        [("ts", "ascending"), ("icao24", "ascending"), ("lat_deg", "ascending")]
    ), ctx


def test_surface_positions_do_not_depend_on_where_batches_begin(corpus):
    """The flight lands 330 NM from the receiver given: rs1090 decodes its surface positions
    right only while one call holds the landing (its reference moves to the low aircraft), so
    after a batch boundary they came out 6° north and were rejected as impossible jumps. The
    adapter decodes them against the aircraft's own last airborne position instead."""
    rows = [(d["timestamp"], d["frame"]) for d in corpus]
    whole, _ = _decoded(rows, len(rows))
    ground = pc.equal(whole.column("on_ground"), True)
    assert pc.sum(ground).as_py() == 1867
    # at Toulouse-Blagnac after the landing, at Paris-CDG before the take-off
    lat = whole.column("lat_deg").filter(ground).to_numpy()
    assert ((np.abs(lat - 43.63) < 0.05) | (np.abs(lat - 49.0) < 0.05)).all()
    for size in (97, 500, 2048):
        cut, ctx = _decoded(rows, size, DecodeParams(decode_rows=size))
        assert ctx.rejects.counts.get("impossible_speed", 0) == 0
        on = pc.equal(cut.column("on_ground"), True)
        assert cut.filter(on).equals(whole.filter(ground)), size
        assert cut.equals(whole), size


def test_surface_decoding_agrees_with_the_cpr_reference_formulas():
    """Local surface decoding: the reference picks the zone, within 45 NM either way."""
    from basewatch.readers.modes import cpr_nl, surface_positions

    # the zone-count table of the CPR spec, either side of some of its edges
    lats = [0.0, 10.47, 10.48, 44.19, 44.2, 86.0, 86.9, 87.0, 88.0, -44.2]
    assert cpr_nl(np.array(lats)).tolist() == [59, 59, 58, 43, 42, 3, 2, 2, 1, 42]
    # one surface message decoded by rs1090 against two references 40 NM apart
    frame = "8c4841753a9a153237aef0f275be"
    d = rs1090.decode(frame)
    for ref in ((51.99, 4.375), (52.6, 4.6)):
        want = rs1090.decode(frame, reference=ref)
        lat, lon = surface_positions(
            np.array([d["lat_cpr"]]),
            np.array([d["lon_cpr"]]),
            np.array([d["parity"] == "odd"]),
            np.array([ref[0]]),
            np.array([ref[1]]),
        )
        assert abs(lat[0] - want["latitude"]) < 1e-9 and abs(lon[0] - want["longitude"]) < 1e-9
    # near the antimeridian the longitude stays within ±180°
    _, lon = surface_positions(
        np.array([d["lat_cpr"]] * 2),
        np.array([d["lon_cpr"]] * 2),
        np.array([False, True]),
        np.array([52.0, 52.0]),
        np.array([179.99, -179.99]),
    )
    assert ((lon >= -180) & (lon < 180)).all()
