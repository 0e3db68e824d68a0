"""The short fuzz run of CI: 150 seeded cases over every format, in a child process (so a
crash is a failure, not the end of the test run). The long run is
``python benchmarks/fuzz_readers.py`` (figures in benchmarks/fuzz_results.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[2] / "benchmarks" / "fuzz_readers.py"


def test_short_fuzz_run():
    out = subprocess.run(
        [sys.executable, str(RUNNER), "--cases", "150", "--workers", "1", "--chunk", "150"]
        + ["--no-write"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout)
    assert res["cases"] == 150
    assert (res["crashes"], res["exceptions"]) == (0, 0), res
    assert res["pipeline_runs"] == 3 and res["pipeline_failures"] == []
    assert len(res["by_format"]) == 10  # every format was read
    assert res["retention"] >= 0.99, res


def test_a_crash_is_counted_and_the_run_goes_on():
    out = subprocess.run(
        [sys.executable, str(RUNNER), "--cases", "4", "--workers", "1", "--chunk", "4"]
        + ["--no-write"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "BASEWATCH_FUZZ_CRASH_AT": "1"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout)
    assert (res["cases"], res["crashes"]) == (3, 1)
    assert res["crash_cases"][0].startswith("case 1: exit -6")


# cases the long run found (each failed before its fix); replayed in this process
FOUND = {
    2040: "opensky_parquet: a damaged page gave text that is not UTF-8",
    12868: "opensky_csv: a damaged gzip failed the header read with zlib.error",
}


def test_cases_found_by_the_long_run(monkeypatch):
    monkeypatch.setenv("BASEWATCH_MAX_INFLATE", "8MiB")
    import harness

    for n, what in FOUND.items():
        r = harness.run(n, pipeline=False)
        assert not r.error, (what, r.error)
