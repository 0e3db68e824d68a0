"""Watches: a base plus the aircraft that count there, from TOML files.

The shipped watches (``data/watches/*.toml``) cover Khmeimim, Al Khadim, Al Jufra and
Chkalovsky; a user adds files with ``--watches FILE`` or ``watches = [...]`` in basewatch.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .airfields import load_reference
from .errors import ConfigError

KEYS = {
    "name", "title", "base", "countries", "state", "military", "types", "operators",
    "registrations", "watchlists", "min_confidence", "gap_days",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Watch:
    name: str
    base: str  # ICAO code
    title: str = ""
    countries: tuple[str, ...] = ()
    state: bool | None = None
    military: bool | None = None
    types: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    registrations: tuple[str, ...] = ()
    watchlists: tuple[str, ...] = ()
    min_confidence: float = 0.5
    gap_days: float = 30.0

    def describe(self) -> str:
        """'Russian state aircraft', 'Russian and Syrian military aircraft', 'state aircraft of
        Kazakhstan': the countries in words, never their codes."""
        from .words import adjective, country_name

        parts, of = [], []
        named = [(adjective(c), c) for c in self.countries]
        if named and all(a for a, _ in named):
            parts.append(" and ".join(a for a, _ in named))
        elif named:
            of = [country_name(c) for _, c in named]
        if self.military:
            parts.append("military")
        elif self.state:
            parts.append("state")
        if self.types:
            parts.append("types " + ", ".join(self.types))
        if self.operators:
            parts.append("operators " + ", ".join(self.operators))
        text = (" ".join(parts) or "all") + " aircraft"
        return text + (f" of {' and '.join(of)}" if of else "")

    def where(self) -> tuple[str, list]:
        """SQL terms over ``airfield_events e`` joined to ``aircraft a``."""
        terms = [
            "e.airfield = ?",
            "e.event_type IN ('takeoff', 'landing', 'takeoff_inferred', 'landing_inferred')",
            "e.confidence >= ?",
        ]
        params: list = [self.base, self.min_confidence]
        if self.countries:
            terms.append(f"a.country_iso2 IN ({', '.join('?' * len(self.countries))})")
            params += [c.upper() for c in self.countries]
        if self.state is not None:
            terms.append("coalesce(a.is_state, false) = ?")
            params.append(self.state)
        if self.military is not None:
            terms.append("coalesce(a.is_military, false) = ?")
            params.append(self.military)
        if self.types:
            terms.append(f"upper(a.type_code) IN ({', '.join('?' * len(self.types))})")
            params += [t.upper() for t in self.types]
        for group, col in ((self.operators, "a.operator"), (self.watchlists, "a.watch_labels")):
            if group:
                terms.append("(" + " OR ".join(f"{col} ILIKE ?" for _ in group) + ")")
                params += [f"%{x}%" for x in group]
        if self.registrations:
            like = [_glob(p.upper()) for p in self.registrations]
            terms.append(
                "(" + " OR ".join("regexp_full_match(upper(a.registration), ?)" for _ in like) + ")"
            )
            params += like
        return " AND ".join(terms), params


def _glob(pattern: str) -> str:
    """A registration glob (* any run, ? one character) as an RE2 full-match expression."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


_LISTS = ("countries", "types", "operators", "registrations", "watchlists")
_BOOLS = ("state", "military")


def _check(w: dict, where: str) -> None:
    """Types of a watch's keys, with the remedy in the message."""
    for key in ("name", "base", "title"):
        if key in w and not isinstance(w[key], str):
            raise ConfigError(f'{where}: {key} must be text, e.g. {key} = "..."')
    for key in _LISTS:
        v = w.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ConfigError(f'{where}: {key} must be a list of text, e.g. {key} = ["RU"]')
    for key in _BOOLS:
        if key in w and not isinstance(w[key], bool):
            raise ConfigError(f"{where}: {key} must be true or false")
    for key, low in (("gap_days", 1.0), ("min_confidence", 0.0)):
        v = w.get(key, low)
        if isinstance(v, bool) or not isinstance(v, int | float) or v < low:
            raise ConfigError(f"{where}: {key} must be a number of at least {low:g}")


def shipped_watch_files() -> list[Path]:
    folder = Path(str(resources.files("basewatch") / "data" / "watches"))
    return sorted(folder.glob("*.toml"))


def load_watches(files: list[str | Path] | None = None, shipped: bool = True) -> dict[str, Watch]:
    """Watches by name: the shipped ones, then each file (later names replace earlier ones)."""
    ref = load_reference()
    out: dict[str, Watch] = {}
    for path in [*(shipped_watch_files() if shipped else []), *map(Path, files or [])]:
        try:
            doc = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(f"{path}: watch file not found") from None
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read watch file ({exc})") from exc
        watches = doc.get("watch", [])
        if not isinstance(watches, list) or not all(isinstance(w, dict) for w in watches):
            raise ConfigError(f"{path}: watches are [[watch]] tables")
        for i, w in enumerate(watches):
            where = f"{path}: watch #{i + 1}"
            unknown = set(w) - KEYS
            if unknown:
                raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
            if "name" not in w or "base" not in w:
                raise ConfigError(f"{where}: a watch needs a name and a base")
            _check(w, where)
            hit = ref.resolve(str(w["base"]))
            if hit is None or not hasattr(hit, "icao"):
                raise ConfigError(f"{where}: unknown base {w['base']!r}")
            try:
                out[w["name"]] = Watch(
                    name=str(w["name"]),
                    base=hit.icao,
                    title=str(w.get("title", w["name"])),
                    countries=tuple(w.get("countries", ())),
                    state=w.get("state"),
                    military=w.get("military"),
                    types=tuple(w.get("types", ())),
                    operators=tuple(w.get("operators", ())),
                    registrations=tuple(w.get("registrations", ())),
                    watchlists=tuple(w.get("watchlists", ())),
                    min_confidence=float(w.get("min_confidence", 0.5)),
                    gap_days=float(w.get("gap_days", 30)),
                )
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{where}: {exc}") from exc
    return out
