"""Take-off and landing precision and recall on labelled real samples (and cuts of them).

python eval/flights/run.py            # print the scores, write eval/flights/results.md
python eval/flights/run.py --check    # also fail if any score is below floors.toml
python eval/flights/run.py --errors   # list every false and missed movement
python eval/flights/run.py --only rs1090 --errors   # the cases whose name holds "rs1090"
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import (  # noqa: E402
    KINDS,
    ROOT,
    Score,
    data_span,
    detected,
    edge_inferred,
    read_gold,
    required_in,
    scenario_case,
    score,
    store_from,
    store_from_capture,
    stored_twice,
)

EDGE_S = 300.0


def _t(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def evaluate(
    cases_file: Path = HERE / "cases.toml", only: str | None = None
) -> tuple[Score, list[tuple[str, Score]]]:
    cases = tomllib.loads(cases_file.read_text())["case"]
    cases = [c for c in cases if only is None or only in c["name"]]
    total = Score()
    per = []
    for case in cases:
        if "scenario" in case:
            db, gold, required = scenario_case(case["scenario"])
            span = data_span(db)
            required = {g for g in required if span[0] + EDGE_S <= g.ts < span[1] - EDGE_S}
            sc = score(detected(db), gold, required)
            sc.edge = edge_inferred(db, EDGE_S)
            per.append((case["name"], sc))
            total.add(sc)
            continue
        gold = read_gold(HERE / case["gold"])
        keep = tuple(map(_t, case["keep"])) if "keep" in case else None
        if keep is not None:  # a movement cut off by the window must not be found
            gold = [g for g in gold if keep[0] <= g.ts < keep[1]]
        if case.get("as") == "beast":  # a host_time,beast_hex file, cut in the file itself
            db = store_from_capture(ROOT / case["files"][0], keep)
        else:
            db = store_from([ROOT / f for f in case["files"]], keep)
        found = detected(db)  # processes the store, which writes its data windows
        # movements at the very edges of the data may or may not be seen: not required
        required = required_in(gold, keep or data_span(db, windows=True), EDGE_S)
        sc = score(found, gold, required)
        sc.edge = edge_inferred(db, EDGE_S)
        if case.get("as") == "beast" and keep is None:
            sc.twice = stored_twice(ROOT / case["files"][0], db)
        per.append((case["name"], sc))
        total.add(sc)
    return total, per


def table(total: Score, per: list[tuple[str, Score]]) -> str:
    lines = [
        "| case | take-offs P | take-offs R | landings P | landings R | TP / FP / FN "
        "| inferred at a window edge | stored twice across formats |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    total.edge = [m for _, sc in per for m in sc.edge]
    twice = [sc.twice for _, sc in per if sc.twice is not None]
    total.twice = sum(twice) if twice else None
    for name, sc in [*per, ("**all cases**", total)]:
        counts = " · ".join(f"{k} {sc.tp[k]}/{sc.fp[k]}/{sc.fn[k]}" for k in KINDS)
        lines.append(
            f"| {name} | {sc.precision('takeoff'):.3f} | {sc.recall('takeoff'):.3f} | "
            f"{sc.precision('landing'):.3f} | {sc.recall('landing'):.3f} | {counts} "
            f"| {len(sc.edge)} | {'–' if sc.twice is None else sc.twice} |"
        )
    return "\n".join(lines)


def below_floors(total: Score, floors: dict) -> list[str]:
    got = total.as_dict()
    out = [f"{k} = {got[k]:.3f} < floor {v}" for k, v in floors.items() if k in got and got[k] < v]
    most = floors.get("max_inferred_at_window_edge")
    if most is not None and len(total.edge) > most:
        out.append(f"{len(total.edge)} movements inferred at a window edge > {most}")
    most = floors.get("max_stored_twice_across_formats")
    if most is not None and (total.twice or 0) > most:
        out.append(f"{total.twice} rows stored twice across formats > {most}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--only", help="run only the cases whose name holds this text")
    args = ap.parse_args()
    total, per = evaluate(only=args.only)
    text = table(total, per)
    print(text)
    if args.only is None:  # results.md holds the whole set
        (HERE / "results.md").write_text(
            "# Take-off and landing evaluation\n\n`python eval/flights/run.py`\n\n" + text + "\n"
        )
    if args.errors:
        for name, sc in per:
            for m in sc.edge:
                print(f"{name}: inferred at a window edge {m.kind} {m.icao24} {m.airfield}")
            for what, m in sc.errors:
                print(
                    f"{name}: {what} {m.kind} {m.icao24} {m.airfield} {datetime.utcfromtimestamp(m.ts):%H:%M:%S}"
                )
    if args.check:
        bad = below_floors(total, tomllib.loads((HERE / "floors.toml").read_text())["floors"])
        for line in bad:
            print("below floor:", line)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
