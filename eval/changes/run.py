"""Change-detection precision and recall on simulated scenarios with known changes.

    python eval/changes/run.py            # print the scores, write eval/changes/results.md
    python eval/changes/run.py --check    # also fail below eval/changes/floors.toml

Each scenario (scenarios/*.toml, simulator format) is simulated as a readsb archive, ingested,
its aircraft database imported, and watched; the changes found (gap, resumption, stop, surge,
drop) are matched to expected.toml. The cases include a receiver outage that must not be read as
a gap and a one-off visit that must not be read as a surge.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from datetime import date
from pathlib import Path

import basewatch as bw
from basewatch.store import open_store
from basewatch.update import run_watches
from basewatch.watches import Watch

HERE = Path(__file__).resolve().parent
KINDS = ("gap", "resumption", "stop", "surge", "drop")


def _watch(spec: dict) -> Watch:
    return Watch(
        name=spec["name"],
        base=spec["base"],
        countries=tuple(spec.get("countries", ())),
        state=spec.get("state"),
        gap_days=float(spec.get("gap_days", 30)),
    )


def run_case(case: dict, defaults: dict, work: Path) -> dict:
    out = work / case["scenario"]
    bw.simulate(HERE / "scenarios" / f"{case['scenario']}.toml", out, format="trace_full")
    db = work / f"{case['scenario']}.duckdb"
    bw.ingest([out / "globe_history"], db=db)
    bw.import_aircraft(out / "aircraft.csv", db=db)
    watch = _watch(case.get("watch", defaults["watch"]))
    with open_store(db) as store:
        run_watches(store, [watch])
        found = store.con.execute(
            "SELECT kind, CAST(start_ts AS DATE) FROM base_changes ORDER BY start_ts"
        ).fetchall()
    tol = {k: defaults["tolerance_days"] for k in KINDS}
    tol["surge"] = tol["drop"] = defaults["surge_tolerance_days"]
    expected = [(e["kind"], date.fromisoformat(e["date"])) for e in case.get("expected", [])]
    allowed = [
        (a["kind"], date.fromisoformat(a["from"]), date.fromisoformat(a["to"]))
        for a in case.get("allowed", [])
    ]
    matched: set[int] = set()
    tp = fp = 0
    false = []
    for kind, day in found:
        hit = next(
            (
                i
                for i, (k, d) in enumerate(expected)
                if i not in matched and k == kind and abs((d - day).days) <= tol[kind]
            ),
            None,
        )
        if hit is not None:
            matched.add(hit)
            tp += 1
        elif any(k == kind and a <= day <= b for k, a, b in allowed) or kind not in KINDS:
            continue
        else:
            fp += 1
            false.append(f"{kind} {day}")
    missed = [f"{k} {d}" for i, (k, d) in enumerate(expected) if i not in matched]
    return {
        "case": case["scenario"],
        "tp": tp,
        "fp": fp,
        "fn": len(missed),
        "false": false,
        "missed": missed,
    }


def evaluate() -> tuple[dict, list[dict]]:
    spec = tomllib.loads((HERE / "expected.toml").read_text())
    with tempfile.TemporaryDirectory(prefix="basewatch-changes-") as tmp:
        rows = [run_case(c, spec["defaults"], Path(tmp)) for c in spec["case"]]
    tp, fp, fn = (sum(r[k] for r in rows) for k in ("tp", "fp", "fn"))
    total = {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }
    return total, rows


def table(total: dict, rows: list[dict]) -> str:
    lines = ["| scenario | found / false / missed | notes |", "|---|---|---|"]
    for r in rows:
        notes = "; ".join(
            [*(f"false {x}" for x in r["false"]), *(f"missed {x}" for x in r["missed"])]
        )
        lines.append(f"| {r['case']} | {r['tp']} / {r['fp']} / {r['fn']} | {notes or '—'} |")
    lines.append(
        f"| **all** | precision {total['precision']:.3f}, recall {total['recall']:.3f} | "
        f"{total['tp']} found, {total['fp']} false, {total['fn']} missed |"
    )
    return "\n".join(lines)


def below_floors(total: dict, floors: dict) -> list[str]:
    return [f"{k} = {total[k]:.3f} < floor {v}" for k, v in floors.items() if total[k] < v]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    total, rows = evaluate()
    text = table(total, rows)
    print(text)
    (HERE / "results.md").write_text(
        "# Change-detection evaluation\n\n`python eval/changes/run.py`\n\n" + text + "\n"
    )
    if args.check:
        bad = below_floors(total, tomllib.loads((HERE / "floors.toml").read_text())["floors"])
        for line in bad:
            print("below floor:", line)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
