"""The brief's map: the shipped base map decodes to the right world, clipping keeps what is in
the frame and nothing else, and a map with no flights still shows the base on its coast."""

from __future__ import annotations

import re

from basewatch.fuse.map import (
    ATTRIBUTION,
    _clip_line,
    _clip_ring,
    _decode,
    _nice_nm,
    _place_label,
    basemap,
    svg_map,
)
from basewatch.store import open_store


def _inside(lon: float, lat: float, rings) -> bool:
    """Even-odd rule over all rings (holes included)."""
    hit = False
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                hit = not hit
    return hit


def test_basemap_puts_land_and_sea_where_they_are():
    for resolution in ("50m", "110m"):
        shapes = basemap(resolution)
        rings = [list(r) for r in shapes.land]
        assert _inside(36.3, 35.5, rings)  # inland Syria, east of Khmeimim
        assert _inside(37.6, 55.8, rings)  # Moscow
        assert not _inside(34.5, 35.0, rings)  # the sea between Cyprus and Syria
        assert not _inside(51.0, 42.0, rings)  # the Caspian (a hole in Eurasia)
        assert not _inside(-30.0, 30.0, rings)  # the Atlantic
        assert len(shapes.borders) > 200
    fine, coarse = basemap("50m"), basemap("110m")
    assert sum(map(len, fine.land)) > 4 * sum(map(len, coarse.land))


def test_clip_ring_keeps_the_part_in_the_frame():
    frame = (0, 0, 10, 10)
    around = [(-5, -5), (15, -5), (15, 15), (-5, 15)]
    assert sorted(_clip_ring(around, *frame)) == [(0, 0), (0, 10), (10, 0), (10, 10)]
    assert _clip_ring([(20, 20), (30, 20), (30, 30)], *frame) == []
    half = _clip_ring([(5, -5), (15, -5), (15, 15), (5, 15)], *frame)
    assert sorted(half) == [(5, 0), (5, 10), (10, 0), (10, 10)]
    for x, y in _clip_ring([(-3, 5), (5, -3), (13, 5), (5, 13)], *frame):
        assert 0 <= x <= 10 and 0 <= y <= 10


def test_clip_line_splits_where_it_leaves_the_frame():
    frame = (0, 0, 10, 10)
    runs = _clip_line([(-5, 5), (5, 5), (5, 15), (8, 15), (8, 5)], *frame)
    assert runs == [[(0, 5), (5, 5), (5, 10)], [(8, 10), (8, 5)]]
    assert _clip_line([(20, 0), (30, 0)], *frame) == []
    assert _clip_line([(1, 1), (2, 2), (3, 1)], *frame) == [[(1, 1), (2, 2), (3, 1)]]


def test_scale_bar_lengths_are_round():
    assert [_nice_nm(x) for x in (0.7, 1, 3.9, 9.99, 14, 260, 999)] == [
        0.5, 1, 2, 5, 10, 200, 500
    ]  # fmt: skip


def test_map_without_flights_shows_the_base_on_land_by_the_sea(db):
    with open_store(db) as store:
        svg = svg_map(store, [], "OSLK")
    land = re.search(r'<path class="land" d="([^"]*)"', svg).group(1)
    assert land.count("M") >= 1 and land.endswith("Z")
    assert 'data-icao="OSLK"' in svg and "Khmeimim" in svg
    assert " NM</text>" in svg and 'class="north-arrow"' in svg and ATTRIBUTION in svg
    assert "<script" not in svg and "href" not in svg
    with open_store(db) as store:
        assert svg_map(store, [12345], "OSLK") == svg  # an unknown flight id draws nothing


def _script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "basemap_from_world_atlas.py"
    spec = importlib.util.spec_from_file_location("basemap_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_decodes_topojson_arcs_into_land_and_borders():
    """Two countries side by side (1° squares) sharing one arc; land is their merged outline."""
    topo = {
        "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
        "arcs": [
            [[2, 0], [0, 2]],  # the shared border, (11, 20) → (11, 21)
            [[2, 2], [-2, 0], [0, -2], [2, 0]],  # west square's outer side
            [[2, 0], [2, 0], [0, 2], [-2, 0]],  # east square's outer side
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]]},
                    {"type": "MultiPolygon", "arcs": [[[2, ~0]]]},  # ~0: the border reversed
                ],
            },
            "land": {
                "type": "GeometryCollection",
                "geometries": [{"type": "Polygon", "arcs": [[1, 2]]}],
            },
        },
    }
    data = _script().level(topo, grid=0.01, tol=0.001, min_area=0.0)
    assert len(data["land"]) == 1 and len(data["borders"]) == 1
    ring = [(round(x, 6), round(y, 6)) for x, y in _decode(data["land"][0], data["grid_deg"])]
    # the point where the border meets the coast lies on a straight side: simplified away
    assert ring == [(11, 21), (10, 21), (10, 20), (12, 20), (12, 21), (11, 21)]
    border = [(round(x, 6), round(y, 6)) for x, y in _decode(data["borders"][0], 0.01)]
    assert border == [(11, 20), (11, 21)]


def test_labels_keep_clear_of_each_other_and_the_frame():
    dots = [(95, 195, 105, 205), (115, 195, 125, 205), (105, 175, 115, 185)]  # close together
    taken = list(dots)
    placed = [
        _place_label(x, y, "ABCD Airfield", 720, 480, taken)
        for x, y in ((100, 200), (120, 200), (110, 180))
    ]
    # the first would run over the second dot on its right: it goes left, the second right
    assert [p[2] for p in placed[:2]] == ["end", "start"]
    boxes = taken[len(dots) :]
    for i, a in enumerate(boxes):
        for b in dots + boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert _place_label(700, 100, "CCCC Edge", 720, 480, [])[2] == "end"
