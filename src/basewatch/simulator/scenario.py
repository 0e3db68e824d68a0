"""A scenario file (TOML) → frozen, validated dataclasses.

A scenario says what happened (scripted flights and rotations of state aircraft, background
schedules of civil traffic), what could be seen of it (receivers, outages, missing archive
days, transponders switched off near airfields) and how the data is spoiled (noise,
duplicates, clock jitter, corrupted records). Every mistake raises ``ConfigError`` naming the
key, e.g. ``flight[2].origin``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..airfields import Reference, load_reference
from ..errors import ConfigError
from .types import type_info

MANEUVERS = ("low_pass", "go_around", "touch_and_go")
AIRCRAFT_CLASSES = ("heavy", "airliner", "turboprop", "light")


@dataclass(frozen=True, slots=True)
class Aircraft:
    icao24: str
    registration: str
    type_code: str
    aircraft_class: str
    country: str
    military: bool = False
    state: bool = False
    callsign: str = ""
    operator: str = ""
    description: str = ""
    year: str = ""
    squawk: str = "1000"


@dataclass(frozen=True, slots=True)
class Maneuver:
    airfield: str
    kind: str  # low_pass | go_around | touch_and_go


@dataclass(frozen=True, slots=True)
class Flight:
    flight_ref: str
    icao24: str
    callsign: str
    origin: str
    destination: str
    departure: datetime  # wheels up at the origin
    cruise_ft: float
    cruise_kt: float
    category: str = "scripted"  # scripted | background
    dark_near: tuple[str, ...] = ()
    dark_radius_nm: float = 40.0
    maneuvers: tuple[Maneuver, ...] = ()
    squawk: str = ""


@dataclass(frozen=True, slots=True)
class Rotation:
    """A repeated route: one flight per leg, starting every ``every_days``."""

    rotation_id: str
    aircraft: tuple[str, ...]
    route: tuple[str, ...]
    first: datetime
    until: datetime
    every_days: float
    turnaround_h: float = 3.0
    jitter_min: float = 60.0
    callsign: str | None = None
    cruise_ft: float | None = None
    cruise_kt: float | None = None
    dark_near: tuple[str, ...] = ()
    dark_radius_nm: float = 40.0


@dataclass(frozen=True, slots=True)
class Background:
    """Civil traffic in and out of one airfield: ``per_day`` movements by a small fleet."""

    airfield: str
    per_day: float
    types: tuple[str, ...]
    others: tuple[str, ...]  # the airfields at the other end
    fleet: int
    country: str
    icao_block: tuple[int, int]
    registration_prefix: str
    callsign_prefix: str = ""
    hours: tuple[float, float] = (5.0, 23.0)
    cruise_ft: float | None = None


@dataclass(frozen=True, slots=True)
class Receiver:
    name: str
    lat: float
    lon: float
    range_nm: float = 200.0
    antenna_ft: float = 100.0
    polygon: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Outage:
    start: datetime
    end: datetime
    receiver: str = ""  # empty: every receiver


@dataclass(frozen=True, slots=True)
class Faults:
    position_noise_m: float = 0.0
    duplicate_rate: float = 0.0
    clock_jitter_s: float = 0.0
    corrupt_rate: float = 0.0


@dataclass(frozen=True, slots=True)
class Runway:
    icao: str
    heading_deg: float
    length_m: float = 2800.0


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    start: datetime
    end: datetime
    seed: int
    aircraft: tuple[Aircraft, ...]
    flights: tuple[Flight, ...]
    rotations: tuple[Rotation, ...] = ()
    background: tuple[Background, ...] = ()
    receivers: tuple[Receiver, ...] = ()
    outages: tuple[Outage, ...] = ()
    missing_days: tuple[date, ...] = ()
    faults: Faults = field(default_factory=Faults)
    runways: tuple[Runway, ...] = ()
    raw_rate: float = 1.0  # scales how many raw Mode S frames an aircraft sends

    def aircraft_by_icao(self) -> dict[str, Aircraft]:
        return {a.icao24: a for a in self.aircraft}


# --- reading --------------------------------------------------------------------------------


def shipped_scenarios() -> dict[str, Path]:
    folder = resources.files("basewatch") / "data" / "scenarios"
    return {
        p.name.removesuffix(".toml"): Path(str(p))
        for p in folder.iterdir()
        if p.name.endswith(".toml")
    }


def find_scenario(name_or_path: str | Path) -> Path:
    """A path to a TOML file, or the name of a shipped scenario."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.is_file():
            raise ConfigError(f"{p}: scenario file not found")
        return p
    shipped = shipped_scenarios()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    raise ConfigError(
        f"unknown scenario {name_or_path!r}: give a .toml path or one of: "
        + ", ".join(sorted(shipped))
    )


def load_scenario(name_or_path: str | Path, reference: Reference | None = None) -> Scenario:
    path = find_scenario(name_or_path)
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return parse_scenario(doc, reference, where=str(path))


class _Table:
    """A TOML table with typed, key-naming accessors."""

    def __init__(self, doc: Any, where: str, path: str) -> None:
        if not isinstance(doc, dict):
            raise ConfigError(f"{where}: {path} must be a table")
        self.doc, self.where, self.path = doc, where, path
        self.used: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def err(self, key: str, msg: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self._key(key)}: {msg}")

    def has(self, key: str) -> bool:
        return key in self.doc

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        self.used.add(key)
        if key not in self.doc:
            if default is ...:
                raise self.err(key, "missing")
            return default
        v = self.doc[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, kinds) or (isinstance(v, bool) and bool not in kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise self.err(key, f"expected {names}, got {v!r}")
        return v

    def number(self, key: str, default: Any = ..., lo: float | None = None, hi=None) -> float:
        v = self.get(key, float, default)
        if v is None:
            return v
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise self.err(key, f"{v} is out of range [{lo}, {hi}]")
        return v

    def time(self, key: str, default: Any = ...) -> datetime:
        v = self.get(key, (str, datetime, date), default)
        if v is None or (v is default and not isinstance(v, str | datetime | date)):
            return v
        if isinstance(v, datetime):
            return v if v.tzinfo else v.replace(tzinfo=UTC)
        if isinstance(v, date):
            return datetime(v.year, v.month, v.day, tzinfo=UTC)
        try:
            dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            raise self.err(key, f"{v!r} is not an ISO 8601 time (e.g. 2025-10-24T06:00Z)") from None
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)

    def strings(self, key: str, default: Any = ...) -> tuple[str, ...]:
        v = self.get(key, list, default)
        if not all(isinstance(x, str) for x in v):
            raise self.err(key, "expected a list of strings")
        return tuple(v)

    def tables(self, key: str) -> list[_Table]:
        v = self.get(key, list, [])
        return [_Table(x, self.where, f"{key}[{i}]") for i, x in enumerate(v)]

    def check_unknown(self) -> None:
        extra = sorted(set(self.doc) - self.used)
        if extra:
            raise self.err(extra[0], "unknown key")


def _icao24(t: _Table, key: str) -> str:
    v = t.get(key, str).lower()
    if len(v) != 6 or any(c not in "0123456789abcdef" for c in v):
        raise t.err(key, f"{v!r} is not a 24-bit address (6 hex digits)")
    return v


def _airfield(t: _Table, key: str, ref: Reference, value: str | None = None) -> str:
    code = (value if value is not None else t.get(key, str)).upper()
    if code not in ref.airfields:
        raise t.err(key, f"unknown airfield {code!r} (not in airportsdata or the bases file)")
    return code


def _squawk(t: _Table, key: str, default: str) -> str:
    v = t.get(key, str, default)
    if v and (len(v) != 4 or any(c not in "01234567" for c in v)):
        raise t.err(key, f"{v!r} is not a Mode A code (4 octal digits)")
    return v


WORLD_BLOCK = (0x200000, 0xFFFFFF)  # addresses the world's schedules draw from, in blocks
WORLD_CELL_DEG = 6.0  # airfields are picked one per cell of this size in turn: spread out


def _world(t: _Table, ref: Reference) -> list[Background]:
    """``[world]``: civil schedules at ``airfields`` airfields spread over the globe (the
    reference's international airports, one per cell of the map in turn), each linked to its
    ``links`` nearest chosen airfields, each with its own fleet and block of addresses."""
    from ..geo import haversine_nm

    n = int(t.number("airfields", lo=2, hi=3000))
    per_day = t.number("per_day", lo=0, hi=2000)
    fleet = int(t.number("fleet", 8, lo=1, hi=10000))
    links = int(t.number("links", 6, lo=1, hi=50))
    types = tuple(x.upper() for x in t.strings("types"))
    for x in types:
        if type_info(x) is None:
            raise t.err("types", f"unknown type {x!r} for background traffic")
    hours = t.get("hours", list, [5, 23])
    t.check_unknown()
    cells: dict[tuple[int, int], list] = {}
    for af in sorted(ref.airfields.values(), key=lambda a: a.icao):
        if af.is_base or len(af.icao) != 4 or not af.icao.isalpha():
            continue
        if "international" not in af.name.lower():
            continue
        key = (int(af.lat // WORLD_CELL_DEG), int(af.lon // WORLD_CELL_DEG))
        cells.setdefault(key, []).append(af)
    chosen = []
    queues = [cells[k] for k in sorted(cells)]
    while len(chosen) < n and any(queues):
        for q in queues:
            if q and len(chosen) < n:
                chosen.append(q.pop(0))
    if len(chosen) < n:
        raise t.err("airfields", f"{n}: the reference has only {len(chosen)} to choose from")
    lat = np.array([a.lat for a in chosen])
    lon = np.array([a.lon for a in chosen])
    block = (WORLD_BLOCK[1] - WORLD_BLOCK[0]) // n
    out = []
    for i, af in enumerate(chosen):
        d = haversine_nm(af.lat, af.lon, lat, lon)
        others = tuple(chosen[j].icao for j in np.argsort(d)[1 : links + 1])
        lo = WORLD_BLOCK[0] + i * block
        letters = "".join(chr(65 + (i // 26**k) % 26) for k in (2, 1, 0))
        out.append(
            Background(
                airfield=af.icao,
                per_day=per_day,
                types=types,
                others=others,
                fleet=fleet,
                country=af.country,
                icao_block=(lo, lo + block - 1),
                registration_prefix=f"{af.country}-{letters[1:]}",
                callsign_prefix=letters,
                hours=(float(hours[0]), float(hours[1])),
            )
        )
    return out


def _block(t: _Table, key: str) -> tuple[int, int]:
    v = t.get(key, str)
    try:
        lo, hi = (int(x, 16) for x in v.split("-"))
    except ValueError:
        raise t.err(key, f"{v!r}: expected a hex range like 778000-77FFFF") from None
    if not 0 <= lo < hi <= 0xFFFFFF:
        raise t.err(key, f"{v!r}: not a range of 24-bit addresses")
    return lo, hi


def parse_scenario(
    doc: dict, reference: Reference | None = None, where: str = "scenario"
) -> Scenario:
    ref = reference or load_reference()
    top = _Table(doc, where, "")
    s = _Table(top.get("scenario", dict), where, "scenario")
    start, end = s.time("start"), s.time("end")
    if end <= start:
        raise s.err("end", "must be after scenario.start")
    name = s.get("name", str)
    description = s.get("description", str, "")
    seed = s.get("seed", int, 0)
    raw_rate = s.number("raw_rate", 1.0, lo=0.05, hi=10.0)
    missing = []
    for i, d in enumerate(s.get("missing_days", list, [])):
        try:
            missing.append(d if isinstance(d, date) else date.fromisoformat(str(d)))
        except ValueError:
            raise s.err(f"missing_days[{i}]", f"{d!r} is not a date (YYYY-MM-DD)") from None
    s.check_unknown()

    runways = []
    for t in top.tables("runway"):
        runways.append(
            Runway(
                _airfield(t, "icao", ref),
                t.number("heading_deg", lo=0, hi=360),
                t.number("length_m", 2800.0, lo=300, hi=6000),
            )
        )
        t.check_unknown()

    aircraft: dict[str, Aircraft] = {}
    for t in top.tables("aircraft"):
        icao = _icao24(t, "icao24")
        if icao in aircraft:
            raise t.err("icao24", f"{icao} is listed twice")
        type_code = t.get("type_code", str).upper()
        info = type_info(type_code)
        cls = t.get("class", str, info.aircraft_class if info else None)
        if cls is None:
            raise t.err("type_code", f"unknown type {type_code!r}: give its class too")
        if cls not in AIRCRAFT_CLASSES:
            raise t.err("class", f"{cls!r}: choose one of {', '.join(AIRCRAFT_CLASSES)}")
        aircraft[icao] = Aircraft(
            icao24=icao,
            registration=t.get("registration", str, ""),
            type_code=type_code,
            aircraft_class=cls,
            country=t.get("country", str, ""),
            military=t.get("military", bool, False),
            state=t.get("state", bool, False),
            callsign=t.get("callsign", str, ""),
            operator=t.get("operator", str, ""),
            description=t.get("description", str, info.description if info else type_code),
            year=str(t.get("year", (str, int), "")),
            squawk=_squawk(t, "squawk", "1000"),
        )
        t.check_unknown()

    def _aircraft_ref(t: _Table, key: str, value: str | None = None) -> str:
        v = (value if value is not None else t.get(key, str)).lower()
        if v not in aircraft:
            raise t.err(key, f"{v!r} is not an [[aircraft]] icao24 of this scenario")
        return v

    flights = []
    refs: set[str] = set()
    for t in top.tables("flight"):
        fid = t.get("id", str)
        if fid in refs:
            raise t.err("id", f"{fid!r} is used twice")
        refs.add(fid)
        icao = _aircraft_ref(t, "aircraft")
        ac = aircraft[icao]
        mans = []
        for m in t.tables("maneuvers"):
            kind = m.get("kind", str)
            if kind not in MANEUVERS:
                raise m.err("kind", f"{kind!r}: choose one of {', '.join(MANEUVERS)}")
            mans.append(Maneuver(_airfield(m, "airfield", ref), kind))
            m.check_unknown()
        cruise = _cruise(ac, t)
        flights.append(
            Flight(
                flight_ref=fid,
                icao24=icao,
                callsign=t.get("callsign", str, ac.callsign),
                origin=_airfield(t, "origin", ref),
                destination=_airfield(t, "destination", ref),
                departure=t.time("departure"),
                cruise_ft=cruise[0],
                cruise_kt=cruise[1],
                dark_near=tuple(
                    _airfield(t, "dark_near", ref, c) for c in t.strings("dark_near", ())
                ),
                dark_radius_nm=t.number("dark_radius_nm", 40.0, lo=0, hi=500),
                maneuvers=tuple(mans),
                squawk=_squawk(t, "squawk", ac.squawk),
            )
        )
        t.check_unknown()

    rotations = []
    for t in top.tables("rotation"):
        ids = tuple(_aircraft_ref(t, "aircraft", a) for a in t.strings("aircraft"))
        if not ids:
            raise t.err("aircraft", "needs at least one aircraft")
        route = tuple(_airfield(t, "route", ref, c) for c in t.strings("route"))
        if len(route) < 2:
            raise t.err("route", "needs at least two airfields")
        rotations.append(
            Rotation(
                rotation_id=t.get("id", str),
                aircraft=ids,
                route=route,
                first=t.time("first"),
                until=t.time("until"),
                every_days=t.number("every_days", lo=0.1),
                turnaround_h=t.number("turnaround_h", 3.0, lo=0),
                jitter_min=t.number("jitter_min", 60.0, lo=0),
                callsign=t.get("callsign", str, None),
                cruise_ft=t.number("cruise_ft", None, lo=1000, hi=45000),
                cruise_kt=t.number("cruise_kt", None, lo=60, hi=600),
                dark_near=tuple(
                    _airfield(t, "dark_near", ref, c) for c in t.strings("dark_near", ())
                ),
                dark_radius_nm=t.number("dark_radius_nm", 40.0, lo=0, hi=500),
            )
        )
        t.check_unknown()

    background = []
    for t in top.tables("background"):
        types = tuple(x.upper() for x in t.strings("types"))
        for x in types:
            if type_info(x) is None:
                raise t.err("types", f"unknown type {x!r} for background traffic")
        others = tuple(_airfield(t, "others", ref, c) for c in t.strings("others"))
        if not others:
            raise t.err("others", "needs at least one airfield")
        hours = t.get("hours", list, [5, 23])
        if len(hours) != 2 or not 0 <= hours[0] < hours[1] <= 24:
            raise t.err("hours", f"{hours!r}: expected [first, last] hours of the day, 0..24")
        background.append(
            Background(
                airfield=_airfield(t, "airfield", ref),
                per_day=t.number("per_day", lo=0, hi=2000),
                types=types,
                others=others,
                fleet=int(t.number("fleet", 8, lo=1, hi=10000)),
                country=t.get("country", str, ""),
                icao_block=_block(t, "icao_block"),
                registration_prefix=t.get("registration_prefix", str, ""),
                callsign_prefix=t.get("callsign_prefix", str, ""),
                hours=(float(hours[0]), float(hours[1])),
                cruise_ft=t.number("cruise_ft", None, lo=1000, hi=45000),
            )
        )
        t.check_unknown()

    if top.has("world"):
        background.extend(_world(_Table(top.get("world", dict), where, "world"), ref))

    receivers = []
    for t in top.tables("receiver"):
        poly = t.get("polygon", list, [])
        pts = []
        for j, p in enumerate(poly):
            if not (
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, int | float) for x in p)
            ):
                raise t.err(f"polygon[{j}]", f"{p!r}: expected [lat, lon]")
            pts.append((float(p[0]), float(p[1])))
        if poly and len(pts) < 3:
            raise t.err("polygon", "needs at least three corners")
        if not poly and not (t.has("lat") and t.has("lon")):
            raise t.err("lat", "a receiver needs lat and lon (and range_nm), or a polygon")
        # a polygon's receiver sits at its centre unless told (the reference for surface decoding)
        lat = t.number("lat", sum(p[0] for p in pts) / len(pts) if pts else ..., lo=-90, hi=90)
        lon = t.number("lon", sum(p[1] for p in pts) / len(pts) if pts else ..., lo=-180, hi=180)
        receivers.append(
            Receiver(
                name=t.get("name", str),
                lat=lat,
                lon=lon,
                range_nm=t.number("range_nm", 200.0, lo=1, hi=450),
                antenna_ft=t.number("antenna_ft", 100.0, lo=0, hi=10000),
                polygon=tuple(pts),
            )
        )
        t.check_unknown()
    names = [r.name for r in receivers]
    if len(set(names)) != len(names):
        raise top.err("receiver", "receiver names must be unique")
    if not receivers:
        raise top.err("receiver", "a scenario needs at least one [[receiver]]")

    outages = []
    for t in top.tables("outage"):
        rec = t.get("receiver", str, "")
        if rec and rec not in names:
            raise t.err("receiver", f"{rec!r} is not a receiver of this scenario")
        o = Outage(t.time("start"), t.time("end"), rec)
        if o.end <= o.start:
            raise t.err("end", "must be after start")
        outages.append(o)
        t.check_unknown()

    faults = Faults()
    if top.has("faults"):
        f = _Table(top.get("faults", dict), where, "faults")
        faults = Faults(
            position_noise_m=f.number("position_noise_m", 0.0, lo=0, hi=5000),
            duplicate_rate=f.number("duplicate_rate", 0.0, lo=0, hi=0.5),
            clock_jitter_s=f.number("clock_jitter_s", 0.0, lo=0, hi=10),
            corrupt_rate=f.number("corrupt_rate", 0.0, lo=0, hi=0.5),
        )
        f.check_unknown()
    top.check_unknown()

    return Scenario(
        name=name,
        description=description,
        start=start,
        end=end,
        seed=seed,
        aircraft=tuple(aircraft.values()),
        flights=tuple(flights),
        rotations=tuple(rotations),
        background=tuple(background),
        receivers=tuple(receivers),
        outages=tuple(outages),
        missing_days=tuple(missing),
        faults=faults,
        runways=tuple(runways),
        raw_rate=raw_rate,
    )


def _cruise(ac: Aircraft, t: _Table) -> tuple[float, float]:
    info = type_info(ac.type_code)
    perf_ft = info.cruise_ft if info else 30000.0
    perf_kt = info.cruise_kt if info else 420.0
    return (
        t.number("cruise_ft", perf_ft, lo=1000, hi=45000),
        t.number("cruise_kt", perf_kt, lo=60, hi=600),
    )


def day_range(start: datetime, end: datetime) -> list[date]:
    """The UTC days a span touches."""
    d, out = start.date(), []
    while datetime(d.year, d.month, d.day, tzinfo=UTC) < end:
        out.append(d)
        d += timedelta(days=1)
    return out
