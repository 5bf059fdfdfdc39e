"""Showing an article's text: a small, safe subset of Markdown (paragraphs, `-`/`1.` lists, `#` headings,
**bold**). Everything is escaped first; no raw HTML from the text ever reaches the page."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.、]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,4})\s+(.*)$")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text))


def render_markdown(text: str) -> SafeString:
    html: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        heading = _HEADING.match(lines[0])
        if heading and len(lines) == 1:
            level = min(6, len(heading.group(1)) + 2)
            html.append(f"<h{level} class='h6'>{_inline(heading.group(2))}</h{level}>")
        elif all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_BULLET.match(line).group(1))}</li>" for line in lines)  # type: ignore[union-attr]
            html.append(f"<ul>{items}</ul>")
        elif all(_NUMBERED.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_NUMBERED.match(line).group(1))}</li>" for line in lines)  # type: ignore[union-attr]
            html.append(f"<ol>{items}</ol>")
        else:
            html.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return mark_safe("\n".join(html))  # every piece of text above went through escape()
