"""Write an Arrow table as a terminal table, JSON lines, CSV or Parquet."""

from __future__ import annotations

import sys

import click
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import ConfigError

TABLE_MAX_ROWS = 200


def emit(table: pa.Table, fmt: str, output: str | None = None) -> None:
    if fmt == "parquet":
        if not output:
            raise ConfigError("--format parquet writes a file: add -o FILE.parquet")
        pq.write_table(table, output)
        click.echo(f"wrote {table.num_rows:,} rows to {output}", err=True)
        return
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        if fmt == "csv":
            buf = pa.BufferOutputStream()
            pacsv.write_csv(_flat(table), buf)
            out.write(buf.getvalue().to_pybytes().decode())
        elif fmt == "json":
            import orjson

            for row in table.to_pylist():
                out.write(
                    orjson.dumps(row, default=str, option=orjson.OPT_NAIVE_UTC).decode() + "\n"
                )
        else:
            _rich_table(table, out)
    finally:
        if output:
            out.close()


def _flat(table: pa.Table) -> pa.Table:
    """CSV has no lists: list columns become their items joined by '; '."""
    for i, f in enumerate(table.schema):
        if pa.types.is_list(f.type) or pa.types.is_large_list(f.type):
            joined = [
                None if v is None else "; ".join(map(str, v)) for v in table.column(i).to_pylist()
            ]
            table = table.set_column(i, f.name, pa.array(joined, pa.string()))
    return table


def _rich_table(table: pa.Table, out) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(show_lines=False, header_style="bold")
    for name in table.column_names:
        t.add_column(name, overflow="fold")
    for row in table.slice(0, TABLE_MAX_ROWS).to_pylist():
        t.add_row(
            *(
                "" if v is None else (f"{v:.5f}" if isinstance(v, float) else str(v))
                for v in row.values()
            )
        )
    console = Console(file=out, width=220)
    console.print(t)
    if table.num_rows > TABLE_MAX_ROWS:
        console.print(
            f"… {table.num_rows - TABLE_MAX_ROWS:,} more rows (use --format csv or --limit)"
        )
