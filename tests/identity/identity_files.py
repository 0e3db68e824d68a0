"""Small aircraft-database and trace files written by the tests themselves."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

OPENSKY_COLUMNS = [
    "icao24",
    "registration",
    "manufacturericao",
    "manufacturername",
    "model",
    "typecode",
    "serialnumber",
    "linenumber",
    "icaoaircrafttype",
    "operator",
    "operatorcallsign",
    "operatoricao",
    "operatoriata",
    "owner",
    "testreg",
    "registered",
    "reguntil",
    "status",
    "built",
    "firstflightdate",
    "seatconfiguration",
    "engines",
    "modes",
    "adsb",
    "acars",
    "notes",
    "categoryDescription",
]


def write_tar1090(path: Path, lines: list[str], gz: bool = False, header: bool = False) -> Path:
    """tar1090-db lines as given (``icao;reg;type;flags;desc;year;ownop;``)."""
    text = ("icao;reg;type;flags;desc;year;ownop;\n" if header else "") + "".join(
        line + "\n" for line in lines
    )
    data = text.encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def tar1090_line(icao, reg="", typ="", flags="00", desc="", year="", ownop="") -> str:
    return f"{icao};{reg};{typ};{flags};{desc};{year};{ownop};"


def write_opensky(
    path: Path,
    rows: list[dict],
    quote: str = '"',
    camel: bool = False,
    extra_lines: list[str] = (),
) -> Path:
    """OpenSky aircraft database CSV: header row, every field quoted."""
    names = OPENSKY_COLUMNS
    if camel:  # the newer files spell columns in camel case
        names = [
            {
                "manufacturericao": "manufacturerIcao",
                "manufacturername": "manufacturerName",
                "operatoricao": "operatorIcao",
                "operatorcallsign": "operatorCallsign",
                "typecode": "typecode",
            }.get(n, n)
            for n in names
        ]

    def q(v: str) -> str:
        return quote + str(v).replace(quote, quote * 2) + quote

    out = [",".join(q(n) for n in names)]
    for row in rows:
        out.append(",".join(q(row.get(n, "")) for n in OPENSKY_COLUMNS))
    out += list(extra_lines)
    path.write_text("\n".join(out) + "\n")
    return path


def write_trace(
    path: Path,
    icao: str,
    callsign: str | None = None,
    r: str | None = None,
    t: str | None = None,
    db_flags: int | None = None,
    own_op: str | None = None,
    start: float = 1761285600.0,  # 2025-10-24 06:00 UTC
    n: int = 5,
) -> Path:
    """A readsb trace_full file: ``n`` airborne points 10 s apart, the callsign on each."""
    doc: dict = {"icao": icao, "timestamp": start, "trace": []}
    for key, value in (("r", r), ("t", t), ("dbFlags", db_flags), ("ownOp", own_op)):
        if value is not None:
            doc[key] = value
    for i in range(n):
        details = {"type": "adsb_icao", "flight": f"{callsign:<8}"} if callsign else None
        doc["trace"].append(
            [i * 10.0, 35.0 + i * 0.01, 35.5, 20000, 400.0, 90.0, 0, 0, details, "adsb_icao"]
        )
    path.write_text(json.dumps(doc))
    return path
