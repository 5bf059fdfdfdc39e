"""Coordinate conversions against published reference pairs, round trips, and distances."""

import math
import random

import pytest

from ecohotline.core import geo

# (WGS-84 lat, lng, GCJ-02 lat, lng) from eviltransform's test suite (googollee/eviltransform, test.py).
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
# coordtransform's documented results (wandergis/coordtransform, test/app.js) for (116.404, 39.915).
COORDTRANSFORM = {
    "wgs84togcj02": (116.41024449916938, 39.91640428150164),
    "gcj02tobd09": (116.41036949371029, 39.92133699351021),
    "bd09togcj02": (116.39762729119315, 39.90865673957631),  # its one-step inverse, good to ~0.2 m
}


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return geo.distance_m(a[0], a[1], b[0], b[1])


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM_PAIRS)
def test_wgs84_to_gcj02_matches_eviltransform(wlat, wlng, glat, glng):
    assert metres(geo.wgs84_to_gcj02(wlng, wlat), (glng, glat)) < 0.05
    assert metres(geo.gcj02_to_wgs84(glng, glat), (wlng, wlat)) < 0.05
    assert metres(geo.to_wgs84(glng, glat, "gcj02"), (wlng, wlat)) < 0.05


def test_matches_coordtransform_documented_results():
    assert metres(geo.wgs84_to_gcj02(116.404, 39.915), COORDTRANSFORM["wgs84togcj02"]) < 0.05
    assert metres(geo.gcj02_to_bd09(116.404, 39.915), COORDTRANSFORM["gcj02tobd09"]) < 0.001
    assert metres(geo.bd09_to_gcj02(116.404, 39.915), COORDTRANSFORM["bd09togcj02"]) < 0.5


def test_the_gcj02_offset_in_beijing_is_a_few_hundred_metres():
    # Tiananmen as 高德 shows it (its API's default centre): WGS-84 lies some 500-600 m south-west.
    wgs = geo.to_wgs84(116.397428, 39.90923, "gcj02")
    assert 400 < metres(wgs, (116.397428, 39.90923)) < 700
    assert wgs[0] < 116.397428 and wgs[1] < 39.90923


def test_round_trips_are_exact_to_well_under_a_metre():
    rng = random.Random(7)
    worst = 0.0
    for _ in range(2000):
        lng, lat = rng.uniform(75, 134), rng.uniform(19, 53)
        if geo.out_of_china(lng, lat):
            continue
        gcj = geo.wgs84_to_gcj02(lng, lat)
        bd = geo.wgs84_to_bd09(lng, lat)
        worst = max(worst, metres(geo.gcj02_to_wgs84(*gcj), (lng, lat)),
                    metres(geo.to_wgs84(*bd, "bd09"), (lng, lat)),
                    metres(geo.bd09_to_gcj02(*geo.gcj02_to_bd09(*gcj)), gcj))
    assert worst < 0.01


def test_beijing_round_trip_grid():
    for lng in (115.5, 116.0, 116.3, 116.4, 117.0, 117.5):
        for lat in (39.5, 39.9, 40.0, 40.5, 41.0):
            assert metres(geo.to_wgs84(*geo.wgs84_to_bd09(lng, lat), "BD-09"), (lng, lat)) < 0.01


def test_outside_china_nothing_is_shifted():
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert geo.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


@pytest.mark.parametrize(("spelling", "system"), [
    ("wgs84", "wgs84"), ("WGS-84", "wgs84"), ("", "wgs84"), ("gcj02", "gcj02"), ("GCJ-02", "gcj02"),
    ("高德", "gcj02"), ("bd09", "bd09"), ("BD-09", "bd09"), ("bd09ll", "bd09"), ("百度", "bd09"),
])
def test_system_spellings(spelling, system):
    assert geo.normalise_system(spelling) == system


def test_an_unknown_system_is_refused():
    with pytest.raises(ValueError, match="unknown coordinate system"):
        geo.to_wgs84(116.4, 39.9, "bd09mc")


def test_wgs84_is_returned_as_given():
    assert geo.to_wgs84(116.3162, 39.9834, "wgs84") == (116.3162, 39.9834)


def test_distance():
    one_degree = 2 * math.pi * geo.EARTH_RADIUS_M / 360
    assert geo.distance_m(116.0, 39.0, 116.0, 40.0) == pytest.approx(one_degree, rel=1e-9)
    assert geo.distance_m(116.3, 39.9, 116.3, 39.9) == 0
    # Tiananmen to Shanghai's Bund: some 1,070 km.
    assert 1_050_000 < geo.distance_m(116.3975, 39.9087, 121.4903, 31.2397) < 1_090_000


def test_in_beijing():
    assert geo.in_beijing(116.3, 39.98)
    assert not geo.in_beijing(121.47, 31.23)
    assert not geo.in_beijing(39.98, 116.3)


def test_grid_cells_cover_the_radius() -> None:
    import random

    from ecohotline.core.geo import cells_around, grid_cell

    rng = random.Random(3)
    for _ in range(2000):
        lng, lat = 116.2 + rng.random() * 0.3, 39.9 + rng.random() * 0.2
        radius = rng.choice([300.0, 800.0, 1000.0])
        cells = set(cells_around(lng, lat, radius))
        # a point at the radius in any direction falls in one of the cells
        bearing = rng.random() * 2 * math.pi
        dlat = radius * 0.999 * math.cos(bearing) / 111_320.0
        dlng = radius * 0.999 * math.sin(bearing) / (111_320.0 * math.cos(math.radians(lat)))
        assert grid_cell(lng + dlng, lat + dlat) in cells
        assert grid_cell(lng, lat) in cells
