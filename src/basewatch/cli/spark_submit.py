"""The file to hand ``spark-submit`` (it takes a .py file, not a console script):

    spark-submit --master yarn "$(python -m basewatch.cli.spark_submit --path)" \\
        ingest /data/globe_history/2025 --lake /shared/lake

runs ``basewatch spark ingest ...`` with the master and resources spark-submit set.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--path"]:
        sys.stdout.write(__file__ + "\n")
        return
    from basewatch.cli import cli

    cli(["spark", *sys.argv[1:]], prog_name="basewatch")


if __name__ == "__main__":
    main()
