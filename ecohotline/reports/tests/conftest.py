"""Fixtures of the reports tests: media in a temporary folder, the clock frozen on a Monday morning, helpers that
build handled cases and read documents back."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document as read_docx
from openpyxl import load_workbook

from ecohotline.cases import services
from ecohotline.cases.models import Case, Channel
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import make_case

# Monday 23 November 2026, 08:30 in Beijing: a working day, the morning the worker makes the documents.
NOW = dt.datetime(2026, 11, 23, 8, 30, tzinfo=BEIJING)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clock(time_machine: Any) -> dt.datetime:
    time_machine.move_to(NOW, tick=False)
    return NOW


def handled(org: Any, *, replied: dt.datetime, unit: Any = None, street: Any = None, category: str = "noise",
            sub_category: str = "noise.social", **fields: Any) -> Case:
    """A 12345 complaint received two days before `replied`, dispatched, accepted and replied to."""
    unit = unit or org.squad
    case = make_case(street=street or org.street, title="噪声扰民", channel=Channel.HOTLINE_12345,
                     received_at=replied - dt.timedelta(days=2), category=category, sub_category=sub_category,
                     **fields)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=unit)
    handler = org.handler if unit == org.squad else org.other_handler
    services.accept_case(actor=handler, case=case)
    services.reply_to_complainant(actor=handler, case=case, text="已处理", at=replied)
    case.refresh_from_db()
    return case


def visit(org: Any, case: Case, when: dt.datetime, satisfaction: str, *, contacted: bool = True,
          solved: bool = True) -> None:
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=contacted, solved=solved,
                                 satisfaction=satisfaction, at=when)
    case.refresh_from_db()


def docx_text(content: bytes) -> str:
    """Every paragraph and every table cell of a DOCX, one per line."""
    document = read_docx(io.BytesIO(content))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines)


def docx_tables(content: bytes) -> list[list[list[str]]]:
    document = read_docx(io.BytesIO(content))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def docx_images(content: bytes) -> int:
    return len(read_docx(io.BytesIO(content)).inline_shapes)


def workbook_rows(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
