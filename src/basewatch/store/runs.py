"""Every command that writes records its run: one row in ``runs`` (command, arguments, counts,
rejects by reason, seconds, outcome) and its rejects, written here and nowhere else.

    with recorded(store, "process", {"full": full}) as run:
        ...                       # run.run_id, run.rows_read, run.rows_added, run.counts
    # the runs row is written whatever happened: ok, error or interrupted

The row is written in its own small transaction after the work, so a run killed midway leaves
no row (and, its work being one transaction too, nothing else); a run that failed says so.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from . import Store, append, transaction

log = logging.getLogger(__name__)


class Report:
    """What a command reports: ``summary()`` in one line for people, ``as_dict()`` for
    scripts (JSON-ready). Every command's report type is one of these."""

    def summary(self) -> str:
        raise NotImplementedError

    def as_dict(self) -> dict:
        from dataclasses import fields

        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value):
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict | Counter):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def new_run_id() -> str:
    """A random run id: 16 hex digits, as every id is shown."""
    return uuid.uuid4().hex[:16]


@dataclass
class RunRecord:
    """What one command did, filled in as it runs."""

    command: str
    args: dict
    run_id: str = field(default_factory=new_run_id)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    rows_read: int = 0
    rows_added: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    counts: dict = field(default_factory=dict)
    reject_rows: list[pa.Table] = field(default_factory=list)
    status: str = "ok"
    seconds: float = 0.0
    _t0: float = field(default_factory=time.perf_counter)

    def row(self) -> dict:
        return {
            "run_id": self.run_id,
            "command": self.command,
            "args": json.dumps(self.args, default=str),
            "started_at": self.started,
            "seconds": self.seconds,
            "rows_read": self.rows_read,
            "rows_added": self.rows_added,
            "rejects": sum(self.rejects.values()),
            "counts": json.dumps({"rejects": dict(self.rejects), **self.counts}, default=str),
            "status": self.status,
        }


def record_detectors(con: duckdb.DuckDBPyConnection, used: dict[str, object]) -> None:
    """Record each detector's versioned name with its parameters (a NamedTuple or dataclass),
    once per distinct set, so that a finding can say how it was reached."""
    from dataclasses import asdict, is_dataclass

    for name, params in used.items():
        values = asdict(params) if is_dataclass(params) else params._asdict()
        text = json.dumps(values, sort_keys=True, default=str)
        con.execute(
            "INSERT INTO detectors SELECT ?, ?, now() WHERE NOT EXISTS "
            "(SELECT 1 FROM detectors WHERE detector = ? AND params = ?)",
            [name, text, name, text],
        )


def write_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    """Write the run's rejects and its ``runs`` row (one transaction)."""
    with transaction(con):
        for rows in run.reject_rows:
            append(con, "rejects", rows)
        append(con, "runs", [run.row()])


@contextmanager
def recorded(store: Store, command: str, args: dict | None = None) -> Iterator[RunRecord]:
    """Record the run of ``command`` in ``runs`` however it ends (ok, error, interrupted)."""
    run = RunRecord(command, args or {})
    try:
        yield run
    except KeyboardInterrupt:
        run.status = "interrupted"
        raise
    except BaseException:
        run.status = "error"
        raise
    finally:
        run.seconds = time.perf_counter() - run._t0
        try:
            write_run(store.con, run)
        except duckdb.Error as exc:  # the connection is failing: the run's own error matters
            log.warning("could not record the %s run: %s", command, exc)
