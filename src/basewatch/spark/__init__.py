"""The same readers and stage kernels on Apache Spark, over a Parquet lake (``basewatch.lake``).

``spark_ingest``: files are read on the executors by the readers of the embedded ingest (one
task per group of files); positions go to ``LAKE/positions`` partitioned by day, deduplicated
by their content ids against the run and the lake. ``spark_process``: positions are grouped by
aircraft and the flight and airfield-event kernels run per group of aircraft (``mapInArrow``);
every aircraft's whole history is in one group, so a flight over midnight or across days is
one flight, as in the embedded path. Spark does the distribution, retries and shuffles.

pyspark is an optional extra (``pip install 'basewatch[spark]'``); it needs a Java runtime.
"""

from __future__ import annotations

from .session import session

__all__ = ["session"]
