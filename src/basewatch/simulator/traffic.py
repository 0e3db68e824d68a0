"""The scenario's flights: scripted ones, rotations expanded, background schedules generated.

Each flight gets its own seeded generator (scenario seed + flight reference), so a flight's
profile and samples do not change when other flights are added or the output is chunked.
"""

from __future__ import annotations

import dataclasses
import zlib
from datetime import UTC, datetime, timedelta

import numpy as np

from ..airfields import Reference
from .profiles import Profile, build_profile
from .scenario import Aircraft, Background, Flight, Rotation, Scenario
from .types import TYPES, type_info

TURNAROUND_MIN_S = 45 * 60.0  # an airframe is not used again sooner than this after landing


def rng_for(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(n.encode()) for n in names)])


def shifted(p: Profile, dt: float) -> Profile:
    f = dataclasses.replace(p.flight, departure=p.flight.departure + timedelta(seconds=dt))
    return dataclasses.replace(
        p,
        flight=f,
        t0=p.t0 + dt,
        movements=[(t + dt, a, k) for t, a, k in p.movements],
        elev_at=[(t + dt, e) for t, e in p.elev_at],
    )


@dataclasses.dataclass(slots=True)
class Traffic:
    profiles: list[Profile]
    aircraft: dict[str, Aircraft]


def plan_traffic(scenario: Scenario, ref: Reference, seed: int) -> Traffic:
    runways = {r.icao: r for r in scenario.runways}
    aircraft = scenario.aircraft_by_icao()
    profiles: list[Profile] = []
    for f in scenario.flights:
        profiles.append(
            build_profile(f, aircraft[f.icao24], ref, runways, rng_for(seed, f.flight_ref))
        )
    for rot in scenario.rotations:
        profiles.extend(_rotation(rot, aircraft, ref, runways, seed))
    for bg in scenario.background:
        profiles.extend(_background(bg, scenario, aircraft, ref, runways, seed))
    lo, hi = scenario.start.timestamp(), scenario.end.timestamp()
    profiles = [p for p in profiles if p.end >= lo and p.start < hi]
    profiles.sort(key=lambda p: (p.start, p.flight.flight_ref))
    return Traffic(profiles, aircraft)


def _rotation(
    rot: Rotation, aircraft: dict[str, Aircraft], ref, runways, seed: int
) -> list[Profile]:
    rng = rng_for(seed, "rotation", rot.rotation_id)
    out: list[Profile] = []
    free_at: dict[str, float] = {}
    k = 0
    while True:
        start = rot.first + timedelta(days=rot.every_days * k)
        if start > rot.until:
            break
        icao = rot.aircraft[k % len(rot.aircraft)]
        ac = aircraft[icao]
        info = type_info(ac.type_code)
        t = start.timestamp() + float(rng.normal(0.0, rot.jitter_min * 30.0))
        t = max(t, free_at.get(icao, -np.inf))
        for i, (a, b) in enumerate(zip(rot.route[:-1], rot.route[1:], strict=True)):
            ref_id = f"{rot.rotation_id}-{k + 1:03d}-{i + 1}"
            f = Flight(
                flight_ref=ref_id,
                icao24=icao,
                callsign=ac.callsign if rot.callsign is None else rot.callsign,
                origin=a,
                destination=b,
                departure=datetime.fromtimestamp(round(t), UTC),
                cruise_ft=rot.cruise_ft or (info.cruise_ft if info else 30000.0),
                cruise_kt=rot.cruise_kt or (info.cruise_kt if info else 420.0),
                dark_near=rot.dark_near,
                dark_radius_nm=rot.dark_radius_nm,
                squawk=ac.squawk,
            )
            p = build_profile(f, ac, ref, runways, rng_for(seed, ref_id))
            out.append(p)
            t = (
                p.landing_ts
                + rot.turnaround_h * 3600.0
                + float(rng.uniform(0, rot.jitter_min * 60.0))
            )
        free_at[icao] = t
        k += 1
    return out


def _background(
    bg: Background, scenario: Scenario, aircraft: dict[str, Aircraft], ref, runways, seed: int
) -> list[Profile]:
    """Departures from and arrivals at one airfield by a small fleet of civil airframes."""
    rng = rng_for(seed, "background", bg.airfield)
    taken = set(aircraft)
    fleet: list[list] = []  # [icao, free_at]

    def new_airframe() -> str:
        while True:
            icao = f"{int(rng.integers(bg.icao_block[0], bg.icao_block[1] + 1)):06x}"
            if icao not in taken:
                break
        taken.add(icao)
        type_code = str(rng.choice(bg.types))
        info = TYPES[type_code]
        letters = "".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 3))
        reg = f"{bg.registration_prefix}{letters}"
        aircraft[icao] = Aircraft(
            icao24=icao,
            registration=reg,
            type_code=type_code,
            aircraft_class=info.aircraft_class,
            country=bg.country,
            description=info.description,
            squawk=f"{int(rng.integers(0, 8))}{int(rng.integers(0, 8))}{int(rng.integers(0, 8))}{int(rng.integers(0, 8))}",
        )
        fleet.append([icao, -np.inf])
        return icao

    for _ in range(bg.fleet):
        new_airframe()
    out: list[Profile] = []
    day = scenario.start.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    n = 0
    while day < scenario.end:
        count = int(rng.poisson(bg.per_day))
        times = np.sort(rng.uniform(bg.hours[0], bg.hours[1], count)) * 3600.0 + day.timestamp()
        for t in times.tolist():
            n += 1
            arriving = bool(rng.random() < 0.5)
            other = str(rng.choice(bg.others))
            if other == bg.airfield:
                continue
            free = [a for a in fleet if a[1] <= t - 3 * 3600.0]
            icao = free[int(rng.integers(0, len(free)))][0] if free else new_airframe()
            ac = aircraft[icao]
            info = TYPES[ac.type_code]
            ref_id = f"bg-{bg.airfield}-{n:05d}"
            callsign = (
                f"{bg.callsign_prefix}{int(rng.integers(100, 9999))}"
                if bg.callsign_prefix
                else ac.registration.replace("-", "")
            )
            f = Flight(
                flight_ref=ref_id,
                icao24=icao,
                callsign=callsign,
                origin=other if arriving else bg.airfield,
                destination=bg.airfield if arriving else other,
                departure=datetime.fromtimestamp(round(t), UTC),
                cruise_ft=bg.cruise_ft or info.cruise_ft,
                cruise_kt=info.cruise_kt,
                category="background",
                squawk=ac.squawk,
            )
            p = build_profile(f, ac, ref, runways, rng_for(seed, ref_id))
            if arriving:  # the scheduled time is the landing
                p = shifted(p, round(t - p.landing_ts))
            slot = next(a for a in fleet if a[0] == icao)
            if p.start < slot[1]:
                icao2 = new_airframe()
                ac = aircraft[icao2]
                f = dataclasses.replace(p.flight, icao24=icao2, squawk=ac.squawk)
                p = dataclasses.replace(p, flight=f, aircraft=ac)
                slot = fleet[-1]
            slot[1] = p.end + TURNAROUND_MIN_S
            out.append(p)
        day += timedelta(days=1)
    return out
