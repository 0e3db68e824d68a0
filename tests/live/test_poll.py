"""Polled ``aircraft.json`` (readsb / dump1090 / tar1090) from a local HTTP server and from a
folder a receiver rewrites: positions stored, the same snapshot read twice stored once, an
unreachable URL retried without stopping the service."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from rows import query

from basewatch import api


def snapshot(now: float) -> bytes:
    return json.dumps(
        {
            "now": now,
            "messages": 1000,
            "aircraft": [
                {
                    "hex": "1540c2",
                    "flight": "RFF7071 ",
                    "alt_baro": 3500,
                    "gs": 180.0,
                    "track": 174.0,
                    "lat": 35.52,
                    "lon": 35.93,
                    "seen_pos": 0.4,
                    "r": "RA-82079",
                    "t": "A124",
                },
                {
                    "hex": "77b64e",
                    "alt_baro": "ground",
                    "gs": 5.0,
                    "lat": 35.40,
                    "lon": 35.95,
                    "seen_pos": 1.2,
                },
                {"hex": "4b1812", "alt_baro": 36000},  # no position yet
            ],
        }  # fmt: skip
    ).encode()


class _Json(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        body = self.server.body
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_poll_url_and_folder(tmp_path):
    now = time.time()
    server = HTTPServer(("127.0.0.1", 0), _Json)
    server.body = snapshot(now)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "aircraft.json").write_bytes(snapshot(now))
    db = tmp_path / "live.duckdb"
    try:
        url = f"http://127.0.0.1:{server.server_port}/data/aircraft.json"
        report = api.live_watch(
            poll=[url, str(folder), "http://127.0.0.1:9/aircraft.json"], db=db, duration=6,
            step_s=1.0,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    by_uri = {f["uri"]: f for f in report.feeds}
    assert by_uri[url]["messages"] >= 4  # two positions a poll, two polls or more
    assert by_uri["http://127.0.0.1:9/aircraft.json"]["state"] == "stopped"
    assert "Connection refused" in by_uri["http://127.0.0.1:9/aircraft.json"]["error"]
    # the same two positions, however many times and from however many places they were read
    rows = query(db, "SELECT icao24, lat_deg, lon_deg FROM positions ORDER BY 1")
    assert rows == [("1540c2", 35.52, 35.93), ("77b64e", 35.40, 35.95)]
    assert report.rows_read >= 8 and report.rows_added == 2
    assert query(db, "SELECT registration, type_code FROM aircraft_observed")[0] == (
        "RA-82079",
        "A124",
    )
