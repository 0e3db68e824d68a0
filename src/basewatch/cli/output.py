"""Write an Arrow table as a terminal table, one JSON array, JSON lines, CSV or Parquet.

JSON, JSON lines and CSV are written a batch of rows at a time, so a large table never exists
twice in memory as Python objects or text. Ids are strings; times are UTC, ISO 8601.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import ConfigError

TABLE_MAX_ROWS = 200
BATCH_ROWS = 8192  # rows turned into Python objects at once when writing JSON
FORMATS = ("table", "json", "jsonl", "csv", "parquet")


class OutPath(click.Path):
    """A file to write. Its folder must exist: ``check_outputs`` says so in one line before the
    command does any work."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False)


def check_outputs(ctx: click.Context | None) -> None:
    """Every file a command will write has a folder to go into, checked before any work."""
    if ctx is None:
        return
    for p in ctx.command.params:
        value = ctx.params.get(p.name)
        if isinstance(p.type, OutPath) and value:
            folder = Path(value).parent
            if not folder.is_dir():
                raise ConfigError(f"{value}: the folder {folder} does not exist")


def icao24_param(ctx, param, value):
    """An ICAO 24-bit address as given: 6 hex digits, checked before any work."""
    if value is None:
        return None
    if len(value.strip()) != 6 or any(c not in "0123456789abcdefABCDEF" for c in value.strip()):
        raise click.BadParameter(f"{value!r}: expected 6 hex digits, e.g. 1554a1", ctx, param)
    return value.strip().lower()


SKIP = ("db", "fmt", "output", "export", "limit")  # options that are not filters


def given(ctx: click.Context, skip: tuple[str, ...] = SKIP) -> str:
    """The filters the user gave, as typed: '--base OSLK --type A124'."""
    out = []
    for p in ctx.command.params:
        value = ctx.params.get(p.name)
        if p.name in skip or value in (None, False, ()) or value == p.default or p.hidden:
            continue
        flag = max(p.opts, key=len)
        for v in value if isinstance(value, tuple) else (value,):
            out.append(flag if v is True else f"{flag} {v}")
    return " ".join(out)


def nothing(ctx: click.Context, what: str, note: str = "") -> str:
    """What an empty listing says: 'no flights match --base OSLK --since 2026-01-01'."""
    asked = given(ctx)
    return f"no {what} match{' ' + asked if asked else ''}{note}"


def emit(
    table: pa.Table,
    fmt: str,
    output: str | None = None,
    *,
    shown: list[str] | None = None,
    empty: str | None = None,
) -> None:
    """Write ``table`` as ``fmt`` to ``output`` (or stdout). ``shown`` narrows the columns of
    the terminal table (the other formats keep them all); ``empty`` is what the terminal table
    says when no row matches."""
    if fmt == "parquet":
        if not output:
            raise ConfigError("--format parquet writes a file: add -o FILE.parquet")
        _write(lambda: pq.write_table(table, output), output)
        click.echo(f"wrote {table.num_rows:,} rows to {output}", err=True)
        return
    if fmt == "table":
        if table.num_rows == 0 and empty:
            click.echo(empty, err=True)
            return
        table = table.select(shown) if shown else table
    try:
        out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
    except OSError as exc:
        raise ConfigError(f"cannot write {output}: {exc.strerror}") from None
    try:
        _write(lambda: WRITERS[fmt](table, out), output)
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"wrote {table.num_rows:,} rows to {output}", err=True)


def _write(work, output: str | None) -> None:
    try:
        work()
    except BrokenPipeError:  # `basewatch … | head`: the reader has what it wanted
        sys.stderr.close()
    except OSError as exc:
        raise ConfigError(f"cannot write {output or 'the output'}: {exc.strerror}") from None


def _json_rows(table: pa.Table):
    import orjson

    opts = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        for row in batch.to_pylist():
            yield orjson.dumps(row, default=str, option=opts).decode()


def _write_json(table: pa.Table, out) -> None:
    """One JSON array, as datasette and sqlite-utils write it: one row a line inside it."""
    out.write("[")
    for i, line in enumerate(_json_rows(table)):
        out.write(("\n" if i == 0 else ",\n") + line)
    out.write("\n]\n" if table.num_rows else "]\n")


def _write_jsonl(table: pa.Table, out) -> None:
    for line in _json_rows(table):
        out.write(line + "\n")


def _write_csv(table: pa.Table, out) -> None:
    table = _flat(table)
    for i, batch in enumerate(table.to_batches(max_chunksize=BATCH_ROWS * 8) or [None]):
        buf = pa.BufferOutputStream()
        opts = pacsv.WriteOptions(include_header=i == 0)
        if batch is None:  # no rows: the header alone
            pacsv.write_csv(table, buf, opts)
        else:
            pacsv.write_csv(pa.Table.from_batches([batch], table.schema), buf, opts)
        out.write(buf.getvalue().to_pybytes().decode())


def _flat(table: pa.Table) -> pa.Table:
    """CSV has no lists: list columns become their items joined by '; '."""
    for i, f in enumerate(table.schema):
        if pa.types.is_list(f.type) or pa.types.is_large_list(f.type):
            joined = [
                None if v is None else "; ".join(map(str, v)) for v in table.column(i).to_pylist()
            ]
            table = table.set_column(i, f.name, pa.array(joined, pa.string()))
    return table


# decimals a terminal table shows, by the column's unit (JSON, CSV and Parquet keep every digit)
DECIMALS = (
    (("lat_deg", "lon_deg"), 5),  # about a metre
    (("days", "_days", "days_after_prev"), 1),
    (("_hours",), 1),
    (("_nm", "_kt", "_ft", "_fpm", "_deg"), 1),
    (("confidence", "margin"), 2),
)


def decimals(column: str) -> int:
    """How many decimals the terminal table gives a float column (by its name and unit)."""
    for ends, n in DECIMALS:
        if column.endswith(ends):
            return n
    return 2


def cell(v, column: str = "") -> str:
    """A value as an analyst scans it: UTC times to the second without '+00:00'; floats with
    the decimals their unit needs (days and hours to one decimal, ``.0`` dropped)."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return f"{v:%Y-%m-%d %H:%M:%S}"
    if isinstance(v, float):
        if v != v:
            return ""
        n = decimals(column)
        text = f"{v:.{n}f}"
        return text[:-2] if n == 1 and text.endswith(".0") else text
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return str(v)


def _rich_table(table: pa.Table, out) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(show_lines=False, header_style="bold")
    for name in table.column_names:
        t.add_column(name, overflow="fold")
    for row in table.slice(0, TABLE_MAX_ROWS).to_pylist():
        t.add_row(*(cell(v, k) for k, v in row.items()))
    console = Console(file=out, width=220)
    console.print(t)
    if table.num_rows > TABLE_MAX_ROWS:
        console.print(
            f"… {table.num_rows - TABLE_MAX_ROWS:,} more rows (use --limit N, or --format csv "
            "for all of them)"
        )


WRITERS = {"json": _write_json, "jsonl": _write_jsonl, "csv": _write_csv, "table": _rich_table}
