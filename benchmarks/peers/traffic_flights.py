"""Peer: traffic 2.13 splits the same positions into flights ("10 min") and infers each
flight's take-off and landing airport. Runs in its own virtual environment (pandas < 3).

    python peers/traffic_flights.py POSITIONS.parquet AIRPORTS.parquet

Prints one JSON line: seconds for the split, for the airport inference, flights, positions.
"""

import json
import sys
import time

import pandas as pd
from traffic.core import Traffic
from traffic.data.basic.airports import Airports

positions = pd.read_parquet(sys.argv[1])
airports = Airports(pd.read_parquet(sys.argv[2]))
limit = int(sys.argv[3]) if len(sys.argv) > 3 else 0

t0 = time.perf_counter()
flights = list(Traffic(positions).iterate(by="10 min"))
t1 = time.perf_counter()
todo = flights[:limit] if limit else flights
for f in todo:
    f.infer_airport("takeoff", dataset=airports)
    f.infer_airport("landing", dataset=airports)
t2 = time.perf_counter()
print(
    json.dumps(
        {
            "positions": len(positions),
            "flights": len(flights),
            "split_s": t1 - t0,
            "infer_flights": len(todo),
            "infer_s": t2 - t1,
        }
    )
)
