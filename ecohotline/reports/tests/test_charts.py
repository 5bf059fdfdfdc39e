"""Charts: PNG images drawn with a CJK font when one is installed; without one, still drawn, and a warning."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from matplotlib import font_manager

from ecohotline.reports import charts

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _forget_the_font() -> Any:
    charts.cjk_font.cache_clear()
    yield
    charts.cjk_font.cache_clear()


def test_a_cjk_font_is_found_when_installed() -> None:
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    if not any("CJK" in name for name in names):
        pytest.skip("no CJK font on this machine (install fonts-noto-cjk)")
    assert charts.cjk_font() in names


def test_charts_are_small_pngs() -> None:
    bar = charts.bar_chart("按类别（件）", ["大气", "噪声"], [("本周", [3, 5]), ("上周", [2, 4])])
    line = charts.line_chart("三率", ["9月", "10月"], [("满意率", [0.9, None])], percent=True)
    for image in (bar, line):
        assert image.startswith(PNG) and len(image) < 200_000


def test_without_a_cjk_font_the_chart_is_drawn_and_a_warning_says_so(monkeypatch: Any, caplog: Any) -> None:
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [entry for entry in font_manager.fontManager.ttflist if entry.name == "DejaVu Sans"])
    with caplog.at_level(logging.WARNING, logger="ecohotline.reports.charts"):
        image = charts.bar_chart("按类别（件）", ["大气"], [("本周", [1])])
    assert image.startswith(PNG)
    assert charts.cjk_font() is None
    assert "No CJK font found" in caplog.text
