"""``[world]``: schedules at many airfields spread over the globe, each with its own block of
addresses and its nearest chosen airfields at the other end; simulated in globe_history
layout, one trace file per aircraft."""

from __future__ import annotations

import tomllib
from importlib.resources import files

import pytest

from basewatch import api
from basewatch.airfields import load_reference
from basewatch.errors import ConfigError
from basewatch.geo import haversine_nm
from basewatch.simulator.scenario import parse_scenario


def _world(**edit) -> dict:
    doc = tomllib.loads(files("basewatch.data.scenarios").joinpath("world-day.toml").read_text())
    doc["world"].update(edit)
    return doc


def test_the_shipped_day_spreads_300_airfields_over_the_globe():
    sc = parse_scenario(_world())
    bg = sc.background
    assert len(bg) == 300 and len({b.airfield for b in bg}) == 300
    blocks = sorted(b.icao_block for b in bg)
    assert all(a[1] < b[0] for a, b in zip(blocks, blocks[1:], strict=False))  # disjoint
    where = load_reference().airfields
    lats = [where[b.airfield].lat for b in bg]
    lons = [where[b.airfield].lon for b in bg]
    assert min(lats) < -20 and max(lats) > 50 and min(lons) < -100 and max(lons) > 100
    for b in bg[:20]:  # the other ends are near: the nearest chosen airfields
        a = where[b.airfield]
        assert len(b.others) == 8 and b.airfield not in b.others
        far = max(haversine_nm(a.lat, a.lon, where[o].lat, where[o].lon) for o in b.others)
        assert far < 3000


def test_a_small_world_simulates_one_file_per_aircraft(tmp_path):
    text = (files("basewatch.data.scenarios") / "world-day.toml").read_text()
    text = text.replace("airfields = 300", "airfields = 3").replace("per_day = 80", "per_day = 6")
    text = text.replace('end = "2025-06-02T00:00:00Z"', 'end = "2025-06-01T06:00:00Z"')
    (tmp_path / "w.toml").write_text(text)
    api.simulate(tmp_path / "w.toml", tmp_path / "sim")
    traces = sorted((tmp_path / "sim" / "globe_history").rglob("trace_full_*.json"))
    names = [t.name for t in traces]
    assert traces and len(names) == len(set(names))


def test_bad_world_names_the_key():
    with pytest.raises(ConfigError, match="world.airfields"):
        parse_scenario(_world(airfields=100_000))
    with pytest.raises(ConfigError, match="world.types"):
        parse_scenario(_world(types=["NOPE"]))
