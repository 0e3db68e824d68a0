"""Each scenario in each format round-trips through the ingest readers to the simulated positions."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sim_cases import FORMATS, SCENARIOS, short_scenario, true_states

from basewatch import api
from basewatch.geo import haversine_nm

M_PER_NM = 1852.0


def ingest_output(out: Path, fmt: str, db: Path) -> None:
    if fmt == "trace_full":
        api.ingest([out / "globe_history"], db=db)
    elif fmt == "opensky-csv":
        api.ingest([out / "opensky"], db=db, format="opensky_csv")
    elif fmt == "sbs":
        for r in csv.DictReader((out / "receivers.csv").open()):
            folder = out / "receivers" / r["name"]
            if folder.exists():
                rec = (float(r["lat"]), float(r["lon"]))
                api.ingest([folder], db=db, format=fmt, receiver=rec)
    else:  # a raw capture's clock is relative: each file with its first frame's time
        for r in csv.DictReader((out / "captures.csv").open()):
            rec = (float(r["lat"]), float(r["lon"]))
            api.ingest([out / r["path"]], db=db, format=fmt, receiver=rec, start=r["first_frame"])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_round_trip(name, fmt, tmp_path):
    sc = short_scenario(name)
    out = tmp_path / "out"
    report = api.simulate(sc, out, format=fmt)
    assert report.records > 0 and report.files > 0
    db = tmp_path / "sim.duckdb"
    ingest_output(out, fmt, db)
    df = api.positions(db=db)
    assert len(df) > 0
    ts = df["ts"].map(lambda t: t.timestamp()).to_numpy(dtype=np.float64)
    icao = df["icao24"].to_numpy(dtype=object)
    truth = true_states(name, icao, ts)
    assert np.isfinite(truth["lat"]).all(), "a stored position belongs to no simulated flight"
    err_m = haversine_nm(truth["lat"], truth["lon"], df["lat_deg"], df["lon_deg"]) * M_PER_NM
    f = sc.faults
    bound = 6 * f.position_noise_m + 4 * f.clock_jitter_s * truth["gs_kt"] * 0.5144 + 15.0
    worst = int(np.argmax(err_m - bound))
    assert (err_m <= bound).all(), (
        f"{icao[worst]} at {df['ts'].iloc[worst]}: {err_m[worst]:.0f} m off (bound {bound[worst]:.0f})"
    )
    alt = df["alt_baro_ft"].to_numpy(dtype=np.float64, na_value=np.nan)
    has = np.isfinite(alt)
    assert has.any()
    assert np.nanmax(np.abs(alt[has] - truth["alt_ft"][has])) <= 40
    # every aircraft the simulator says was observed is there
    observed = {
        r["icao24"]
        for r in csv.DictReader((out / "truth_movements.csv").open())
        if r["visibility"] == "observed"
    }
    assert observed <= set(icao)
