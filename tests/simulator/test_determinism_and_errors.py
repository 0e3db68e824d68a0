"""Same seed, same bytes; bad scenario files give a ConfigError naming the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from sim_cases import short_scenario

from basewatch import api
from basewatch.cli import cli
from basewatch.errors import ConfigError
from basewatch.simulator.scenario import find_scenario, parse_scenario


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("fmt", ["trace_full", "beast", "sbs"])
def test_same_seed_same_bytes(tmp_path, fmt):
    sc = short_scenario("trap-low-pass")
    a = files(api.simulate(sc, tmp_path / "a", format=fmt) and tmp_path / "a")
    b = files(api.simulate(sc, tmp_path / "b", format=fmt) and tmp_path / "b")
    assert a == b and len(a) > 4
    c = files(api.simulate(sc, tmp_path / "c", format=fmt, seed=99) and tmp_path / "c")
    assert set(a) != set(c) or any(a[k] != c[k] for k in a)


def base_doc() -> dict:
    with find_scenario("trap-low-pass").open("rb") as fh:
        return tomllib.load(fh)


@pytest.mark.parametrize(
    "edit, key",
    [
        (lambda d: d["scenario"].pop("start"), "scenario.start"),
        (lambda d: d["scenario"].update(end="2025-01-01T00:00:00Z"), "scenario.end"),
        (lambda d: d["scenario"].update(start="yesterday"), "scenario.start"),
        (lambda d: d["flight"][0].update(origin="XXXX"), "flight[0].origin"),
        (lambda d: d["flight"][0].update(aircraft="abcdef"), "flight[0].aircraft"),
        (lambda d: d["flight"][0].update(cruise_ft="high"), "flight[0].cruise_ft"),
        (lambda d: d["flight"][0].update(squawk="9999"), "flight[0].squawk"),
        (lambda d: d["flight"][0]["maneuvers"][0].update(kind="barrel_roll"), "maneuvers[0].kind"),
        (lambda d: d["aircraft"][0].update(icao24="xyz"), "aircraft[0].icao24"),
        (lambda d: d["aircraft"][0].update(type_code="ZZZZ"), "aircraft[0].type_code"),
        (lambda d: d["aircraft"][0].update(colour="red"), "aircraft[0].colour"),
        (lambda d: d["receiver"][0].pop("lat"), "receiver[0].lat"),
        (lambda d: d["receiver"][0].update(range_nm=-5), "receiver[0].range_nm"),
        (lambda d: d.pop("receiver"), "receiver"),
        (lambda d: d["background"][0].update(icao_block="nope"), "background[0].icao_block"),
        (lambda d: d.update(faults={"corrupt_rate": 2}), "faults.corrupt_rate"),
    ],
)
def test_bad_scenario_names_the_key(edit, key):
    doc = base_doc()
    edit(doc)
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        parse_scenario(doc, where="bad.toml")


def test_bad_files_and_cli(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[scenario\nname = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        api.simulate(broken, tmp_path / "o")
    with pytest.raises(ConfigError, match="unknown scenario"):
        api.simulate("no-such-scenario", tmp_path / "o")
    with pytest.raises(ConfigError, match="format"):
        api.simulate("trap-patchy", tmp_path / "o", format="kml")
    runner = CliRunner()
    res = runner.invoke(cli, ["simulate", str(broken), "--out", str(tmp_path / "o")])
    assert (
        res.exit_code == 2 and "basewatch: error:" in res.output and "Traceback" not in res.output
    )


def test_cli_writes_a_scenario(tmp_path):
    res = CliRunner().invoke(
        cli, ["simulate", "trap-patchy", "--out", str(tmp_path / "o"), "--format", "avr", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert '"format": "avr"' in res.output
    assert (tmp_path / "o" / "truth_movements.csv").exists()
    assert list((tmp_path / "o" / "receivers").rglob("*.avr"))


def test_out_folder_is_new_empty_or_an_earlier_run(tmp_path):
    (tmp_path / "mine.txt").write_text("a user's file")
    with pytest.raises(ConfigError, match="not empty"):
        api.simulate("trap-patchy", tmp_path, format="sbs")
    out = tmp_path / "sim"
    api.simulate("trap-patchy", out, format="sbs")
    api.simulate("trap-patchy", out, format="avr")  # a rerun replaces the earlier output
    assert not list(out.rglob("*.sbs")) and list(out.rglob("*.avr"))
