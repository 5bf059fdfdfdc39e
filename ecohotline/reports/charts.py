"""Charts of the documents: small PNG images (150 dpi) drawn by matplotlib with a CJK font.

Figures are drawn on `matplotlib.figure.Figure` with the Agg canvas, never through pyplot: no global state, safe in
the worker's threads. The Chinese labels need a CJK font; the first one installed is found through matplotlib's
font manager (fonts-noto-cjk on the servers). Without one the charts are still drawn, their Chinese shown as
boxes, and a warning says so once.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from functools import lru_cache

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

logger = logging.getLogger(__name__)

DPI = 150
SIZE = (6.4, 3.2)  # inches: 960 × 480 pixels, the width of a portrait page's text
COLOURS = ("#2e7d32", "#9e9e9e", "#1565c0", "#ef6c00")

# Simplified Chinese faces first; any CJK face will do after them.
PREFERRED_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
                   "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Noto Serif CJK SC",
                   "Noto Sans CJK JP", "Noto Sans CJK TC")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None (logged once) when there is none."""
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    for name in PREFERRED_FONTS:
        if name in names:
            return name
    for name in sorted(names):
        if "CJK" in name or "Hei" in name or "Han Sans" in name:
            return name
    logger.warning("No CJK font found (install fonts-noto-cjk): the charts' Chinese labels will show as boxes")
    return None


def _figure() -> Figure:
    figure = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Without a CJK font every Chinese glyph warns; the missing font was reported once already.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure.tight_layout()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _style(figure: Figure) -> None:
    font = cjk_font()
    if font is not None:
        for text in figure.findobj(Text):
            text.set_fontfamily([font, "DejaVu Sans"])


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> bytes:
    """Grouped vertical bars: one group per label, one bar per series (e.g. this week and the week before)."""
    figure = _figure()
    axes = figure.add_subplot()
    count = max(len(series), 1)
    width = 0.8 / count
    positions = list(range(len(labels)))
    for index, (name, values) in enumerate(series):
        offset = (index - (count - 1) / 2) * width
        bars = axes.bar([p + offset for p in positions], list(values), width, label=name,
                        color=COLOURS[index % len(COLOURS)])
        axes.bar_label(bars, fontsize=7)
    axes.set_xticks(positions, list(labels), fontsize=8, rotation=30 if len(labels) > 6 else 0)
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(fontsize=8, frameon=False)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(y=0.15)
    _style(figure)
    return _png(figure)


def line_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
               *, percent: bool = False) -> bytes:
    """Lines over time (a trend); None values leave a gap."""
    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    for index, (name, values) in enumerate(series):
        points = [float("nan") if value is None else value for value in values]
        axes.plot(positions, points, marker="o", markersize=3, label=name, color=COLOURS[index % len(COLOURS)])
    axes.set_xticks(positions, list(labels), fontsize=8, rotation=30 if len(labels) > 6 else 0)
    if percent:
        axes.yaxis.set_major_formatter(lambda value, _position: f"{value:.0%}")
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(fontsize=8, frameon=False)
    _style(figure)
    return _png(figure)
