"""``basewatch serve``: web pages and a JSON API over a read-only copy of the store."""

from __future__ import annotations

from .app import Settings, create_app
from .server import serve

__all__ = ["Settings", "create_app", "serve"]
