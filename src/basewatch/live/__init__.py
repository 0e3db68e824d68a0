"""The live service: receiver feeds in, positions stored continuously, flights, airfield
events, watches and alerts kept up to date every few seconds (``basewatch live``)."""

from .feeds import FeedParams, FeedSpec, FeedStatus
from .service import LiveParams, LiveReport, LiveService, stop_on_signals
from .status import read_status, status_path

__all__ = [
    "FeedParams",
    "FeedSpec",
    "FeedStatus",
    "LiveParams",
    "LiveReport",
    "LiveService",
    "read_status",
    "status_path",
    "stop_on_signals",
]
