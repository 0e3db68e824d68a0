"""Observed emissions → the file formats basewatch's readers take.

trace_full    one gzip-content ``.json`` per aircraft per day, in a globe_history day folder:
              ``globe_history/<day>/traces/<last two hex digits>/trace_full_<icao>.json``
beast, avr    one capture per receiver per day: ``receivers/<name>/<day>.beast`` / ``.avr``, with a
              12 MHz receiver clock; the file's modification time is its last frame's time,
              as a capture written live would have
sbs           one BaseStation CSV per receiver per day: ``receivers/<name>/<day>.sbs``
opensky-csv   OpenSky history state vectors, one CSV per day: ``opensky/states_<day>.csv``

Every ``to_<format>`` takes one day's emissions and writes that day's files, and returns
how many records it wrote.
"""

from __future__ import annotations

import gzip
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from . import modes_encode as enc
from .faults import corrupt_mask, duplicate_index, flip_bit, jitter
from .observe import ALT_REPLY, ID_REPLY, IDENT, POS, VEL, Observed
from .profiles import Profile
from .scenario import Faults, Receiver
from .traffic import rng_for

FORMATS = ("trace_full", "beast", "avr", "sbs", "opensky-csv")
KT_PER_MS = 1.943844
FT_PER_M = 3.28084


def day_name(day0: float) -> str:
    return datetime.fromtimestamp(day0, UTC).strftime("%Y-%m-%d")


def _faulted(
    obs: Observed, faults: Faults, rng: np.random.Generator
) -> tuple[Observed, np.ndarray]:
    """Jitter the clock, duplicate some records; returns the rows and a corrupt mask."""
    ts = jitter(obs.ts, faults, rng)
    obs.ts = ts
    order = np.argsort(ts, kind="stable")
    obs = obs.take(order)
    obs = obs.take(duplicate_index(len(obs), faults, rng))
    return obs, corrupt_mask(len(obs), faults, rng)


# --- trace_full ------------------------------------------------------------------------------


def to_trace_full(
    out: Path,
    day0: float,
    per_aircraft: dict[str, list[tuple[Profile, Observed]]],
    faults: Faults,
    seed: int,
) -> int:
    day_dir = out / "globe_history" / day_name(day0) / "traces"
    written = 0
    for icao in sorted(per_aircraft):
        parts = sorted(per_aircraft[icao], key=lambda x: x[1].ts[0])
        rows: list[list] = []
        rng = rng_for(seed, icao, "trace_full", str(int(day0)))
        first_ts = None
        ac = parts[0][0].aircraft
        for p, obs in parts:
            obs, bad = _faulted(obs, faults, rng)
            if first_ts is None:
                first_ts = round(float(obs.ts[0]), 2)
            rows.extend(_trace_rows(p, obs, bad, first_ts))
        rows.sort(key=lambda r: r[0])
        doc = {
            "icao": icao,
            "r": ac.registration or None,
            "t": ac.type_code,
            "dbFlags": 1 if ac.military else 0,
            "desc": ac.description,
            "ownOp": ac.operator or None,
            "year": ac.year or None,
            "timestamp": first_ts,
            "trace": rows,
        }
        folder = day_dir / icao[-2:]
        folder.mkdir(parents=True, exist_ok=True)
        data = gzip.compress(orjson.dumps(doc), compresslevel=1, mtime=0)
        (folder / f"trace_full_{icao}.json").write_bytes(data)
        written += len(rows)
    return written


def _trace_rows(p: Profile, obs: Observed, bad: np.ndarray, t_base: float) -> list[list]:
    n = len(obs)
    dt = np.round(obs.ts - t_base, 2).tolist()
    lat = np.round(obs.lat, 6)
    lat[bad] = 91.5  # a corrupted point: latitude out of range
    alt = (np.round(obs.alt_ft / 25.0) * 25.0).astype(np.int64)
    alts: list = alt.tolist()
    for i in np.flatnonzero(obs.ground).tolist():
        alts[i] = "ground"
    geom = np.where(obs.ground, -1, alt + 100).tolist()
    vr = (np.round(obs.vrate_fpm / 64.0) * 64).astype(np.int64).tolist()
    flags = np.where(obs.new_leg, 2, 0).tolist()
    details: list = [None] * n
    det = {"type": "adsb_icao"}
    if p.flight.callsign:
        det["flight"] = p.flight.callsign.ljust(8)
    if p.flight.squawk:
        det["squawk"] = p.flight.squawk
    for i in range(0, n, 10):
        details[i] = det
    return [
        [
            d,
            la,
            lo,
            a,
            g,
            t,
            f,
            v if a != "ground" else None,
            de,
            "adsb_icao",
            ge if ge >= 0 else None,
            None,
            None,
            None,
        ]
        for d, la, lo, a, g, t, f, v, de, ge in zip(
            dt,
            lat.tolist(),
            np.round(obs.lon, 6).tolist(),
            alts,
            np.round(obs.gs_kt, 1).tolist(),
            np.round(obs.track_deg, 1).tolist(),
            flags,
            vr,
            details,
            geom,
            strict=True,
        )
    ]


# --- raw Mode S ------------------------------------------------------------------------------


def encode(p: Profile, obs: Observed) -> list[str]:
    """One hex frame per emission, by kind; position parity alternates even/odd."""
    n = len(obs)
    icao = np.full(n, int(p.flight.icao24, 16), dtype=np.uint64)
    frames = np.empty(n, dtype=object)
    k = obs.kind
    pos = k == POS
    odd = (np.cumsum(pos) % 2).astype(np.uint64)
    air = pos & ~obs.ground
    surf = pos & obs.ground
    if air.any():
        frames[air] = enc.airborne_position(
            icao[air], obs.lat[air], obs.lon[air], obs.alt_ft[air], odd[air]
        )
    if surf.any():
        frames[surf] = enc.surface_position(
            icao[surf],
            obs.lat[surf],
            obs.lon[surf],
            obs.gs_kt[surf],
            obs.track_deg[surf],
            odd[surf],
        )
    m = k == VEL
    if m.any():
        frames[m] = enc.airborne_velocity(icao[m], obs.gs_kt[m], obs.track_deg[m], obs.vrate_fpm[m])
    m = k == IDENT
    if m.any():
        cat = np.full(int(m.sum()), _category(p), dtype=np.uint64)
        frames[m] = enc.identification(
            icao[m], [p.flight.callsign] * int(m.sum()), cat, ca=np.where(obs.ground[m], 4, 5)
        )
    m = k == ALT_REPLY
    if m.any():
        frames[m] = enc.altitude_reply(icao[m], obs.alt_ft[m], obs.ground[m])
    m = k == ID_REPLY
    if m.any():
        frames[m] = enc.identity_reply(icao[m], [p.flight.squawk] * int(m.sum()), obs.ground[m])
    return frames.tolist()


def _category(p: Profile) -> int:
    from .types import PERFORMANCE

    return PERFORMANCE[p.aircraft.aircraft_class].category


def receiver_frames(
    day: list[tuple[Profile, Observed]], r_index: int, faults: Faults, rng: np.random.Generator
) -> tuple[np.ndarray, list[str], list[tuple[Profile, Observed]]]:
    """One receiver's frames of the day, time-ordered, with faults applied."""
    ts_parts, frames = [], []
    for p, obs in day:
        sel = np.flatnonzero(obs.seen[r_index])
        if len(sel) == 0:
            continue
        o = obs.take(sel)
        ts_parts.append(o.ts)
        frames.extend(encode(p, o))
    if not frames:
        return np.zeros(0), [], []
    ts = jitter(np.concatenate(ts_parts), faults, rng)
    order = np.argsort(ts, kind="stable")
    idx = order[duplicate_index(len(order), faults, rng)]
    ts = ts[idx]
    fr = [frames[i] for i in idx.tolist()]
    fr = flip_bit(fr, corrupt_mask(len(fr), faults, rng), rng)
    return ts, fr, day


def _counters(ts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    base = int(rng.integers(1 << 36, 1 << 40))
    return base + np.round((ts - ts[0]) * 12e6).astype(np.int64)


def _set_mtime(path: Path, ts: float) -> None:
    ns = int(round(ts * 1e9))
    os.utime(path, ns=(ns, ns))


def to_beast(path: Path, ts: np.ndarray, frames: list[str], rng: np.random.Generator) -> int:
    """Beast binary: 0x1a, type, 6-byte 12 MHz counter, signal, payload; 0x1a doubled inside."""
    n = len(frames)
    counters = _counters(ts, rng).astype(np.uint64)
    signal = rng.integers(20, 250, n).astype(np.uint8)
    long_ = np.fromiter((len(f) == 28 for f in frames), dtype=bool, count=n)
    m = np.zeros((n, 23), dtype=np.uint8)
    m[:, 0] = 0x1A
    m[:, 1] = np.where(long_, ord("3"), ord("2"))
    shifts = np.arange(40, -1, -8, dtype=np.uint64)
    m[:, 2:8] = ((counters[:, None] >> shifts[None, :]) & np.uint64(0xFF)).astype(np.uint8)
    m[:, 8] = signal
    for mask, width in ((long_, 14), (~long_, 7)):
        if mask.any():
            payload = bytes.fromhex(
                "".join(f for f, k in zip(frames, mask.tolist(), strict=True) if k)
            )
            m[mask, 9 : 9 + width] = np.frombuffer(payload, dtype=np.uint8).reshape(-1, width)
    col = np.arange(23)[None, :]
    valid = col < np.where(long_, 23, 16)[:, None]
    escape = (m == 0x1A) & (col >= 2) & valid
    repeats = valid.astype(np.int64) + escape
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(np.repeat(m.ravel(), repeats.ravel()).tobytes())
    _set_mtime(path, float(ts[-1]))
    return n


def to_avr(path: Path, ts: np.ndarray, frames: list[str], rng: np.random.Generator) -> int:
    counters = _counters(ts, rng)
    lines = [f"@{c:012X}{f.upper()};\n" for c, f in zip(counters.tolist(), frames, strict=True)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines))
    _set_mtime(path, float(ts[-1]))
    return len(frames)


# --- SBS -------------------------------------------------------------------------------------


def to_sbs(
    path: Path, day: list[tuple[Profile, Observed]], r_index: int, faults: Faults, rng
) -> int:
    """BaseStation lines as a decoder prints them from the receiver's messages (vectorised).

    MSG,3 airborne position, MSG,2 surface position, MSG,4 velocity, MSG,1 identification,
    MSG,5 altitude reply, MSG,6 identity reply. A corrupted line is cut short, as a dropped
    connection leaves it.
    """
    parts = []
    for p, obs in day:
        sel = np.flatnonzero(obs.seen[r_index])
        if len(sel):
            parts.append((p, obs.take(sel)))
    if not parts:
        return 0
    cat = lambda f: np.concatenate([getattr(o, f) for _, o in parts])  # noqa: E731
    rep = lambda v: np.concatenate([np.full(len(o), v(p), dtype=object) for p, o in parts])  # noqa: E731
    ts = jitter(cat("ts"), faults, rng)
    order = np.argsort(ts, kind="stable")
    idx = order[duplicate_index(len(order), faults, rng)]
    ts, kind, gnd = ts[idx], cat("kind")[idx], cat("ground")[idx]
    lat, lon, alt = cat("lat")[idx], cat("lon")[idx], cat("alt_ft")[idx]
    gs, trk, vr = cat("gs_kt")[idx], cat("track_deg")[idx], cat("vrate_fpm")[idx]
    hexid = rep(lambda p: p.flight.icao24.upper())[idx]
    call = rep(lambda p: p.flight.callsign.ljust(8))[idx]
    squawk = rep(lambda p: p.flight.squawk)[idx]
    n = len(ts)
    air_pos, gnd_pos = (kind == POS) & ~gnd, (kind == POS) & gnd
    vel, ident, alt_r, id_r = kind == VEL, kind == IDENT, kind == ALT_REPLY, kind == ID_REPLY
    msg_type = np.select([air_pos, gnd_pos, vel, ident, alt_r], [3, 2, 4, 1, 5], 6)

    stamp = pa.array((ts * 1000).astype(np.int64), pa.timestamp("ms", tz="UTC"))
    date = pc.strftime(stamp, format="%Y/%m/%d")
    clock = pc.strftime(stamp, format="%H:%M:%S")
    cols = [
        pa.array(np.full(n, "MSG", dtype=object), pa.string()),
        pc.cast(pa.array(msg_type), pa.string()),
        pa.array(np.full(n, "1", dtype=object), pa.string()),
        pa.array(np.full(n, "1", dtype=object), pa.string()),
        pa.array(hexid, pa.string()),
        pa.array(np.full(n, "1", dtype=object), pa.string()),
        date,
        clock,
        date,
        clock,
        _masked_text(call, ident),
        _masked_text((np.round(alt / 25.0) * 25).astype(np.int64), air_pos | alt_r),
        _masked_text(np.round(gs).astype(np.int64), gnd_pos | vel),
        _masked_text(np.round(trk, 1), gnd_pos | vel),
        _masked_text(np.round(lat, 5), air_pos | gnd_pos),
        _masked_text(np.round(lon, 5), air_pos | gnd_pos),
        _masked_text((np.round(vr / 64.0) * 64).astype(np.int64), vel),
        _masked_text(squawk, id_r),
        *[_masked_text(np.zeros(n, np.int64), air_pos | id_r) for _ in range(3)],
        pa.array(np.where(gnd, "-1", "0").astype(object), pa.string()),
    ]
    lines = pc.binary_join_element_wise(*cols, ",", null_handling="replace", null_replacement="")
    bad = corrupt_mask(n, faults, rng)
    if bad.any():
        cut = pc.utf8_slice_codeunits(lines, 0, 40)
        lines = pc.if_else(pa.array(bad), cut, lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = pc.binary_join_element_wise(lines, pa.scalar(""), "\n")  # each line ends in a newline
    path.write_bytes("".join(body.to_pylist()).encode())
    return n


def _masked_text(values: np.ndarray, where: np.ndarray) -> pa.Array:
    """Values as text where ``where`` holds, else null (an empty field)."""
    arr = pa.array(values) if values.dtype != object else pa.array(values, pa.string())
    return pc.if_else(pa.array(where), pc.cast(arr, pa.string()), pa.scalar(None, pa.string()))


# --- OpenSky ---------------------------------------------------------------------------------


def to_opensky_csv(path: Path, day: list[tuple[Profile, Observed]], faults: Faults, rng) -> int:
    """OpenSky history state vectors; SI units; corrupted rows carry a latitude that is no number."""
    parts = []
    for p, obs in day:
        obs, bad = _faulted(obs, faults, rng)
        parts.append((p, obs, bad))
    if not parts:
        return 0
    cat = lambda f: np.concatenate([getattr(o, f) for _, o, _ in parts])  # noqa: E731
    ts, lat, lon = cat("ts"), cat("lat"), cat("lon")
    gnd, alt, gs, trk, vr = (
        cat("ground"),
        cat("alt_ft"),
        cat("gs_kt"),
        cat("track_deg"),
        cat("vrate_fpm"),
    )
    bad = np.concatenate([b for _, _, b in parts])
    icao = np.concatenate([np.full(len(o), p.flight.icao24, dtype=object) for p, o, _ in parts])
    cs = np.concatenate(
        [
            np.full(len(o), p.flight.callsign.ljust(8) if p.flight.callsign else None, dtype=object)
            for p, o, _ in parts
        ]
    )
    sq = np.concatenate(
        [np.full(len(o), p.flight.squawk or None, dtype=object) for p, o, _ in parts]
    )
    t = np.ceil(ts)  # the state's whole second; the position's own time is at or before it
    order = np.lexsort((icao.astype(str), t))
    lat_s = pc.cast(pa.array(np.round(lat, 5)), pa.string())
    lat_s = pc.if_else(pa.array(bad), pa.scalar("x"), lat_s)
    air = ~gnd

    def maybe(values: np.ndarray, digits: int) -> pa.Array:
        return pa.array(np.round(values, digits), mask=~air)

    table = pa.table(
        {
            "time": t.astype(np.int64),
            "icao24": pa.array(icao, pa.string()),
            "lat": lat_s,
            "lon": np.round(lon, 5),
            "velocity": np.round(gs / KT_PER_MS, 2),
            "heading": np.round(trk, 2),
            "vertrate": maybe(vr / FT_PER_M / 60.0, 2),
            "callsign": pa.array(cs, pa.string()),
            "onground": gnd,
            "alert": np.zeros(len(t), dtype=bool),
            "spi": np.zeros(len(t), dtype=bool),
            "squawk": pa.array(sq, pa.string()),
            "baroaltitude": maybe(alt / FT_PER_M, 2),
            "geoaltitude": maybe(alt / FT_PER_M + 30.0, 2),
            "lastposupdate": np.round(ts, 3),
            "lastcontact": np.round(ts, 3),
            "hour": (t // 3600 * 3600).astype(np.int64),
        }
    ).take(order)
    path.parent.mkdir(parents=True, exist_ok=True)
    sink = pa.BufferOutputStream()
    pcsv.write_csv(table, sink, pcsv.WriteOptions(include_header=False, quoting_style="none"))
    path.write_bytes((",".join(table.column_names) + "\n").encode() + sink.getvalue().to_pybytes())
    return table.num_rows


def receiver_list(receivers: tuple[Receiver, ...]) -> str:
    lines = ["name,lat,lon,range_nm,polygon"]
    for r in receivers:
        poly = " ".join(f"{a}:{b}" for a, b in r.polygon)
        lines.append(f"{r.name},{r.lat},{r.lon},{r.range_nm},{poly}")
    return "\n".join(lines) + "\n"
