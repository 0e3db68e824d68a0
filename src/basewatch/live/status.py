"""The live service's status file: a small JSON file beside the store, rewritten every few
seconds, so ``basewatch status`` can tell what the feeds are doing without opening the store
(which the running service holds for writing).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ..errors import StoreError

STALE_S = 30.0  # a status not rewritten for this long belongs to a service that is gone


def status_path(db: str | os.PathLike) -> Path:
    """Where the live service writing ``db`` keeps its status: ``<db>.live.json``."""
    p = Path(db)
    return p.with_name(p.name + ".live.json")


def write_status(path: Path, status: dict) -> None:
    """Replace the file whole (written aside, then renamed): a reader never sees half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(status, indent=1, default=str))
    os.replace(tmp, path)


def read_status(path: Path) -> dict:
    """The last status written, with ``running`` (rewritten lately by a live process) and
    ``age_s`` added."""
    try:
        status = json.loads(path.read_text())
    except FileNotFoundError:
        raise StoreError(
            f"{path}: no live status here; start `basewatch live` with this --db first"
        ) from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: cannot read the live status ({exc})") from exc
    age = time.time() - float(status.get("updated_at", 0))
    status["age_s"] = round(age, 1)
    status["running"] = bool(
        status.get("state") == "running" and age < STALE_S and _alive(status.get("pid"))
    )
    return status


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (TypeError, ValueError, ProcessLookupError):
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
