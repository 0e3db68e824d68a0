"""Import an aircraft database file into ``aircraft_db``.

reads:   a tar1090-db CSV, OpenSky's aircraft database CSV (plain or gzip content), a
         plane-alert-db CSV or a tar1090 web database folder (``userdbs.py``)
writes:  aircraft_db, rejects, runs
rejects: bad_field_count, bad_quoting, bad_encoding, line_too_long, bad_csv_line, bad_icao24,
         bad_flags, duplicate_icao24, truncated_gzip, empty_file, bad_json, bad_entry

Formats, told from the content:

- ``tar1090_db``: ``icao;reg;type;flags;desc;year;ownop;`` one aircraft a line, no header
  (a header line naming ``icao`` is skipped if present), ``flags`` a string of digits whose first
  digit 1 means military.
- ``opensky_db``: OpenSky's aircraft database, a header row and quoted fields. The long-standing
  ``aircraftDatabase.csv`` has 27 columns: ``icao24, registration, manufacturericao,
  manufacturername, model, typecode, serialnumber, linenumber, icaoaircrafttype, operator,
  operatorcallsign, operatoricao, operatoriata, owner, testreg, registered, reguntil, status,
  built, firstflightdate, seatconfiguration, engines, modes, adsb, acars, notes,
  categoryDescription``. Columns are found by name, in any order and case, so the newer
  ``aircraft-database-complete-*`` files (camel case, quoted with ``'``) read too. It has no
  military flag; the operator (else the owner), its ICAO code, and the manufacturer and model
  (as the description) are kept.

DuckDB's CSV reader does the parsing, streaming and in parallel; lines it cannot parse come back
from its reject store with their line number and reason. Importing the same source again replaces
its rows, in one transaction; a file with no valid row, or a cut gzip stream, replaces nothing.
"""

from __future__ import annotations

import csv
import gzip
import logging
import re
import time
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..errors import ConfigError, FormatError, InputError
from ..readers.base import REJECT_ROWS_PER_REASON, RejectLog, Source, content_id
from ..store import Store
from ..store.runs import Report
from . import userdbs

log = logging.getLogger(__name__)

FORMATS = ("tar1090_db", "opensky_db", userdbs.PLANE_ALERT, userdbs.TAR1090_WEB)
TAR1090_COLUMNS = ("icao", "reg", "type", "flags", "descr", "year", "ownop")

# DuckDB reject error types → our reason codes
_CSV_ERRORS = {
    "MISSING COLUMNS": "bad_field_count",
    "TOO MANY COLUMNS": "bad_field_count",
    "UNQUOTED VALUE": "bad_quoting",
    "INVALID ENCODING": "bad_encoding",
    "INVALID UNICODE": "bad_encoding",
    "LINE SIZE OVER MAXIMUM": "line_too_long",
}

_SOURCE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

# OpenSky columns we use → accepted header names (lower case, underscores removed)
_OPENSKY = {
    "icao24": ("icao24",),
    "registration": ("registration",),
    "manufacturer": ("manufacturername",),
    "model": ("model",),
    "typecode": ("typecode",),
    "operator": ("operator",),
    "operator_icao": ("operatoricao",),
    "owner": ("owner",),
    "built": ("built",),
}


@dataclass
class ImportReport(Report):
    run_id: str
    source: str = ""
    format: str = ""
    rows_read: int = 0
    rows_stored: int = 0
    rows_replaced: int = 0
    military: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    aircraft_rows: int | None = None  # rows of the rebuilt aircraft table, if rebuilt
    refresh_seconds: float = 0.0

    def summary(self) -> str:
        rej = sum(self.rejects.values())
        by = ", ".join(f"{k} {v:,}" for k, v in self.rejects.most_common())
        return (
            f"aircraft import: {self.source} ({self.format}), {self.rows_read:,} rows read, "
            f"{self.rows_stored:,} stored ({self.military:,} military), "
            f"{self.rows_replaced:,} replaced, {rej:,} rejected" + (f" ({by})" if by else "")
        ) + f" in {self.seconds + self.refresh_seconds:.1f} s"

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "source": self.source,
            "format": self.format,
            "rows_read": self.rows_read,
            "rows_stored": self.rows_stored,
            "rows_replaced": self.rows_replaced,
            "military": self.military,
            "rejects": dict(self.rejects),
            "seconds": round(self.seconds, 3),
            "aircraft_rows": self.aircraft_rows,
            "refresh_seconds": round(self.refresh_seconds, 3),
        }


def _head(path: Path, n: int = 65536) -> tuple[bytes, bool]:
    """First bytes of the content (gzip undone whatever the name) and whether it was gzip."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
        fh.seek(0)
        if magic == b"\x1f\x8b":
            try:
                with gzip.GzipFile(fileobj=fh) as gz:
                    return gz.read(n), True
            except (OSError, EOFError):
                # a cut gzip stream still gives its first bytes
                fh.seek(0)
                return _partial_gunzip(fh.read(1 << 20), n), True
        return fh.read(n), False


def _partial_gunzip(data: bytes, n: int) -> bytes:
    d = zlib.decompressobj(wbits=31)
    try:
        return d.decompress(data, n)
    except zlib.error:
        return b""


def _gzip_complete(path: Path) -> bool:
    """Whether every gzip member of the file ends properly (DuckDB reads a cut stream silently)."""
    with open(path, "rb") as fh:
        d = zlib.decompressobj(wbits=31)
        while True:
            block = fh.read(1 << 20)
            if not block:
                return d.eof and not d.unused_data
            try:
                d.decompress(block)
                while d.eof and d.unused_data:  # the next member of a multi-member file
                    rest = d.unused_data
                    d = zlib.decompressobj(wbits=31)
                    d.decompress(rest)
            except zlib.error:
                return False


def _first_line(head: bytes) -> str:
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    return line.decode("utf-8", errors="replace").lstrip("\ufeff")


def detect(head: bytes) -> str | None:
    """``tar1090_db``, ``opensky_db`` or None, from the first line of the content."""
    line = _first_line(head)
    if not line.strip():
        return None
    low = line.lower()
    if "," in line and userdbs.is_plane_alert_header(line):
        return userdbs.PLANE_ALERT
    if "icao24" in low and ("," in line) and ("registration" in low):
        return "opensky_db"
    fields = line.split(";")
    if len(fields) >= 7 and (
        re.fullmatch(r"[0-9A-Fa-f]{6}", fields[0].strip()) or fields[0].strip().lower() == "icao"
    ):
        return "tar1090_db"
    return None


def _opensky_columns(header: str, quote: str) -> tuple[list[str], dict[str, str]]:
    names = next(csv.reader([header], quotechar=quote))
    names = [n.strip() for n in names]
    norm = {n.lower().replace("_", ""): n for n in names}
    picked = {}
    for ours, accepted in _OPENSKY.items():
        for a in accepted:
            if a in norm:
                picked[ours] = norm[a]
                break
    if "icao24" not in picked:
        raise FormatError("OpenSky aircraft database: the header has no icao24 column")
    if len(set(names)) != len(names):
        raise FormatError("OpenSky aircraft database: the header names a column twice")
    return names, picked


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_sql(path: Path, fmt: str, head: bytes, gz: bool) -> tuple[str, dict]:
    """A SELECT over ``read_csv`` giving raw text columns of our shape, and its parameters."""
    line = _first_line(head)
    comp = "gzip" if gz else "none"
    common = (
        "store_rejects = true, rejects_table = '_acdb_rejects', rejects_scan = '_acdb_scans', "
        "auto_detect = false, max_line_size = 1000000, "
        f"compression = '{comp}', parallel = true"
    )
    if fmt == userdbs.PLANE_ALERT:
        sql, params = userdbs.plane_alert_sql(line)
        return sql.replace("{common}", common), dict(params, path=str(path))
    if fmt == "tar1090_db":
        has_header = line.split(";")[0].strip().lower() == "icao"
        trailing = line.endswith(";")  # the real file ends every line with ';'
        cols = list(TAR1090_COLUMNS) + (["_end"] if trailing else [])
        sql = f"""
            SELECT icao AS icao24, reg AS registration, type AS type_code, flags,
                   descr AS description, ownop AS operator, NULL::VARCHAR AS operator_icao, year
            FROM read_csv($path, delim = ';', quote = '', escape = '',
                          header = {str(has_header).lower()}, columns = $cols, {common})
        """
        return sql, {"path": str(path), "cols": {c: "VARCHAR" for c in cols}}
    quote = "'" if line.startswith("'") else '"'
    names, picked = _opensky_columns(line, quote)

    def col(ours: str) -> str:
        return _q(picked[ours]) if ours in picked else "NULL::VARCHAR"

    desc = (
        f"concat_ws(' ', nullif(trim({col('manufacturer')}), ''), nullif(trim({col('model')}), ''))"
    )
    sql = f"""
        SELECT {col("icao24")} AS icao24, {col("registration")} AS registration,
               {col("typecode")} AS type_code, NULL::VARCHAR AS flags,
               {desc} AS description,
               coalesce(nullif(trim({col("operator")}), ''), {col("owner")}) AS operator,
               {col("operator_icao")} AS operator_icao,
               left(trim({col("built")}), 4) AS year
        FROM read_csv($path, delim = ',', quote = $quote, escape = $quote,
                      header = true, columns = $cols, {common})
    """
    return sql, {"path": str(path), "cols": {n: "VARCHAR" for n in names}, "quote": quote}


def import_aircraft_db(
    path: str | Path,
    store: Store,
    fmt: str | None = None,
    source: str | None = None,
    args: dict | None = None,
) -> ImportReport:
    """Read one aircraft database file into ``aircraft_db``, replacing the source's earlier rows."""
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if source is not None and not _SOURCE_NAME.match(source):
        raise ConfigError(f"source name {source!r}: use letters, digits, '_', '-', '.'")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    web = path.is_dir() and userdbs.is_tar1090_web(path)
    if not path.is_file() and not web:
        raise InputError(
            f"{path}: not a file; give the database file itself, or a tar1090 db/ folder "
            "of <prefix>.js files"
        )
    run_id = uuid.uuid4().hex[:16]
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    report = ImportReport(run_id=run_id)
    rejects = RejectLog(run_id)
    rejects.uri = str(path)
    status = "error"
    try:
        if web:
            fmt = userdbs.TAR1090_WEB
            report.format, report.source = fmt, source or fmt
            try:
                raw, sid = userdbs.read_tar1090_web(path, rejects)
            except OSError as exc:
                raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
            rejects.source_id = sid
            store.con.register("_acdb_raw", raw)
            try:
                _load(store, path, fmt, b"", False, sid, run_id, report, rejects)
            finally:
                store.con.unregister("_acdb_raw")
            status = "ok"
            return report
        try:
            sid, size = content_id(Source(uri=str(path), path=path))
            head, gz = _head(path)
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        rejects.source_id = sid
        if size == 0 or not head.strip():
            rejects.add("empty_file", str(path))
            report.format, report.source = fmt or "", source or fmt or ""
            status = "ok"
            return report
        found = detect(head)
        if fmt is None:
            if found is None:
                raise FormatError(
                    f"{path}: not an aircraft database this import reads (first line "
                    f"{_first_line(head)[:80]!r}); expected tar1090-db "
                    "'icao;reg;type;flags;desc;year;ownop;' lines or OpenSky's CSV with a "
                    "header naming icao24; or pass --input-format"
                )
            fmt = found
        report.format = fmt
        report.source = source or fmt
        if gz and not _gzip_complete(path):
            rejects.add("truncated_gzip", str(path))
            raise FormatError(
                f"{path}: the gzip content is cut short (an interrupted download?); nothing "
                f"imported, the rows of {report.source!r} already stored are kept"
            )
        _load(store, path, fmt, head, gz, sid, run_id, report, rejects)
        status = "ok"
    finally:
        report.rejects = rejects.counts
        report.seconds = time.perf_counter() - t0
        _write_log(store, report, rejects, started, status, args or {"path": str(path)})
    return report


_VALID = r"^[0-9a-f]{6}$"


def _clean_sql(raw_sql: str, tar: bool) -> str:
    """Trim, normalise and check every parsed row in the same pass as the CSV read."""
    return f"""
        SELECT icao24, registration, type_code, description, operator, operator_icao, year,
               CASE WHEN flags IS NULL THEN {"false" if tar else "NULL::BOOLEAN"}
                    ELSE left(flags, 1) = '1' END AS military,
               CASE
                 WHEN icao24 IS NULL OR NOT regexp_matches(icao24, '{_VALID}') THEN 'bad_icao24'
                 WHEN flags IS NOT NULL AND NOT regexp_matches(flags, '^[0-9]+$') THEN 'bad_flags'
               END AS reason,
               flags
        FROM (
            SELECT lower(trim(icao24)) AS icao24,
                   nullif(trim(registration), '') AS registration,
                   nullif(upper(trim(type_code)), '') AS type_code,
                   nullif(trim(flags), '') AS flags,
                   nullif(trim(description), '') AS description,
                   nullif(trim(operator), '') AS operator,
                   nullif(upper(trim(operator_icao)), '') AS operator_icao,
                   nullif(trim(year), '') AS year
            FROM ({raw_sql})
        )
    """


def _load(store, path, fmt, head, gz, sid, run_id, report, rejects) -> None:
    con = store.con
    con.execute("SET enable_progress_bar = false")
    if fmt == userdbs.TAR1090_WEB:
        sql, params = "SELECT * FROM _acdb_raw", {}
    else:
        sql, params = _csv_sql(path, fmt, head, gz)
    tar = fmt in ("tar1090_db", userdbs.TAR1090_WEB)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _acdb_clean AS {_clean_sql(sql, tar)}",
            params,
        )
    except duckdb.Error as exc:  # a file DuckDB cannot read at all (cut gzip, binary)
        raise FormatError(f"{path}: cannot read as {fmt} ({str(exc).splitlines()[0]})") from exc
    try:
        _reject_csv_lines(con, rejects)
        report.rows_read = con.execute("SELECT count(*) FROM _acdb_clean").fetchone()[0] + sum(
            rejects.counts.values()
        )
        _reject_bad_rows(con, rejects)
        n_ok, report.military = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE military) FROM _acdb_clean"
        ).fetchone()
        if n_ok == 0:
            log.warning("%s: no valid rows; the rows of %s are kept", path, report.source)
            return
        imported_at = datetime.now(UTC)
        con.execute("BEGIN")
        try:
            report.rows_replaced = con.execute(
                "SELECT count(*) FROM aircraft_db WHERE source = ?", [report.source]
            ).fetchone()[0]
            con.execute("DELETE FROM aircraft_db WHERE source = ?", [report.source])
            con.execute(
                """
                INSERT INTO aircraft_db
                SELECT icao24, registration, type_code, description, operator, operator_icao,
                       year, military, $source, $format, $sid, $run, $at
                FROM _acdb_clean
                """,
                {
                    "source": report.source,
                    "format": fmt,
                    "sid": sid,
                    "run": run_id,
                    "at": imported_at,
                },
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        report.rows_stored = n_ok
    finally:
        for t in ("_acdb_clean", "_acdb_dup", "_acdb_rejects", "_acdb_scans"):
            con.execute(f"DROP TABLE IF EXISTS {t}")


def _reject_csv_lines(con, rejects: RejectLog) -> None:
    """Lines DuckDB could not parse: one reject per line, the first error it gave."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = '_acdb_rejects'"
    ).fetchone()[0]
    if not exists:
        return
    rows = con.execute(
        f"""
        WITH per_line AS (
            SELECT line, arg_min(error_type, column_idx) AS error_type,
                   arg_min(csv_line, column_idx) AS csv_line
            FROM _acdb_rejects GROUP BY line
        ), coded AS (
            SELECT line, csv_line,
                   CASE error_type {" ".join(f"WHEN '{k}' THEN '{v}'" for k, v in _CSV_ERRORS.items())}
                        ELSE 'bad_csv_line' END AS reason
            FROM per_line
        )
        SELECT reason, line, csv_line, count(*) OVER (PARTITION BY reason) AS n_reason
        FROM coded
        QUALIFY row_number() OVER (PARTITION BY reason ORDER BY line) <= {REJECT_ROWS_PER_REASON}
        ORDER BY reason, line
        """
    ).fetchall()
    _add_rejects(rejects, [(r, f"line {ln}", ex, n) for r, ln, ex, n in rows])


def _add_rejects(rejects: RejectLog, rows: list[tuple[str, str, str, int]]) -> None:
    """(reason, location, excerpt, total for the reason) rows, at most the cap per reason."""
    kept: Counter[str] = Counter()
    totals: dict[str, int] = {}
    for reason, loc, excerpt, total in rows:
        rejects.add(reason, loc, (excerpt or "").strip("\r\n"))
        kept[reason] += 1
        totals[reason] = total
    for reason, total in totals.items():
        rejects.add(reason, "(over cap)", "", total - kept[reason])


_EXCERPT = "concat_ws(';', icao24, registration, type_code, flags, description, year, operator)"


def _reject_bad_rows(con, rejects: RejectLog) -> None:
    """Bad addresses, bad flags and repeated addresses to rejects; only good rows stay."""
    n, distinct = con.execute(
        "SELECT count(*), count(DISTINCT icao24) FROM _acdb_clean WHERE reason IS NULL"
    ).fetchone()
    if distinct < n:  # keep an address's first row in file order, reject the others
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _acdb_dup AS
            SELECT rowid AS r FROM (
                SELECT rowid, row_number() OVER (PARTITION BY icao24 ORDER BY rowid) AS k
                FROM _acdb_clean WHERE reason IS NULL
            ) WHERE k > 1
            """
        )
        con.execute(
            "UPDATE _acdb_clean SET reason = 'duplicate_icao24' "
            "WHERE rowid IN (SELECT r FROM _acdb_dup)"
        )
    rows = con.execute(
        f"""
        SELECT reason, {_EXCERPT}, count(*) OVER (PARTITION BY reason)
        FROM _acdb_clean WHERE reason IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY reason ORDER BY rowid)
                <= {REJECT_ROWS_PER_REASON}
        ORDER BY reason, rowid
        """
    ).fetchall()
    _add_rejects(rejects, [(r, "", ex, n) for r, ex, n in rows])
    if rows:
        con.execute("DELETE FROM _acdb_clean WHERE reason IS NOT NULL")


def _write_log(store, report, rejects, started, status, args) -> None:
    from ..store.runs import RunRecord, write_run

    run = RunRecord(
        "aircraft import",
        args,
        run_id=report.run_id,
        started=started,
        rows_read=report.rows_read,
        rows_added=report.rows_stored,
        rejects=rejects.counts,
        counts={
            "source": report.source,
            "format": report.format,
            "replaced": report.rows_replaced,
            "military": report.military,
        },
        reject_rows=[rejects.drain()],
        status=status,
        seconds=report.seconds,
    )
    write_run(store.con, run)


__all__ = ["FORMATS", "ImportReport", "detect", "import_aircraft_db"]
