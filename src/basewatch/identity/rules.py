"""Identity rules: state and military operators, and the user's watch lists.

``data/operators.toml`` (shipped) lists ICAO operator designators seen as callsign prefixes,
registration patterns of state aircraft and words of operator names; user files extend or
override it. Watch lists are plane-alert-db CSVs or the user's own TOML files of ``[[watch]]`` entries, each with a
label and one or more of: ``icao24``, ``registration`` (glob), ``registration_regex`` (RE2),
``type`` (ICAO type designator), ``country`` (ISO alpha-2 or name), ``operator`` (a three-letter
ICAO designator, or words of the operator's name). Every key takes a value or a list of values;
an entry matches when each of its keys matches one of its values. ``military = true`` /
``state = true`` make a match set the flag as well as label the aircraft.

The identity stage turns these rules into DuckDB joins and filters.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pyarrow as pa

from .. import config
from ..errors import ConfigError
from .countries import CountryBlocks, load_blocks

KINDS = ("military", "state")
WATCH_KEYS = ("icao24", "registration", "registration_regex", "type", "country", "operator")
ENV_OPERATORS = "BASEWATCH_OPERATORS"
ENV_WATCHLISTS = "BASEWATCH_WATCHLISTS"
ENV_ICAO_RANGES = "BASEWATCH_ICAO_RANGES"

_PREFIX = re.compile(r"^[A-Z]{3}$")
_HEX24 = re.compile(r"^[0-9a-f]{6}$")


def shipped_operators_file() -> Path:
    return Path(str(resources.files("basewatch") / "data" / "operators.toml"))


def example_watchlist_file() -> Path:
    return Path(str(resources.files("basewatch") / "data" / "watchlists" / "example.toml"))


def _read_toml(path: Path, what: str) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} file not found") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read {what} file ({exc})") from exc


def _check_regex(pattern: str, where: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: bad regular expression {pattern!r} ({exc})") from None
    return pattern


def _kind(value: object, where: str) -> str:
    if value not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, not {value!r}")
    return str(value)


@dataclass(slots=True)
class Operators:
    """Callsign prefixes, registration patterns and operator words, keyed for overriding."""

    callsigns: dict[str, dict] = field(default_factory=dict)  # prefix → entry
    registrations: dict[str, dict] = field(default_factory=dict)  # pattern → entry
    words: dict[str, dict] = field(default_factory=dict)  # text → entry

    def merge_file(self, path: Path) -> None:
        doc = _read_toml(path, "operators")
        known = {"callsign", "registration", "operator_word"}
        for key in doc:
            if key not in known:
                raise ConfigError(f"{path}: unknown table [{key}]; use {', '.join(sorted(known))}")
        for i, e in enumerate(doc.get("callsign", [])):
            where = f"{path}: callsign #{i + 1}"
            prefix = str(e.get("prefix", "")).upper()
            if not _PREFIX.match(prefix):
                raise ConfigError(f"{where}: prefix must be three letters (an ICAO designator)")
            if not e.get("operator"):
                raise ConfigError(f"{where}: operator name missing")
            self.callsigns[prefix] = {
                "prefix": prefix,
                "operator": str(e["operator"]),
                "country": str(e.get("country", "")).upper() or None,
                "kind": _kind(e.get("kind"), where),
            }
        for i, e in enumerate(doc.get("registration", [])):
            where = f"{path}: registration #{i + 1}"
            pattern = _check_regex(str(e.get("pattern", "")), where)
            if not pattern:
                raise ConfigError(f"{where}: pattern missing")
            self.registrations[pattern] = {
                "pattern": pattern,
                "name": str(e.get("name") or pattern),
                "country": str(e.get("country", "")).upper() or None,
                "kind": _kind(e.get("kind"), where),
                "literal": _literal_prefix(pattern),
            }
        for i, e in enumerate(doc.get("operator_word", [])):
            where = f"{path}: operator_word #{i + 1}"
            text = str(e.get("text", "")).strip().lower()
            if not text:
                raise ConfigError(f"{where}: text missing")
            self.words[text] = {
                "text": text,
                "regex": r"\b" + re.escape(text).replace(r"\ ", " ") + r"\b",
                "kind": _kind(e.get("kind"), where),
            }


def _literal_prefix(pattern: str) -> str:
    """The fixed text an anchored regex starts with ('^RF-\\d' → 'RF-'), for a cheap pre-filter."""
    if not pattern.startswith("^"):
        return ""
    out = []
    for ch in pattern[1:]:
        if ch.isalnum() or ch == "-":
            out.append(ch)
        else:
            break
    if out and pattern[1 + len(out) : 2 + len(out)] in ("?", "*", "{"):
        out.pop()  # the last literal is optional or repeated
    return "".join(out)


@dataclass(frozen=True, slots=True)
class WatchEntry:
    label: str
    fields: dict[str, tuple[str, ...]]
    military: bool = False
    state: bool = False
    source: str = ""


def _values(value: object, where: str, key: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for v in items:
        if not isinstance(v, str | int) or isinstance(v, bool) or str(v).strip() == "":
            raise ConfigError(f"{where}: {key} must be text or a list of text, not {v!r}")
        out.append(str(v).strip())
    if not out:
        raise ConfigError(f"{where}: {key} is an empty list")
    return tuple(out)


def read_watchlist(path: str | Path) -> list[WatchEntry]:
    """A TOML watch list, or a plane-alert-db CSV (one entry per address, its label made of
    the list's category, tags and operator; ``#CMPG`` Mil sets military, Gov and Pol state)."""
    path = Path(path)
    if path.suffix.lower() == ".csv" or path.name.lower().endswith(".csv.gz"):
        from .userdbs import read_plane_alert_watch

        return [
            WatchEntry(
                label=label, fields={"icao24": (icao,)}, military=mil, state=state, source=str(path)
            )
            for icao, label, mil, state in read_plane_alert_watch(path)
        ]
    doc = _read_toml(path, "watch list")
    entries = doc.get("watch")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: a watch list needs [[watch]] entries, each with a label")
    out = []
    for i, e in enumerate(entries):
        where = f"{path}: watch #{i + 1}"
        label = e.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(f"{where}: label missing")
        where = f"{path}: watch {label!r}"
        unknown = set(e) - set(WATCH_KEYS) - {"label", "military", "state", "note"}
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {sorted(unknown)[0]!r}; use {', '.join(WATCH_KEYS)}"
            )
        fields = {k: _values(e[k], where, k) for k in WATCH_KEYS if k in e}
        if not fields:
            raise ConfigError(f"{where}: give at least one of {', '.join(WATCH_KEYS)}")
        if "icao24" in fields:
            fields["icao24"] = tuple(v.lower() for v in fields["icao24"])
            bad = [v for v in fields["icao24"] if not _HEX24.match(v)]
            if bad:
                raise ConfigError(f"{where}: icao24 {bad[0]!r} is not 6 hex digits")
        for v in fields.get("registration_regex", ()):
            _check_regex(v, where)
        for k in ("military", "state"):
            if k in e and not isinstance(e[k], bool):
                raise ConfigError(f"{where}: {k} must be true or false")
        out.append(
            WatchEntry(
                label=label.strip(),
                fields=fields,
                military=bool(e.get("military", False)),
                state=bool(e.get("state", False)),
                source=str(path),
            )
        )
    return out


@dataclass(slots=True)
class Rules:
    """Everything the identity stage needs besides the store."""

    blocks: CountryBlocks
    operators: Operators
    watch: list[WatchEntry]

    def callsign_table(self) -> pa.Table:
        rows = list(self.operators.callsigns.values())
        return pa.Table.from_pylist(
            rows,
            schema=pa.schema(
                [("prefix", pa.string()), ("operator", pa.string())]
                + [("country", pa.string()), ("kind", pa.string())]
            ),
        )


def _paths(value: str | os.PathLike | Sequence | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | os.PathLike):
        return [str(value)]
    return [str(v) for v in value]


def _setting(
    given: str | os.PathLike | Sequence | None, env: str, key: str, cwd: Path | None
) -> list[str]:
    """Paths from the argument, else the environment (os.pathsep-separated), else basewatch.toml."""
    if given is not None:
        return _paths(given)
    if os.environ.get(env):
        return [p for p in os.environ[env].split(os.pathsep) if p]
    value = config._from_toml(cwd or Path.cwd()).get(key)
    if value is not None and not isinstance(value, str | list):
        raise ConfigError(f"{config.CONFIG_FILE}: {key} must be a path or a list of paths")
    return _paths(value)


def load_rules(
    watchlists: str | os.PathLike | Iterable | None = None,
    operators: str | os.PathLike | Iterable | None = None,
    icao_ranges: str | os.PathLike | Iterable | None = None,
    cwd: Path | None = None,
) -> Rules:
    """Shipped rules plus the user's files: argument > environment > basewatch.toml."""
    ops = Operators()
    ops.merge_file(shipped_operators_file())
    for p in _setting(_listify(operators), ENV_OPERATORS, "operators", cwd):
        ops.merge_file(Path(p).expanduser())
    watch: list[WatchEntry] = []
    for p in _setting(_listify(watchlists), ENV_WATCHLISTS, "watchlists", cwd):
        watch += read_watchlist(Path(p).expanduser())
    blocks = load_blocks(_setting(_listify(icao_ranges), ENV_ICAO_RANGES, "icao_ranges", cwd))
    return Rules(blocks=blocks, operators=ops, watch=watch)


def _listify(value):
    if value is None or isinstance(value, str | os.PathLike):
        return value
    return list(value)
