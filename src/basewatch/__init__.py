"""basewatch: watch military air bases from open air-traffic data and news."""

__version__ = "0.1.0"

from .api import POSITION_COLUMNS, ingest, positions, positions_table, simulate  # noqa: E402

__all__ = ["__version__", "ingest", "positions", "positions_table", "POSITION_COLUMNS", "simulate"]
