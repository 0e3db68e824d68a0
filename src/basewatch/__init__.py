"""basewatch: watch military air bases from open air-traffic data and news."""

__version__ = "0.1.0"

from .api import (  # noqa: E402
    NEWS_EVENT_COLUMNS,
    POSITION_COLUMNS,
    ingest,
    news_add,
    news_events,
    positions,
    positions_table,
)

__all__ = [
    "__version__",
    "ingest",
    "positions",
    "positions_table",
    "POSITION_COLUMNS",
    "news_add",
    "news_events",
    "NEWS_EVENT_COLUMNS",
]
