"""Settings, resolved once: flag > environment > basewatch.toml > default."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .errors import ConfigError
from .links import DEFAULT_VIEWER

ENV_DB = "BASEWATCH_DB"
ENV_VIEWER = "BASEWATCH_VIEWER"
CONFIG_FILE = "basewatch.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path
    receiver: tuple[float, float] | None = None
    viewer: str = DEFAULT_VIEWER  # the tar1090 viewer that flight links open in


def _from_toml(start: Path) -> dict:
    path = start / CONFIG_FILE
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read settings ({exc}); fix or remove the file") from exc


def default_db() -> Path:
    return Path(platformdirs.user_data_dir("basewatch")) / "basewatch.duckdb"


def parse_receiver(text: str | None) -> tuple[float, float] | None:
    if text is None or text == "":
        return None
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError as exc:
        raise ConfigError(
            f"receiver {text!r}: expected LAT,LON in degrees, e.g. 35.40,35.95"
        ) from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ConfigError(f"receiver {text!r}: latitude must be within ±90 and longitude ±180")
    return lat, lon


def resolve(
    db: str | os.PathLike | None = None,
    receiver: str | None = None,
    cwd: Path | None = None,
    viewer: str | None = None,
) -> Settings:
    toml = _from_toml(cwd or Path.cwd())
    db_value = db or os.environ.get(ENV_DB) or toml.get("db") or default_db()
    rec = parse_receiver(receiver) if receiver else parse_receiver(toml.get("receiver"))
    view = viewer or os.environ.get(ENV_VIEWER) or toml.get("viewer") or DEFAULT_VIEWER
    if not isinstance(view, str) or not view.startswith(("https://", "http://")):
        raise ConfigError(f"viewer {view!r}: give the address of a tar1090 viewer, https://…")
    return Settings(db=Path(db_value).expanduser(), receiver=rec, viewer=view)
