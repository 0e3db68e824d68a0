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
    ctx = ReadContext(rejects=RejectLog("t"), receiver=(49.0097, 2.5479))
    rows = [(d["timestamp"], d["frame"]) for d in corpus]
    # in batches, so CPR context must carry across them
    batches = [_frames(rows[i : i + 5000]) for i in range(0, len(rows), 5000)]
    out = pa.concat_tables(list(decode_frames(iter(batches), ctx)))
    ref = {}
    for d in rs1090.decode([r[1] for r in rows], [r[0] for r in rows], reference=(49.0097, 2.5479)):
        if "latitude" in d:
            ref[(round(d["timestamp"], 6), d["frame"])] = (d["latitude"], d["longitude"])
    ts = out.column("ts").cast(pa.int64()).to_numpy() / 1e6
    lat, lon = out.column("lat_deg").to_numpy(), out.column("lon_deg").to_numpy()
    key_ts = {round(k[0], 6): v for k, v in ref.items()}
    matched = [key_ts.get(round(t, 6)) for t in ts]
    assert sum(m is not None for m in matched) == len(ts)
    assert len(ts) >= 0.99 * len(ref)
    for (la, lo), a, b in zip([m for m in matched], lat, lon, strict=True):
        assert abs(la - a) < 1e-9 and abs(lo - b) < 1e-9
    assert dict(ctx.rejects.counts) == {"reserved_fs": 1}


def test_batch_boundaries_do_not_lose_positions(corpus):
    """CPR context (airborne and surface pairs per aircraft) is replayed into the next batch."""
    rows = [(d["timestamp"], d["frame"]) for d in corpus]

    def run(size):
        return sorted(_decoded(rows, size)[0].column("ts").cast(pa.int64()).to_pylist())

    whole = run(len(rows))
    assert len(whole) == 8225
    assert run(4096) == whole


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
        # the same surface positions; a taxi row decoded once the aircraft took off may take
        # its callsign and squawk from a message later than itself
        same = [c for c in whole.column_names if c not in ("callsign", "squawk_code")]
        assert cut.filter(on).select(same).equals(whole.filter(ground).select(same)), size
        # airborne pairing across a boundary may gain or lose a position now and then
        assert abs(cut.num_rows - whole.num_rows) <= 0.001 * whole.num_rows


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
