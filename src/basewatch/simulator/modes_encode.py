"""A vectorised Mode S encoder: what a transponder would send, as hex frames.

Extended squitter (DF17): identification (BDS 0,8, TC 1–4), airborne position (TC 11,
barometric altitude, CPR even/odd), surface position (TC 7, movement and track, CPR even/odd)
and airborne velocity (TC 19 subtype 1, ground speed). Replies to interrogations: DF4
(altitude) and DF5 (identity, the squawk), whose parity field is the CRC XOR the address.
Every function takes numpy arrays and returns a list of hex strings; the tests decode each
frame with rs1090 and compare with what was meant.
"""

from __future__ import annotations

import numpy as np

from ..readers.modes import crc24

_CHARS = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"
NZ = 15


def _bytes(value: np.ndarray, nbytes: int) -> np.ndarray:
    """Big-endian bytes of unsigned integers (up to 64 bits) → (n, nbytes) uint8."""
    v = np.asarray(value, dtype=np.uint64)
    shifts = np.arange(nbytes - 1, -1, -1, dtype=np.uint64) * np.uint64(8)
    return ((v[:, None] >> shifts[None, :]) & np.uint64(0xFF)).astype(np.uint8)


def _hex(rows: np.ndarray) -> list[str]:
    """(n, bytes) uint8 → n lowercase hex strings."""
    if len(rows) == 0:
        return []
    width = 2 * rows.shape[1]
    text = np.ascontiguousarray(rows, dtype=np.uint8).tobytes().hex().encode()
    return np.frombuffer(text, dtype=f"S{width}").astype(f"U{width}").tolist()


def _frame(
    head: np.ndarray, body: np.ndarray, body_bytes: int, address_parity: np.ndarray | None
) -> np.ndarray:
    """First byte + body → message bytes with the 24-bit parity appended."""
    msg = np.concatenate([head.astype(np.uint8)[:, None], _bytes(body, body_bytes)], axis=1)
    crc = crc24(msg)
    if address_parity is not None:
        crc = crc ^ np.asarray(address_parity, dtype=np.uint32)
    return np.concatenate([msg, _bytes(crc.astype(np.uint64), 3)], axis=1)


def _es(icao: np.ndarray, me: np.ndarray, ca: int | np.ndarray = 5) -> list[str]:
    """DF17 frames; capability 5 (airborne) or 4 (on the ground)."""
    head = ((17 << 3) | np.broadcast_to(np.asarray(ca, dtype=np.uint8), (len(me),))).astype(
        np.uint8
    )
    addr = _bytes(np.asarray(icao, dtype=np.uint64), 3)
    mes = _bytes(np.asarray(me, dtype=np.uint64), 7)
    msg = np.concatenate([head[:, None], addr, mes], axis=1)
    crc = crc24(msg)
    return _hex(np.concatenate([msg, _bytes(crc.astype(np.uint64), 3)], axis=1))


def _u(x) -> np.ndarray:
    return np.asarray(x, dtype=np.uint64)


# --- fields ----------------------------------------------------------------------------------


def altitude_code_12(alt_ft: np.ndarray) -> np.ndarray:
    """12-bit altitude field of airborne position (Q=1, 25 ft steps; -1,000 .. 50,175 ft)."""
    n = np.clip(np.round((np.asarray(alt_ft, dtype=np.float64) + 1000.0) / 25.0), 0, 2047).astype(
        np.uint64
    )
    return ((n & _u(0x7F0)) << _u(1)) | _u(0x10) | (n & _u(0xF))


def altitude_code_13(alt_ft: np.ndarray) -> np.ndarray:
    """13-bit AC field of DF4/DF20 (M=0, Q=1, 25 ft steps)."""
    n = np.clip(np.round((np.asarray(alt_ft, dtype=np.float64) + 1000.0) / 25.0), 0, 2047).astype(
        np.uint64
    )
    # bits, MSB first: 6 high bits of N, M=0, 1 bit of N, Q=1, 4 low bits of N
    return ((n & _u(0x7E0)) << _u(2)) | ((n & _u(0x10)) << _u(1)) | _u(0x10) | (n & _u(0xF))


def id13(squawk: list[str]) -> np.ndarray:
    """Mode A code (4 octal digits) → 13-bit identity field: C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4."""
    digits = np.array([[int(c) for c in s] for s in squawk], dtype=np.uint64).reshape(-1, 4)
    a, b, c, d = digits[:, 0], digits[:, 1], digits[:, 2], digits[:, 3]

    def bit(v, k):
        return (v >> _u(k)) & _u(1)

    order = [
        bit(c, 0), bit(a, 0), bit(c, 1), bit(a, 1), bit(c, 2), bit(a, 2), np.zeros_like(a),
        bit(b, 0), bit(d, 0), bit(b, 1), bit(d, 1), bit(b, 2), bit(d, 2),
    ]  # fmt: skip
    out = np.zeros(len(a), dtype=np.uint64)
    for v in order:
        out = (out << _u(1)) | v
    return out


def nl(lat: np.ndarray) -> np.ndarray:
    """Number of CPR longitude zones at each latitude."""
    lat = np.abs(np.asarray(lat, dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        a = 1.0 - np.cos(np.pi / (2.0 * NZ))
        b = np.cos(np.radians(lat)) ** 2
        out = np.floor(2.0 * np.pi / np.arccos(1.0 - a / b))
    out = np.where(lat == 0, 59.0, out)
    out = np.where(lat > 87.0, 1.0, np.where(lat == 87.0, 2.0, out))
    return np.nan_to_num(out, nan=1.0)


def cpr_encode(
    lat: np.ndarray, lon: np.ndarray, odd: np.ndarray, surface: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """17-bit CPR latitude and longitude (airborne: 360° zones; surface: 90°)."""
    span = 90.0 if surface else 360.0
    i = np.asarray(odd, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    dlat = span / (4.0 * NZ - i)
    yz = np.floor(131072.0 * np.mod(lat, dlat) / dlat + 0.5)
    rlat = dlat * (yz / 131072.0 + np.floor(lat / dlat))
    dlon = span / np.maximum(nl(rlat) - i, 1.0)
    xz = np.floor(131072.0 * np.mod(lon, dlon) / dlon + 0.5)
    return (yz.astype(np.int64) & 0x1FFFF).astype(np.uint64), (
        xz.astype(np.int64) & 0x1FFFF
    ).astype(np.uint64)


def _movement(gs_kt: np.ndarray) -> np.ndarray:
    """Surface movement field (7 bits): the quantised ground speed."""
    v = np.asarray(gs_kt, dtype=np.float64)
    out = np.select(
        [
            v < 0.125,
            v < 1.0,
            v < 2.0,
            v < 15.0,
            v < 70.0,
            v < 100.0,
            v < 175.0,
        ],
        [
            np.ones_like(v),
            2 + np.floor((v - 0.125) / 0.125),
            9 + np.floor((v - 1.0) / 0.25),
            13 + np.floor((v - 2.0) / 0.5),
            39 + np.floor(v - 15.0),
            94 + np.floor((v - 70.0) / 2.0),
            109 + np.floor((v - 100.0) / 5.0),
        ],
        124,
    )
    return out.astype(np.uint64)


def _callsign_bits(callsign: str) -> int:
    out = 0
    for c in callsign.upper().ljust(8)[:8]:
        code = _CHARS.find(c) if c != "#" else -1
        out = (out << 6) | (code if code > 0 else 32)
    return out


# --- messages --------------------------------------------------------------------------------


def identification(
    icao: np.ndarray, callsign: list[str], category: np.ndarray, ca: int | np.ndarray = 5
) -> list[str]:
    """DF17 TC 4 (set A): the 8-character flight identification."""
    codes = np.array([_callsign_bits(cs) for cs in callsign], dtype=np.uint64)
    me = (_u(4) << _u(51)) | (_u(category) << _u(48)) | codes
    return _es(icao, me, ca)


def airborne_position(
    icao: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt_ft: np.ndarray, odd: np.ndarray
) -> list[str]:
    """DF17 TC 11: barometric altitude and CPR position."""
    yz, xz = cpr_encode(lat, lon, odd)
    me = (
        (_u(11) << _u(51))
        | (altitude_code_12(alt_ft) << _u(36))
        | (_u(odd) << _u(34))
        | (yz << _u(17))
        | xz
    )
    return _es(icao, me)


def surface_position(
    icao: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    gs_kt: np.ndarray,
    track_deg: np.ndarray,
    odd: np.ndarray,
) -> list[str]:
    """DF17 TC 7: movement, track and surface CPR position."""
    yz, xz = cpr_encode(lat, lon, odd, surface=True)
    trk = np.round(np.mod(np.asarray(track_deg, dtype=np.float64), 360.0) * 128.0 / 360.0).astype(
        np.uint64
    ) % _u(128)
    me = (
        (_u(7) << _u(51))
        | (_movement(gs_kt) << _u(44))
        | (_u(1) << _u(43))
        | (trk << _u(36))
        | (_u(odd) << _u(34))
        | (yz << _u(17))
        | xz
    )
    return _es(icao, me, ca=4)


def airborne_velocity(
    icao: np.ndarray, gs_kt: np.ndarray, track_deg: np.ndarray, vrate_fpm: np.ndarray
) -> list[str]:
    """DF17 TC 19 subtype 1: east-west and north-south ground speed, barometric vertical rate."""
    trk = np.radians(np.asarray(track_deg, dtype=np.float64))
    gs = np.asarray(gs_kt, dtype=np.float64)
    vx = np.round(gs * np.sin(trk))
    vy = np.round(gs * np.cos(trk))
    s_ew = (vx < 0).astype(np.uint64)
    s_ns = (vy < 0).astype(np.uint64)
    v_ew = np.clip(np.abs(vx) + 1, 1, 1023).astype(np.uint64)
    v_ns = np.clip(np.abs(vy) + 1, 1, 1023).astype(np.uint64)
    vr = np.asarray(vrate_fpm, dtype=np.float64)
    s_vr = (vr < 0).astype(np.uint64)
    v_vr = np.clip(np.round(np.abs(vr) / 64.0) + 1, 1, 511).astype(np.uint64)
    me = (
        (_u(19) << _u(51))
        | (_u(1) << _u(48))
        | (_u(0) << _u(47))  # intent change
        | (_u(0) << _u(46))  # IFR capability
        | (_u(2) << _u(43))  # NACv
        | (s_ew << _u(42))
        | (v_ew << _u(32))
        | (s_ns << _u(31))
        | (v_ns << _u(21))
        | (_u(1) << _u(20))  # vertical rate source: 1 = barometric
        | (s_vr << _u(19))
        | (v_vr << _u(10))
    )
    return _es(icao, me)


def _reply(df: int, icao: np.ndarray, fs: np.ndarray, field13: np.ndarray) -> list[str]:
    head = (np.uint8(df << 3) | np.asarray(fs, dtype=np.uint8)).astype(np.uint8)
    body = field13.astype(np.uint64)  # DR = 0, UM = 0: the body is the 13-bit field in 24 bits
    return _hex(_frame(head, body, 3, np.asarray(icao, dtype=np.uint32)))


def altitude_reply(icao: np.ndarray, alt_ft: np.ndarray, on_ground: np.ndarray) -> list[str]:
    """DF4 surveillance altitude reply; flight status 0 airborne, 1 on the ground."""
    return _reply(4, icao, np.asarray(on_ground, dtype=np.uint8), altitude_code_13(alt_ft))


def identity_reply(icao: np.ndarray, squawk: list[str], on_ground: np.ndarray) -> list[str]:
    """DF5 surveillance identity reply (the Mode A code)."""
    return _reply(5, icao, np.asarray(on_ground, dtype=np.uint8), id13(squawk))
