"""Readers, one module per input format, and the pipeline that stores what they read."""

from .._callable import forward_calls

forward_calls(__name__, "ingest")
