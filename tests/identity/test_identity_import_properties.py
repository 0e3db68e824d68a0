"""Import invariants: nothing lost, nothing invented, the order of lines does not matter."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from identity_files import tar1090_line, write_tar1090

from basewatch.identity.aircraftdb import import_aircraft_db
from basewatch.store import open_store

_good = st.builds(
    lambda a, reg, mil: tar1090_line(f"{a:06x}", reg, "IL76", "10" if mil else "00"),
    st.integers(0, 0xFFFFFF),
    st.from_regex(r"[A-Z]{2}-[0-9]{5}", fullmatch=True),
    st.booleans(),
)
_bad = st.sampled_from(
    [
        "zzzzzz;RA-1;IL76;00;;;;",  # bad_icao24
        "152fa2;RA-1;IL76",  # bad_field_count
        "152fa2;RA-1;IL76;x1;;;;",  # bad_flags
        "152fa2;RA-1;IL76;00;;;;x;y;",  # bad_field_count (too many)
    ]
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_good, max_size=40, unique_by=lambda s: s[:6]),
    st.lists(_bad, max_size=5),
    st.randoms(),
)
def test_every_line_is_stored_or_rejected_whatever_the_order(good, bad, rnd: random.Random):
    lines = good + bad
    shuffled = lines[:]
    rnd.shuffle(shuffled)
    results = []
    for variant in (lines, shuffled):
        with tempfile.TemporaryDirectory() as d, open_store(None) as store:
            path = write_tar1090(Path(d) / "a.csv", variant or ["zzzzzz;;;;;;;"])
            report = import_aircraft_db(path, store, fmt="tar1090_db")
            rows = sorted(
                store.con.execute(
                    "SELECT icao24, registration, military FROM aircraft_db"
                ).fetchall()
            )
            results.append((rows, dict(report.rejects), report.rows_read))
            assert report.rows_read == max(len(variant), 1)
            assert report.rows_stored + sum(report.rejects.values()) == report.rows_read
    assert results[0] == results[1]
    expected = sorted((line[:6], line.split(";")[1], line.split(";")[3] == "10") for line in good)
    assert results[0][0] == expected
