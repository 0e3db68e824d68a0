"""Reference airfields and places: airportsdata, plus basewatch's own bases file.

airportsdata knows airfields by their civil names only; ``data/bases.toml`` adds the military
bases' names and their spellings (Khmeimim / Hmeimim / Humaymim → OSLK) and a few places that
are not airfields (ports, cities) so that news can be tied to a position. A user may add more
bases files; later files override earlier entries with the same code or name.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import ConfigError
from .geo import haversine_nm

# words that say what kind of field it is, not which one
_NOISE_WORDS = {"air", "base", "airbase", "airport", "airfield", "international", "intl", "the"}


def normalize_name(text: str) -> str:
    """Casefold, strip accents and punctuation and generic words: 'Hmeimim Air Base' → 'hmeimim'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = re.split(r"[^0-9a-z]+", text)
    kept = [w for w in words if w and w not in _NOISE_WORDS]
    return " ".join(kept) if kept else " ".join(w for w in words if w)


@dataclass(frozen=True, slots=True)
class Airfield:
    icao: str
    name: str
    lat: float
    lon: float
    elevation_ft: float
    country: str  # ISO 3166-1 alpha-2
    city: str = ""
    is_base: bool = False
    region: str = ""
    operator: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str
    country: str
    lat: float | None = None
    lon: float | None = None
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class Reference:
    """All airfields and places, with lookup by code, by name or alias, and by position."""

    airfields: dict[str, Airfield]
    places: dict[str, Place] = field(default_factory=dict)
    _names: dict[str, str | Place] = field(default_factory=dict, repr=False)
    _grid: dict[tuple[int, int], list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # bases' own names and aliases win over a civil airport that happens to share a word
        for af in sorted(self.airfields.values(), key=lambda a: a.is_base):
            for name in (af.name, af.city if af.is_base else "", *af.aliases):
                if name:
                    self._names[normalize_name(name)] = af.icao
        for place in self.places.values():
            for name in (place.name, *place.aliases):
                self._names.setdefault(normalize_name(name), place)
        for af in self.airfields.values():
            self._grid.setdefault(_cell(af.lat, af.lon), []).append(af.icao)

    @property
    def bases(self) -> list[Airfield]:
        return [a for a in self.airfields.values() if a.is_base]

    def airfield(self, code: str) -> Airfield:
        try:
            return self.airfields[code.upper()]
        except KeyError:
            raise ConfigError(
                f"unknown airfield {code!r}: not in airportsdata or bases files"
            ) from None

    def resolve(self, text: str) -> Airfield | Place | None:
        """An ICAO code, a name or an alias → the airfield or place, else None."""
        code = text.strip().upper()
        if code in self.airfields:
            return self.airfields[code]
        hit = self._names.get(normalize_name(text))
        if isinstance(hit, str):
            return self.airfields[hit]
        return hit

    def near(self, lat: float, lon: float, radius_nm: float) -> list[tuple[float, Airfield]]:
        """Airfields within ``radius_nm`` of a point, nearest first, with their distance."""
        ci, cj = _cell(lat, lon)
        reach = int(radius_nm // 60) + 1
        codes = [
            c
            for di in range(-reach, reach + 1)
            for dj in range(-reach, reach + 1)
            for c in self._grid.get((ci + di, (cj + dj + 180) % 360 - 180), ())
        ]
        if not codes:
            return []
        afs = [self.airfields[c] for c in codes]
        dist = haversine_nm(
            np.full(len(afs), lat),
            np.full(len(afs), lon),
            np.array([a.lat for a in afs]),
            np.array([a.lon for a in afs]),
        )
        order = np.argsort(dist, kind="stable")
        return [(float(dist[i]), afs[i]) for i in order if dist[i] <= radius_nm]

    def nearest(self, lat: float, lon: float, radius_nm: float) -> tuple[float, Airfield] | None:
        found = self.near(lat, lon, radius_nm)
        return found[0] if found else None


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(np.floor(lat)), int(np.floor(lon))


def _airportsdata() -> dict[str, Airfield]:
    import airportsdata

    out = {}
    for code, a in airportsdata.load("ICAO").items():
        out[code] = Airfield(
            icao=code,
            name=a["name"],
            lat=float(a["lat"]),
            lon=float(a["lon"]),
            elevation_ft=float(a["elevation"] or 0.0),
            country=a["country"],
            city=a["city"] or "",
        )
    return out


def shipped_bases_file() -> Path:
    return Path(str(resources.files("basewatch") / "data" / "bases.toml"))


def _read_bases(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: bases file not found") from None
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read bases file ({exc})") from exc


def _merge_bases(airfields: dict[str, Airfield], places: dict[str, Place], path: Path) -> None:
    doc = _read_bases(path)
    for i, b in enumerate(doc.get("base", [])):
        code = str(b.get("icao", "")).upper()
        if not code:
            raise ConfigError(f"{path}: base #{i + 1} has no icao code")
        known = airfields.get(code)
        lat, lon = (
            b.get("lat", known.lat if known else None),
            b.get("lon", known.lon if known else None),
        )
        if lat is None or lon is None:
            raise ConfigError(f"{path}: base {code} is not in airportsdata; give its lat and lon")
        airfields[code] = Airfield(
            icao=code,
            name=b.get("name", known.name if known else code),
            lat=float(lat),
            lon=float(lon),
            elevation_ft=float(b.get("elevation_ft", known.elevation_ft if known else 0.0)),
            country=b.get("country", known.country if known else ""),
            city=known.city if known else "",
            is_base=True,
            region=b.get("region", ""),
            operator=b.get("operator", ""),
            aliases=tuple(b.get("aliases", ())) + ((known.name,) if known else ()),
        )
    for i, p in enumerate(doc.get("place", [])):
        if "name" not in p:
            raise ConfigError(f"{path}: place #{i + 1} has no name")
        places[p["name"]] = Place(
            name=p["name"],
            kind=p.get("kind", "place"),
            country=p.get("country", ""),
            lat=p.get("lat"),
            lon=p.get("lon"),
            aliases=tuple(p.get("aliases", ())),
        )


@lru_cache(maxsize=8)
def _load(extra: tuple[str, ...]) -> Reference:
    airfields = _airportsdata()
    places: dict[str, Place] = {}
    for path in (shipped_bases_file(), *map(Path, extra)):
        _merge_bases(airfields, places, path)
    return Reference(airfields, places)


def load_reference(extra: Sequence[str | Path] | Iterable[str | Path] = ()) -> Reference:
    """Airfields and places: airportsdata, the shipped bases file, then each extra bases file."""
    return _load(tuple(str(Path(p).resolve()) for p in extra))
