"""Readers, one module per input format, the decoder adapter, and the pipeline that stores what
they read (``bw.ingest`` runs it)."""
