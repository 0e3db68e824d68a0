"""basewatch: watch military air bases from open air-traffic data and news."""

__version__ = "0.1.0"

from .api import (  # noqa: E402
    EVENT_COLUMNS,
    FLIGHT_COLUMNS,
    POSITION_COLUMNS,
    events,
    export_flights,
    flights,
    ingest,
    positions,
    positions_table,
    process,
)

__all__ = [
    "__version__",
    "ingest",
    "positions",
    "positions_table",
    "process",
    "flights",
    "events",
    "export_flights",
    "POSITION_COLUMNS",
    "FLIGHT_COLUMNS",
    "EVENT_COLUMNS",
]
