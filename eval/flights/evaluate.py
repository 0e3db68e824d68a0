"""Score take-off and landing detection against labelled movements.

A case is a store built from real or simulated positions plus its gold movements
(``icao24, kind, airfield, ts``). A detected event matches a gold movement of the same
aircraft, kind (``takeoff`` and ``takeoff_inferred`` both count as take-offs, likewise
landings) and airfield within ``tolerance_s``; matching is one to one, nearest in time first.
Low passes, go-arounds and touch-and-goes in the gold are not landings: a landing detected
there is a false positive.

Cut windows: a case may keep only the positions inside [start, end) of the original data. Gold
movements outside the kept window, or within ``edge_s`` of its edges, are not required (they
may or may not be seen), but a detection matching one of them is correct; any other detection
is a false positive, which is how an invented take-off at the start of the data is caught.
"""

from __future__ import annotations

import csv
import gzip
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import basewatch as bw
from basewatch.store import open_store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
KINDS = ("takeoff", "landing")
_AS = {
    "takeoff": "takeoff",
    "takeoff_inferred": "takeoff",
    "landing": "landing",
    "landing_inferred": "landing",
}


@dataclass(frozen=True, slots=True)
class Movement:
    icao24: str
    kind: str
    airfield: str
    ts: float  # epoch seconds


@dataclass(slots=True)
class Score:
    tp: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    fp: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    fn: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    errors: list = field(default_factory=list)
    edge: list = field(default_factory=list)  # movements inferred at a window edge
    twice: int | None = None  # rows a second format of the same data stored again (raw cases)

    def add(self, other: Score) -> None:
        for k in KINDS:
            self.tp[k] += other.tp[k]
            self.fp[k] += other.fp[k]
            self.fn[k] += other.fn[k]
        self.errors += other.errors

    def precision(self, kind: str) -> float:
        d = self.tp[kind] + self.fp[kind]
        return self.tp[kind] / d if d else 1.0

    def recall(self, kind: str) -> float:
        d = self.tp[kind] + self.fn[kind]
        return self.tp[kind] / d if d else 1.0

    def as_dict(self) -> dict:
        out = {}
        for k in KINDS:
            out[f"{k}_precision"] = round(self.precision(k), 4)
            out[f"{k}_recall"] = round(self.recall(k), 4)
            out[f"{k}_tp"] = self.tp[k]
            out[f"{k}_fp"] = self.fp[k]
            out[f"{k}_fn"] = self.fn[k]
        return out


def read_gold(path: Path) -> list[Movement]:
    with path.open() as fh:
        return [
            Movement(
                r["icao24"].strip().lower(),
                r["kind"].strip(),
                (r["airfield"] or "").strip().upper(),
                datetime.fromisoformat(r["ts"].replace("Z", "+00:00")).timestamp(),
            )
            for r in csv.DictReader(fh)
        ]


def detected(db: Path) -> list[Movement]:
    bw.process(db=db)  # queries read the store as it is
    ev = bw.events(db=db)
    return [
        Movement(
            r.icao24,
            _AS.get(r.event_type, r.event_type),
            r.airfield if isinstance(r.airfield, str) else "",  # no airfield: NaN in the frame
            r.ts.timestamp(),
        )
        for r in ev.itertuples()
    ]


def edge_inferred(db: Path, edge_s: float) -> list[Movement]:
    """Inferred take-offs (landings) of flights first (last) seen within ``edge_s`` of the
    start (end) of the data window holding them: movements invented at the edge of the data,
    where nothing was seen to appear or vanish. There should be none."""
    from basewatch.store import open_store

    with open_store(db, read_only=True) as store:
        rows = store.con.execute(
            """
            SELECT e.icao24, e.event_type, coalesce(e.airfield, ''), epoch(e.ts)
            FROM airfield_events e JOIN flights f USING (flight_id)
            JOIN data_windows w
              ON (e.event_type = 'takeoff_inferred' AND f.first_seen BETWEEN w.window_start
                  AND w.window_start + to_seconds(?))
              OR (e.event_type = 'landing_inferred' AND f.last_seen BETWEEN
                  w.window_end - to_seconds(?) AND w.window_end)
            """,
            [edge_s, edge_s],
        ).fetchall()
    return [Movement(i, _AS.get(k, k), a, t) for i, k, a, t in rows]


def score(
    found: Iterable[Movement],
    gold: Iterable[Movement],
    required: set[Movement] | None = None,
    tolerance_s: float = 600.0,
) -> Score:
    """``required``: the gold movements that must be found (default: all of them)."""
    gold = list(gold)
    required = set(gold) if required is None else required
    sc = Score()
    pairs = []
    for i, f in enumerate(found):
        if f.kind not in KINDS:
            continue
        for j, g in enumerate(gold):
            if (
                g.icao24 == f.icao24
                and g.airfield == f.airfield
                and abs(g.ts - f.ts) <= tolerance_s
            ):
                pairs.append((abs(g.ts - f.ts) + (0 if g.kind == f.kind else 1e9), i, j))
    found = list(found)
    used_f: set[int] = set()
    used_g: set[int] = set()
    for cost, i, j in sorted(pairs):
        if i in used_f or j in used_g or cost >= 1e9:
            continue
        used_f.add(i)
        used_g.add(j)
        sc.tp[found[i].kind] += 1
    for i, f in enumerate(found):
        if f.kind in KINDS and i not in used_f:
            sc.fp[f.kind] += 1
            sc.errors.append(("false", f))
    for j, g in enumerate(gold):
        if g.kind in KINDS and j not in used_g and g in required:
            sc.fn[g.kind] += 1
            sc.errors.append(("missed", g))
    return sc


_TEMPLATES: dict[tuple[str, ...], Path] = {}


def beast_capture(csv_path: Path, keep: tuple[float, float] | None = None) -> tuple[Path, float]:
    """The Beast binary capture (port-30005 bytes) a receiver would have written for a
    ``host_time,beast_hex`` file (rs1090's long_flight.csv), cut to the frames inside ``keep``,
    and the host time of its first frame (the ``--start`` a user gives). The hex holds each
    frame unescaped (0x1a, type, 6-byte 12 MHz counter, signal, message): 0x1a bytes after the
    first are doubled, as on the wire."""
    out = Path(tempfile.mkdtemp(prefix="basewatch-eval-")) / (csv_path.name.split(".")[0] + ".bin")
    first = None
    with gzip.open(csv_path, "rt") as fh, out.open("wb") as bin_fh:
        for line in fh:
            stamp, _, frame = line.strip().partition(",")
            t = float(stamp)
            if keep is not None and not keep[0] <= t < keep[1]:
                continue
            first = t if first is None else first
            raw = bytes.fromhex(frame)
            bin_fh.write(raw[:1] + raw[1:].replace(b"\x1a", b"\x1a\x1a"))
    if first is None:
        raise ValueError(f"{csv_path}: no frame inside {keep}")
    return out, first


def store_from_capture(csv_path: Path, keep: tuple[float, float] | None = None) -> Path:
    """A fresh store with a Beast capture ingested as a user would (``--start``, no
    ``--receiver``); a cut capture is cut in the file itself, so its data window is its own
    first and last frame."""
    binary, first = beast_capture(csv_path, keep)
    db = binary.parent / "eval.duckdb"
    start = datetime.fromtimestamp(first, tz=UTC)
    bw.ingest([binary], db=db, format="beast", start=start)
    return db


def stored_twice(csv_path: Path, db: Path) -> int:
    """Rows stored again when the capture already in ``db`` (as Beast bytes) is ingested a
    second time as the JSON lines of its frames (``timestamp``, ``frame``: jet1090's form):
    the same reports in another format, which must be stored once."""
    lines = db.parent / "frames.jsonl"
    with gzip.open(csv_path, "rt") as fh, lines.open("w") as out:
        for line in fh:
            stamp, _, frame = line.strip().partition(",")
            out.write(f'{{"timestamp": {stamp}, "frame": "{frame[18:]}"}}\n')
    return bw.ingest([lines], db=db).rows_added


def store_from(files: list[Path], keep: tuple[float, float] | None = None) -> Path:
    """A fresh store with the files ingested (only positions inside ``keep`` if given)."""
    key = tuple(str(f) for f in files)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = Path(tempfile.mkdtemp(prefix="basewatch-eval-")) / "template.duckdb"
        bw.ingest(files, db=_TEMPLATES[key])
    tmp = Path(tempfile.mkdtemp(prefix="basewatch-eval-")) / "eval.duckdb"
    shutil.copy(_TEMPLATES[key], tmp)
    if keep is not None:
        with open_store(tmp) as store:
            store.con.execute(
                "DELETE FROM position_rows WHERE epoch_ms(ts) < ? OR epoch_ms(ts) >= ?",
                [int(keep[0] * 1000), int(keep[1] * 1000)],
            )
            # a raw capture cut there would have its first and last frames there
            store.con.execute(
                "UPDATE sources SET data_start = greatest(data_start, make_timestamptz(?)),"
                " data_end = least(data_end, make_timestamptz(?)) WHERE data_start IS NOT NULL",
                [int(keep[0] * 1e6), int(keep[1] * 1e6) - 1],
            )
    return tmp


def scenario_case(name: str) -> tuple[Path, list[Movement], set[Movement]]:
    """Simulate a shipped scenario as a readsb archive, ingest it with its aircraft database;
    the gold is its truth file. Movements the receivers saw (observed) or that happened with the
    transponder off near the field (dark) must be found; the others may be."""
    work = Path(tempfile.mkdtemp(prefix="basewatch-eval-"))
    bw.simulate(name, work / "sim", format="trace_full")
    db = work / "eval.duckdb"
    bw.ingest([work / "sim" / "globe_history"], db=db)
    bw.import_aircraft(work / "sim" / "aircraft.csv", db=db)
    gold, required = [], set()
    with (work / "sim" / "truth_movements.csv").open() as fh:
        for r in csv.DictReader(fh):
            m = Movement(
                r["icao24"],
                r["kind"],
                r["airfield"],
                datetime.fromisoformat(r["ts"].replace("Z", "+00:00")).timestamp(),
            )
            gold.append(m)
            if r["visibility"] in ("observed", "dark"):
                required.add(m)
    return db, gold, required


def required_in(gold: list[Movement], keep: tuple[float, float], edge_s: float) -> set[Movement]:
    return {g for g in gold if keep[0] + edge_s <= g.ts < keep[1] - edge_s}


def data_span(db: Path, windows: bool = False) -> tuple[float, float]:
    """The span of the store's positions or, with ``windows``, of its data windows (a raw
    capture's first to last frame, a file's span) when it has any."""
    with open_store(db, read_only=True) as store:
        a = None
        if windows:
            a, b = store.con.execute(
                "SELECT epoch_ms(min(window_start)), epoch_ms(max(window_end)) FROM data_windows"
            ).fetchone()
        if a is None:
            a, b = store.con.execute(
                "SELECT epoch_ms(min(ts)), epoch_ms(max(ts)) FROM positions"
            ).fetchone()
    return a / 1000, b / 1000
