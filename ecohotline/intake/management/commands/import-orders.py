"""`ecohotline import-orders FILE [--profile NAME] [--dry-run] [--rejects-out FILE.xlsx]`: import a 12345 export.

Exit code 0 when every row was taken, 1 when some rows were rejected, 2 when the file cannot be read at all
(or the profile, user or file named does not exist). Progress goes to stderr, the summary to stdout.
"""

from __future__ import annotations

import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from ecohotline.intake.importing import BATCH_SIZE, ImportReport, run_import, write_rejections
from ecohotline.intake.models import ImportProfile, ImportRun
from ecohotline.org.models import Role, User

LISTED = 50


class Command(BaseCommand):
    help = "Import 12345 orders from a CSV (UTF-8 or GBK/GB18030) or XLSX file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--profile", default="", help="name of the import profile for another layout")
        parser.add_argument("--dry-run", action="store_true",
                            help="check every row through the whole pipeline, then roll back: write no cases")
        parser.add_argument("--rejects-out", default="", metavar="FILE.xlsx",
                            help="write the rejected rows (row, column, reason, values) to this XLSX file")
        parser.add_argument("--user", default="", help="username of the dispatcher the import is recorded for "
                            "(default: the system)")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                            help=f"rows per transaction (default {BATCH_SIZE})")
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def fail(self, message: str) -> None:
        self.stderr.write(message)
        raise SystemExit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            self.fail(f"无法读取文件 {path}：文件不存在")
        profile = None
        if options["profile"]:
            profile = ImportProfile.objects.filter(name=options["profile"]).first()
            if profile is None:
                names = "、".join(ImportProfile.objects.order_by("name").values_list("name", flat=True)) or "无"
                self.fail(f"没有名为“{options['profile']}”的导入配置（已有：{names}）")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                self.fail(f"没有用户名为“{options['user']}”的在职用户")
            elif not actor.has_role(Role.DISPATCHER, Role.ADMIN):
                self.fail(f"用户“{options['user']}”不是派单员或管理员，不能导入工单")
        quiet = options["quiet"] or int(options.get("verbosity", 1)) == 0
        started = time.monotonic()

        def progress(run: ImportRun) -> None:
            if quiet or not run.rows_total:
                return
            elapsed = max(time.monotonic() - started, 1e-9)
            rate = run.rows_done / elapsed
            self.stderr.write(f"\r  {run.rows_done:>9,} / {run.rows_total:,} 行（{rate:,.0f} 行/秒）", ending="")
            self.stderr.flush()

        report = run_import(path=path, profile=profile, actor=actor, dry_run=options["dry_run"],
                            batch_size=options["batch_size"], progress=progress)
        if not quiet and report.run.rows_total:
            self.stderr.write("")
        if options["rejects_out"] and report.exit_code != 2:
            write_rejections(report.run, Path(options["rejects_out"]))
        self._summary(report, path, options["rejects_out"], time.monotonic() - started)
        if report.exit_code:
            sys.stdout.flush()
            raise SystemExit(report.exit_code)

    def _summary(self, report: ImportReport, path: Path, rejects_out: str, seconds: float) -> None:
        run = report.run
        if report.exit_code == 2:
            self.fail(f"无法读取文件 {path.name}：{run.error}")
        say = self.stdout.write
        say(f"文件：{path.name}（{report.file_kind}）")
        say(f"共 {run.rows_total:,} 行，用时 {seconds:,.1f} 秒：新建 {run.created:,}，补充 {run.updated:,}，"
            f"已存在 {run.unchanged:,}，拒绝 {run.rejected:,}")
        if run.rejected:
            rejections = list(run.rejections.all()[: LISTED + 1])
            total = run.rejections.count()
            say("被拒绝的行：")
            for rejection in rejections[:LISTED]:
                where = f"第 {rejection.row_number} 行"
                say(f"  {where} {rejection.column}：{rejection.reason}" if rejection.column
                    else f"  {where}：{rejection.reason}")
            if total > LISTED:
                more = f"  …（另有 {total - LISTED:,} 条"
                say(more + (f"，全部见 {rejects_out}）" if rejects_out else "，用 --rejects-out 导出全部）"))
        if rejects_out:
            say(f"被拒绝的行已写入 {rejects_out}")
        if run.dry_run:
            say("试运行：已逐行检查并模拟导入，未写入任何工单。")
