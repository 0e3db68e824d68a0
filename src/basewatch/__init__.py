"""basewatch: watch military air bases from open air-traffic data and news."""

__version__ = "0.1.0"

from .api import (  # noqa: E402
    AIRCRAFT_COLUMNS,
    EVENT_COLUMNS,
    FLIGHT_COLUMNS,
    POSITION_COLUMNS,
    aircraft,
    aircraft_table,
    events,
    export_flights,
    flights,
    import_aircraft,
    ingest,
    positions,
    positions_table,
    process,
    simulate,
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
    "aircraft",
    "aircraft_table",
    "import_aircraft",
    "AIRCRAFT_COLUMNS",
    "simulate",
]
