"""What the web pages read, reached from Python as ``import basewatch as bw`` (no server):
the browse functions are exported, and every id they and ``bw.routes`` give is 16 hex digits,
nulls or not."""

from __future__ import annotations

import re

import basewatch as bw

from .conftest import WATCH

HEX16 = re.compile(r"^[0-9a-f]{16}$")


def test_browse_functions_are_part_of_the_python_api():
    for name in ("flight", "flight_track", "flights_page", "events_page", "change", "search",
                 "news_page", "news_event", "routes_page", "watch_overview", "aircraft_page",
                 "Page", "UnknownId"):  # fmt: skip
        assert name in bw.__all__, name
        assert getattr(bw, name) is getattr(bw.api, name)


def test_routes_keep_every_id_digit_where_a_column_has_nulls(web_store):
    routes = bw.routes(web_store, WATCH)
    id_cols = [c for c in routes.columns if c.endswith("_id")]
    assert id_cols == [
        "arrival_flight_id", "departure_flight_id", "arrival_event_id", "departure_event_id",
    ]  # fmt: skip
    # a route whose aircraft has not left yet has no departure: the column holds nulls
    assert routes["departure_flight_id"].isna().any()
    for col in id_cols:
        values = routes[col].dropna()
        assert len(values) and all(isinstance(v, str) and HEX16.match(v) for v in values), col
    # the ids are the flights' own: each one opens with bw.flight
    fid = routes["departure_flight_id"].dropna().iloc[0]
    assert bw.flight(web_store, fid)["flight_id"] == fid


def test_a_page_of_flights_and_one_flight_from_python(web_store):
    page = bw.flights_page(web_store, base="OSLK", military=True, limit=3)
    assert isinstance(page, bw.Page) and page.rows.num_rows == 3 and page.more
    fid = page.rows.column("flight_id")[0].as_py()
    assert HEX16.match(fid)
    one = bw.flight(web_store, fid)
    assert one["events"] and all(HEX16.match(e["event_id"]) for e in one["events"])
    try:
        bw.flight(web_store, "0" * 16)
    except bw.UnknownId:
        pass
    else:
        raise AssertionError("an unknown flight id must raise bw.UnknownId")
