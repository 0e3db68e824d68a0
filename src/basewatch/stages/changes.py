"""Changes in a watch's activity: gaps, resumptions, stops, surges and drops.

reads:   airfield_events, aircraft, base_days
writes:  base_changes

- A **gap** is a time with no qualifying movement of at least ``gap_days`` between two
  movements, on most of whose days (``min_observed``) the base was observable. Its length is
  exact, from movement to movement; the movement that ends it is a **resumption**. A quiet time
  whose days were mostly unobservable is reported as ``unobserved``, never as a gap.
- A **stop** is such a gap still open at the end of the data.
- A **surge** (or **drop**) is a week whose movements are improbably many (few) against the
  previous weeks' rate, by a one-sided exact Poisson test on observable days: expected
  = baseline rate × observable days of the week; reported when p < ``alpha``, with at least
  ``min_surge_movements`` movements by at least two aircraft (a single visit is no surge).

Every change lists the airfield events and flights that make it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa

from .. import ids, schema
from ..store import Store
from ..watches import Watch

DETECTOR = "detect_changes/1"
KINDS = ("gap", "resumption", "stop", "surge", "drop")
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ChangeParams:
    min_observed: float = 0.6  # share of a gap's days that must be observable
    week_days: int = 7
    baseline_weeks: int = 8
    min_week_observable: int = 4  # a week with fewer observable days is not tested
    alpha: float = 1e-3
    min_surge_movements: int = 4
    min_drop_expected: float = 4.0  # a drop needs a baseline that expected at least this many


def poisson_sf(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu)."""
    if k <= 0:
        return 1.0
    return max(0.0, 1.0 - poisson_cdf(k - 1, mu))


def poisson_cdf(k: int, mu: float) -> float:
    """P(X <= k) for X ~ Poisson(mu)."""
    if k < 0:
        return 0.0
    term = math.exp(-mu)
    total = term
    for i in range(1, k + 1):
        term *= mu / i
        total += term
    return min(1.0, total)


def qualifying(store: Store, watch: Watch) -> list[dict]:
    where, params = watch.where()
    return (
        store.con.execute(
            f"""
        SELECT e.event_id, e.flight_id, e.icao24, e.event_type, e.ts, e.confidence,
               a.registration, a.type_code
        FROM airfield_events e LEFT JOIN aircraft a USING (icao24)
        WHERE {where} ORDER BY e.ts, e.event_id
        """,
            params,
        )
        .to_arrow_table()
        .to_pylist()
    )


def _observable(store: Store, base: str) -> dict[date, bool]:
    rows = store.con.execute(
        "SELECT day, observable FROM base_days WHERE base = ?", [base]
    ).fetchall()
    return dict(rows)


def _count_days(obs: dict[date, bool], first: date, last: date) -> tuple[int, int]:
    """(observable, not observable) days in [first, last]."""
    yes = no = 0
    d = first
    while d <= last:
        if obs.get(d, False):
            yes += 1
        else:
            no += 1
        d += DAY
    return yes, no


def _row(watch: Watch, kind: str, start, end, evidence: list[dict], **kw) -> dict:
    cid = ids.of_text(watch.name, kind, start.isoformat() if start else "")
    return {
        "change_id": cid,
        "watch": watch.name,
        "base": watch.base,
        "kind": kind,
        "start_ts": start,
        "end_ts": end,
        "event_ids": [e["event_id"] for e in evidence],
        "flight_ids": sorted({e["flight_id"] for e in evidence}),
        "detector": DETECTOR,
        **kw,
    }


def _who(evidence: list[dict]) -> str:
    """'2 movements of one A124', '3 movements of 2 aircraft (A124, IL62)': movements and the
    aircraft that made them are counted apart (one aircraft landing and leaving is 2 moves)."""
    from ..words import count

    aircraft = {e["icao24"] for e in evidence}
    types = sorted({e["type_code"] or "aircraft" for e in evidence})
    n = len(aircraft)
    if len(types) == 1 and types[0] != "aircraft":
        who = f"{'one' if n == 1 else n} {types[0]}"
    else:
        who = count(n, "aircraft") + (f" ({', '.join(types)})" if types != ["aircraft"] else "")
    return f"{count(len(evidence), 'movement')} of {who}"


def detect_changes(store: Store, watch: Watch, params: ChangeParams = ChangeParams()) -> pa.Table:
    """Compute and store the changes of one watch; returns them."""
    moves = qualifying(store, watch)
    obs = _observable(store, watch.base)
    rows: list[dict] = []
    if obs:
        first_day, last_day = min(obs), max(obs)
        rows += _gaps(watch, moves, obs, first_day, last_day, params)
        rows += _surges(watch, moves, obs, first_day, last_day, params)
    table = (
        pa.Table.from_pylist(rows, schema=schema.BASE_CHANGES)
        if rows
        else schema.empty(schema.BASE_CHANGES)
    )
    store.con.execute("DELETE FROM base_changes WHERE watch = ?", [watch.name])
    if rows:
        store.con.register("_chg", table)
        store.con.execute("INSERT INTO base_changes SELECT * FROM _chg")
        store.con.unregister("_chg")
    return table


def _gaps(watch, moves, obs, first_day, last_day, params) -> list[dict]:
    out = []
    what = watch.describe()
    for prev, nxt in zip(moves, moves[1:], strict=False):
        days = (nxt["ts"] - prev["ts"]).total_seconds() / 86400
        if days < watch.gap_days:
            continue
        yes, no = _count_days(obs, prev["ts"].date() + DAY, nxt["ts"].date() - DAY)
        share = yes / max(1, yes + no)
        day_word = f"{days:.0f} days"
        if share >= params.min_observed:
            out.append(
                _row(
                    watch,
                    "gap",
                    prev["ts"],
                    nxt["ts"],
                    [prev, nxt],
                    days=days,
                    observable_days=yes,
                    unobservable_days=no,
                    score=days,
                    test=f"no qualifying movement for {day_word}; base observable on {yes} of {yes + no} days",
                    summary=f"No movement of {what} at {watch.base} for {day_word} "
                    f"({_day(prev['ts'], '%b')} to {_day(nxt['ts'], '%b')}); the base was observable on "
                    f"{yes} of the {yes + no} full days between.",
                )  # fmt: skip
            )
            same_day = [m for m in moves if m["ts"].date() == nxt["ts"].date()]
            out.append(
                _row(
                    watch,
                    "resumption",
                    nxt["ts"],
                    None,
                    same_day,
                    days=days,
                    observable_days=yes,
                    unobservable_days=no,
                    score=days,
                    movements=len(same_day),
                    test=f"first qualifying movement after a gap of {day_word} (threshold {watch.gap_days:.0f})",
                    summary=f"Movements of {what} at {watch.base} resumed on {_day(nxt['ts'], '%B')} "
                    f"after {day_word} without one ({_who(same_day)} that day).",
                )  # fmt: skip
            )
        else:
            out.append(
                _row(
                    watch,
                    "unobserved",
                    prev["ts"],
                    nxt["ts"],
                    [prev, nxt],
                    days=days,
                    observable_days=yes,
                    unobservable_days=no,
                    test=f"quiet for {day_word} but observable on only {yes} of {yes + no} days",
                    summary=f"No movement of {what} seen at {watch.base} for {day_word}, but the base "
                    f"was observable on only {yes} of {yes + no} days: not a gap, a lack of data.",
                )  # fmt: skip
            )
    if moves:
        last = moves[-1]
        end = datetime.combine(last_day + DAY, datetime.min.time(), UTC)
        days = (end - last["ts"]).total_seconds() / 86400
        if days >= watch.gap_days:
            yes, no = _count_days(obs, last["ts"].date() + DAY, last_day)
            if yes / max(1, yes + no) >= params.min_observed:
                out.append(
                    _row(
                        watch,
                        "stop",
                        last["ts"],
                        None,
                        [last],
                        days=days,
                        observable_days=yes,
                        unobservable_days=no,
                        score=days,
                        test=f"no qualifying movement since, {days:.0f} days to the end of the data",
                        summary=f"No movement of {what} at {watch.base} since {_day(last['ts'], '%B')} "
                        f"({days:.0f} days to the end of the data, {yes} of them observable).",
                    )  # fmt: skip
                )
    return out


def _day(ts, month: str = "%B") -> str:
    """'3 September 2025' (no leading zero)."""
    return f"{ts.day} {ts.strftime(month)} {ts.year}"


def _count_word(n: int) -> str:
    """'No movements', 'Only 1 movement', 'Only 3 movements'."""
    return "No movements" if n == 0 else f"Only {n} movement{'s' if n > 1 else ''}"


def _surges(watch, moves, obs, first_day, last_day, params) -> list[dict]:
    out = []
    what = watch.describe()
    w = params.week_days
    n_weeks = ((last_day - first_day).days + 1) // w
    by_week: list[list[dict]] = [[] for _ in range(n_weeks)]
    for m in moves:
        k = (m["ts"].date() - first_day).days // w
        if 0 <= k < n_weeks:
            by_week[k].append(m)
    obs_days = [
        _count_days(
            obs, first_day + timedelta(days=k * w), first_day + timedelta(days=k * w + w - 1)
        )[0]
        for k in range(n_weeks)
    ]
    for k in range(params.baseline_weeks, n_weeks):
        if obs_days[k] < params.min_week_observable:
            continue
        base_n = sum(len(by_week[j]) for j in range(k - params.baseline_weeks, k))
        base_d = sum(obs_days[j] for j in range(k - params.baseline_weeks, k))
        if base_d < params.min_week_observable * 2:
            continue
        mu = base_n / base_d * obs_days[k]
        got = by_week[k]
        start = datetime.combine(first_day + timedelta(days=k * w), datetime.min.time(), UTC)
        end = start + timedelta(days=w)
        aircraft = {m["icao24"] for m in got}
        if base_n and len(got) >= params.min_surge_movements and len(aircraft) >= 2:
            p = poisson_sf(len(got), mu)
            if p < params.alpha:
                out.append(
                    _row(
                        watch,
                        "surge",
                        start,
                        end,
                        got,
                        days=float(w),
                        observable_days=obs_days[k],
                        movements=len(got),
                        expected=mu,
                        score=-math.log10(max(p, 1e-300)),
                        test=f"one-sided exact Poisson test, P(X >= {len(got)} | mu = {mu:.2f}) = {p:.1e}",
                        summary=f"{len(got)} movements of {what} at {watch.base} in the week from "
                        f"{_day(start, '%b')}, against {mu:.1f} expected from the previous "
                        f"{params.baseline_weeks} weeks (p = {p:.1e}).",
                    )  # fmt: skip
                )
        if mu >= params.min_drop_expected:
            p = poisson_cdf(len(got), mu)
            if p < params.alpha:
                # evidence: the week's movements and the latest ones that set the expectation
                baseline = [m for j in range(k - params.baseline_weeks, k) for m in by_week[j]]
                out.append(
                    _row(
                        watch,
                        "drop",
                        start,
                        end,
                        got + baseline[-8:],
                        days=float(w),
                        observable_days=obs_days[k],
                        movements=len(got),
                        expected=mu,
                        score=-math.log10(max(p, 1e-300)),
                        test=f"one-sided exact Poisson test, P(X <= {len(got)} | mu = {mu:.2f}) = {p:.1e}",
                        summary=f"{_count_word(len(got))} of {what} at {watch.base} in the week from "
                        f"{_day(start, '%b')}, against {mu:.1f} expected (p = {p:.1e}).",
                    )  # fmt: skip
                )
    return out
