"""Raw Mode S frames → positions, through the rs1090 decoder.

Around rs1090 this adapter does, vectorised with numpy, what a decoder library leaves to its
caller: it checks every frame (hex, length, downlink format, CRC-24 parity) and rejects bad
ones with a reason; it sends to rs1090 only the frames that can make a position row (DF17/18
extended squitter), keeping CPR even/odd context across batches so pairing is time-ordered
over the whole stream; it decodes Mode A codes of DF5/21 replies whose parity checks against
an address already verified; it carries callsign, velocity and squawk forward onto position
reports; and it rejects positions that imply an impossible speed or lie beyond receiver range.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import rs1090

from .. import schema
from ..geo import ffill_index, haversine_nm
from .base import ReadContext, epoch_to_ts, positions_table

log = logging.getLogger(__name__)

DETECTOR = "basewatch.modes/1"

# Downlink formats a Mode S receiver can hear; 24 stands for 24..31 (Comm-D).
KNOWN_DF = {0, 4, 5, 11, 16, 17, 18, 19, 20, 21, 24}
SHORT_DF = {0, 4, 5, 11}
ADDRESS_PARITY_DF = {0, 4, 5, 16, 20, 21, 24}


@dataclass(frozen=True, slots=True)
class DecodeParams:
    max_speed_kt: float = (
        1_200.0  # faster than any aircraft a receiver tracks (Mach 1.8 at altitude)
    )
    jump_slack_nm: float = 2.0  # CPR and timestamp jitter allowed on top of the speed limit
    max_range_nm: float = 450.0  # line of sight from a ground receiver to FL600 is ~300 NM
    velocity_max_age_s: float = 30.0  # a velocity older than this is not carried onto a position
    # an airborne CPR half pairs with the other half this long (rs1090's and pyModeS's window:
    # longer, the aircraft may have crossed a latitude zone between them)
    cpr_pair_s: float = 10.0
    # an aircraft's decoded position is the reference for its next message this long: at
    # max_speed_kt it is then within 100 NM, well inside the 180 NM local decoding allows
    cpr_local_s: float = 300.0
    # an aircraft's own last airborne position is the reference for its surface positions for
    # this long (it has just landed there); after that, and before any, the receiver's
    surface_ref_max_age_s: float = 600.0
    # before an aircraft's first airborne position, its surface positions are decoded against
    # that position when it comes this soon after them (a taxi out, then the take-off)
    surface_ref_ahead_s: float = 1800.0
    # an aircraft never seen airborne near its surface messages (parked, taxiing, landed
    # without an airborne pair heard) is decoded against another aircraft's resolved surface
    # position heard this close in time, and kept only if it comes out this close to it: both on
    # the surface of one airport, well inside the 45 NM a surface reference must be within
    surface_ref_neighbour_s: float = 600.0
    surface_ref_neighbour_nm: float = 5.0
    decode_rows: int = 8_192  # frames decoded at a time: bounds the decoder's working memory
    # out-of-order arrival up to this is sorted into place (merged receivers, SBS lines);
    # further back is the clock stepping back (a receiver restart, a clock set back)
    step_back_slack_s: float = 2.0
    # an aircraft not heard for this long is forgotten: its address (for parity replies), the
    # callsign and squawk carried onto its positions, its last position for the speed check.
    # Bounds the decoder's memory on a feed that runs for months (aircraft come and go)
    state_max_age_s: float = 6 * 3600.0
    expire_every_s: float = 600.0  # forgotten state is dropped this often (stream seconds)


# --- CRC-24 ----------------------------------------------------------------------------------

_POLY = 0xFFF409


def _crc_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i << 16
        for _ in range(8):
            c = ((c << 1) ^ _POLY) if c & 0x800000 else (c << 1)
        table[i] = c & 0xFFFFFF
    return table


_CRC_TABLE = _crc_table()


def crc_syndrome(msg: np.ndarray) -> np.ndarray:
    """CRC-24 remainder of each row of a (n, bytes) uint8 matrix XOR its parity field.

    Zero for a good DF11/17/18; the aircraft address for address/parity formats.
    """
    parity = (msg[:, -3].astype(np.uint32) << 16) | (msg[:, -2].astype(np.uint32) << 8) | msg[:, -1]
    return crc24(msg[:, :-3]) ^ parity


def crc24(data: np.ndarray) -> np.ndarray:
    """CRC-24 (Mode S polynomial) of each row of a (n, bytes) uint8 matrix: the one table and
    loop that decoding and the simulator's encoding share."""
    crc = np.zeros(len(data), dtype=np.uint32)
    for j in range(data.shape[1]):
        idx = ((crc >> 16) ^ data[:, j]) & 0xFF
        crc = ((crc << 8) & 0xFFFFFF) ^ _CRC_TABLE[idx]
    return crc


_HEXVAL = schema.HEX_DIGITS


def hex_matrix(hexes: pa.Array, width_bytes: int) -> np.ndarray:
    """Equal-length hex strings → (n, width_bytes) uint8 matrix (validated beforehand)."""
    n = len(hexes)
    if n == 0:
        return np.zeros((0, width_bytes), np.uint8)
    hexes = hexes.cast(pa.string())
    offsets = np.frombuffer(hexes.buffers()[1], dtype=np.int32)[hexes.offset : hexes.offset + n + 1]
    data = np.frombuffer(hexes.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    d = _HEXVAL[data].reshape(n, 2 * width_bytes)
    return (d[:, 0::2] << 4) | d[:, 1::2]


def squawk_from_id13(id13: np.ndarray) -> list[str]:
    """Mode A code (4 octal digits) from the 13-bit identity field of DF5/DF21."""
    bit = [(id13 >> (12 - k)) & 1 for k in range(13)]  # C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4
    c1, a1, c2, a2, c4, a4, _x, b1, d1, b2, d2, b4, d4 = bit
    a = a4 * 4 + a2 * 2 + a1
    b = b4 * 4 + b2 * 2 + b1
    c = c4 * 4 + c2 * 2 + c1
    d = d4 * 4 + d2 * 2 + d1
    code = a * 1000 + b * 100 + c * 10 + d
    return [f"{v:04d}" for v in code.tolist()]


# --- surface positions: local CPR decoding against a reference -----------------------------

_NZ = 15
_CPR_MAX = float(1 << 17)


def cpr_nl(lat: np.ndarray) -> np.ndarray:
    """Number of longitude zones at each latitude (the NL function of the CPR spec)."""
    a = np.abs(np.asarray(lat, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        c = 1.0 - (1.0 - np.cos(np.pi / (2 * _NZ))) / np.cos(np.radians(a)) ** 2
        nl = np.floor(2 * np.pi / np.arccos(np.clip(c, -1.0, 1.0)))
    nl = np.where(a == 0, 59, nl)
    nl = np.where(a == 87, 2, nl)
    return np.where(a > 87, 1, nl).astype(np.int64)


def surface_positions(
    lat_cpr: np.ndarray,
    lon_cpr: np.ndarray,
    odd: np.ndarray,
    ref_lat: np.ndarray,
    ref_lon: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Surface positions decoded from one message each, against a reference within 45 NM.

    Surface CPR zones are a quarter of the airborne ones (90° in place of 360°), so the
    reference decides which of the zones near it the aircraft is in.
    """
    y = np.asarray(lat_cpr, dtype=np.float64) / _CPR_MAX
    x = np.asarray(lon_cpr, dtype=np.float64) / _CPR_MAX
    odd = np.asarray(odd, dtype=bool)
    d_lat = np.where(odd, 90.0 / 59.0, 90.0 / 60.0)
    j = np.floor(ref_lat / d_lat) + np.floor(0.5 + np.mod(ref_lat, d_lat) / d_lat - y)
    lat = d_lat * (j + y)
    ni = cpr_nl(lat) - odd
    d_lon = np.where(ni > 0, 90.0 / np.maximum(ni, 1), 90.0)
    m = np.floor(ref_lon / d_lon) + np.floor(0.5 + np.mod(ref_lon, d_lon) / d_lon - x)
    lon = d_lon * (m + x)
    return lat, np.where(lon >= 180.0, lon - 360.0, np.where(lon < -180.0, lon + 360.0, lon))


def _nl(lat: float) -> int:
    """``cpr_nl`` for one latitude."""
    a = abs(lat)
    if a >= 87.0:
        return 1 if a > 87.0 else 2
    if a == 0.0:
        return 59
    c = 1.0 - (1.0 - math.cos(math.pi / (2 * _NZ))) / math.cos(math.radians(a)) ** 2
    return int(math.floor(2 * math.pi / math.acos(max(-1.0, min(1.0, c)))))


def _wrap(lon: float) -> float:
    return lon - 360.0 if lon >= 180.0 else (lon + 360.0 if lon < -180.0 else lon)


def airborne_local(y: float, x: float, odd: bool, ref_lat: float, ref_lon: float):
    """One airborne CPR message (``y``, ``x``: its fractions of 2**17) decoded against a
    reference within 180 NM."""
    d_lat = 360.0 / (59 if odd else 60)
    j = math.floor(ref_lat / d_lat) + math.floor(0.5 + (ref_lat % d_lat) / d_lat - y)
    lat = d_lat * (j + y)
    ni = _nl(lat) - odd
    d_lon = 360.0 / ni if ni > 0 else 360.0
    m = math.floor(ref_lon / d_lon) + math.floor(0.5 + (ref_lon % d_lon) / d_lon - x)
    return lat, _wrap(d_lon * (m + x))


def airborne_global(even: tuple[float, float], odd: tuple[float, float], latest_odd: bool):
    """An airborne position from an even and an odd half (fractions of 2**17), at the latest
    one's place; None when the halves lie in different longitude zone counts (the aircraft
    crossed a zone edge between them)."""
    (ye, xe), (yo, xo) = even, odd
    j = math.floor(59 * ye - 60 * yo + 0.5)
    lat_e = 6.0 * (j % 60 + ye)
    lat_o = 360.0 / 59 * (j % 59 + yo)
    lat_e = lat_e - 360.0 if lat_e >= 270.0 else lat_e
    lat_o = lat_o - 360.0 if lat_o >= 270.0 else lat_o
    if abs(lat_e) > 90.0 or abs(lat_o) > 90.0:
        return None
    nl = _nl(lat_e)
    if nl != _nl(lat_o):
        return None
    lat, x, ni = (lat_o, xo, max(nl - 1, 1)) if latest_odd else (lat_e, xe, max(nl, 1))
    m = math.floor(xe * (nl - 1) - xo * nl + 0.5)
    return lat, _wrap(360.0 / ni * (m % ni + x))


class AirborneCPR:
    """Airborne positions from CPR messages taken one at a time in time order, the state per
    aircraft kept across batches, so where a batch begins never changes a position.

    A message is decoded against the aircraft's own position decoded at most ``local_s``
    before it (local decoding), else with the aircraft's last message of the other parity,
    less than ``pair_s`` before it (global decoding), else not at all (it waits to be half of
    the next pair). rs1090 keeps an aircraft's position as the reference however old once its
    messages resume, so one call decodes the messages after a long gap against where the
    aircraft was hours before, and a call that begins after the gap pairs them afresh: its
    positions depend on where the calls begin. Here a reference is used only while it is
    fresh, whatever the batches.
    """

    def __init__(self, pair_s: float, local_s: float) -> None:
        self.pair_s, self.local_s = pair_s, local_s
        # icao24 → [t_even, y, x, t_odd, y, x, t_pos, lat, lon] (times -inf when none)
        self.state: dict[str, list] = {}

    def decode(self, icao: str, t: float, odd: bool, lat_cpr: int, lon_cpr: int):
        s = self.state.get(icao)
        if s is None:
            s = self.state[icao] = [-math.inf, 0.0, 0.0, -math.inf, 0.0, 0.0, -math.inf, 0.0, 0.0]
        y, x = lat_cpr / _CPR_MAX, lon_cpr / _CPR_MAX
        pos = None
        if 0.0 <= t - s[6] <= self.local_s:
            pos = airborne_local(y, x, odd, s[7], s[8])
        else:
            other = 0 if odd else 3
            if 0.0 <= t - s[other] < self.pair_s:
                half = (s[other + 1], s[other + 2])
                pos = (
                    airborne_global(half, (y, x), True)
                    if odd
                    else airborne_global((y, x), half, False)
                )
        mine = 3 if odd else 0
        s[mine], s[mine + 1], s[mine + 2] = t, y, x
        if pos is not None:
            s[6], s[7], s[8] = t, pos[0], pos[1]
        return pos

    def expire(self, now: float) -> None:
        """Aircraft whose halves and position are too old to pair or refer to are dropped."""
        self.state = {
            k: s for k, s in self.state.items()
            if max(s[0], s[3]) >= now - self.pair_s or s[6] >= now - self.local_s
        }  # fmt: skip

    def rebase(self, back_s: float) -> None:
        for s in self.state.values():
            s[0] -= back_s
            s[3] -= back_s
            s[6] -= back_s


# --- the stateful decoder --------------------------------------------------------------------

# the decoded-messages table the assembler takes: its columns and their types
_MSG_TYPES = {
    "ts": pa.float64(),
    "key": pa.uint64(),
    "icao24": pa.string(),
    "lat": pa.float64(),
    "lon": pa.float64(),
    "alt": pa.float64(),
    "alt_geom": pa.float64(),
    "ground": pa.bool_(),
    "gs": pa.float64(),
    "track": pa.float64(),
    "vrate": pa.float64(),
    "callsign": pa.string(),
    "squawk": pa.string(),
}
_MSG_COLS = tuple(_MSG_TYPES)
# what one extended squitter gives (its time and key come from the frame; no squawk)
_ES_COLS = tuple(c for c in _MSG_COLS if c not in ("ts", "key", "squawk"))


def messages_table(ts, keys, icao, **cols) -> pa.Table:
    """The decoded-messages table the assembler takes; absent columns are null."""
    n = len(ts)
    data = {c: cols.get(c) for c in _MSG_COLS}
    data["ts"], data["key"], data["icao24"] = ts, keys, icao
    arrays = [
        pa.nulls(n, t) if data[c] is None else pa.array(data[c], t, from_pandas=True)
        for c, t in _MSG_TYPES.items()
    ]
    return pa.Table.from_arrays(arrays, names=list(_MSG_COLS))


class TimeSteps:
    """Where a stream's own clock steps back, in arrival order.

    A receiver that restarts or has its clock set back sends times earlier than those it sent
    before. Sorting such a batch by time would interleave the messages from either side of
    the step (CPR halves of two different places paired, positions "jumping" to and fro), so a
    batch is cut where the time falls more than ``slack_s`` below the latest time seen, each
    run is decoded on its own, and the decoder's per-aircraft state is moved onto the new clock
    (``rebase``): its last positions, CPR halves and velocities stay just before the messages
    that follow, as they were in fact. Every record keeps the time its stream gave it: the
    stream is the authority on when it heard a message, as for a file. Steps are counted
    (``clock_step_back``, and ``clock_step_back_s``: the seconds stepped back in all).
    """

    def __init__(self, ctx: ReadContext, slack_s: float) -> None:
        self.ctx, self.slack_s = ctx, slack_s
        self.latest: float | None = None

    def runs(self, ts: np.ndarray) -> list[tuple[int, int, float]]:
        """``(start, stop, seconds back)`` slices of ``ts`` (arrival order) that do not step
        back; the seconds are 0 for a run that continues the stream's clock."""
        t = np.asarray(ts, dtype=np.float64)
        n = len(t)
        if n == 0:
            return []
        out: list[tuple[int, int, float]] = []
        lo, back = 0, 0.0
        latest = -np.inf if self.latest is None else self.latest
        while True:
            seg = t[lo:]
            peak = np.maximum.accumulate(np.concatenate([[latest], seg]))[:-1]
            below = np.flatnonzero(seg < peak - self.slack_s)
            if not len(below):
                break
            c = lo + int(below[0])
            if c > lo:
                out.append((lo, c, back))
            back = float(peak[below[0]] - t[c])
            lo, latest = c, float(t[c])
            self.ctx.counters["clock_step_back"] += 1
            self.ctx.counters["clock_step_back_s"] += round(back)
            log.info("%s: the clock stepped back %.1f s", self.ctx.rejects.uri or "a stream", back)
        out.append((lo, n, back))
        self.latest = max(latest, float(np.max(t[lo:])))
        return out


_CARRIED = ("callsign", "squawk", "gs", "track", "vrate")


class PositionAssembler:
    """Decoded messages (positions, velocities, identities, squawks) → position rows.

    Carries callsign, squawk and, for a bounded age, velocity from earlier messages of the
    same aircraft onto each position, across batches; then drops implausible positions.
    """

    def __init__(self, ctx: ReadContext, params: DecodeParams = DecodeParams()) -> None:
        self.ctx = ctx
        self.params = params
        self.carry: dict[str, dict] = {}  # icao24 → last callsign/velocity/squawk
        self.last_pos: dict[str, tuple[float, float, float]] = {}  # icao24 → ts, lat, lon
        # icao24 → ts, lat, lon of a position rejected after the last accepted one
        self.last_rej: dict[str, tuple[float, float, float]] = {}
        self.expired_at: float | None = None
        # frame keys of surface messages waiting for a reference → what was carried onto them
        self.hold: set[int] = set()
        self.held: dict[int, tuple] = {}

    def expire(self, now: float | None) -> None:
        """Forget aircraft not heard for ``state_max_age_s`` (see ``ModeSDecoder.expire``),
        at most every ``expire_every_s`` of stream time."""
        if now is None or (
            self.expired_at is not None and now - self.expired_at < self.params.expire_every_s
        ):
            return
        self.expired_at = now
        old = now - self.params.state_max_age_s
        self.carry = {
            k: c for k, c in self.carry.items()
            if max((v for f, v in c.items() if f.startswith("ts_")), default=old) > old
        }  # fmt: skip
        self.last_pos = {k: v for k, v in self.last_pos.items() if v[0] >= old}
        self.last_rej = {k: v for k, v in self.last_rej.items() if v[0] >= old}

    def rebase(self, back_s: float) -> None:
        """The stream's clock stepped back ``back_s``: move the carried state onto it."""
        for c in self.carry.values():
            for k in c:
                if k.startswith("ts_"):
                    c[k] -= back_s
        self.last_pos = {k: (t - back_s, la, lo) for k, (t, la, lo) in self.last_pos.items()}
        self.last_rej = {k: (t - back_s, la, lo) for k, (t, la, lo) in self.last_rej.items()}

    def assemble_runs(self, msgs: pa.Table, steps: TimeSteps) -> Iterator[pa.Table]:
        """``assemble`` each run of ``msgs`` (arrival order) between the clock's steps back."""
        for lo, hi, back in steps.runs(msgs.column("ts").to_numpy()):
            if back:
                self.rebase(back)
            out = self.assemble(msgs.slice(lo, hi - lo))
            if out is not None and out.num_rows:
                yield out

    def assemble(self, msgs: pa.Table) -> pa.Table | None:
        msgs = msgs.sort_by([("icao24", "ascending"), ("ts", "ascending")])
        n = msgs.num_rows
        icao = msgs.column("icao24").to_pylist()
        ts = msgs.column("ts").to_numpy()
        group_start = np.ones(n, dtype=bool)
        if n > 1:
            ic = np.array(icao, dtype=object)
            group_start[1:] = ic[1:] != ic[:-1]
        starts = np.flatnonzero(group_start)
        filled: dict[str, np.ndarray] = {}
        filled_ts: dict[str, np.ndarray] = {}
        lat = msgs.column("lat").to_numpy(zero_copy_only=False).astype(np.float64)
        has_pos = np.isfinite(lat)
        late = self._late_rows(msgs, has_pos)  # they carry nothing onto others
        # callsign and squawk for as long as the aircraft is remembered, velocity for a while
        for col, max_age in (
            ("callsign", self.params.state_max_age_s),
            ("squawk", self.params.state_max_age_s),
            ("gs", self.params.velocity_max_age_s),
            ("track", self.params.velocity_max_age_s),
            ("vrate", self.params.velocity_max_age_s),
        ):
            arr = msgs.column(col).combine_chunks()
            valid = arr.is_valid().to_numpy(zero_copy_only=False) & ~late
            vals = np.array(arr.to_pylist() + [None], dtype=object)
            vts = np.append(ts, np.nan)
            idx = ffill_index(valid, group_start)
            out = vals[idx]  # -1 → trailing None
            age = ts - vts[idx]
            out = np.where(np.isfinite(age) & (age <= max_age), out, None)
            # from earlier batches (never from a later message: a clock stepped back)
            missing = np.flatnonzero(np.equal(out, None))
            for i in missing:
                c = self.carry.get(icao[i])
                if c and col in c and 0 <= ts[i] - c["ts_" + col] <= max_age:
                    out[i] = c[col]
            filled[col] = out
            filled_ts[col] = vts[idx]
        self._hold(msgs, has_pos, late, filled)
        # update the carry with the last value per aircraft (a late row's are older)
        last = ffill_index(~late, group_start)[np.append(starts[1:], n) - 1]
        for e in last[last >= 0].tolist():
            c = self.carry.setdefault(icao[e], {})
            for col, out in filled.items():
                if out[e] is not None:
                    c[col] = out[e]
                    c["ts_" + col] = (
                        float(filled_ts[col][e])
                        if np.isfinite(filled_ts[col][e])
                        else c.get("ts_" + col, float(ts[e]))
                    )

        if not has_pos.any():
            return None
        sel = np.flatnonzero(has_pos)
        lon = msgs.column("lon").to_numpy(zero_copy_only=False).astype(np.float64)
        # late rows were decoded against a reference of their own: no speed check
        judged = sel[~late[sel]]
        keep = np.ones(len(sel), dtype=bool)
        keep[~late[sel]] = self._plausible(
            [icao[i] for i in judged.tolist()], ts[judged], lat[judged], lon[judged]
        )
        sel = sel[keep]
        table = positions_table(
            {
                "ts": epoch_to_ts(ts[sel]),
                "icao24": msgs.column("icao24").take(sel),
                "callsign": filled["callsign"][sel],
                "lat_deg": lat[sel],
                "lon_deg": lon[sel],
                "alt_baro_ft": msgs.column("alt").take(sel),
                "alt_geom_ft": msgs.column("alt_geom").take(sel),
                "on_ground": msgs.column("ground").take(sel),
                "gs_kt": pa.array(filled["gs"][sel], pa.float64(), from_pandas=True),
                "track_deg": pa.array(filled["track"][sel], pa.float64(), from_pandas=True),
                "vrate_fpm": pa.array(filled["vrate"][sel], pa.float64(), from_pandas=True),
                "squawk": filled["squawk"][sel],
            },
            len(sel),
        )
        # ids are the content's (ingest/ids.py), as for every other format: the same report
        # from a Beast capture and from the JSON lines decoded from it is stored once
        return table

    def _late_rows(self, msgs: pa.Table, has_pos: np.ndarray) -> np.ndarray:
        """Which rows are positions of surface messages that waited for a reference
        (``ModeSDecoder.waiting``), decoded late."""
        late = np.zeros(msgs.num_rows, dtype=bool)
        if self.hold or self.held:
            keys = msgs.column("key").to_numpy()
            waited = self.hold | self.held.keys()
            for i in np.flatnonzero(has_pos).tolist():
                late[i] = int(keys[i]) in waited
        return late

    def _hold(self, msgs: pa.Table, has_pos: np.ndarray, late: np.ndarray, filled: dict) -> None:
        """A surface message waiting for a reference keeps what was carried onto it in its own
        time (callsign, squawk, velocity); its position, decoded later, gets those values,
        whatever batch it comes out in."""
        if not (self.hold or self.held):
            return
        keys = msgs.column("key").to_numpy()
        for i in np.flatnonzero(~has_pos).tolist():
            k = int(keys[i])
            if k in self.hold:
                self.hold.discard(k)
                self.held[k] = tuple(filled[c][i] for c in _CARRIED)
        used = set()
        for i in np.flatnonzero(late).tolist():
            k = int(keys[i])
            for c, v in zip(_CARRIED, self.held[k], strict=True):
                filled[c][i] = v
            used.add(k)
        for k in used:
            del self.held[k]

    def _plausible(
        self, icao: list[str], ts: np.ndarray, lat: np.ndarray, lon: np.ndarray
    ) -> np.ndarray:
        """Reject positions beyond receiver range, or that imply an impossible speed."""
        n = len(ts)
        keep = np.ones(n, dtype=bool)
        p = self.params
        if self.ctx.receiver is not None:
            rng = haversine_nm(self.ctx.receiver[0], self.ctx.receiver[1], lat, lon)
            far = rng > p.max_range_nm
            for i in np.flatnonzero(far):
                self.ctx.rejects.add(
                    "cpr_out_of_range",
                    f"ts {ts[i]:.6f} {icao[i]}",
                    f"{lat[i]:.5f},{lon[i]:.5f} at {rng[i]:.0f} NM",
                )
            keep &= ~far
        # per aircraft, in time order, each against the last accepted one (from earlier batches
        # for the first): most aircraft never jump, and are judged at once
        idx = np.flatnonzero(keep)
        if len(idx) == 0:
            return keep
        ic = np.array([icao[i] for i in idx], dtype=object)
        t, la, lo = ts[idx], lat[idx], lon[idx]
        same_prev = np.zeros(len(idx), dtype=bool)
        same_prev[1:] = ic[1:] == ic[:-1]
        prev_t, prev_la, prev_lo = np.roll(t, 1), np.roll(la, 1), np.roll(lo, 1)
        doubt = np.zeros(len(idx), dtype=bool)  # the aircraft's last position was rejected
        for j in np.flatnonzero(~same_prev):
            last = self.last_pos.get(ic[j])
            if last is not None and abs(t[j] - last[0]) <= p.state_max_age_s:
                prev_t[j], prev_la[j], prev_lo[j] = last
                same_prev[j] = True
            doubt[j] = ic[j] in self.last_rej
        jump = same_prev & (
            haversine_nm(prev_la, prev_lo, la, lo)
            > p.jump_slack_nm + p.max_speed_kt * np.abs(t - prev_t) / 3600.0
        )
        flag = jump | doubt
        starts = np.flatnonzero(np.append(True, ic[1:] != ic[:-1]))
        bad = np.zeros(len(idx), dtype=bool)
        for lo_, hi_ in zip(starts.tolist(), [*starts[1:].tolist(), len(idx)], strict=True):
            if flag[lo_:hi_].any():
                bad[lo_:hi_] = self._judge(ic[lo_], t[lo_:hi_], la[lo_:hi_], lo[lo_:hi_])
            else:
                self.last_pos[ic[lo_]] = (float(t[hi_ - 1]), float(la[hi_ - 1]), float(lo[hi_ - 1]))
        for j in np.flatnonzero(bad):
            self.ctx.rejects.add(
                "impossible_speed", f"ts {t[j]:.6f} {ic[j]}", f"{la[j]:.5f},{lo[j]:.5f}"
            )
        keep[idx[bad]] = False
        return keep

    def _judge(self, icao: str, t: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """One aircraft's positions, in time order: a position farther from the last accepted
        one than ``max_speed_kt`` allows (plus ``jump_slack_nm``) is rejected, unless it agrees
        with the one rejected just before it: two in a row agree, so the aircraft is there.
        Each is judged by earlier positions only, so the batches never change the outcome.
        Returns the rejected ones."""
        p = self.params
        acc, rej = self.last_pos.get(icao), self.last_rej.pop(icao, None)
        bad = np.zeros(len(t), dtype=bool)

        def near(a: tuple | None, b: tuple) -> bool:
            if a is None or abs(b[0] - a[0]) > p.state_max_age_s:
                return True
            d = float(haversine_nm(a[1], a[2], b[1], b[2]))
            return d <= p.jump_slack_nm + p.max_speed_kt * abs(b[0] - a[0]) / 3600.0

        for k, here in enumerate(zip(t.tolist(), lat.tolist(), lon.tolist(), strict=True)):
            if near(acc, here) or (rej is not None and near(rej, here)):
                acc, rej = here, None
            else:
                bad[k], rej = True, here
        if acc is not None:
            self.last_pos[icao] = acc
        if rej is not None:
            self.last_rej[icao] = rej
        return bad


class ModeSDecoder:
    """Decode a time-ordered stream of frame batches into position tables."""

    def __init__(self, ctx: ReadContext, params: DecodeParams = DecodeParams()) -> None:
        self.ctx = ctx
        self.params = params
        # addresses verified by a CRC-clean DF11/17/18 → when last verified
        self.known: dict[int, float] = {}
        self.expired_at: float | None = None
        # each aircraft's airborne CPR halves and last position, across batches
        self.cpr = AirborneCPR(params.cpr_pair_s, params.cpr_local_s)
        self.assembler = PositionAssembler(ctx, params)
        self.frames_in = 0
        # icao24 → (ts, lat, lon) of the aircraft's last airborne position: its surface reference
        self.last_airborne: dict[str, tuple[float, float, float]] = {}
        # icao24 → surface messages waiting for the aircraft's next airborne position
        self.waiting: dict[str, list[tuple]] = {}
        # surface messages that can no longer have one: decoded against the receiver or a
        # neighbour once every neighbour that could serve is known (see ``_fallback``)
        self.unowned: list[tuple] = []
        self.resolved: list[tuple] = []  # (message, reference, own) decoded, not yet handed on
        # resolved surface positions of any aircraft, one per aircraft and minute: where the
        # receiver hears the surface of an airport, a reference for the others there
        self.ground_refs: dict[int, dict[str, tuple[float, float, float]]] = {}

    def expire(self, now: float) -> None:
        """Forget the aircraft not heard for ``state_max_age_s`` (and CPR halves and surface
        references past their own ages): state that could no longer be used, dropped so that
        memory does not grow with the number of aircraft ever heard. Every use of the state
        checks its age, so when this runs never changes a position."""
        p = self.params
        if self.expired_at is not None and now - self.expired_at < p.expire_every_s:
            return
        self.expired_at = now
        old = now - p.state_max_age_s
        self.known = {a: t for a, t in self.known.items() if t >= old}
        self.cpr.expire(now)
        ref = now - p.surface_ref_max_age_s
        self.last_airborne = {k: v for k, v in self.last_airborne.items() if v[0] >= ref}
        self.assembler.expire(now)

    def state_size(self) -> int:
        """Entries the decoder holds (aircraft state, CPR halves, waiting surface messages)."""
        a = self.assembler
        return (len(self.known) + len(self.cpr.state) + len(self.last_airborne)
                + sum(map(len, self.waiting.values())) + len(self.unowned)
                + len(a.carry) + len(a.last_pos))  # fmt: skip

    def rebase(self, back_s: float) -> None:
        """The stream's clock stepped back ``back_s``: the aircraft's CPR halves and last
        positions are moved onto the new clock (see ``TimeSteps``)."""
        self.cpr.rebase(back_s)
        self.last_airborne = {k: (t - back_s, *p) for k, (t, *p) in self.last_airborne.items()}
        self.known = {a: t - back_s for a, t in self.known.items()}
        self.waiting = {k: [(w[0] - back_s, *w[1:]) for w in ws] for k, ws in self.waiting.items()}
        self.unowned = [(w[0] - back_s, *w[1:]) for w in self.unowned]
        self.assembler.rebase(back_s)

    # step 1: check frames
    def _check(self, batch: pa.Table) -> tuple[pa.Table, np.ndarray, np.ndarray]:
        frames = pc.utf8_lower(batch.column("frame").combine_chunks())
        length = pc.utf8_length(frames).to_numpy(zero_copy_only=False)
        is_hex = pc.match_substring_regex(frames, r"^[0-9a-f]*$").to_numpy(zero_copy_only=False)
        ok_shape = is_hex & ((length == 14) | (length == 28))
        bad = np.flatnonzero(~ok_shape)
        for i in bad:
            self.ctx.rejects.add(
                "bad_frame", f"ts {batch.column('ts')[int(i)].as_py()}", str(frames[int(i)])[:60]
            )
        batch = batch.set_column(batch.schema.get_field_index("frame"), "frame", frames)
        if len(bad):
            batch = batch.filter(pa.array(ok_shape))
            frames = frames.filter(pa.array(ok_shape))
            length = length[ok_shape]
        # some receivers pad 56-bit replies to 112 bits: the downlink format says which it is
        df = hex_matrix(pc.utf8_slice_codeunits(frames, 0, 2), 1)[:, 0] >> 3
        padded = (length == 28) & np.isin(df, list(SHORT_DF))
        if padded.any():
            frames = pc.if_else(pa.array(padded), pc.utf8_slice_codeunits(frames, 0, 14), frames)
            length = np.where(padded, 14, length)
            self.ctx.counters["short_frame_padded"] += int(padded.sum())
        batch = batch.set_column(batch.schema.get_field_index("frame"), "frame", frames)
        return batch, length, bad

    def decode(self, batch: pa.Table) -> Iterator[pa.Table]:
        self.frames_in += batch.num_rows
        batch, length, _ = self._check(batch)
        if batch.num_rows == 0:
            return
        long_ = length == 28
        frames = batch.column("frame").combine_chunks()
        ts = batch.column("ts").to_numpy()
        keys = batch.column("key").to_numpy(zero_copy_only=False)
        idx_long = np.flatnonzero(long_)
        idx_short = np.flatnonzero(~long_)
        m_long = hex_matrix(frames.take(idx_long), 14)
        m_short = hex_matrix(frames.take(idx_short), 7)
        df_l = np.minimum(m_long[:, 0] >> 3, 24)
        df_s = np.minimum(m_short[:, 0] >> 3, 24)
        syn_l = crc_syndrome(m_long)
        syn_s = crc_syndrome(m_short)

        # wrong length for the downlink format, or an unknown format
        for idx, df, want_long in ((idx_long, df_l, True), (idx_short, df_s, False)):
            unknown = ~np.isin(df, list(KNOWN_DF))
            wrong = ~unknown & (np.isin(df, list(SHORT_DF)) == want_long)
            for reason, mask in (("unknown_df", unknown), ("bad_length", wrong)):
                for i in idx[mask]:
                    self.ctx.rejects.add(reason, f"ts {ts[i]:.6f}", str(frames[int(i)]))

        # extended squitter and all-call: parity must check (DF11 may carry an interrogator id)
        es = (df_l == 17) | (df_l == 18)
        es_ok = es & (syn_l == 0)
        ac = df_s == 11
        ac_ok = ac & ((syn_s & ~np.uint32(0x7F)) == 0)
        for idx, mask in ((idx_long, es & ~es_ok), (idx_short, ac & ~ac_ok)):
            for i in idx[mask]:
                self.ctx.rejects.add("crc_fail", f"ts {ts[i]:.6f}", str(frames[int(i)]))
        aa_l = (
            (m_long[:, 1].astype(np.uint32) << 16)
            | (m_long[:, 2].astype(np.uint32) << 8)
            | m_long[:, 3]
        )
        aa_s = (
            (m_short[:, 1].astype(np.uint32) << 16)
            | (m_short[:, 2].astype(np.uint32) << 8)
            | m_short[:, 3]
        )
        # address/parity replies: accepted when they name an address verified at or before
        # them (and not longer ago than ``state_max_age_s``), whatever the batches
        ap_l = np.isin(df_l, list(ADDRESS_PARITY_DF))
        ap_s = np.isin(df_s, list(ADDRESS_PARITY_DF))
        ap_l_ok, ap_s_ok = self._verified(
            np.concatenate([aa_l[es_ok], aa_s[ac_ok]]),
            np.concatenate([ts[idx_long[es_ok]], ts[idx_short[ac_ok]]]),
            [(syn_l, ts[idx_long], ap_l), (syn_s, ts[idx_short], ap_s)],
        )
        unverified = int((ap_l & ~ap_l_ok).sum() + (ap_s & ~ap_s_ok).sum())
        if unverified:
            first = idx_long[ap_l & ~ap_l_ok][:1].tolist() + idx_short[ap_s & ~ap_s_ok][:1].tolist()
            self.ctx.rejects.add(
                "crc_unverified",
                f"ts {ts[first[0]]:.6f}",
                f"{str(frames[first[0]])} (+{unverified - 1} more in batch)",
                n=unverified,
            )

        parts = [
            self._extended_squitter(
                frames.take(idx_long[es_ok]), ts[idx_long[es_ok]], keys[idx_long[es_ok]]
            )
        ]
        # Mode A codes from DF5 and DF21 surveillance identity replies
        for idx, m, df, syn, okm in (
            (idx_long, m_long, df_l, syn_l, ap_l_ok),
            (idx_short, m_short, df_s, syn_s, ap_s_ok),
        ):
            ident = okm & ((df == 5) | (df == 21))
            # flight status 6 is reserved and 7 unassigned: such a reply is corrupt
            bad_fs = ident & ((m[:, 0] & 0x07) >= 6)
            for i in idx[bad_fs]:
                self.ctx.rejects.add("reserved_fs", f"ts {ts[i]:.6f}", str(frames[int(i)]))
            sel = ident & ~bad_fs
            if sel.any():
                id13 = ((m[sel, 2].astype(np.int64) & 0x1F) << 8) | m[sel, 3]
                parts.append(
                    messages_table(
                        ts[idx[sel]],
                        keys[idx[sel]],
                        [f"{a:06x}" for a in syn[sel].tolist()],
                        squawk=squawk_from_id13(id13),
                    )
                )
        parts = [p for p in parts if p is not None and p.num_rows]
        if not parts:
            return
        out = self.assembler.assemble(pa.concat_tables(parts))
        if out is not None and out.num_rows:
            yield out

    def _verified(
        self,
        addr: np.ndarray,
        at: np.ndarray,
        asks: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    ) -> list[np.ndarray]:
        """For each ``(address, time, mask)`` of replies: whether the address was verified (a
        clean DF11/17/18 in ``addr``/``at``, or in an earlier batch) at or before the reply's
        time, within ``state_max_age_s``. Then the batch's verifications are remembered."""
        qa = np.concatenate([a[m] for a, _, m in asks]).astype(np.uint32)
        qt = np.concatenate([t[m] for _, t, m in asks])
        n_v = len(addr)
        a = np.concatenate([addr.astype(np.uint32), qa])
        t = np.concatenate([at, qt])
        kind = np.concatenate([np.zeros(n_v, np.int8), np.ones(len(qa), np.int8)])
        order = np.lexsort((kind, t, a))  # by address, then time, a verification first
        a_s = a[order]
        start = np.ones(len(a_s), dtype=bool)
        start[1:] = a_s[1:] != a_s[:-1]
        last = ffill_index(kind[order] == 0, start)
        seen = np.where(last >= 0, t[order][np.maximum(last, 0)], -np.inf)
        back = np.empty(len(a))
        back[order] = seen
        seen = back[n_v:]
        if self.known and len(qa):  # verified in earlier batches (all before this one)
            ka = np.fromiter(self.known.keys(), np.uint32, len(self.known))
            kt = np.fromiter(self.known.values(), np.float64, len(self.known))
            o = np.argsort(ka)
            ka, kt = ka[o], kt[o]
            i = np.minimum(np.searchsorted(ka, qa), len(ka) - 1)
            seen = np.maximum(seen, np.where(ka[i] == qa, kt[i], -np.inf))
        ok = seen >= qt - self.params.state_max_age_s
        o = np.lexsort((at, addr))  # the latest verification of each address is kept
        self.known.update(zip(addr[o].tolist(), at[o].tolist(), strict=True))
        out, k = [], 0
        for _, _, m in asks:
            r = np.zeros(len(m), dtype=bool)
            r[m] = ok[k : k + int(m.sum())]
            k += int(m.sum())
            out.append(r)
        return out

    def _extended_squitter(
        self, frames: pa.Array, ts: np.ndarray, keys: np.ndarray
    ) -> pa.Table | None:
        if len(frames) == 0:
            return None
        hexes = frames.to_pylist()
        tsl = ts.tolist()
        # rs1090 decodes the fields of each message on its own; positions are resolved here,
        # with each aircraft's state kept across batches (``AirborneCPR``; surface positions
        # against a reference of the aircraft's own, see below)
        recs = rs1090.decode(hexes)
        cols: dict[str, list] = {c: [] for c in _ES_COLS}
        keep = []
        surface: list[tuple[int, int, int, bool, float, float]] = []  # row, cpr, odd, reference
        last_air = self.last_airborne
        max_age = self.params.surface_ref_max_age_s
        for i, d in enumerate(recs):
            if d is None:
                continue
            bds = d.get("bds")
            if bds not in ("05", "06", "08", "09"):
                continue
            keep.append(i)
            tc = d.get("tc", 0)
            icao = d["icao24"]
            cols["icao24"].append(icao)
            pos = None
            if bds == "05" and "lat_cpr" in d:
                pos = self.cpr.decode(icao, tsl[i], d.get("parity") == "odd", d["lat_cpr"],
                                      d["lon_cpr"])  # fmt: skip
            cols["lat"].append(pos[0] if pos else None)
            cols["lon"].append(pos[1] if pos else None)
            alt = d.get("altitude") if bds == "05" else None
            geo = bds == "05" and tc is not None and 20 <= tc <= 22
            cols["alt"].append(None if geo else alt)
            cols["alt_geom"].append(alt if geo else None)
            cols["ground"].append(True if bds == "06" else (False if bds == "05" else None))
            cols["gs"].append(d.get("groundspeed") if bds in ("06", "09") else None)
            cols["track"].append(d.get("track") if bds in ("06", "09") else None)
            cols["vrate"].append(d.get("vertical_rate") if bds == "09" else None)
            cs = d.get("callsign") if bds == "08" else None
            cols["callsign"].append(cs.strip("_ ").strip() or None if isinstance(cs, str) else None)
            if pos is not None:
                last_air[icao] = (tsl[i], pos[0], pos[1])
                if icao in self.waiting:
                    self._took_off(icao, last_air[icao])
            elif bds == "06" and "lat_cpr" in d:
                # against the aircraft's own last airborne position when it has just landed,
                # else its next one when it is about to take off, else the receiver's
                own = last_air.get(icao)
                row = len(keep) - 1
                odd = d.get("parity") == "odd"
                if own is not None and 0.0 <= tsl[i] - own[0] <= max_age:
                    surface.append((row, d["lat_cpr"], d["lon_cpr"], odd, own[1], own[2]))
                    self.ctx.counters["surface_ref_own"] += 1
                else:  # decoded when the aircraft is next seen airborne (it takes off)
                    self.assembler.hold.add(int(keys[i]))
                    self.waiting.setdefault(icao, []).append(
                        (tsl[i], int(keys[i]), icao, d["lat_cpr"], d["lon_cpr"], odd,
                         d.get("groundspeed"), d.get("track"))
                    )  # fmt: skip
        if surface:
            cells = zip(*surface, strict=True)
            rows, lat_cpr, lon_cpr, odd, ref_lat, ref_lon = (np.array(c) for c in cells)
            lat, lon = surface_positions(lat_cpr, lon_cpr, odd, ref_lat, ref_lon)
            for r, la, lo in zip(rows.tolist(), lat.tolist(), lon.tolist(), strict=True):
                cols["lat"][r], cols["lon"][r] = la, lo
                self._ground_ref(tsl[keep[r]], cols["icao24"][r], la, lo)
        sel = np.array(keep, dtype=np.int64)
        table = messages_table(ts[sel], keys[sel], cols.pop("icao24"), **cols)
        late = self._late(tsl[-1])
        return pa.concat_tables([table, late]) if late is not None else table

    def _ground_ref(self, t: float, icao: str, lat: float, lon: float) -> None:
        self.ground_refs.setdefault(int(t // 60), {}).setdefault(icao, (t, lat, lon))

    def _took_off(self, icao: str, first: tuple[float, float, float]) -> None:
        """The aircraft's first airborne position after surface messages that waited for a
        reference: those at most ``surface_ref_ahead_s`` before it are decoded against it (it
        taxied out, then took off there; its own position beats the receiver's, which may be
        given wrong or lie near the edge of a surface zone); older ones can have no reference
        of their own."""
        horizon = self.params.surface_ref_ahead_s
        for w in self.waiting.pop(icao):
            if first[0] - w[0] <= horizon:
                lat, lon = surface_positions(
                    np.array([w[3]]), np.array([w[4]]), np.array([w[5]]),
                    np.array([first[1]]), np.array([first[2]]),
                )  # fmt: skip
                self._ground_ref(w[0], w[2], float(lat[0]), float(lon[0]))
                self.resolved.append((w, float(lat[0]), float(lon[0])))
                self.ctx.counters["surface_ref_own_next"] += 1
            else:
                self.unowned.append(w)

    def _neighbour_ref(self, w: tuple) -> tuple[float, float, float] | None:
        """Another aircraft's resolved surface position nearest in time to the waiting surface
        message ``w`` (within ``surface_ref_neighbour_s``) that decodes it to within
        ``surface_ref_neighbour_nm`` of itself, else None."""
        best, best_dt = None, self.params.surface_ref_neighbour_s
        reach = int(best_dt // 60) + 1
        minute = int(w[0] // 60)
        for m in range(minute - reach, minute + reach + 1):
            for icao, ref in self.ground_refs.get(m, {}).items():
                dt = abs(ref[0] - w[0])
                if icao != w[2] and (dt < best_dt or (dt == best_dt and best is None)):
                    best, best_dt = ref, dt
        if best is None:
            return None
        lat, lon = surface_positions(
            np.array([w[3]]), np.array([w[4]]), np.array([w[5]]),
            np.array([best[1]]), np.array([best[2]]),
        )  # fmt: skip
        near = float(haversine_nm(lat[0], lon[0], best[1], best[2]))
        return best if near <= self.params.surface_ref_neighbour_nm else None

    def _late(self, now: float | None) -> pa.Table | None:
        """Surface messages decoded since the last call, late: those the aircraft's take-off
        resolved (``_took_off``), and those that can have no reference of their own, decoded
        against the receiver, if given, else another aircraft's surface position (or counted
        as ``surface_no_reference``) once no neighbour that could serve can still come: their
        time plus ``surface_ref_ahead_s`` plus ``surface_ref_neighbour_s`` is past. ``now``
        is the stream's time (None: its end). Whatever the batches, the same messages are
        decoded against the same references."""
        p = self.params
        wait = p.surface_ref_ahead_s + p.surface_ref_neighbour_s
        if now is None:
            self.unowned += [w for ws in self.waiting.values() for w in ws]
            self.waiting = {}
        else:  # no take-off within reach any more: they can have no reference of their own
            for icao in [k for k, ws in self.waiting.items() if now - ws[0][0] > wait]:
                ws = self.waiting.pop(icao)
                self.unowned += [w for w in ws if now - w[0] > wait]
                if rest := [w for w in ws if now - w[0] <= wait]:
                    self.waiting[icao] = rest
        done = self.resolved
        self.resolved = []
        due = [w for w in self.unowned if now is None or now - w[0] > wait]
        self.unowned = [w for w in self.unowned if not (now is None or now - w[0] > wait)]
        receiver = self.ctx.receiver
        for w in due:
            if receiver is not None:
                ref = (0.0, *receiver)
                self.ctx.counters["surface_ref_receiver"] += 1
            elif (ref := self._neighbour_ref(w)) is None:
                self.ctx.counters["surface_no_reference"] += 1
                self.assembler.hold.discard(w[1])
                self.assembler.held.pop(w[1], None)
                continue
            else:
                self.ctx.counters["surface_ref_neighbour"] += 1
            lat, lon = surface_positions(
                np.array([w[3]]), np.array([w[4]]), np.array([w[5]]),
                np.array([ref[1]]), np.array([ref[2]]),
            )  # fmt: skip
            done.append((w, float(lat[0]), float(lon[0])))
        if now is not None:  # references older than any message still waiting can go
            old = now - wait - p.surface_ref_neighbour_s - 60.0
            self.ground_refs = {m: v for m, v in self.ground_refs.items() if m * 60 >= old}
        if not done:
            return None
        ws = [w for w, _, _ in done]
        return messages_table(
            np.array([w[0] for w in ws]),
            np.array([w[1] for w in ws], np.uint64),
            [w[2] for w in ws],
            lat=[la for _, la, _ in done],
            lon=[lo for _, _, lo in done],
            ground=[True] * len(ws),
            gs=[w[6] for w in ws],
            track=[w[7] for w in ws],
        )

    def finish(self) -> pa.Table | None:
        """End of the input: surface messages still waiting are decoded against the receiver
        (if given) or a neighbour, or counted as having no reference."""
        return self._late(None)


def decode_frames(
    batches: Iterator[pa.Table],
    ctx: ReadContext,
    params: DecodeParams = DecodeParams(),
    decoder: ModeSDecoder | None = None,
) -> Iterator[pa.Table]:
    """Stream frame batches (``FRAMES``) through one decoder (``decoder``, or a new one);
    yields position tables."""
    dec = decoder or ModeSDecoder(ctx, params)
    steps = TimeSteps(ctx, params.step_back_slack_s)
    step = params.decode_rows
    for batch in batches:
        if not batch.num_rows:
            continue
        ts = batch.column("ts").to_numpy()
        # the capture's data window: its frames, decoded or not
        lo, hi = float(np.min(ts)), float(np.max(ts))
        span = ctx.frame_span
        ctx.frame_span = [min(span[0], lo), max(span[1], hi)] if span else [lo, hi]
        for start, stop, back in steps.runs(ts):
            if back:  # the clock stepped back: the decoder's state moves onto the new clock
                dec.rebase(back)
            run = batch.slice(start, stop - start).sort_by("ts")
            # in time order, a slice at a time: the decoder's state carries across slices
            for at in range(0, run.num_rows, step):
                yield from dec.decode(run.slice(at, step))
        dec.expire(steps.latest)
    late = dec.finish()
    if late is not None and late.num_rows:
        pos = dec.assembler.assemble(late)
        if pos is not None and pos.num_rows:
            yield pos
    ctx.counters["frames"] += dec.frames_in
