"""CI gate: take-off and landing precision and recall on the labelled real samples stay at or
above the floors pinned in eval/flights/floors.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .loader import load_run

EVAL = Path(__file__).resolve().parents[2] / "eval" / "flights"


def test_flights_scores_hold_their_floors():
    run = load_run("flights")
    total, per = run.evaluate()
    floors = tomllib.loads((EVAL / "floors.toml").read_text())["floors"]
    assert run.below_floors(total, floors) == [], run.table(total, per)
    # the trap cases on their own: no invented take-off when the data start mid-air
    cut = dict(per)["quickstart cut to 13:00–14:00"]
    assert cut.precision("takeoff") >= 0.95
