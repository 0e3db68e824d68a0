"""Aircraft lists users bring besides the tar1090-db and OpenSky CSVs.

- ``plane_alert_db``: the plane-alert-db CSVs (``plane-alert-mil.csv``, ``plane-alert-gov.csv``,
  ``plane-alert-db.csv``, ...), curated lists of military, government and other notable
  airframes. A header row whose names carry ``$`` / ``#`` prefixes: ``$ICAO, $Registration,
  $Operator, $Type, $ICAO Type, #CMPG, $Tag 1, $#Tag 2, $#Tag 3, Category, $#Link`` and
  sometimes image-link columns after them; rows may stop short of the last columns. ``#CMPG``
  says ``Mil``, ``Gov``, ``Pol`` or ``Civ``. Read as aircraft data (``aircraft import``) and as a
  watch list (``--watchlist plane-alert-mil.csv``): one entry per address, labelled with its
  category, tags and operator.
- ``tar1090_web``: the ``db/`` folder a tar1090 install serves: ``<prefix>.js`` files, each
  gzip-compressed (or plain) JSON ``{"<rest of the address>": [registration, type, flags,
  description, ...], "children": [longer prefixes held in their own files]}``, with
  ``files.js`` and other lookup tables (types, operators, ranges) beside them.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from pathlib import Path

import orjson
import pyarrow as pa
import xxhash

from ..errors import ConfigError
from ..readers.base import RejectLog

PLANE_ALERT = "plane_alert_db"
TAR1090_WEB = "tar1090_web"

# our column → the plane-alert-db header name with its $/# prefixes and spaces removed
_PLANE_ALERT_COLUMNS = {
    "icao24": "icao",
    "registration": "registration",
    "operator": "operator",
    "description": "type",
    "type_code": "icaotype",
    "cmpg": "cmpg",
    "tag1": "tag1",
    "tag2": "tag2",
    "tag3": "tag3",
    "category": "category",
}
_STATE_CMPG = {"mil", "gov", "pol"}  # military, government, police: state aircraft
_HEX_FILE = re.compile(r"^[0-9A-Fa-f]{1,5}\.js(?:on)?(?:\.gz)?$")
_HEX24 = re.compile(r"^[0-9a-f]{6}$")

RAW_COLUMNS = ("icao24", "registration", "type_code", "flags", "description", "operator",
               "operator_icao", "year")  # fmt: skip


def _norm(name: str) -> str:
    return re.sub(r"[\s$#_]", "", name).lower()


def is_plane_alert_header(line: str) -> bool:
    names = {_norm(n) for n in next(csv.reader([line]), [])}
    return {"icao", "cmpg"} <= names or ({"icao", "registration", "category"} <= names)


def plane_alert_columns(header: str) -> dict[str, str]:
    """Our column → the file's own header name (for ``read_csv`` with ``header = true``)."""
    names = [n.strip() for n in next(csv.reader([header]))]
    by_norm = {_norm(n): n for n in names}
    picked = {
        ours: by_norm[theirs] for ours, theirs in _PLANE_ALERT_COLUMNS.items() if theirs in by_norm
    }
    if "icao24" not in picked:
        raise ConfigError("plane-alert-db CSV: the header has no $ICAO column")
    return picked


def plane_alert_sql(header: str) -> tuple[str, dict]:
    """A ``SELECT`` over ``read_csv`` of a plane-alert-db file giving the raw text columns of
    ``aircraft_db``; ``#CMPG`` becomes the military flag ("1" for Mil, "0" for others, null if empty)."""
    picked = plane_alert_columns(header)
    names = [n.strip() for n in next(csv.reader([header]))]

    def col(ours: str) -> str:
        return '"' + picked[ours].replace('"', '""') + '"' if ours in picked else "NULL::VARCHAR"

    cmpg = f"lower(trim({col('cmpg')}))"
    flags = f"CASE WHEN {cmpg} = 'mil' THEN '1' WHEN {cmpg} <> '' THEN '0' END"
    sql = f"""
        SELECT {col("icao24")} AS icao24, {col("registration")} AS registration,
               {col("type_code")} AS type_code, {flags} AS flags,
               {col("description")} AS description, {col("operator")} AS operator,
               NULL::VARCHAR AS operator_icao, NULL::VARCHAR AS year
        FROM read_csv($path, delim = ',', quote = '"', escape = '"', header = true,
                      null_padding = true, columns = $cols, {{common}})
    """
    return sql, {"cols": {n: "VARCHAR" for n in names}}


def plane_alert_label(row: dict[str, str]) -> str:
    """ "<category>: <tag 1> / <tag 2> / <tag 3> (<operator>)", leaving out what is empty."""
    tags = " / ".join(t for t in (row.get(k, "").strip() for k in ("tag1", "tag2", "tag3")) if t)
    label = row.get("category", "").strip() or "plane-alert-db"
    if tags:
        label += f": {tags}"
    if row.get("operator", "").strip():
        label += f" ({row['operator'].strip()})"
    return label


def read_plane_alert_watch(path: Path) -> list[tuple[str, str, bool, bool]]:
    """(icao24, label, military, state) per address of a plane-alert-db CSV, first row wins."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read watch list ({exc.strerror or exc})") from exc
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or not is_plane_alert_header(",".join(header)):
        raise ConfigError(f"{path}: not a plane-alert-db CSV (no $ICAO,...,#CMPG header)")
    idx = {_norm(n): i for i, n in enumerate(header)}
    out, seen = [], set()
    for fields in reader:
        row = {
            ours: fields[idx[theirs]] if theirs in idx and idx[theirs] < len(fields) else ""
            for ours, theirs in _PLANE_ALERT_COLUMNS.items()
        }
        icao = row["icao24"].strip().lower()
        if not _HEX24.match(icao) or icao in seen:
            continue
        seen.add(icao)
        cmpg = row["cmpg"].strip().lower()
        out.append((icao, plane_alert_label(row), cmpg == "mil", cmpg in _STATE_CMPG))
    return out


# --- tar1090 web database folder ------------------------------------------------------------


def is_tar1090_web(path: Path) -> bool:
    """A folder (or its ``db/``) holding ``<prefix>.js`` aircraft files."""
    return path.is_dir() and any(_HEX_FILE.match(p.name) for p in _web_dir(path).iterdir())


def _web_dir(path: Path) -> Path:
    return path / "db" if (path / "db").is_dir() and not (path / "files.js").exists() else path


def _json_bytes(raw: bytes) -> bytes:
    if raw[:2] == b"\x1f\x8b":
        return zlib.decompressobj(wbits=31).decompress(raw)
    return raw


def read_tar1090_web(path: Path, rejects: RejectLog) -> tuple[pa.Table, str]:
    """Every aircraft of a tar1090 ``db/`` folder as raw text columns, and the folder's content
    id (over its aircraft files, in name order). Unreadable files and entries are rejected."""
    folder = _web_dir(path)
    files = sorted(p for p in folder.iterdir() if _HEX_FILE.match(p.name) and p.is_file())
    cols: dict[str, list] = {c: [] for c in RAW_COLUMNS}
    h = xxhash.xxh3_64()
    for f in files:
        raw = f.read_bytes()
        h.update(f.name.encode() + b"\0" + raw)
        prefix = f.name.split(".", 1)[0].upper()
        try:
            doc = orjson.loads(_json_bytes(raw))
        except (orjson.JSONDecodeError, zlib.error, EOFError) as exc:
            rejects.add("bad_json", str(f), str(exc))
            continue
        if not isinstance(doc, dict):
            rejects.add("bad_json", str(f), "top level is not an object")
            continue
        for key, entry in doc.items():
            if key == "children":
                continue
            icao = (prefix + str(key)).lower()
            if not _HEX24.match(icao):
                rejects.add("bad_icao24", f"{f} key {key}", orjson.dumps(entry).decode()[:200])
                continue
            if not isinstance(entry, list) or not entry:
                rejects.add("bad_entry", f"{f} key {key}", orjson.dumps(entry).decode()[:200])
                continue
            vals = [v if isinstance(v, str) else None for v in entry[:4]] + [None] * 4
            cols["icao24"].append(icao)
            cols["registration"].append(vals[0])
            cols["type_code"].append(vals[1])
            cols["flags"].append(vals[2])
            cols["description"].append(vals[3])
            for c in ("operator", "operator_icao", "year"):
                cols[c].append(None)
    table = pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()})
    return table, h.hexdigest()


__all__ = [
    "PLANE_ALERT",
    "TAR1090_WEB",
    "is_plane_alert_header",
    "is_tar1090_web",
    "plane_alert_sql",
    "read_plane_alert_watch",
    "read_tar1090_web",
]
