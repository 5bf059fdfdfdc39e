"""`ecohotline report daily|weekly|monthly|meeting --date YYYY-MM-DD [--out DIR]`.

Generates the document into the archive (as the reports page does) and, with `--out`, copies its DOCX and XLSX
into DIR. For `meeting`, DATE is the day the meeting is held (it reviews the week before).
"""

from __future__ import annotations

import datetime as dt
import shutil
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ecohotline.reports.models import ReportKind
from ecohotline.reports.services import generate_report


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"日期格式应为 YYYY-MM-DD / not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = ("Generate the 日调度单 (daily), 周分析 (weekly), 月总结 (monthly) or 周调度会材料 (meeting) as DOCX and "
            "XLSX.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument("--date", type=_date, help="the day (default: today in Beijing); for weekly the week "
                                                       "containing it, for monthly its assessment month")
        parser.add_argument("--out", type=Path, help="a folder to copy the DOCX and XLSX into")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"] or timezone.localdate()
        out: Path | None = options["out"]
        if out is not None:
            if out.exists() and not out.is_dir():
                raise CommandError(f"--out 应为文件夹 / --out must be a folder: {out}")
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CommandError(
                    f"无法创建 --out 文件夹 / cannot create the --out folder {out}: {exc.strerror}") from exc
        run = generate_report(kind=options["kind"], day=day, actor=None)
        self.stdout.write(f"{run.kind} {run.period_start:%Y-%m-%d}–{run.period_end:%Y-%m-%d} v{run.version}")
        for field in (run.docx, run.xlsx):
            if not field.name:
                continue
            if out is None:
                self.stdout.write(field.path)
                continue
            target = out / Path(field.name).name
            with field.open("rb") as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy)
            self.stdout.write(str(target))
