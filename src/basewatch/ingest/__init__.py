"""Readers, one module per input format, and the pipeline that stores what they read."""
