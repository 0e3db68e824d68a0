"""Worker processes for ``ingest --jobs`` and ``process --jobs``: where they start from."""

from __future__ import annotations

import multiprocessing


def context(preload: str):
    """Workers forked from a fork server that has imported ``preload`` (a module that loads
    what the workers need once), never forked from the main process, which holds DuckDB's
    threads; spawned where there is no fork server. A process keeps one fork server: the first
    caller's preload stays, a later caller's workers import what they need themselves."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([preload])
    return ctx
