"""basewatch: watch military air bases from open air-traffic data and news."""

__version__ = "0.1.0"

from .api import (  # noqa: E402
    AIRCRAFT_COLUMNS,
    POSITION_COLUMNS,
    aircraft,
    aircraft_table,
    import_aircraft,
    ingest,
    positions,
    positions_table,
)

__all__ = [
    "__version__",
    "ingest",
    "positions",
    "positions_table",
    "POSITION_COLUMNS",
    "aircraft",
    "aircraft_table",
    "import_aircraft",
    "AIRCRAFT_COLUMNS",
]
