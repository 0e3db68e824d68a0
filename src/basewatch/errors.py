"""One exception tree for caller mistakes. Each message says what to do about it."""

from __future__ import annotations


class BasewatchError(Exception):
    """A mistake the caller can fix; the CLI prints it in one line and exits non-zero."""

    exit_code = 2


class ConfigError(BasewatchError):
    """Bad settings: a flag, environment variable or basewatch.toml value."""


class FormatError(BasewatchError):
    """The input's format cannot be told, or is not one basewatch reads."""


class InputError(BasewatchError):
    """An input path or address that cannot be read at all."""


class StoreError(BasewatchError):
    """The store cannot be opened (locked by another writer, not a DuckDB file, newer schema)."""
