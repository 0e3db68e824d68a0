"""A progress bar on stderr for long reads; silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ..api import Progress


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Progress]:
    if not (enabled and sys.stderr.isatty()):
        yield Progress()
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.progress import (
        Progress as RichProgress,
    )

    with RichProgress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("ingest", total=None)
        yield Progress(
            total=lambda n: bar.update(task, total=n or None),
            advance=lambda n: bar.advance(task, n),
        )
