"""The JSON API against the real server over HTTP: string ids the CLI prints, pages, filters,
errors, GeoJSON, OpenAPI and the security headers."""

from __future__ import annotations

import json
import re
import urllib.parse

from .conftest import WATCH

HEX16 = re.compile(r"^[0-9a-f]{16}$")


def test_watches_overview(server):
    status, body = server.json("/api/watches")
    assert status == 200
    rows = {r["watch"]: r for r in body["items"]}
    assert WATCH in rows
    w = rows[WATCH]
    assert w["base"] == "OSLK"
    assert w["status"] in ("active", "unobservable") or w["status"].startswith(("gap", "stop"))
    assert len(w["weekly_movements"]) == 26 and sum(w["weekly_movements"]) > 0
    assert HEX16.match(w["last_movement"]["flight_id"])
    assert w["last_movement"]["ts"].endswith("Z")
    assert HEX16.match(w["latest_change"]["change_id"])


def test_change_ids_are_the_ones_the_cli_prints(server, demo_text):
    status, body = server.json(f"/api/changes?watch={WATCH}&kind=resumption")
    assert status == 200 and body["items"]
    resumption = body["items"][0]
    assert HEX16.match(resumption["change_id"])
    assert f"change:{resumption['change_id']}" in demo_text
    assert all(HEX16.match(f) for f in resumption["flight_ids"])
    status, one = server.json(f"/api/changes/{resumption['change_id']}")
    assert status == 200
    assert {f["flight_id"] for f in one["flights"]} == set(resumption["flight_ids"])
    for fid in resumption["flight_ids"]:
        assert f"flight:{fid}" in demo_text


def test_flights_pages_follow_next(server):
    status, first = server.json("/api/flights?base=OSLK&limit=3")
    assert status == 200 and len(first["items"]) == 3 and first["next"]
    assert first["items"][0]["first_seen"] >= first["items"][-1]["first_seen"]  # newest first
    nxt = urllib.parse.urlsplit(first["next"])
    status, second = server.json(f"{nxt.path}?{nxt.query}")
    assert status == 200 and second["offset"] == 3
    ids1 = {f["flight_id"] for f in first["items"]}
    ids2 = {f["flight_id"] for f in second["items"]}
    assert ids1.isdisjoint(ids2) and all(HEX16.match(i) for i in ids1 | ids2)
    status, mil = server.json("/api/flights?base=Khmeimim&military=true&type=A124&limit=50")
    assert status == 200 and mil["items"]
    assert {f["type_code"] for f in mil["items"]} == {"A124"}
    assert all(f["is_military"] for f in mil["items"])


def test_flight_events_positions_and_geojson(server):
    _, page = server.json("/api/flights?base=OSLK&military=true&limit=5")
    fid = page["items"][0]["flight_id"]
    status, flight = server.json(f"/api/flights/{fid}")
    assert status == 200 and flight["flight_id"] == fid and flight["events"]
    for e in flight["events"]:
        assert HEX16.match(e["event_id"]) and 0 < e["confidence"] <= 1 and e["reason"]
        status, ev = server.json(f"/api/events/{e['event_id']}")
        assert status == 200 and ev["flight_id"] == fid
    status, pos = server.json(f"/api/flights/{fid}/positions?limit=10")
    assert status == 200 and len(pos["items"]) == 10 and pos["next"]
    assert all(p["icao24"] == flight["icao24"] for p in pos["items"])
    assert [p["ts"] for p in pos["items"]] == sorted(p["ts"] for p in pos["items"])
    status, headers, body = server.get(f"/api/flights/{fid}/track.geojson")
    assert status == 200 and headers["content-type"].startswith("application/geo+json")
    geo = json.loads(body)
    assert geo["type"] == "FeatureCollection"
    line = geo["features"][0]
    assert line["geometry"]["type"] == "LineString" and line["properties"]["how"] == "observed"
    for lon, lat in line["geometry"]["coordinates"]:
        assert 20 < lon < 45 and 25 < lat < 60  # between Libya, Syria and Moscow
    points = [f for f in geo["features"] if f["geometry"]["type"] == "Point"]
    assert len(points) == sum(1 for e in flight["events"] if e["lat_deg"] is not None)


def test_news_filters(server):
    status, body = server.json("/api/news?actor=Vladimir%20Putin&limit=100")
    assert status == 200 and body["items"]
    for n in body["items"]:
        assert "putin" in " ".join(n["actors"] + [n["speaker"] or ""]).lower()
        assert n["sentence"] and n["outlet"]
    status, meetings = server.json("/api/news?type=meeting&since=2025-10-20&until=2025-11-01")
    assert status == 200 and meetings["items"]
    assert all(n["event_type"] == "meeting" for n in meetings["items"])
    assert all(n["date_end"] >= "2025-10-20" for n in meetings["items"])
    nid = meetings["items"][0]["event_id"]
    status, one = server.json(f"/api/news/{nid}")
    assert status == 200 and one["sentence"] == meetings["items"][0]["sentence"]


def test_timeline_activity_routes_and_brief(server):
    status, tl = server.json(f"/api/timeline?watch={WATCH}&limit=500")
    assert status == 200 and tl["total"] == len(tl["items"]) > 5
    assert {"change", "movement", "news"} <= {t["kind"] for t in tl["items"]}
    status, act = server.json("/api/activity?base=OSLK&since=2025-02-10&until=2025-02-19")
    assert status == 200 and len(act["items"]) == 10
    missing = [d for d in act["items"] if d["day"] == "2025-02-14"][0]
    assert missing["observable"] is False and missing["military_arrivals"] is None
    status, routes = server.json(f"/api/routes?watch={WATCH}&limit=500")
    assert status == 200 and routes["items"] and routes["next"] is None
    for route in routes["items"][:10]:  # every id leads to its flight
        for key in ("arrival_flight_id", "departure_flight_id"):
            if route[key] is not None:
                assert server.json(f"/api/flights/{route[key]}")[0] == 200, route
    status, headers, md = server.get(
        f"/api/brief?watch={WATCH}&from=2025-10-01&to=2025-11-01&format=md&download=true"
    )
    assert status == 200 and md.decode().startswith("# ")
    assert "attachment" in headers["content-disposition"]
    status, brief = server.json(f"/api/brief?watch={WATCH}&format=json")
    assert status == 200 and brief["notes"]


def test_search(server):
    status, body = server.json("/api/search?q=RA-82010")
    assert status == 200
    assert any(h["kind"] == "aircraft" and h["key"] == "1540c2" for h in body["items"])
    _, body = server.json("/api/search?q=Hmeimim")
    assert any(h["kind"] == "base" and h["key"] == "OSLK" for h in body["items"])
    _, body = server.json("/api/search?q=A124")
    assert {h["key"] for h in body["items"] if h["kind"] == "aircraft"} >= {"1540c2", "1540c9"}
    _, body = server.json("/api/search?q=belousov")
    assert any(h["kind"] == "actor" for h in body["items"])


def test_errors_are_clear_json(server):
    for path, status in (
        ("/api/flights/0000000000000000", 404),
        ("/api/flights/not-an-id", 404),
        ("/api/changes/ffffffffffffffff", 404),
        ("/api/news/0123456789abcdef", 404),
        ("/api/aircraft/zzzzzz", 400),
        ("/api/flights?limit=0", 400),
        ("/api/flights?limit=100000", 400),
        ("/api/flights?since=yesterday", 400),
        ("/api/flights?military=perhaps", 400),
        ("/api/flights?base=Atlantis", 400),
        ("/api/news?type=picnic", 400),
        ("/api/changes?kind=party", 400),
        ("/api/brief?watch=nope", 400),
        ("/api/nothing-here", 404),
    ):
        got, body = server.json(path)
        assert got == status, (path, body)
        assert body["error"]["status"] == status and body["error"]["message"], path
        assert "Traceback" not in body["error"]["message"]
    _, body = server.json("/api/flights?since=yesterday")
    assert "ISO" in body["error"]["message"]


def test_openapi_and_headers(server):
    status, headers, body = server.get("/openapi.json")
    assert status == 200
    spec = json.loads(body)
    for path in ("/api/flights", "/api/flights/{flight_id}/track.geojson", "/api/news",
                 "/api/changes", "/api/timeline", "/api/brief", "/api/search"):  # fmt: skip
        assert path in spec["paths"], path
    names = {p["name"] for p in spec["paths"]["/api/flights"]["get"]["parameters"]}
    assert {"base", "since", "until", "icao24", "military", "type", "limit", "offset"} <= names
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for path in ("/", "/api/watches", "/nope", "/static/map.js"):
        _, headers, _ = server.get(path)
        assert headers["content-security-policy"] == csp, path
    assert server.url.startswith("http://127.0.0.1:")  # the default address


def test_html_error_pages(server):
    status, headers, body = server.get("/flight/0000000000000000")
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert b"no flight 0000000000000000" in body
    status, _, body = server.get("/watch/oslk-russian-state?from=soon")
    assert status == 400 and b"expected an ISO date" in body
    status, _, body = server.get("/search?q=<script>alert(1)</script>")
    assert status == 200 and b"<script>alert(1)" not in body and b"&lt;script&gt;" in body


def test_aircraft(server):
    status, body = server.json("/api/aircraft?registration=ra82010")
    assert status == 200 and [a["icao24"] for a in body["items"]] == ["1540c2"]
    status, body = server.json("/api/aircraft?military=true&limit=2")
    assert status == 200 and len(body["items"]) == 2 and body["next"]
    assert all(a["is_military"] for a in body["items"])
    status, one = server.json("/api/aircraft/1540c2")
    assert status == 200 and one["registration"] == "RA-82010" and one["reason"]
    assert {w["watch"] for w in one["watches"]} >= {"oslk-russian-state"}
    status, unseen = server.json("/api/aircraft/abcdef")  # never seen: its block's country
    assert status == 200 and unseen["position_count"] == 0 and unseen["watches"] == []
