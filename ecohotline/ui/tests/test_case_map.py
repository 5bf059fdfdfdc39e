"""The case page's map card: a container for ui/case_map.js when the case has coordinates, the district outlines
found among the static files, and the script's WGS-84 → GCJ-02 conversion agreeing with core.geo."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from ecohotline.conftest import sign_in
from ecohotline.core.geo import wgs84_to_gcj02
from ecohotline.factories import make_case

GEOJSON_IN_PACKAGE = "map/json/province/beijing.json"
GEOJSON = "vendor/echarts4/" + GEOJSON_IN_PACKAGE
SCRIPT = Path(__file__).resolve().parents[1] / "static" / "ui" / "case_map.js"
NO_NODE_MODULES = "node_modules/ is not installed here (CI runs `npm ci`)"


class _MapContainers(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "data-case-map" in attributes:
            self.found.append(attributes)
        if tag == "script" and attributes.get("src"):
            self.scripts.append(attributes["src"] or "")


def _containers(client, case) -> _MapContainers:
    parser = _MapContainers()
    parser.feed(client.get(reverse("ui:case-detail", args=[case.pk])).content.decode())
    return parser


@pytest.mark.django_db
def test_a_case_with_coordinates_gets_the_map_container(client, org):
    case = make_case(street=org.street, title="餐馆油烟扰民", community="海淀南路社区",
                     latitude=39.9833, longitude=116.31, district="海淀区")
    client.force_login(org.dispatcher)
    parser = _containers(client, case)
    assert len(parser.found) == 1
    container = parser.found[0]
    assert container["data-geojson-url"].endswith("/" + GEOJSON)
    assert container["data-district"] == "海淀区"
    assert float(container["data-lng"] or "") == pytest.approx(116.31)
    assert float(container["data-lat"] or "") == pytest.approx(39.9833)
    assert any(src.endswith("/ui/case_map.js") for src in parser.scripts)
    assert any(src.endswith("/vendor/echarts/dist/echarts.min.js") for src in parser.scripts)
    text = client.get(reverse("ui:case-detail", args=[case.pk])).content.decode()
    # The text fallback: street, community and the coordinates, readable without JavaScript.
    assert "中关村街道 · 海淀南路社区" in text and "116.310000" in text and "39.983300" in text


@pytest.mark.django_db
def test_a_case_without_coordinates_has_no_map(client, org):
    case = make_case(street=org.street, title="餐馆油烟扰民")
    client.force_login(org.dispatcher)
    parser = _containers(client, case)
    assert parser.found == []
    assert not any(src.endswith("/ui/case_map.js") for src in parser.scripts)


def test_the_script_is_a_static_file():
    assert finders.find("ui/case_map.js")


@pytest.mark.skipif(not (Path(settings.NODE_MODULES_DIR) / "echarts4").is_dir(), reason=NO_NODE_MODULES)
def test_the_district_outlines_are_found_by_the_static_finders():
    found = finders.find(GEOJSON)
    assert found, GEOJSON
    data = json.loads(Path(str(found)).read_text(encoding="utf-8"))
    names = {feature["properties"]["name"] for feature in data["features"]}
    assert {"海淀区", "朝阳区", "延庆区"} <= names and len(names) == 16
    assert finders.find("vendor/echarts/dist/echarts.min.js")


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed here")
def test_the_script_moves_the_pin_to_gcj02_like_core_geo():
    points = [(116.31, 39.9833), (116.0, 40.4), (117.2, 39.5), (100.0, 20.0), (-0.12, 51.5)]
    program = (
        f"const m = require({json.dumps(str(SCRIPT))});"
        f"console.log(JSON.stringify({json.dumps(points)}.map(p => m.wgs84ToGcj02(p[0], p[1]))));"
    )
    output = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True, timeout=30)
    for (lng, lat), (got_lng, got_lat) in zip(points, json.loads(output.stdout), strict=True):
        want_lng, want_lat = wgs84_to_gcj02(lng, lat)
        assert got_lng == pytest.approx(want_lng, abs=1e-9) and got_lat == pytest.approx(want_lat, abs=1e-9)


@pytest.mark.skipif(not shutil.which("node") or not (Path(settings.NODE_MODULES_DIR) / "echarts4").is_dir(),
                    reason="needs node and node_modules/ (CI runs `npm ci`)")
def test_the_script_finds_the_district_bounds():
    program = (
        f"const m = require({json.dumps(str(SCRIPT))});"
        f"const g = require({json.dumps(str(Path(settings.NODE_MODULES_DIR) / 'echarts4' / GEOJSON_IN_PACKAGE))});"
        "const b = (name) => m.districtBounds(g, name);"
        "console.log(JSON.stringify([b('海淀区'), b('海淀'), b('')]));"
    )
    output = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True, timeout=30)
    full, short, none = json.loads(output.stdout)
    assert full == short and none is None
    (west, north), (east, south) = full["coords"]
    # 海淀区 spans roughly 116.05–116.39° E, 39.89–40.16° N.
    assert 116.0 < west < 116.1 and 116.35 < east < 116.45 and 39.85 < south < 39.95 and 40.1 < north < 40.2


@pytest.mark.skipif(not (Path(settings.NODE_MODULES_DIR) / "echarts4").is_dir(),
                    reason="needs node_modules/ (CI runs `npm ci`)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_browser_draws_the_map(browser, live_site, org, tmp_path):
    case = make_case(street=org.street, title="餐馆油烟扰民", latitude=39.9833, longitude=116.31, district="海淀区")
    org.dispatcher.set_password("pass-1234-word")
    org.dispatcher.save()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_site}/login/")
    sign_in(page, org.dispatcher.username)
    page.wait_for_load_state()
    page.goto(f"{live_site}/cases/{case.pk}/")
    page.wait_for_selector("#case-map canvas", timeout=15000)
    assert page.locator("#case-map").is_visible() and errors == []
    page.locator("#case-map-card").screenshot(path=str(tmp_path / "map.png"))
