"""The pages in a real browser (Debian's chromium driven by playwright, never
`playwright install`): each loads with no console error and no request leaving the machine,
the maps draw land and tracks and pan and zoom, evidence links reach the flight page, and
hostile article text shows as text and runs nothing. Each page is photographed into
``$BASEWATCH_SCREENSHOTS`` (default: a temporary folder) for a person to look at."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from .conftest import WATCH


@dataclass
class Visit:
    page: object
    status: int | None = None
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def visit(browser, server, path: str, **context) -> Visit:
    """Open ``path`` on the server; any request to another host is refused and recorded."""
    origin = urlsplit(server.url).netloc
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
    page = ctx.new_page()
    v = Visit(page)

    def route(r):
        if urlsplit(r.request.url).netloc == origin:
            r.continue_()
        else:
            v.blocked.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page.on("request", lambda req: v.requests.append(req.url))
    page.on("console", lambda m: v.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: v.errors.append(str(exc)))

    def dialog(d):
        v.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    response = page.goto(server.url.rstrip("/") + path)
    page.wait_for_load_state("load")
    v.status = response.status if response else None
    return v


@pytest.fixture(scope="module")
def ids(server) -> dict:
    _, changes = server.json(f"/api/changes?watch={WATCH}&kind=resumption")
    change = changes["items"][0]
    _, news = server.json("/api/news?type=meeting&limit=1")
    return {
        "change": change["change_id"],
        "flight": change["flight_ids"][0],
        "news": news["items"][0]["event_id"],
    }


def pages(ids: dict) -> list[tuple[str, str]]:
    return [
        ("watches", "/"),
        ("base", f"/watch/{WATCH}"),
        ("base-window", f"/watch/{WATCH}?from=2025-10-01&to=2025-11-01"),
        ("flight", f"/flight/{ids['flight']}"),
        ("aircraft", "/aircraft/1540c2"),
        ("change", f"/change/{ids['change']}"),
        ("news", "/news"),
        ("news-filtered", "/news?actor=Vladimir+Putin&type=meeting"),
        ("news-event", f"/news/{ids['news']}"),
        ("search", "/search?q=RA-82010"),
        ("api", "/api-docs"),
        ("feeds", "/feeds"),
    ]


def test_every_page_loads_offline_without_errors(browser, server, ids, shots):
    for name, path in pages(ids):
        v = visit(browser, server, path)
        try:
            assert v.status == 200, (path, v.status)
            assert v.errors == [], (path, v.errors)
            assert v.blocked == [], (path, v.blocked)
            assert v.dialogs == [], path
            assert "UTC" in v.page.inner_text("body"), path  # times say they are UTC
            v.page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        finally:
            v.page.context.close()
    assert len(list(shots.glob("*.png"))) >= len(pages(ids))


def test_error_pages_in_the_browser(browser, server, shots):
    for name, path, status, text in (
        ("error-404", "/flight/0000000000000000", 404, "no flight 0000000000000000"),
        ("error-400", "/news?since=last+week", 400, "expected an ISO date"),
    ):
        v = visit(browser, server, path)
        try:
            assert v.status == status
            assert text in v.page.inner_text("main")
            assert v.blocked == [] and v.dialogs == []
            v.page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        finally:
            v.page.context.close()


def test_base_map_draws_land_tracks_and_pans(browser, server):
    from playwright.sync_api import expect

    v = visit(browser, server, f"/watch/{WATCH}")
    page = v.page
    try:
        m = page.locator("#map svg.bw-map")
        expect(m).to_be_visible()
        box = m.bounding_box()
        assert box["width"] > 600 and box["height"] > 400
        land = page.locator("#map svg.bw-map path.land")
        assert len(land.get_attribute("d")) > 1000
        land_box = land.bounding_box()
        assert land_box["width"] > 0.5 * box["width"]
        tracks = page.locator("#map svg.bw-map g.track")
        assert tracks.count() >= 5
        for i in range(tracks.count()):
            fid = tracks.nth(i).get_attribute("data-flight")
            assert re.fullmatch(r"[0-9a-f]{16}", fid)
            # each drawn flight is listed beside the map with a link to it
            expect(page.locator(f'#map a[href="/flight/{fid}"]')).to_have_count(1)
        assert page.locator("#map svg.bw-map line.inferred").count() >= 1  # dashed
        expect(page.locator("#map svg.bw-map g.airfield.base text")).to_contain_text("OSLK")
        # pan and zoom (static/map.js): the wheel zooms in, reset goes back
        before = m.get_attribute("viewBox")
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(100)
        zoomed = m.get_attribute("viewBox")
        assert zoomed != before
        assert float(zoomed.split()[2]) < float(before.split()[2])
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 + 40)
        page.mouse.up()
        assert m.get_attribute("viewBox") != zoomed
        page.locator("#map .map-controls button", has_text="reset").click()
        assert m.get_attribute("viewBox") == before
        # the activity chart shows unobservable days as such
        chart = page.locator("#activity svg")
        expect(chart).to_be_visible()
        assert chart.locator("rect title", has_text="not observable").count() >= 2
        assert v.errors == [] and v.blocked == []
    finally:
        page.context.close()


def test_flight_page_map_shows_its_track(browser, server, ids):
    v = visit(browser, server, f"/flight/{ids['flight']}")
    page = v.page
    try:
        tracks = page.locator("svg.bw-map g.track")
        assert tracks.count() == 1
        assert tracks.first.get_attribute("data-flight") == ids["flight"]
        points = tracks.first.locator("polyline.observed").get_attribute("points").split()
        assert len(points) > 40
        assert page.locator("tr.event").count() >= 1
        assert "confidence" in page.inner_text("main").lower()
    finally:
        page.context.close()


def test_footnote_of_a_change_reaches_the_flight_page(browser, server, ids):
    from playwright.sync_api import expect

    v = visit(browser, server, f"/watch/{WATCH}")
    page = v.page
    try:
        row = page.locator("#changes tr.change", has_text="resumption").first
        link = row.locator("td.evidence a.ref[href^='/flight/']").first
        fid = link.get_attribute("href").rsplit("/", 1)[1]
        link.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/flight/{fid}")
        expect(page.locator("h1")).to_contain_text(fid)
        page.go_back()
        # the brief's footnotes, too: the first flight note opens that flight
        note = page.locator("#brief ol.notes a.ref[href^='/flight/']").first
        fid = note.get_attribute("href").rsplit("/", 1)[1]
        note.click()
        page.wait_for_load_state("load")
        expect(page.locator("h1")).to_contain_text(fid)
        # and a change's own page lists its flights
        page.goto(server.url.rstrip("/") + f"/change/{ids['change']}")
        page.locator("a.ref[href^='/flight/']").first.click()
        page.wait_for_load_state("load")
        expect(page.locator("h1")).to_contain_text("Flight")
        # an airfield event id leads to its flight, at the event's row
        page.go_back()
        page.locator("a.ref[href^='/event/']").first.click()
        page.wait_for_load_state("load")
        assert re.search(r"/flight/[0-9a-f]{16}#e-[0-9a-f]{16}$", page.url)
        expect(page.locator("tr.event:target")).to_have_count(1)
        assert v.errors == [] and v.blocked == []
    finally:
        page.context.close()


HOSTILE_TEXT = (
    "<script>window.__pwned=3</script> the flights to Khmeimim go on",
    "<img src=x onerror=window.__pwned=4>",
    "the <a href='javascript:window.__pwned=6'>road</a> to Moscow is open",
)


SCRIPTS = ("/static/map.js", "/static/live.js")  # the only scripts a page has


@pytest.mark.parametrize("bypass_csp", [False, True])
def test_hostile_article_text_runs_nothing(browser, server, shots, bypass_csp):
    """Article text with markup shows as text on every page that quotes it; with the page's
    policy bypassed, escaping alone must hold."""
    _, body = server.json("/api/news?actor=Andrei%20Belousov&limit=100")
    hostile = [n for n in body["items"] if "__pwned" in n["sentence"]]
    assert hostile, "the hostile articles were not read"
    paths = ["/news?actor=Andrei+Belousov", "/news", f"/news/{hostile[0]['event_id']}",
             f"/watch/{WATCH}", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E"]  # fmt: skip
    seen = ""
    for path in paths:
        v = visit(browser, server, path, bypass_csp=bypass_csp)
        page = v.page
        try:
            page.wait_for_timeout(150)
            assert page.evaluate("typeof window.__pwned") == "undefined", path
            assert v.dialogs == [] and v.blocked == [], path
            assert [e for e in v.errors if "pwned" in e] == [], path
            for i in range(page.locator("a").count()):
                href = page.locator("a").nth(i).get_attribute("href") or ""
                assert not href.lower().startswith("javascript:"), (path, href)
            scripts = page.locator("script")
            for i in range(scripts.count()):
                assert scripts.nth(i).get_attribute("src") in SCRIPTS, path
            assert page.locator("main img, main [onerror], main [onload]").count() == 0, path
            seen += page.inner_text("body")
            if path.startswith("/news?actor"):
                page.screenshot(path=str(shots / f"hostile-news-csp-{not bypass_csp}.png"))
        finally:
            page.context.close()
    for literal in HOSTILE_TEXT:
        assert literal in seen, literal


def test_map_zoomed_3x_keeps_its_legend_and_shows_the_dashed_ends(browser, server, shots):
    """Zoomed in 3x on the base: the legend, north arrow and caption stay put (they zoomed away
    with the map), the buttons cover none of the map, tracks keep their width and the dashed
    inferred ends are drawn, longer and above every track."""
    v = visit(browser, server, f"/watch/{WATCH}")
    page = v.page
    try:
        m = page.locator("#map svg.bw-map")
        svg_box = m.bounding_box()
        legend_before = m.locator("g.legend").bounding_box()
        ends = m.locator("line.inferred")
        lengths_before = [ends.nth(i).bounding_box() for i in range(ends.count())]
        bar = page.locator("#map .map-controls").bounding_box()
        assert bar["y"] + bar["height"] <= svg_box["y"] + 0.5  # above the map, not over it
        dot = m.locator("g.airfield.base circle").bounding_box()
        page.mouse.move(dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2)
        for _ in range(5):  # 0.8 ** 5: about 3x
            page.mouse.wheel(0, -100)
            page.wait_for_timeout(50)
        shown = float(m.get_attribute("viewBox").split()[2])  # of 720 at the start
        assert 2.9 < 720 / shown < 3.2, shown
        legend_after = m.locator("g.legend").bounding_box()
        for key in ("x", "y", "width", "height"):
            assert abs(legend_after[key] - legend_before[key]) < 1, key
        width = page.evaluate(
            "() => getComputedStyle(document.querySelector('svg.bw-map polyline.observed'))"
            ".vectorEffect"
        )
        assert width == "non-scaling-stroke"
        grown = 0
        for i in range(ends.count()):
            b, a = lengths_before[i], ends.nth(i).bounding_box()
            if b and a and max(b["width"], b["height"]) > 1:
                grown += max(a["width"], a["height"]) > 2.5 * max(b["width"], b["height"])
        assert grown >= 1
        # the inferred ends come after every track: drawn above them
        order = page.evaluate(
            "() => [...document.querySelector('svg.bw-map').children]"
            ".map(e => e.getAttribute('class'))"
        )
        assert order.index("inferred-ends") > order.index("tracks")
        page.locator("#map .map-controls button", has_text="legend").click()
        assert not m.locator("g.legend").is_visible()
        page.locator("#map figure.map").screenshot(path=str(shots / "map-3x.png"))
        assert v.errors == []
    finally:
        page.context.close()


def test_chart_of_a_window_keeps_to_its_frame(browser, server, shots):
    """A window that starts inside a gap and after a drop: the gap's shading starts at the
    axis and the drop, before the window, has no line or name outside the frame."""
    v = visit(browser, server, f"/watch/{WATCH}?from=2025-10-01&to=2025-11-01")
    page = v.page
    try:
        chart = page.locator("#activity svg")
        frame = chart.bounding_box()
        outside = chart.evaluate(
            """svg => { const f = svg.getBoundingClientRect(); const bad = [];
            svg.querySelectorAll('text').forEach(t => { const b = t.getBoundingClientRect();
              if (b.left < f.left - 0.5 || b.right > f.right + 0.5) bad.push(t.textContent); });
            return bad; }"""
        )
        assert outside == []
        axis_x = float(chart.locator("line").first.get_attribute("x1"))
        rects = chart.evaluate(
            "svg => [...svg.querySelectorAll('rect[opacity]')].map(r => +r.getAttribute('x'))"
        )
        assert rects and min(rects) >= axis_x - 0.01
        names = chart.evaluate("svg => [...svg.querySelectorAll('text')].map(t => t.textContent)")
        assert "resumption" in names and "drop" not in names
        assert frame["width"] > 600
        chart.screenshot(path=str(shots / "chart-window.png"))
    finally:
        page.context.close()
