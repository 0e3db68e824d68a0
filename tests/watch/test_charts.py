"""Activity charts: PNG and self-contained HTML, unobservable days shown as unknown."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from basewatch.charts import write_chart
from basewatch.errors import ConfigError


def _activity():
    rows = []
    for d in range(10):
        obs = d not in (4, 5)
        rows.append(
            {
                "base": "OSLK",
                "day": date(2025, 10, 20 + d),
                "observable": obs,
                "coverage_hours": 10 if obs else 0,
                "window_hours": 24.0,
                **{
                    f"{c}_{m}": (1 if obs else None)
                    for c in ("military", "state", "civil")
                    for m in ("arrivals", "departures")
                },
            }
        )
    return pd.DataFrame(rows)


def _changes():
    return pd.DataFrame(
        [
            {
                "kind": "resumption",
                "start_ts": pd.Timestamp("2025-10-24T04:47Z"),
                "end_ts": None,
                "summary": "resumed <script>alert(1)</script>",
            }
        ]
    )


def test_png_and_html(tmp_path):
    png = write_chart(_activity(), _changes(), tmp_path / "a.png", "OSLK")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = write_chart(_activity(), _changes(), tmp_path / "a.html", "Khmeimim & <co>").read_text()
    assert page.count("not observable (no data around the base)") == 2
    assert "<script>" not in page and "&lt;script&gt;" in page  # text is escaped
    assert "Khmeimim &amp; &lt;co&gt;" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing remote


def test_bad_name(tmp_path):
    with pytest.raises(ConfigError, match=".png, .svg or .html"):
        write_chart(_activity(), _changes(), tmp_path / "a.jpg", "x")
