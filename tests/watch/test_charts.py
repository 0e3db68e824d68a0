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


def _names(svg: str) -> list[tuple[float, float, str, str]]:
    """(x, y, anchor, name) of each change name the chart prints."""
    import re

    return [
        (float(x), float(y), a, name)
        for x, y, a, name in re.findall(
            r'<text x="([\d.]+)" y="([\d.]+)"[^>]*text-anchor="(start|end)"[^>]*>'
            r"(resumption|surge|drop|stop)</text>",
            svg,
        )
    ]


def test_change_names_days_apart_do_not_print_over_one_another():
    from basewatch.charts import CHAR_W, activity_frame, svg_chart

    changes = pd.DataFrame(
        [
            {"kind": k, "start_ts": pd.Timestamp(f"2025-10-{d}T06:00Z"), "end_ts": None,
             "summary": k}
            for k, d in (("resumption", 21), ("surge", 22), ("surge", 23), ("drop", 29))
        ]
    )  # fmt: skip
    names = _names(svg_chart(activity_frame(_activity()), changes, "t", width=400))
    assert sorted(n for *_, n in names) == ["drop", "resumption", "surge", "surge"]
    boxes = []
    for x, y, anchor, name in names:
        w = CHAR_W * 10 * len(name)
        x0 = x if anchor == "start" else x - w
        assert x0 >= 0 and x0 + w <= 400, name  # inside the frame
        boxes.append((x0, x0 + w, y))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] != b[2] or a[1] <= b[0] or b[1] <= a[0], (a, b)


def test_a_window_draws_nothing_of_what_lies_outside_it():
    from basewatch.charts import activity_frame, svg_chart

    changes = pd.DataFrame(
        [
            {"kind": "drop", "start_ts": pd.Timestamp("2025-09-01T00:00Z"),
             "end_ts": None, "summary": "before"},
            {"kind": "gap", "start_ts": pd.Timestamp("2025-09-05T00:00Z"),
             "end_ts": pd.Timestamp("2025-10-23T00:00Z"), "summary": "into the window"},
        ]
    )  # fmt: skip
    svg = svg_chart(activity_frame(_activity()), changes, "t", width=400)
    assert _names(svg) == []  # the drop is before the first day drawn
    import re

    gap = re.search(r'<rect x="([\d.-]+)"[^>]*fill="[^"]*" opacity="0.45"', svg)
    assert gap and float(gap.group(1)) == 48  # shaded from the axis (left margin), not before
