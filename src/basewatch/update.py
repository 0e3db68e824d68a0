"""The orchestrator of the watches: it decides nothing but the order. Flights up to date, then
per base the days and activity, per watch the changes, routes and timeline, each stage
computing and writing its own table.

reads:   everything the stages read
writes:  base_days, base_activity, base_changes, base_routes, timeline
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .fuse.timeline import build_timeline
from .stages.activity import DETECTOR as ACTIVITY
from .stages.activity import ActivityParams, base_activity, base_days
from .stages.changes import DETECTOR as CHANGES
from .stages.changes import ChangeParams, detect_changes
from .stages.process import process
from .stages.routes import base_routes
from .store import Store, transaction
from .store.runs import Report, record_detectors
from .watches import Watch


@dataclass(slots=True)
class WatchReport(Report):
    watches: int = 0
    days: int = 0
    changes: dict[str, int] = field(default_factory=dict)
    routes: int = 0
    timeline: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        from .words import count, counts

        return (
            f"watched {count(self.watches, 'watch')} over {count(self.days, 'base-day')}: "
            f"{counts(self.changes) or 'no changes'}, {count(self.routes, 'route')}, "
            f"{count(self.timeline, 'timeline item')} in {self.seconds:.1f} s"
        )


def run_watches(
    store: Store,
    watches: list[Watch],
    activity: ActivityParams = ActivityParams(),
    changes: ChangeParams = ChangeParams(),
) -> WatchReport:
    """Bring flights up to date (``process``), then every watch's tables, in one transaction:
    a kill midway leaves them as they were."""
    t0 = time.perf_counter()
    process(store)
    bases = sorted({w.base for w in watches})
    report = WatchReport(watches=len(watches))
    with transaction(store.con):
        record_detectors(store.con, {ACTIVITY: activity, CHANGES: changes})
        report.days = base_days(store, bases, activity)
        base_activity(store, bases)
        for w in watches:
            table = detect_changes(store, w, changes)
            for kind in table["kind"].to_pylist():
                report.changes[kind] = report.changes.get(kind, 0) + 1
            report.routes += base_routes(store, w)
            report.timeline += build_timeline(store, w).num_rows
    report.seconds = time.perf_counter() - t0
    return report
