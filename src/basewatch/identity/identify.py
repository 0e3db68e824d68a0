"""Who each aircraft is: registration, type, operator, country, and whether military or state.

reads:   positions (addresses, callsigns), aircraft_observed, aircraft_db
writes:  aircraft (``refresh_aircraft``); ``identify_aircraft`` only returns the table

One row per address seen in positions or known from an imported database or an observed
description. Attributes come from the imported databases first (tar1090-db before OpenSky, the
latest import first), then from what the traces themselves said (readsb ``r``, ``t``, ``desc``,
``ownOp``). The country is that of the address block (``countries.py``). ``is_military`` and
``is_state`` are set by rules, each of which writes its reason:

1. ``tar1090-db military flag``: an imported tar1090-db row flags it (first flag digit 1)
2. ``readsb dbFlags military``: a trace or aircraft.json said ``dbFlags & 1``
3. ``callsign prefix RFF (Russian Air Force)``: a callsign seen in positions is an operator
   designator of ``operators.toml`` followed by a flight number
4. ``operator ICAO RFF (...)``: an imported database names that designator as the operator
5. ``operator "Russia - Air Force"``: the operator's name holds a listed word ("air force", ...)
6. ``registration RF-``: the registration matches a state or military pattern
7. ``watch list <label>``: a watch-list entry matches (it sets a flag only if it says so)

Military implies state. Everything is joined in DuckDB; the only Python step is the vectorised
country lookup of the address column.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from .. import schema
from ..errors import ConfigError
from ..store import Store, transaction
from .rules import Rules

log = logging.getLogger(__name__)

DETECTOR = "identify_aircraft/1"
FORMAT_RANK = {"tar1090_db": 0, "opensky_db": 1}
_TEMP = (
    "_id_want",
    "_id_ids",
    "_id_full",
    "_id_calls",
    "_id_desig",
    "_id_regc",
    "_id_opc",
    "_id_reasons",
)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def identify_aircraft(
    con: duckdb.DuckDBPyConnection, rules: Rules, icao24s: Iterable[str] | None = None
) -> pa.Table:
    """The ``aircraft`` table (schema.AIRCRAFT) for every address, or only for ``icao24s``."""
    want = None if icao24s is None else sorted({a.lower() for a in icao24s})
    try:
        sql = _identify(con, rules, want)
        table = con.execute(f"{sql} ORDER BY icao24").to_arrow_table()
        return table.cast(schema.AIRCRAFT)
    finally:
        _drop_temp(con)


def _drop_temp(con) -> None:
    for t in _TEMP:
        con.execute(f"DROP TABLE IF EXISTS {t}")
    for v in ("_id_country_arrow", "_r_callsign"):
        with contextlib.suppress(duckdb.Error):
            con.unregister(v)


def _db_sql(con, only: str) -> str:
    """Per address, the best value of each attribute across imported sources.

    Each source holds an address once (the import drops duplicates), so with one source the rows
    are used as they are; with several, each attribute comes from the best source that has it:
    tar1090-db before OpenSky, then the latest import.
    """
    n_sources = con.execute("SELECT count(DISTINCT source) FROM aircraft_db").fetchone()[0]
    if n_sources <= 1:
        return f"""
            SELECT icao24, registration AS reg, type_code AS typ, description AS descr,
                   operator AS op, CASE WHEN military THEN [source] ELSE [] END AS mil_sources,
                   source AS db_sources
            FROM aircraft_db {only}"""
    rank = " ".join(f"WHEN {_lit(k)} THEN {v}" for k, v in FORMAT_RANK.items())
    best = ", ".join(
        f"arg_min({c}, k) FILTER (WHERE {c} IS NOT NULL) AS {a}"
        for c, a in (
            ("registration", "reg"),
            ("type_code", "typ"),
            ("description", "descr"),
            ("operator", "op"),
        )
    )
    return f"""
        SELECT icao24, {best},
               coalesce(list(source) FILTER (WHERE military), []) AS mil_sources,
               array_to_string(list_sort(list(source)), ',') AS db_sources
        FROM (SELECT *, (CASE format {rank} ELSE 9 END) * 10000000000000000
                        - epoch_us(imported_at) AS k
              FROM aircraft_db {only})
        GROUP BY icao24"""


def _identify(con, rules: Rules, want: list[str] | None) -> str:
    """Build the temp tables; returns the SELECT giving the columns of schema.AIRCRAFT."""
    con.execute("SET enable_progress_bar = false")
    if want is not None:
        con.register("_id_want_arrow", pa.table({"icao24": pa.array(want, pa.string())}))
        con.execute("CREATE OR REPLACE TEMP TABLE _id_want AS SELECT * FROM _id_want_arrow")
        con.unregister("_id_want_arrow")
    only = "WHERE icao24 IN (SELECT icao24 FROM _id_want)" if want is not None else ""
    also = "AND icao24 IN (SELECT icao24 FROM _id_want)" if want is not None else ""
    # positions are read in their stored form, by the integer address
    icao = schema.stored_sql("icao24", "icao24")
    only_rows = f"WHERE icao IN (SELECT {icao} FROM _id_want)" if want is not None else ""
    also_rows = f"AND icao IN (SELECT {icao} FROM _id_want)" if want is not None else ""
    # every address: its country first (the numpy step), then everything else joined to it
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _id_ids AS
        SELECT printf('%06x', icao) AS icao24 FROM position_rows {only_rows}
        UNION SELECT icao24 FROM aircraft_db {only}
        UNION SELECT icao24 FROM aircraft_observed {only}
        """
    )
    icao = con.execute("SELECT icao24 FROM _id_ids").to_arrow_table().column("icao24")
    con.register("_id_country_arrow", rules.blocks.lookup(icao))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _id_full AS
        WITH pos AS (
            SELECT printf('%06x', icao) AS icao24, count(*)::BIGINT AS n
            FROM position_rows {only_rows} GROUP BY icao
        ), db AS ({_db_sql(con, only)}
        ), obs AS (
            SELECT icao24, mode(registration) AS reg, mode(type_code) AS typ,
                   mode(description) AS descr, mode(operator) AS op,
                   bit_or(db_flags) AS db_flags
            FROM aircraft_observed {only} GROUP BY icao24
        ), joined AS (
            SELECT c.icao24, c.country_iso2, c.country,
                   coalesce(db.reg, obs.reg) AS registration,
                   upper(coalesce(db.typ, obs.typ)) AS type_code,
                   coalesce(db.descr, obs.descr) AS description,
                   coalesce(db.op, obs.op) AS operator,
                   coalesce(pos.n, 0) AS position_count,
                   nullif(concat_ws(',', db.db_sources,
                           CASE WHEN obs.icao24 IS NOT NULL THEN 'observed' END,
                           CASE WHEN pos.icao24 IS NOT NULL THEN 'positions' END), '')
                       AS sources,
                   db.mil_sources,
                   obs.db_flags
            FROM _id_country_arrow c
            LEFT JOIN db USING (icao24) LEFT JOIN obs USING (icao24) LEFT JOIN pos USING (icao24)
        )
        SELECT *, upper(registration) AS reg_u, lower(operator) AS op_l FROM joined
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _id_calls AS
        SELECT printf('%06x', p.icao) AS icao24, cs.callsign, p.n
        FROM (SELECT icao, callsign_key, count(*) AS n FROM position_rows
              WHERE callsign_key IS NOT NULL {also_rows} GROUP BY ALL) p
        JOIN callsigns cs USING (callsign_key)
        """
    )
    # operator designators: a callsign's three letters before its flight number, and the
    # operator ICAO code of imported databases
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _id_desig AS
        SELECT DISTINCT icao24, left(callsign, 3) AS designator, 'callsign' AS how
        FROM _id_calls WHERE regexp_full_match(callsign, '[A-Z]{{3}}[0-9][0-9A-Z]*')
        UNION
        SELECT DISTINCT icao24, operator_icao, 'database' FROM aircraft_db
        WHERE operator_icao IS NOT NULL {also}
        """
    )
    con.register("_r_callsign", rules.callsign_table())
    try:
        _candidates(con, rules)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _id_reasons AS {_reasons_sql(rules)}")
    except duckdb.InvalidInputException as exc:
        raise ConfigError(
            "a regular expression of the operators or watch-list files is not one DuckDB's RE2 "
            f"engine takes (no look-arounds or back-references): {str(exc).splitlines()[0]}"
        ) from exc
    return f"""
        WITH r AS (
            SELECT icao24, bool_or(mil) AS is_military, bool_or(st OR mil) AS is_state,
                   string_agg(reason, '; ' ORDER BY ord, reason) AS reason,
                   string_agg(label, '; ' ORDER BY label) FILTER (WHERE label IS NOT NULL)
                       AS watch_labels
            FROM (SELECT DISTINCT * FROM _id_reasons) GROUP BY icao24
        ), calls AS (
            SELECT icao24, string_agg(callsign, ', ' ORDER BY n DESC, callsign) AS callsigns
            FROM (SELECT *, row_number() OVER (PARTITION BY icao24 ORDER BY n DESC, callsign) k
                  FROM _id_calls) WHERE k <= 5 GROUP BY icao24
        )
        SELECT f.icao24, f.registration, f.type_code, f.description, f.operator,
               f.country_iso2, f.country,
               coalesce(r.is_military, false) AS is_military,
               coalesce(r.is_state, false) AS is_state,
               r.reason, r.watch_labels, calls.callsigns, f.position_count, f.sources,
               {_lit(DETECTOR)} AS detector
        FROM _id_full f LEFT JOIN r USING (icao24) LEFT JOIN calls USING (icao24)
        """


def _candidates(con, rules: Rules) -> None:
    """Rows any registration pattern or operator word could match, found in one pass each.

    One alternation of all patterns is one regular expression for DuckDB to compile and run;
    the per-rule tests then run over these few rows only.
    """
    regs = [r["pattern"] for r in rules.operators.registrations.values()]
    words = [w["regex"] for w in rules.operators.words.values()]
    reg_any = "|".join(f"(?:{p})" for p in regs) or "$^"
    word_any = "|".join(f"(?:{p})" for p in words) or "$^"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _id_regc AS
        SELECT icao24, reg_u FROM _id_full
        WHERE reg_u IS NOT NULL AND regexp_matches(reg_u, {_lit(reg_any)})
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _id_opc AS
        SELECT icao24, operator, op_l FROM _id_full
        WHERE op_l IS NOT NULL AND regexp_matches(op_l, {_lit(word_any)})
        """
    )


def _reasons_sql(rules: Rules) -> str:
    parts = [
        # 1. imported tar1090-db rows with the military flag
        """SELECT icao24, 1 AS ord, 'tar1090-db military flag'
                  || CASE WHEN s <> 'tar1090_db' THEN ' (' || s || ')' ELSE '' END AS reason,
                  true AS mil, true AS st, NULL::VARCHAR AS label
           FROM (SELECT icao24, unnest(mil_sources) AS s FROM _id_full
                 WHERE len(mil_sources) > 0)""",
        # 2. readsb's own database flag, seen in traces or aircraft.json
        """SELECT icao24, 2, 'readsb dbFlags military', true, true, NULL
           FROM _id_full WHERE db_flags & 1 = 1""",
        # 3. callsign = operator designator + flight number; 4. a database's operator code
        """SELECT d.icao24,
                  CASE d.how WHEN 'callsign' THEN 3 ELSE 4 END,
                  CASE d.how WHEN 'callsign' THEN 'callsign prefix ' ELSE 'operator ICAO ' END
                      || r.prefix || ' (' || r.operator || ')',
                  r.kind = 'military', true, NULL
           FROM _id_desig d JOIN _r_callsign r ON d.designator = r.prefix""",
    ]
    # 5. words of the operator's name, 6. registration patterns: one query per rule over the
    # candidate rows, with the expression as a constant that DuckDB compiles once
    for w in rules.operators.words.values():
        parts.append(
            f"""SELECT icao24, 5, 'operator "' || operator || '"', {_bool(w["kind"])}, true, NULL
                FROM _id_opc WHERE regexp_matches(op_l, {_lit(w["regex"])})"""
        )
    for r in rules.operators.registrations.values():
        parts.append(
            f"""SELECT icao24, 6, {_lit("registration " + r["name"])}, {_bool(r["kind"])}, true,
                       NULL
                FROM _id_regc
                WHERE starts_with(reg_u, {_lit(r["literal"])})
                  AND regexp_matches(reg_u, {_lit(r["pattern"])})"""
        )
    parts += _watch_sql(rules)
    return "\nUNION ALL\n".join(parts)


def _bool(kind: str) -> str:
    return "true" if kind == "military" else "false"


def _watch_cond(key: str, value: str) -> str:
    v = _lit(value)
    if key == "icao24":
        return f"icao24 = {v}"
    if key == "registration":
        return f"reg_u GLOB {_lit(value.upper())}"
    if key == "registration_regex":
        return f"regexp_matches(registration, {v})"
    if key == "type":
        return f"type_code = {_lit(value.upper())}"
    if key == "country":
        return f"(country_iso2 = {_lit(value.upper())} OR lower(country) = {_lit(value.lower())})"
    if key == "operator":
        if len(value) == 3 and value.isalpha() and value.isupper():
            return f"icao24 IN (SELECT icao24 FROM _id_desig WHERE designator = {v})"
        return f"contains(op_l, {_lit(value.lower())})"
    raise ValueError(key)


def _watch_sql(rules: Rules) -> list[str]:
    """One SELECT per watch-list entry: every key must match one of its values. Entries that
    name only addresses (a plane-alert-db list holds thousands) are one join on a VALUES list."""
    out = []
    by_address = [e for e in rules.watch if set(e.fields) == {"icao24"}]
    if by_address:
        values = ",\n".join(
            f"({_lit(icao)}, {_lit(e.label)}, {str(e.military).lower()}, {str(e.state).lower()})"
            for e in by_address
            for icao in e.fields["icao24"]
        )
        out.append(
            f"""SELECT f.icao24, 7, 'watch list ' || w.label, w.military, w.state, w.label
                FROM _id_full f JOIN (VALUES {values}) w(icao24, label, military, state)
                  ON f.icao24 = w.icao24"""
        )
    for e in rules.watch:
        if set(e.fields) == {"icao24"}:
            continue
        cond = " AND ".join(
            "(" + " OR ".join(_watch_cond(k, v) for v in values) + ")"
            for k, values in e.fields.items()
        )
        out.append(
            f"""SELECT icao24, 7, 'watch list ' || {_lit(e.label)}, {str(e.military).lower()},
                       {str(e.state).lower()}, {_lit(e.label)}
                FROM _id_full WHERE {cond}"""
        )
    return out


def refresh_aircraft(
    store: Store, rules: Rules | None = None, icao24s: Iterable[str] | None = None
) -> int:
    """Rebuild ``aircraft`` (all of it, or only ``icao24s``); returns the rows written.

    ``rules`` default to the shipped ones plus the user's settings (``load_rules()``). A
    processing step that knows which aircraft new data touched passes them as ``icao24s``.
    """
    if rules is None:
        from .rules import load_rules

        rules = load_rules()
    want = None if icao24s is None else sorted({a.lower() for a in icao24s})
    con = store.con
    try:
        sql = _identify(con, rules, want)
        with transaction(con):
            if want is None:
                con.execute("DELETE FROM aircraft")
            else:
                con.execute("DELETE FROM aircraft WHERE icao24 IN (SELECT icao24 FROM _id_want)")
            cols = ", ".join(f.name for f in schema.AIRCRAFT)
            n = con.execute(f"INSERT INTO aircraft ({cols}) {sql}").fetchone()[0]
    finally:
        _drop_temp(con)
    return n


def icao24s_for_registration(con: duckdb.DuckDBPyConnection, registration: str) -> list[str]:
    """Addresses whose registration (any source) is ``registration``, ignoring case and '-'."""
    key = registration.upper().replace("-", "").strip()
    rows = con.execute(
        """
        SELECT DISTINCT icao24 FROM (
            SELECT icao24, registration FROM aircraft_db
            UNION ALL SELECT icao24, registration FROM aircraft_observed
        ) WHERE replace(upper(registration), '-', '') = ? ORDER BY icao24
        """,
        [key],
    ).fetchall()
    return [r[0] for r in rows]
