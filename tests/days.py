"""Days of a shipped scenario, simulated in globe_history layout (for tests that need many
aircraft and flights over midnight without a whole scenario's months)."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

from basewatch import api


def simulate_days(work: Path, start: str, end: str, scenario: str = "khmeimim-2025") -> Path:
    """The scenario between ``start`` and ``end`` (ISO times) → its globe_history folder."""
    text = files("basewatch.data.scenarios").joinpath(f"{scenario}.toml").read_text()
    spec = tomllib.loads(text)["scenario"]
    text = text.replace(f'start = "{spec["start"]}"', f'start = "{start}"', 1)
    text = text.replace(f'end = "{spec["end"]}"', f'end = "{end}"', 1)
    (work / "days.toml").write_text(text)
    api.simulate(work / "days.toml", work / "sim")
    return work / "sim" / "globe_history"
