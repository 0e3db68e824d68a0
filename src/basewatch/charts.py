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

COLOURS = {
    "watched": "#b2182b",  # the watch's own movements: the chart is about them
    "military": "#b2182b",
    "state": "#ef8a62",
    "civil": "#9ecae1",
    "other": "#c9d3dc",  # every other movement at the base, muted
    "unobservable": "#bdbdbd",
    "gap": "#fee08b",
}
CATEGORIES = ("military", "state", "civil")
GAP_LABEL = "gap: no watched movement"
UNOBSERVABLE_LABEL = "not observable (unknown)"


def activity_frame(activity: pd.DataFrame, watched: pd.DataFrame | None = None) -> pd.DataFrame:
    """Movements per day by category; with ``watched`` (day, watched: the watch's own movements
    that day), the series become 'watched' and 'other' (the rest of the base's movements)."""
    df = activity.copy()
    for c in CATEGORIES:
        df[c] = df[f"{c}_arrivals"].astype("Float64") + df[f"{c}_departures"].astype("Float64")
    if watched is not None:
        counts = dict(zip(watched["day"], watched["watched"], strict=True))
        total = df[list(CATEGORIES)].sum(axis=1)
        w = pd.Series([float(counts.get(d, 0)) for d in df["day"]], index=df.index)
        df["watched"] = w.where(df["observable"].astype(bool))
        df["other"] = (total - w).clip(lower=0).where(df["observable"].astype(bool))
    return df


def _series(df: pd.DataFrame, what: str | None) -> list[tuple[str, str, str]]:
    """(column, legend label, colour), the watched series first (at the bottom of each bar)."""
    if "watched" in df.columns:
        return [
            ("watched", what or "watched aircraft", COLOURS["watched"]),
            ("other", "other movements", COLOURS["other"]),
        ]
    return [(c, c, COLOURS[c]) for c in CATEGORIES]


def write_chart(
    activity: pd.DataFrame,
    changes: pd.DataFrame,
    path: str | os.PathLike,
    title: str,
    watched: pd.DataFrame | None = None,
    what: str | None = None,
) -> Path:
    """Write the chart as .png, .svg or .html; ``watched`` and ``what`` (e.g. 'Russian state
    aircraft') put the watch's own movements first and the rest muted."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".html", ".svg"):
        raise ConfigError(f"{path}: name the chart .png, .svg or .html")
    if not path.parent.is_dir():
        raise ConfigError(f"{path}: the folder {path.parent} does not exist")
    df = activity_frame(activity, watched)
    if suffix == ".png":
        _png(df, changes, path, title, what)
    else:
        svg = svg_chart(df, changes, title, what=what)
        path.write_text(svg if suffix == ".svg" else _page(svg, title))
    return path


MARKED = ("resumption", "stop", "surge", "drop")  # changes drawn as a line with their name


def _png(df: pd.DataFrame, changes: pd.DataFrame, path: Path, title: str, what=None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(12, 4.4), dpi=120)
    days = pd.to_datetime(df["day"])
    bottom = pd.Series(0.0, index=df.index)
    for col, label, colour in _series(df, what):
        v = df[col].fillna(0).astype(float)
        ax.bar(days, v, bottom=bottom, width=1.0, color=colour, label=label, linewidth=0)
        bottom += v
    top = max(1.0, float(bottom.max()))
    unobs = ~df["observable"].astype(bool)
    ax.bar(days[unobs], [top] * int(unobs.sum()), width=1.0, color=COLOURS["unobservable"],
           alpha=0.5, hatch="//", linewidth=0, label=UNOBSERVABLE_LABEL)  # fmt: skip
    gaps = [r for r in changes.itertuples() if r.kind == "gap" and r.end_ts is not None]
    for row in gaps:
        ax.axvspan(row.start_ts, row.end_ts, color=COLOURS["gap"], alpha=0.35, linewidth=0)
    lo, hi = days.min(), days.max()
    for row in changes.itertuples():
        if row.kind in MARKED:
            ax.axvline(row.start_ts, color="black", linewidth=0.8)
            # the name on the side with room, inside the plot
            right_half = (pd.Timestamp(row.start_ts).tz_localize(None) - lo) > (hi - lo) / 2
            ax.annotate(
                row.kind,
                (row.start_ts, 0.97),
                xycoords=("data", "axes fraction"),
                xytext=(-3 if right_half else 3, 0),
                textcoords="offset points",
                rotation=90,
                fontsize=8,
                va="top",
                ha="right" if right_half else "left",
            )
    handles, _ = ax.get_legend_handles_labels()
    if gaps:
        handles.append(Patch(color=COLOURS["gap"], alpha=0.35, label=GAP_LABEL))
    ax.set_ylim(0, top * 1.05)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    ax.set_ylabel("movements per day")
    ax.set_xlabel("UTC day")
    # the legend below the plot, where it covers no bar and no label
    fig.legend(handles=handles, loc="lower center", fontsize=8, ncols=len(handles), frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def _ticks(top: float) -> list[int]:
    """Round steps from 0 to the top of the axis: 0, 2, 4, … (3 to 6 of them)."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if top / step <= 5:
            return list(range(0, int(top) + 1, step))
    return [0, int(top)]


CHAR_W = 0.6  # width of a character in em, sans-serif: how labels are kept inside the frame
LABEL_ROWS = 4  # rows of change names at the top of the plot


def svg_chart(
    df: pd.DataFrame,
    changes: pd.DataFrame,
    title: str,
    width: int = 960,
    height: int = 300,
    what: str | None = None,
) -> str:
    """The chart as an SVG string (self-contained; each bar has a hover title). Every label
    stays inside the frame; the legend, below the plot, names every colour drawn."""
    if df.empty:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40"><text x="4" y="20">no data</text></svg>'
    first = min(df["day"])
    last = max(df["day"])
    n = (last - first).days + 1
    left, right, top_pad, bottom_pad = 48, 12, 28, 56
    bw_ = (width - left - right) / n
    series = _series(df, what)
    total = df[[c for c, _, _ in series]].fillna(0).sum(axis=1).astype(float)
    ticks = _ticks(max(1.0, float(total.max())))
    top = max(float(total.max()), float(ticks[-1]), 1.0)
    scale = (height - top_pad - bottom_pad) / top
    base_y = height - bottom_pad
    font = 'font-family="sans-serif"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{html.escape(title)}" class="chart">',
        f'<text x="{left}" y="16" font-size="13" {font}>{html.escape(title)}</text>',
        f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="#444"/>',
        f'<text x="12" y="{(top_pad + base_y) / 2:.0f}" font-size="10" {font} '
        f'text-anchor="middle" transform="rotate(-90 12 {(top_pad + base_y) / 2:.0f})">'
        "movements per day</text>",
    ]
    for t in ticks:
        y = base_y - t * scale
        parts.append(
            f'<line x1="{left - 3}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="0.5"/>'
            f'<text x="{left - 5}" y="{y + 3:.1f}" font-size="10" {font} text-anchor="end">{t}</text>'
        )

    def x_of(d: date) -> float:
        return left + (d - first).days * bw_

    def _ts(v) -> date | None:
        return None if v is None or pd.isna(v) else v.date()

    # only what falls in the days drawn: a gap is cut at the frame (an ongoing one runs to its
    # right edge), a change before the first day or after the last has no line
    x_end = x_of(last + timedelta(days=1))
    gaps = []
    for row in changes.itertuples():
        if row.kind != "gap" or _ts(row.start_ts) is None:
            continue
        x0 = max(left, x_of(_ts(row.start_ts)))
        x1 = min(x_end, x_of(_ts(row.end_ts)) if _ts(row.end_ts) else x_end)
        if x1 > x0:
            gaps.append((row, x0, x1))
    for row, x0, x1 in gaps:
        parts.append(
            f'<rect x="{x0:.1f}" y="{top_pad}" width="{max(1, x1 - x0):.1f}" height="{base_y - top_pad}" '
            f'fill="{COLOURS["gap"]}" opacity="0.45"><title>{html.escape(row.summary or "")}</title></rect>'
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
        for col, label, colour in series:
            v = float(getattr(row, col) or 0)
            if v <= 0:
                continue
            h = v * scale
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw_:.2f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{row.day}: {v:.0f} {html.escape(label)}</title></rect>"
            )
    marked = [
        r
        for r in changes.itertuples()
        if r.kind in MARKED and _ts(r.start_ts) is not None and first <= _ts(r.start_ts) <= last
    ]
    ends: list[float] = []  # per row of names: where the last name placed in it ends
    for row in sorted(marked, key=lambda r: r.start_ts):
        x = x_of(row.start_ts.date())
        # the name beside its line, on the side with room, in the first row where it does not
        # run into the name before it (changes days apart would print over one another)
        w = CHAR_W * 10 * len(row.kind)
        room = x + 4 + w <= width - right
        tx, anchor = (x + 3, "start") if room else (x - 3, "end")
        x0 = tx if room else tx - w
        line = next((i for i, end in enumerate(ends) if x0 > end + 2), len(ends))
        parts.append(
            f'<line x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{base_y}" stroke="black">'
            f"<title>{html.escape(row.summary or '')}</title></line>"
        )
        if line >= LABEL_ROWS:
            continue  # no room left for its name: the line keeps it as its title
        if line < len(ends):
            ends[line] = x0 + w
        else:
            ends.append(x0 + w)
        parts.append(
            f'<text x="{tx:.1f}" y="{top_pad + 10 + 11 * line}" font-size="10" {font} '
            f'text-anchor="{anchor}" stroke="#fff" stroke-width="2.5" paint-order="stroke">'
            f"{row.kind}</text>"
        )
    months = pd.date_range(first, last + timedelta(days=1), freq="MS")
    label_y = base_y + 14
    for m in months:
        x = x_of(m.date())
        text = f"{m:%b %Y}" if m.month == 1 or m is months[0] else f"{m:%b}"
        w = CHAR_W * 10 * len(text)
        if x + w > width - right:
            continue  # a month that begins at the right edge has no room for its name
        parts.append(
            f'<line x1="{x:.1f}" y1="{base_y}" x2="{x:.1f}" y2="{base_y + 4}" stroke="#444"/>'
            f'<text x="{x:.1f}" y="{label_y}" font-size="10" {font}>{text}</text>'
        )
    legend = [(label, colour) for _, label, colour in series]
    legend.append((UNOBSERVABLE_LABEL, COLOURS["unobservable"]))
    if gaps:
        legend.append((GAP_LABEL, COLOURS["gap"]))
    if marked:
        legend.append(("change (named)", "#000"))
    lx, ly = left, height - 14
    for name, colour in legend:
        parts.append(
            f'<g class="legend-entry"><rect x="{lx:.0f}" y="{ly - 9}" width="10" height="10" '
            f'fill="{colour}"/><text x="{lx + 14:.0f}" y="{ly}" font-size="10" {font}>'
            f"{html.escape(name)}</text></g>"
        )
        lx += 14 + CHAR_W * 10 * len(name) + 16
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
