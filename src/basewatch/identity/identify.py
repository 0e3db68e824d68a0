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
from ..store import Store
from .rules import Rules

log = logging.getLogger(__name__)

DETECTOR = "identify_aircraft/1"
FORMAT_RANK = {"tar1090_db": 0, "opensky_db": 1}
_TEMP = ("_id_want", "_id_base", "_id_full", "_id_calls", "_id_reasons", "_id_country")


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def identify_aircraft(
    con: duckdb.DuckDBPyConnection, rules: Rules, icao24s: Iterable[str] | None = None
) -> pa.Table:
    """The ``aircraft`` table (schema.AIRCRAFT) for every address, or only for ``icao24s``."""
    want = None if icao24s is None else sorted({a.lower() for a in icao24s})
    try:
        return _identify(con, rules, want)
    finally:
        for t in _TEMP:
            con.execute(f"DROP TABLE IF EXISTS {t}")
        for v in ("_id_country_arrow", "_r_callsign", "_r_reg", "_r_word"):
            with contextlib.suppress(duckdb.Error):
                con.unregister(v)


def _identify(con, rules: Rules, want: list[str] | None) -> pa.Table:
    if want is not None:
        con.execute("CREATE OR REPLACE TEMP TABLE _id_want (icao24 VARCHAR)")
        if want:
            con.executemany("INSERT INTO _id_want VALUES (?)", [[a] for a in want])
    only = "WHERE icao24 IN (SELECT icao24 FROM _id_want)" if want is not None else ""
    also = "AND icao24 IN (SELECT icao24 FROM _id_want)" if want is not None else ""
    rank = " ".join(f"WHEN {_lit(k)} THEN {v}" for k, v in FORMAT_RANK.items())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _id_base AS
        WITH pos AS (
            SELECT icao24, count(*)::BIGINT AS n FROM positions {only} GROUP BY icao24
        ), dbr AS (
            SELECT *, (CASE format {rank} ELSE 9 END) AS fr,
                   epoch_us(imported_at) AS t
            FROM aircraft_db {only}
        ), db AS (
            SELECT icao24,
                   arg_min(registration, (fr, -t)) FILTER (WHERE registration IS NOT NULL) AS reg,
                   arg_min(type_code, (fr, -t)) FILTER (WHERE type_code IS NOT NULL) AS typ,
                   arg_min(description, (fr, -t)) FILTER (WHERE description IS NOT NULL) AS descr,
                   arg_min(operator, (fr, -t)) FILTER (WHERE operator IS NOT NULL) AS op,
                   list(DISTINCT operator_icao) FILTER (WHERE operator_icao IS NOT NULL) AS op_icaos,
                   list(DISTINCT source) FILTER (WHERE military) AS mil_sources,
                   string_agg(DISTINCT source, ',' ORDER BY source) AS db_sources
            FROM dbr GROUP BY icao24
        ), obs AS (
            SELECT icao24, mode(registration) AS reg, mode(type_code) AS typ,
                   mode(description) AS descr, mode(operator) AS op,
                   bit_or(db_flags) AS db_flags
            FROM aircraft_observed {only} GROUP BY icao24
        ), ids AS (
            SELECT icao24 FROM pos UNION SELECT icao24 FROM db UNION SELECT icao24 FROM obs
        )
        SELECT ids.icao24,
               coalesce(db.reg, obs.reg) AS registration,
               upper(coalesce(db.typ, obs.typ)) AS type_code,
               coalesce(db.descr, obs.descr) AS description,
               coalesce(db.op, obs.op) AS operator,
               coalesce(pos.n, 0) AS position_count,
               nullif(concat_ws(',', db.db_sources,
                       CASE WHEN obs.icao24 IS NOT NULL THEN 'observed' END,
                       CASE WHEN pos.icao24 IS NOT NULL THEN 'positions' END), '') AS sources,
               coalesce(db.op_icaos, []) AS op_icaos,
               coalesce(db.mil_sources, []) AS mil_sources,
               obs.db_flags
        FROM ids
        LEFT JOIN pos USING (icao24) LEFT JOIN db USING (icao24) LEFT JOIN obs USING (icao24)
        """
    )
    icao = con.execute("SELECT icao24 FROM _id_base").to_arrow_table().column("icao24")
    con.register("_id_country_arrow", rules.blocks.lookup(icao))
    con.execute("CREATE OR REPLACE TEMP TABLE _id_country AS SELECT * FROM _id_country_arrow")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _id_calls AS
        SELECT icao24, callsign, count(*) AS n FROM positions
        WHERE callsign IS NOT NULL {also} GROUP BY ALL
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _id_full AS
        SELECT b.*, c.country_iso2, c.country,
               list_distinct(b.op_icaos || coalesce(p.prefixes, [])) AS designators
        FROM _id_base b
        LEFT JOIN _id_country c USING (icao24)
        LEFT JOIN (
            SELECT icao24, list(DISTINCT left(callsign, 3)) AS prefixes FROM _id_calls
            WHERE regexp_full_match(callsign, '[A-Z]{3}[0-9][0-9A-Z]*') GROUP BY icao24
        ) p USING (icao24)
        """
    )
    con.register("_r_callsign", rules.callsign_table())
    con.register("_r_reg", rules.registration_table())
    con.register("_r_word", rules.word_table())
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _id_reasons AS {_reasons_sql(rules)}")
    except duckdb.InvalidInputException as exc:
        raise ConfigError(
            f"a registration pattern in the rules is not valid for DuckDB's RE2 regular "
            f"expressions ({str(exc).splitlines()[0]})"
        ) from exc
    table = con.execute(
        f"""
        WITH r AS (
            SELECT icao24, bool_or(mil) AS is_military, bool_or(st OR mil) AS is_state,
                   string_agg(reason, '; ' ORDER BY ord, reason) AS reason,
                   string_agg(label, '; ' ORDER BY label) FILTER (label IS NOT NULL)
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
        ORDER BY f.icao24
        """
    ).to_arrow_table()
    return table.cast(schema.AIRCRAFT)


def _reasons_sql(rules: Rules) -> str:
    parts = [
        # 1. imported tar1090-db rows with the military flag
        """SELECT icao24, 1 AS ord, 'tar1090-db military flag'
                  || CASE WHEN s <> 'tar1090_db' THEN ' (' || s || ')' ELSE '' END AS reason,
                  true AS mil, true AS st, NULL::VARCHAR AS label
           FROM (SELECT icao24, unnest(mil_sources) AS s FROM _id_full)""",
        # 2. readsb's own database flag, seen in traces or aircraft.json
        """SELECT icao24, 2, 'readsb dbFlags military', true, true, NULL
           FROM _id_full WHERE db_flags & 1 = 1""",
        # 3. callsign = operator designator + flight number
        """SELECT c.icao24, 3, 'callsign prefix ' || r.prefix || ' (' || r.operator || ')',
                  r.kind = 'military', true, NULL
           FROM (SELECT DISTINCT icao24, left(callsign, 3) AS p FROM _id_calls
                 WHERE regexp_full_match(callsign, '[A-Z]{3}[0-9][0-9A-Z]*')) c
           JOIN _r_callsign r ON c.p = r.prefix""",
        # 4. operator designator from an imported database
        """SELECT f.icao24, 4, 'operator ICAO ' || r.prefix || ' (' || r.operator || ')',
                  r.kind = 'military', true, NULL
           FROM (SELECT icao24, unnest(op_icaos) AS p FROM _id_full) f
           JOIN _r_callsign r ON f.p = r.prefix""",
        # 5. words of the operator's name
        """SELECT f.icao24, 5, 'operator "' || f.operator || '"', w.kind = 'military', true, NULL
           FROM _id_full f JOIN _r_word w
             ON f.operator IS NOT NULL AND regexp_matches(lower(f.operator), w.regex)""",
        # 6. registration patterns (a literal-prefix test first keeps the regex work small)
        """SELECT f.icao24, 6, 'registration ' || r.name, r.kind = 'military', true, NULL
           FROM _id_full f JOIN _r_reg r
             ON f.registration IS NOT NULL
            AND starts_with(upper(f.registration), r.literal)
            AND regexp_matches(upper(f.registration), r.pattern)""",
    ]
    parts += _watch_sql(rules)
    return "\nUNION ALL\n".join(parts)


def _watch_cond(key: str, value: str) -> str:
    v = _lit(value)
    if key == "icao24":
        return f"icao24 = {v}"
    if key == "registration":
        return f"upper(registration) GLOB {_lit(value.upper())}"
    if key == "registration_regex":
        return f"regexp_matches(registration, {v})"
    if key == "type":
        return f"type_code = {_lit(value.upper())}"
    if key == "country":
        return f"(country_iso2 = {_lit(value.upper())} OR lower(country) = {_lit(value.lower())})"
    if key == "operator":
        if len(value) == 3 and value.isalpha() and value.isupper():
            return f"list_contains(designators, {v})"
        return f"contains(lower(operator), {_lit(value.lower())})"
    raise ValueError(key)


def _watch_sql(rules: Rules) -> list[str]:
    """One SELECT per watch-list entry: every key must match one of its values."""
    out = []
    for e in rules.watch:
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


def refresh_aircraft(store: Store, rules: Rules, icao24s: Iterable[str] | None = None) -> int:
    """Rebuild ``aircraft`` (all of it, or only ``icao24s``); returns the rows written."""
    want = None if icao24s is None else sorted({a.lower() for a in icao24s})
    table = identify_aircraft(store.con, rules, want)
    con = store.con
    con.register("_id_new", table)
    con.register("_id_wanted", pa.table({"icao24": pa.array(want or [], pa.string())}))
    con.execute("BEGIN")
    try:
        if want is None:
            con.execute("DELETE FROM aircraft")
        else:
            con.execute("DELETE FROM aircraft WHERE icao24 IN (SELECT icao24 FROM _id_wanted)")
        con.execute("INSERT INTO aircraft SELECT * FROM _id_new")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_id_new")
        con.unregister("_id_wanted")
    return table.num_rows


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
