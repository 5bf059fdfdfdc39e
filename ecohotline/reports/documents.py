"""A document as data (title, sections of paragraphs, tables and charts) and its two files: a DOCX for reading and
printing, an XLSX with one sheet per table.

The documents are the bureau's paperwork: they are written in Chinese whatever the reader's language (the
content modules put the Chinese text in directly). Both files are built in memory; nothing touches the disk here.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
CHART_WIDTH = Cm(15)


@dataclass
class Table:
    """A table: its title (also the XLSX sheet's name), a header row and data rows. A table may be shown in only
    one of the two files (the meeting pack lays its cases out one by one in the DOCX, as one sheet in the XLSX)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    empty_text: str = "无"
    in_document: bool = True
    in_workbook: bool = True


@dataclass
class Chart:
    title: str
    png: bytes


@dataclass
class Paragraph:
    text: str
    bold: bool = False


Block = Table | Chart | Paragraph


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Table)]


def cell_text(value: Any) -> str:
    if value is None:
        return "—"
    return str(value)


# --- DOCX ----------------------------------------------------------------------------------------------------------


def _east_asian(style: Any, font: str, size: float | None = None, bold: bool | None = None) -> None:
    style.font.name = font
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold


def render_docx(document: Document) -> bytes:
    """The document as a DOCX: a centred title, a heading per section, tables on a grid, charts 15 cm wide."""
    out = new_docx()
    styles = out.styles
    _east_asian(styles["Normal"], BODY_FONT, 12)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13)):
        _east_asian(styles[name], HEADING_FONT, size, True)
    for page in out.sections:
        page.left_margin = page.right_margin = Cm(2.2)
    title = out.add_heading(document.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if document.subtitle:
        subtitle = out.add_paragraph(document.subtitle)
        subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in document.sections:
        out.add_heading(section.heading, level=1)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                run = out.add_paragraph().add_run(block.text)
                run.bold = block.bold
            elif isinstance(block, Chart):
                out.add_picture(io.BytesIO(block.png), width=CHART_WIDTH)
                out.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif block.in_document:
                # A table named like its section ("二、昨日新增" → 昨日新增) needs no heading of its own.
                _docx_table(out, block, titled=not section.heading.endswith(block.title))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _docx_table(out: Any, table: Table, *, titled: bool = True) -> None:
    if titled:
        out.add_heading(table.title, level=2)
    if not table.rows:
        out.add_paragraph(table.empty_text)
        return
    grid = out.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(10.5)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(cell_text(value)).font.size = Pt(10.5)


# --- XLSX ----------------------------------------------------------------------------------------------------------

SHEET_NAME_LIMIT = 31
FORBIDDEN_IN_SHEET_NAMES = str.maketrans({character: "_" for character in "[]:*?/\\"})


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a CJK character counts two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _sheet_name(title: str, taken: set[str]) -> str:
    base = title.translate(FORBIDDEN_IN_SHEET_NAMES)[:SHEET_NAME_LIMIT] or "表"
    name, number = base, 2
    while name in taken:
        suffix = f"({number})"
        name, number = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    taken.add(name)
    return name


def render_xlsx(document: Document) -> bytes:
    """The document's tables, one sheet each: the header row bold and frozen, the columns as wide as their text."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in document.tables():
        if not table.in_workbook:
            continue
        sheet = book.create_sheet(_sheet_name(table.title, taken))
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append([_xlsx_value(value) for value in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        sheet.freeze_panes = "A2"
        for index, column in enumerate(sheet.iter_cols(), start=1):
            width = max((_display_width(cell_text(cell.value)) for cell in column), default=6)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), 60)
    if not book.worksheets:
        book.create_sheet("说明").append(["本文档无表格"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    """Numbers stay numbers (a spreadsheet sums them); everything else is written as the DOCX shows it."""
    if isinstance(value, bool) or value is None:
        return cell_text(value)
    if isinstance(value, int | float):
        return value
    return cell_text(value)
