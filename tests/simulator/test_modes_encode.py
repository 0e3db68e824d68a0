"""Every frame the encoder writes decodes, through rs1090, to what was meant."""

from __future__ import annotations

import numpy as np
import pytest
import rs1090
from sim_cases import planned, short_scenario

from basewatch.airfields import load_reference
from basewatch.geo import haversine_nm
from basewatch.simulator import modes_encode as enc
from basewatch.simulator.coverage import Coverage
from basewatch.simulator.observe import ALT_REPLY, ID_REPLY, IDENT, POS, VEL, raw_messages
from basewatch.simulator.writers import encode

M_PER_NM = 1852.0


def test_crc_of_a_known_frame():
    # a published DF17 identification frame: its last 24 bits are the CRC of the first 88
    frame = bytes.fromhex("8D4840D6202CC371C32CE0576098")
    crc = enc.crc24(np.frombuffer(frame[:11], dtype=np.uint8)[None, :])[0]
    assert crc == int.from_bytes(frame[11:], "big")


def test_random_states_decode_to_what_was_meant():
    rng = np.random.default_rng(0)
    n = 300
    icao = rng.integers(0x100000, 0x1FFFFF, n).astype(np.uint64)
    lat = rng.uniform(-80, 80, n)
    lon = rng.uniform(-180, 180, n)
    alt = np.round(rng.uniform(-1000, 50000, n) / 25) * 25
    gs = rng.uniform(0, 600, n)
    trk = rng.uniform(0, 360, n)
    vr = np.round(rng.uniform(-6000, 6000, n) / 64) * 64
    odd = (np.arange(n) % 2).astype(np.uint64)
    squawks = [f"{a}{b}{c}{d}" for a, b, c, d in rng.integers(0, 8, (n, 4)).tolist()]
    calls = ["RFF" + str(x) for x in rng.integers(1000, 9999, n)]
    for i, f in enumerate(enc.airborne_position(icao, lat, lon, alt, odd)):
        d = rs1090.decode(f, reference=(lat[i] + 0.3, lon[i] - 0.3))
        assert d["icao24"] == f"{int(icao[i]):06x}" and d["altitude"] == alt[i]
        assert d["parity"] == ("odd" if odd[i] else "even")
        assert haversine_nm(lat[i], lon[i], d["latitude"], d["longitude"]) * M_PER_NM < 10
    for i, f in enumerate(enc.surface_position(icao, lat, lon, gs % 170, trk, odd)):
        d = rs1090.decode(f, reference=(lat[i] + 0.1, lon[i] + 0.1))
        assert haversine_nm(lat[i], lon[i], d["latitude"], d["longitude"]) * M_PER_NM < 3
        assert abs((d["track"] - trk[i] + 180) % 360 - 180) <= 360 / 128
        assert abs(d["groundspeed"] - gs[i] % 170) <= 5
    for i, f in enumerate(enc.airborne_velocity(icao, gs, trk, vr)):
        d = rs1090.decode(f)
        assert abs(d["groundspeed"] - gs[i]) < 1.0
        # each component is whole knots: the track is as good as 0.71 kt across the speed
        tol = np.degrees(0.71 / max(gs[i], 0.71)) + 0.01
        assert gs[i] < 2 or abs((d["track"] - trk[i] + 180) % 360 - 180) < tol
        assert d["vertical_rate"] == vr[i]
    for i, f in enumerate(enc.identification(icao, calls, np.full(n, 3))):
        assert rs1090.decode(f)["callsign"] == calls[i]
    ground = (np.arange(n) % 3 == 0).astype(np.uint8)
    for i, f in enumerate(enc.altitude_reply(icao, alt, ground)):
        d = rs1090.decode(f)
        assert d["df"] == "4" and d["altitude"] == alt[i] and d["icao24"] == f"{int(icao[i]):06x}"
    for i, f in enumerate(enc.identity_reply(icao, squawks, ground)):
        d = rs1090.decode(f)
        assert d["df"] == "5" and d["squawk"] == squawks[i] and d["icao24"] == f"{int(icao[i]):06x}"


@pytest.mark.parametrize("name", ["trap-low-pass", "khmeimim-2025"])
def test_every_simulated_frame_decodes(name):
    """A scenario's raw messages, frame by frame: what rs1090 reads is what was simulated."""
    sc = short_scenario(name)
    ref = load_reference()
    cov = Coverage(sc)
    traffic = planned(name)
    day0 = sc.start.timestamp() // 86400 * 86400
    checked = 0
    for p in traffic.profiles[:12]:
        obs = raw_messages(p, cov, ref, sc.faults.__class__(), sc.seed, day0, 0.2)
        if obs is None:
            continue
        frames = encode(p, obs)
        for i, f in enumerate(frames):
            k = int(obs.kind[i])
            ref_pt = (obs.lat[i] + 0.05, obs.lon[i] - 0.05)
            d = rs1090.decode(f, reference=ref_pt)
            assert d["icao24"] == p.flight.icao24, f
            if k == POS:
                tol_m = 3 if obs.ground[i] else 10
                assert (
                    haversine_nm(obs.lat[i], obs.lon[i], d["latitude"], d["longitude"]) * M_PER_NM
                    < tol_m
                )
                if not obs.ground[i]:
                    assert abs(d["altitude"] - obs.alt_ft[i]) <= 12.5
            elif k == VEL:
                assert abs(d["groundspeed"] - obs.gs_kt[i]) < 1.0
                assert abs(d["vertical_rate"] - obs.vrate_fpm[i]) <= 32
            elif k == IDENT:
                assert d["callsign"] == p.flight.callsign
            elif k == ALT_REPLY:
                assert abs(d["altitude"] - obs.alt_ft[i]) <= 12.5
            elif k == ID_REPLY:
                assert d["squawk"] == p.flight.squawk
            checked += 1
    assert checked > 500
