"""Subpackages that share a name with an API function (``basewatch.ingest``,
``basewatch.simulate``) stay callable.

Importing a subpackage sets it as an attribute of ``basewatch``, replacing the API function of
the same name; ``bw.ingest(...)`` would then fail depending on what was imported before. Giving
those subpackage modules a ``__call__`` that forwards to the API function keeps
``bw.ingest(...)`` and ``bw.simulate(...)`` working whichever object the name holds.
"""

from __future__ import annotations

import sys
import types


def forward_calls(module_name: str, api_name: str) -> None:
    class _Callable(types.ModuleType):
        def __call__(self, *args, **kwargs):
            from . import api

            return getattr(api, api_name)(*args, **kwargs)

    sys.modules[module_name].__class__ = _Callable
