"""Per-aircraft decoder state expires: a feed that hears new aircraft every hour for days keeps
state for the last hours' aircraft only, and decodes exactly what a decoder that forgets
nothing decodes (an aircraft is forgotten only after 6 h unheard, when nothing uses it)."""

from __future__ import annotations

from dataclasses import replace

import framing as F
import pyarrow as pa

from basewatch.readers.base import FRAMES, ReadContext, RejectLog
from basewatch.readers.frames import frame_keys
from basewatch.readers.modes import DecodeParams, ModeSDecoder, decode_frames


def _hours(days: int, per_hour: int):
    """Frame batches of one hour each: ``per_hour`` new aircraft (the rs1090 sample's first
    ten minutes of airborne frames under new addresses), each hour later."""
    lines = [d for d in F.window(1500, 600) if F.df_of(d["frame"]) == 17]
    t0 = lines[0]["timestamp"]
    for h in range(days * 24):
        ts, frames = [], []
        for k in range(per_hour):
            icao = f"{0x700000 + h * per_hour + k:06x}"
            for d in lines:
                ts.append(1.7e9 + h * 3600 + k * 0.01 + d["timestamp"] - t0)
                frames.append(F.with_icao(d["frame"], icao))
        order = sorted(range(len(ts)), key=ts.__getitem__)
        ts, frames = [ts[i] for i in order], [frames[i] for i in order]
        yield pa.table({"ts": ts, "frame": frames, "key": frame_keys(frames, ts)}, schema=FRAMES)


def _decode(params: DecodeParams, sizes: list[int]) -> list[tuple]:
    ctx = ReadContext(rejects=RejectLog("x"))
    dec = ModeSDecoder(ctx, params)
    out = []

    def batches():
        for b in _hours(days=3, per_hour=4):
            yield b
            sizes.append(dec.state_size())

    for t in decode_frames(batches(), ctx, params, dec):
        out += zip(
            *(t.column(c).to_pylist() for c in ("icao24", "ts", "lat_deg", "lon_deg")), strict=True
        )
    return sorted(out)


def test_decoder_state_is_bounded_and_changes_nothing():
    bounded, forever = [], []
    kept = _decode(DecodeParams(), bounded)
    never = _decode(replace(DecodeParams(), state_max_age_s=1e12, expire_every_s=1e12), forever)
    assert len(kept) > 10_000 and kept == never
    # 72 hours of 4 new aircraft: forgetting after 6 h holds about 6 hours' worth
    assert forever[-1] > 250 and max(bounded[24:]) < forever[-1] / 5
    assert max(bounded[24:]) <= 1.2 * max(bounded[:24])  # flat after the first day
