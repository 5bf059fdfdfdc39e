"""Reading knowledge articles from files: Markdown with front matter, and DOCX (Word).

Markdown::

    ---
    kind: law
    code: noise-law-43
    title: 噪声污染防治法 第四十三条（夜间施工）
    citation: 《中华人民共和国噪声污染防治法》第四十三条
    categories: [noise.construction]
    tags: [夜间施工, 建筑施工]
    effective_from: 2022-06-05
    ---
    在噪声敏感建筑物集中区域，禁止夜间进行……

Keys: kind, code, title, effective_from (required); citation, source, note, categories, tags, supersedes (the
code of the article this one replaces from its effective date). Lists are `[a, b]` or `a, b` (also `、`).

DOCX: the title is the first heading (a "Heading"/"Title" style paragraph); paragraphs right after it of the form
`key: value` (the same keys) are the metadata; the remaining paragraphs are the body. A missing code is the file
name without its extension.

Parsing writes nothing: `parse_file` returns the article's data or raises `ImportProblem` naming the file and line
(for DOCX: the paragraph number).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from ecohotline.knowledge.models import ArticleKind

REQUIRED = ("kind", "code", "title", "effective_from")
KEYS = frozenset({*REQUIRED, "citation", "source", "note", "categories", "tags", "supersedes"})
LIST_KEYS = frozenset({"categories", "tags"})
MAX_FILE_BYTES = 2 * 1024 * 1024
_LIST_SPLIT = re.compile(r"[,，、;；]")
_KEY_LINE = re.compile(r"^\s*([A-Za-z_]+)\s*[:：]\s*(.*?)\s*$")


class ImportProblem(ValueError):
    """A file that cannot be imported, with where and why (the message is translated)."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


@dataclass
class ArticleData:
    """An article as read from a file, before anything is written."""

    file: str
    kind: str
    code: str
    title: str
    effective_from: datetime.date
    body: str
    citation: str = ""
    source: str = ""
    note: str = ""
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    supersedes: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # key -> line, for errors found later (unknown category)


def _list(raw: str) -> list[str]:
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1]
    return [item.strip().strip("\"'") for item in _LIST_SPLIT.split(raw) if item.strip().strip("\"'")]


def _build(name: str, meta: dict[str, tuple[str, int]], body: str, *, end_line: int) -> ArticleData:
    for key in REQUIRED:
        if not meta.get(key, ("", 0))[0]:
            raise ImportProblem(name, end_line, _("The required key “%(key)s” is missing.") % {"key": key})
    kind, kind_line = meta["kind"]
    if kind not in ArticleKind.values:
        raise ImportProblem(name, kind_line, _("Unknown kind “%(kind)s”: use one of %(kinds)s.") % {
            "kind": kind, "kinds": ", ".join(ArticleKind.values)})
    raw_date, date_line = meta["effective_from"]
    try:
        effective_from = datetime.date.fromisoformat(raw_date)
    except ValueError:
        raise ImportProblem(name, date_line, _("“%(value)s” is not a date (YYYY-MM-DD).") % {
            "value": raw_date}) from None
    code, code_line = meta["code"]
    title, title_line = meta["title"]
    if len(code) > 100:
        raise ImportProblem(name, code_line, _("The code is longer than 100 characters."))
    if len(title) > 200:
        raise ImportProblem(name, title_line, _("The title is longer than 200 characters."))
    if not body.strip():
        raise ImportProblem(name, end_line, _("The article has no text."))

    def text(key: str) -> str:
        return meta.get(key, ("", 0))[0]

    return ArticleData(
        file=name, kind=kind, code=code, title=title, effective_from=effective_from, body=body.strip(),
        citation=text("citation"), source=text("source"), note=text("note"),
        categories=_list(text("categories")), tags=_list(text("tags")), supersedes=text("supersedes"),
        lines={key: line for key, (_value, line) in meta.items()},
    )


def _meta_line(name: str, line: str, number: int, meta: dict[str, tuple[str, int]]) -> bool:
    """Reads one `key: value` line into `meta`; False if the line is not of that form."""
    match = _KEY_LINE.match(line)
    if not match:
        return False
    key, value = match.group(1).lower(), match.group(2).strip().strip("\"'")
    if key not in KEYS:
        raise ImportProblem(name, number, _("Unknown key “%(key)s”.") % {"key": key})
    if key in meta:
        raise ImportProblem(name, number, _("The key “%(key)s” is given twice.") % {"key": key})
    meta[key] = (value, number)
    return True


def parse_markdown(name: str, text: str) -> ArticleData:
    """An article from Markdown with a `---` front matter block at the top."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ImportProblem(name, 1, _("The file must start with a front matter block (a line “---”)."))
    meta: dict[str, tuple[str, int]] = {}
    end = None
    for index, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            end = index
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not _meta_line(name, line, index, meta):
            raise ImportProblem(name, index, _("Expected “key: value” in the front matter."))
    if end is None:
        raise ImportProblem(name, len(lines), _("The front matter block is not closed by a line “---”."))
    return _build(name, meta, "\n".join(lines[end:]), end_line=end)


def _is_heading(style_name: str) -> bool:
    return style_name.startswith(("Heading", "Title", "标题"))


def parse_docx(name: str, stream: IO[bytes]) -> ArticleData:
    """An article from a Word file: title from the first heading, `key: value` paragraphs after it as
    metadata, the other paragraphs as the text."""
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(stream)
    except (PackageNotFoundError, KeyError, ValueError, OSError) as error:
        raise ImportProblem(name, None, _("Not a readable DOCX file (%(error)s).") % {"error": error}) from None
    except Exception as error:  # zipfile.BadZipFile, lxml errors: a damaged file in any case
        raise ImportProblem(name, None, _("Not a readable DOCX file (%(error)s).") % {"error": error}) from None
    paragraphs = document.paragraphs
    meta: dict[str, tuple[str, int]] = {}
    body: list[str] = []
    title_at = None
    for number, paragraph in enumerate(paragraphs, start=1):
        text = paragraph.text.strip()
        style = paragraph.style.name if paragraph.style is not None else ""
        if title_at is None:
            if _is_heading(style or "") and text:
                title_at = number
                meta["title"] = (text, number)
            elif text:
                raise ImportProblem(name, number, _("Text before the title: the first paragraph must be a heading."))
            continue
        match = _KEY_LINE.match(text) if text and not body else None
        if match and match.group(1).lower() in KEYS:
            if match.group(1).lower() == "title":
                raise ImportProblem(name, number, _("The title is the first heading; do not repeat it."))
            _meta_line(name, text, number, meta)
            continue
        if text or body:
            body.append(text)
    if title_at is None:
        raise ImportProblem(name, None, _("No heading found: the first heading is the title."))
    meta.setdefault("code", (Path(name).stem, 0))
    return _build(name, meta, "\n\n".join(part for part in body if part), end_line=len(paragraphs))


def parse_file(name: str, content: bytes) -> ArticleData:
    """An article from a file's name and bytes (.md/.markdown/.txt or .docx)."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportProblem(name, None, _("The file is larger than 2 MB."))
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        import io

        return parse_docx(name, io.BytesIO(content))
    if suffix in {".md", ".markdown", ".txt"}:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            raise ImportProblem(name, line, _("The file is not UTF-8 text.")) from None
        return parse_markdown(name, text)
    raise ImportProblem(name, None, _("Unsupported file type: use .md or .docx."))
