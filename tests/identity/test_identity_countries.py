"""Country from the ICAO address block: known blocks, nesting, user overrides, vectorised."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basewatch.errors import ConfigError
from basewatch.identity.countries import (
    iso2_from_flag,
    load_blocks,
    read_blocks,
    shipped_ranges_file,
)

BLOCKS = load_blocks()


@pytest.mark.parametrize(
    ("icao24", "iso2", "country"),
    [
        ("100000", "RU", "Russia"),  # first address of Russia's block
        ("152fa2", "RU", "Russia"),
        ("1fffff", "RU", "Russia"),  # last
        ("778000", "SY", "Syria"),
        ("77ffff", "SY", "Syria"),
        ("018000", "LY", "Libya"),
        ("01ffff", "LY", "Libya"),
        ("a00000", "US", "United States"),
        ("ae0455", "US", "United States"),  # the US Navy C-2A of traffic's carrier sample
        ("afffff", "US", "United States"),
        ("3b7777", "FR", "France"),  # the French Air Force KC-135R of traffic's sample
    ],
)
def test_known_blocks(icao24, iso2, country):
    assert BLOCKS.country_of(icao24) == (iso2, country)


@pytest.mark.parametrize(
    ("icao24", "expected"),
    [
        ("0fffff", (None, None)),  # just below Russia: nothing assigned in the 2013 table
        ("200000", (None, "Unassigned (AFI region)")),  # just above Russia
        ("017fff", ("EG", "Egypt")),  # just below Libya
        ("020000", ("MA", "Morocco")),  # just above Libya
        ("780000", ("CN", "China")),  # just above Syria
    ],
)
def test_block_edges(icao24, expected):
    assert BLOCKS.country_of(icao24) == expected


def test_a_country_block_inside_an_unassigned_region_wins():
    # Namibia 0x201000–0x2013ff lies inside the unassigned AFI region 0x200000–0x27ffff
    assert BLOCKS.country_of("201000") == ("NA", "Namibia")
    assert BLOCKS.country_of("2013ff") == ("NA", "Namibia")
    assert BLOCKS.country_of("201400") == (None, "Unassigned (AFI region)")


def test_not_an_address_gives_nulls():
    table = BLOCKS.lookup(["12345", "zzzzzz", "", "152FA2"])
    assert table.column("country_iso2").to_pylist() == [None, None, None, "RU"]
    assert table.column("country").to_pylist() == [None, None, None, "Russia"]


def test_iso2_from_flag():
    assert iso2_from_flag("\U0001f1f7\U0001f1fa") == "RU"
    assert iso2_from_flag("\U0001f3f3") is None
    assert iso2_from_flag(None) is None


def _brute_force(addr: int, blocks) -> str | None:
    """The rule the segment table implements, applied block by block."""
    covering = [b for b in blocks if b.start <= addr <= b.end]
    if not covering:
        return None
    best = max(covering, key=lambda b: (b.rank, b.iso2 is not None, -b.size))
    return best.country


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 0xFFFFFF), min_size=1, max_size=200))
def test_vectorised_lookup_equals_block_by_block(addresses):
    column = pa.array([f"{a:06x}" for a in addresses])
    got = BLOCKS.lookup(column).column("country").to_pylist()
    assert got == [_brute_force(a, BLOCKS.blocks) for a in addresses]


def test_a_whole_column_at_once():
    rng = np.random.default_rng(7)
    addrs = rng.integers(0, 0xFFFFFF, 200_000)
    column = pa.array([f"{a:06x}" for a in addrs])
    table = BLOCKS.lookup(column)
    assert table.num_rows == 200_000
    russia = (addrs >= 0x100000) & (addrs <= 0x1FFFFF)
    iso = np.array(table.column("country_iso2").to_pylist(), dtype=object)
    assert (iso[russia] == "RU").all()
    assert not (iso[~russia] == "RU").any()


def test_user_file_overrides_and_extends(tmp_path):
    user = tmp_path / "ranges.json"
    user.write_text(
        json.dumps(
            {
                "registers": [
                    # a block reassigned after 2013 (made-up example): part of Russia's block
                    {"start": "0x1ff000", "end": "0x1fffff", "country": "Testland", "iso2": "tx"},
                    # an unassigned address given a state
                    {"start": "0x0f0000", "end": "0x0fffff", "country": "Otherland", "iso2": "OX"},
                ]
            }
        )
    )
    blocks = load_blocks([user])
    assert blocks.country_of("1ff123") == ("TX", "Testland")
    assert blocks.country_of("1fefff") == ("RU", "Russia")
    assert blocks.country_of("0fffff") == ("OX", "Otherland")
    assert blocks.country_of("778000") == ("SY", "Syria")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read ICAO address blocks"),
        ('{"blocks": []}', "'registers' list"),
        ('{"registers": [{"start": "0xzz", "end": "0x10", "country": "X"}]}', "not a hex address"),
        ('{"registers": [{"start": "0x20", "end": "0x10", "country": "X"}]}', "ends before"),
        ('{"registers": [{"start": "0x10", "end": "0x1000000", "country": "X"}]}', "outside"),
        ('{"registers": [{"start": "0x10", "end": "0x20"}]}', "no country"),
    ],
)
def test_bad_user_files_are_config_errors(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(ConfigError, match=message):
        read_blocks(bad)


def test_missing_user_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_blocks([tmp_path / "nope.json"])


def test_shipped_file_is_the_traffic_table():
    doc = json.loads(shipped_ranges_file().read_text())
    assert len(doc["registers"]) == 210
    assert "88-A" in doc["properties"][0]
