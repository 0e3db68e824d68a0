"""A Spark session set up for basewatch: UTC, Arrow, Parquet timestamps DuckDB reads as UTC."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys

from ..errors import ConfigError

log = logging.getLogger(__name__)

CONF = {
    "spark.sql.session.timeZone": "UTC",
    # timestamps as Parquet int64 microseconds marked UTC (not int96), as DuckDB writes them
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "131072",
    # a partition of positions is one unit of work for the kernels; adaptive execution would
    # merge or split them behind our back
    "spark.sql.adaptive.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def session(master: str | None = None, conf: dict[str, str] | None = None):
    """The active Spark session, or a new one on ``master`` (``local[N]``, or what
    ``spark-submit`` set). Raises a ConfigError with the remedy when pyspark or Java is
    missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(
            "pyspark is not installed: pip install 'basewatch[spark]' (it needs Java 17 or later)"
        ) from exc
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise ConfigError(
            "Spark needs a Java runtime: install one (Debian: apt-get install "
            "openjdk-17-jre-headless) or set JAVA_HOME"
        )
    # executors run the same Python as the driver (the one with basewatch installed)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("basewatch")
    if master:
        builder = builder.master(master)
        local = re.fullmatch(r"local\[(\d+|\*)\]", master)
        if local:  # Spark's 200 shuffle partitions are 200 Python tasks on a laptop's cores
            cores = os.cpu_count() if local[1] == "*" else int(local[1])
            builder = builder.config("spark.sql.shuffle.partitions", str(2 * cores))
    for key, value in {**CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
