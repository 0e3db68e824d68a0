"""CI gate: change detection on the simulated cases (outage is not a gap, one-off visit is not a
surge) keeps the precision and recall pinned in eval/changes/floors.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .loader import load_run

EVAL = Path(__file__).resolve().parents[2] / "eval" / "changes"


def test_change_detection_holds_its_floors():
    run = load_run("changes")
    total, rows = run.evaluate()
    floors = tomllib.loads((EVAL / "floors.toml").read_text())["floors"]
    assert run.below_floors(total, floors) == [], run.table(total, rows)
