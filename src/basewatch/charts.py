"""Activity charts per base: movements per day by category, days that could not be observed
shown as such (grey, hatched: unknown, not zero), and the watch's changes marked.

PNG through matplotlib; HTML as one self-contained file (inline SVG, hover titles, no scripts
or network), for the brief and for a browser.
"""

from __future__ import annotations

import html
import os
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from .errors import ConfigError

COLOURS = {"military": "#b2182b", "state": "#ef8a62", "civil": "#67a9cf", "unobservable": "#bdbdbd"}
CATEGORIES = ("military", "state", "civil")


def activity_frame(activity: pd.DataFrame) -> pd.DataFrame:
    df = activity.copy()
    for c in CATEGORIES:
        df[c] = df[f"{c}_arrivals"].astype("Float64") + df[f"{c}_departures"].astype("Float64")
    return df


def write_chart(
    activity: pd.DataFrame, changes: pd.DataFrame, path: str | os.PathLike, title: str
) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".html", ".svg"):
        raise ConfigError(f"{path}: name the chart .png, .svg or .html")
    if not path.parent.is_dir():
        raise ConfigError(f"{path}: the folder {path.parent} does not exist")
    df = activity_frame(activity)
    if suffix == ".png":
        _png(df, changes, path, title)
    else:
        svg = svg_chart(df, changes, title)
        path.write_text(svg if suffix == ".svg" else _page(svg, title))
    return path


def _png(df: pd.DataFrame, changes: pd.DataFrame, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 4), dpi=120)
    days = pd.to_datetime(df["day"])
    bottom = pd.Series(0.0, index=df.index)
    for c in CATEGORIES:
        v = df[c].fillna(0).astype(float)
        ax.bar(days, v, bottom=bottom, width=1.0, color=COLOURS[c], label=c, linewidth=0)
        bottom += v
    top = max(1.0, float(bottom.max()))
    unobs = ~df["observable"].astype(bool)
    ax.bar(days[unobs], [top] * int(unobs.sum()), width=1.0, color=COLOURS["unobservable"],
           alpha=0.5, hatch="//", linewidth=0, label="not observable (unknown)")  # fmt: skip
    for row in changes.itertuples():
        if row.kind == "gap" and row.end_ts is not None:
            ax.axvspan(row.start_ts, row.end_ts, color="#fee08b", alpha=0.35, linewidth=0)
        if row.kind in ("resumption", "stop", "surge", "drop"):
            ax.axvline(row.start_ts, color="black", linewidth=0.8)
            ax.annotate(
                row.kind, (row.start_ts, top), rotation=90, fontsize=8, va="top", ha="right"
            )
    ax.set_title(title)
    ax.set_ylabel("movements per day")
    ax.legend(loc="upper left", fontsize=8, ncols=4)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def svg_chart(
    df: pd.DataFrame, changes: pd.DataFrame, title: str, width: int = 960, height: int = 260
) -> str:
    """The chart as an SVG string (self-contained; each bar has a hover title)."""
    if df.empty:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40"><text x="4" y="20">no data</text></svg>'
    first = min(df["day"])
    last = max(df["day"])
    n = (last - first).days + 1
    left, right, top_pad, bottom_pad = 40, 10, 28, 24
    bw_ = (width - left - right) / n
    total = df[list(CATEGORIES)].fillna(0).sum(axis=1).astype(float)
    top = max(1.0, float(total.max()))
    scale = (height - top_pad - bottom_pad) / top
    base_y = height - bottom_pad
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{html.escape(title)}">',
        f'<text x="{left}" y="16" font-size="13" font-family="sans-serif">{html.escape(title)}</text>',
        f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="#444"/>',
        f'<text x="4" y="{top_pad + 8}" font-size="10" font-family="sans-serif">{top:.0f}</text>',
    ]

    def x_of(d: date) -> float:
        return left + (d - first).days * bw_

    for row in changes.itertuples():
        if row.kind == "gap" and row.end_ts is not None:
            x0, x1 = x_of(row.start_ts.date()), x_of(row.end_ts.date())
            parts.append(
                f'<rect x="{x0:.1f}" y="{top_pad}" width="{max(1, x1 - x0):.1f}" height="{base_y - top_pad}" '
                f'fill="#fee08b" opacity="0.45"><title>{html.escape(row.summary or "")}</title></rect>'
            )
    for row in df.itertuples():
        x = x_of(row.day)
        if not row.observable:
            parts.append(
                f'<rect x="{x:.1f}" y="{top_pad}" width="{bw_:.2f}" height="{base_y - top_pad}" '
                f'fill="{COLOURS["unobservable"]}" opacity="0.6"><title>{row.day}: not observable '
                f"(no data around the base) — unknown, not zero</title></rect>"
            )
            continue
        y = base_y
        for c in CATEGORIES:
            v = float(getattr(row, c) or 0)
            if v <= 0:
                continue
            h = v * scale
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw_:.2f}" height="{h:.1f}" fill="{COLOURS[c]}">'
                f"<title>{row.day}: {v:.0f} {c} movements</title></rect>"
            )
    for row in changes.itertuples():
        if row.kind in ("resumption", "stop", "surge", "drop"):
            x = x_of(row.start_ts.date())
            parts.append(
                f'<line x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{base_y}" stroke="black">'
                f"<title>{html.escape(row.summary or '')}</title></line>"
                f'<text x="{x + 2:.1f}" y="{top_pad + 10}" font-size="10" font-family="sans-serif">{row.kind}</text>'
            )
    months = pd.date_range(first, last + timedelta(days=1), freq="MS")
    for m in months:
        x = x_of(m.date())
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" font-size="10" font-family="sans-serif">{m:%b %Y}</text>'
        )
    legend = [(c, COLOURS[c]) for c in CATEGORIES] + [("not observable", COLOURS["unobservable"])]
    lx = width - right - 95 * len(legend)
    for i, (name, colour) in enumerate(legend):
        parts.append(
            f'<rect x="{lx + 95 * i}" y="6" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 95 * i + 14}" y="15" font-size="10" font-family="sans-serif">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _page(svg: str, title: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        + html.escape(title)
        + "</title></head><body style='font-family:sans-serif'>"
        + svg
        + "<p style='font-size:12px'>Hover a bar for its day and counts. Grey days had no data "
        "around the base: unknown, not zero. Yellow spans are gaps; black lines mark changes.</p>"
        "</body></html>\n"
    )
