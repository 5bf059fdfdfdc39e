"""The import run (工单导入): a file's orders taken in through `take_in_order`, in transactional batches, with
progress and counters on the `ImportRun` and every rejected row recorded as an `ImportRejection`.

Nothing is half-written: a batch lands whole or not at all. When a batch fails on something the checks did not
foresee, it is rolled back and its rows are taken again one by one, each in its own transaction, so that only
the row at fault is rejected. Importing the same file again creates nothing (`take_in_order` finds each order
unchanged); a row whose content changed is a 补充 (`order_updated` on its case).

A dry run (试运行) takes every batch through the whole pipeline inside a transaction that is always rolled back:
its counts of new, supplemented and known orders are what a real run would give, and nothing stays written
but the run's own record and its rejected rows.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ecohotline.cases.exceptions import CaseError
from ecohotline.cases.models import Case, CaseEvent
from ecohotline.core import bulk
from ecohotline.intake import pretriage
from ecohotline.intake.models import ImportProfile, ImportRejection, ImportRun, ImportStatus, ReceivedVia
from ecohotline.intake.orders import CANONICAL_COLUMNS, OrderInput
from ecohotline.intake.parsing import FileUnreadable, Layout, OrderFile, ParsedRow, RowProblem
from ecohotline.intake.services import Outcome, take_in_order, take_in_orders
from ecohotline.intake.triage import Triage, TriageContext
from ecohotline.org.models import User

logger = logging.getLogger(__name__)

BATCH_SIZE = 200  # rows per transaction (and per progress step)
BIG_BATCH_SIZE = 1000  # for files big enough for a second process: fewer commits
REASON_MAX = int(ImportRejection._meta.get_field("reason").max_length or 300)
COLUMN_MAX = int(ImportRejection._meta.get_field("column").max_length or 50)
REJECTIONS_SHEET = "被拒绝的行"
REJECTIONS_HEADER = ("行号", "列", "原因")

Progress = Callable[[ImportRun], None]


@dataclass
class ImportReport:
    run: ImportRun
    file_kind: str = ""  # "CSV，GB18030 编码", "XLSX，工作表“Sheet1”"

    @property
    def exit_code(self) -> int:
        """0: every row taken; 1: some rows rejected; 2: the file could not be read at all."""
        if self.run.status == ImportStatus.FAILED:
            return 2
        return 1 if self.run.rejected else 0


@dataclass
class _Item:
    number: int
    values: dict[str, str]
    order: OrderInput
    repeat_of: int | None
    triage: Triage | None = None  # done in the second process


def _chunks(rows: Iterable[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    chunk: list[ParsedRow] = []
    for parsed in rows:
        chunk.append(parsed)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _to_triage(chunk: list[ParsedRow]) -> list[OrderInput]:
    """The orders of a chunk that may be new (rows repeating an earlier row never are)."""
    return [parsed.order for parsed in chunk if parsed.order is not None and parsed.repeat_of is None]


class _RepeatNotTaken(Exception):
    def __init__(self, first: int) -> None:
        super().__init__(first)
        self.first = first


class _Importer:
    def __init__(self, run: ImportRun, *, actor: User | None, dry_run: bool, batch_size: int,
                 progress: Progress | None, parallel: bool = False) -> None:
        self.run = run
        self.parallel = parallel
        self.actor = actor
        self.dry_run = dry_run
        self.batch_size = max(1, batch_size)
        self.progress = progress
        self.context = TriageContext.load()
        self.counts = {Outcome.CREATED: 0, Outcome.UPDATED: 0, Outcome.UNCHANGED: 0}
        self.rows_done = 0
        self.rejected_rows: set[int] = set()
        self.pending: list[ImportRejection] = []
        # order number → whether its first occurrence in the file was taken (for identical repeats)
        self.taken: dict[str, bool] = {}

    def run_all(self, rows: Iterable[ParsedRow]) -> None:
        """Take the rows in batches. With `parallel`, each batch is sent to the second process as soon as it
        is read, and this process writes the batch before it meanwhile."""
        helper = pretriage.PreTriage(self.context) if self.parallel else None
        try:
            waiting: tuple[list[ParsedRow], Future[list[Triage]] | None] | None = None
            for chunk in _chunks(rows, self.batch_size):
                future = helper.submit(_to_triage(chunk)) if helper is not None else None
                if waiting is not None:
                    self._chunk(*waiting)
                waiting = (chunk, future)
            if waiting is not None:
                self._chunk(*waiting)
        finally:
            if helper is not None:
                helper.close()

    def _chunk(self, chunk: list[ParsedRow], future: Future[list[Triage]] | None = None) -> None:
        triages = iter(pretriage.result(future, len(_to_triage(chunk))) if future is not None else [])
        items: list[_Item] = []
        for parsed in chunk:
            triage = next(triages, None) if parsed.order is not None and parsed.repeat_of is None else None
            if parsed.order is None:
                self._reject(parsed.row.number, parsed.row.values, parsed.problems)
                continue
            item = _Item(parsed.row.number, parsed.row.values, parsed.order, parsed.repeat_of, triage)
            if item.repeat_of is not None and self.taken.get(item.order.external_id) is False:
                self._reject_repeat(item, item.repeat_of)
                continue
            items.append(item)
        if items:
            self._take_batch(items)
        self.rows_done += len(chunk)
        self._save_progress()

    def _take_batch(self, items: list[_Item]) -> None:
        local: dict[str, bool] = {}
        try:
            with transaction.atomic():
                outcomes = self._take_all(items, local)
                if self.dry_run:
                    transaction.set_rollback(True)
        except Exception:
            logger.warning("Import run %s: a batch failed; taking its %d rows one by one", self.run.pk,
                           len(items), exc_info=True)
            self._take_one_by_one(items)
            return
        self.taken.update(local)
        for outcome in outcomes:
            self.counts[outcome] += 1

    def _take_one_by_one(self, items: list[_Item]) -> None:
        for item in items:
            local: dict[str, bool] = {}
            try:
                with transaction.atomic():
                    outcome = self._take(item, local)
                    if self.dry_run:
                        transaction.set_rollback(True)
            except _RepeatNotTaken as exc:
                self._reject_repeat(item, exc.first)
            except CaseError as exc:
                self.taken.setdefault(item.order.external_id, False)
                self._reject(item.number, item.values, [RowProblem("", f"无法导入：{exc.detail}")])
            except Exception as exc:
                logger.exception("Import run %s: row %s could not be taken in", self.run.pk, item.number)
                self.taken.setdefault(item.order.external_id, False)
                self._reject(item.number, item.values, [RowProblem("", f"导入时出错：{type(exc).__name__}: {exc}")])
            else:
                self.taken.update(local)
                self.counts[outcome] += 1

    def _take_all(self, items: list[_Item], local: dict[str, bool]) -> list[Outcome]:
        """The batch's orders through `take_in_orders` (rows repeating an order taken above count as known)."""
        outcomes: list[Outcome] = []
        fresh: list[_Item] = []
        for item in items:
            key = item.order.external_id
            if item.repeat_of is not None:
                if not local.get(key, self.taken.get(key)):
                    raise _RepeatNotTaken(item.repeat_of)
                outcomes.append(Outcome.UNCHANGED)
                continue
            fresh.append(item)
            local[key] = True
        results = take_in_orders(orders=[item.order for item in fresh], via=ReceivedVia.FILE, actor=self.actor,
                                 context=self.context, triages=[item.triage for item in fresh])
        return outcomes + [result.outcome for result in results]

    def _take(self, item: _Item, local: dict[str, bool]) -> Outcome:
        key = item.order.external_id
        if item.repeat_of is not None:
            if local.get(key, self.taken.get(key)):
                return Outcome.UNCHANGED  # the same order, already taken a few rows up
            raise _RepeatNotTaken(item.repeat_of)
        result = take_in_order(order=item.order, via=ReceivedVia.FILE, actor=self.actor, context=self.context)
        local[key] = True
        return result.outcome

    def _reject_repeat(self, item: _Item, first: int) -> None:
        problem = RowProblem("工单编号", f"与第 {first} 行重复，而第 {first} 行未能导入")
        self._reject(item.number, item.values, [problem])

    def _reject(self, number: int, values: dict[str, str], problems: list[RowProblem]) -> None:
        self.rejected_rows.add(number)
        for problem in problems or [RowProblem("", "无法导入")]:
            self.pending.append(ImportRejection(
                run=self.run, row_number=number, column=problem.column[:COLUMN_MAX],
                reason=problem.reason[:REASON_MAX], values=_storable(values),
            ))

    def _save_progress(self) -> None:
        run = self.run
        run.rows_done = self.rows_done
        run.created = self.counts[Outcome.CREATED]
        run.updated = self.counts[Outcome.UPDATED]
        run.unchanged = self.counts[Outcome.UNCHANGED]
        run.rejected = len(self.rejected_rows)
        run.heartbeat_at = timezone.now()
        with transaction.atomic():
            ImportRejection.objects.bulk_create(self.pending)
            ImportRun.objects.filter(pk=run.pk).update(
                rows_done=run.rows_done, created=run.created, updated=run.updated, unchanged=run.unchanged,
                rejected=run.rejected, heartbeat_at=run.heartbeat_at,
            )
        self.pending = []
        if self.progress is not None:
            self.progress(run)


def _storable(values: dict[str, str]) -> dict[str, str]:
    """The row as read, with what no database keeps in text (NUL) shown as U+FFFD."""
    return {key.replace("\x00", "\ufffd"): value.replace("\x00", "\ufffd") if isinstance(value, str) else value
            for key, value in values.items()}


def run_import(*, path: Path | str, layout: Layout | None = None, profile: ImportProfile | None = None,
               actor: User | None = None, dry_run: bool = False, run: ImportRun | None = None,
               file_name: str = "", batch_size: int | None = None, progress: Progress | None = None) -> ImportReport:
    """Import one order file. Counts its rows first (which also finds a file broken half-way before anything
    is written), then takes the rows in batches. A file that cannot be read leaves the run `failed` with the
    reason in `error`; nothing else is written. The run's `heartbeat_at` is set at the start and with every
    batch, so that a run whose worker died can be told from one that is merely long."""
    path = Path(path)
    layout = layout or Layout.from_profile(profile)
    if run is None:
        run = ImportRun.objects.create(file_name=(file_name or path.name)[:255], profile=profile, started_by=actor,
                                       dry_run=dry_run, heartbeat_at=timezone.now())
    else:
        run.heartbeat_at = timezone.now()
        ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=run.heartbeat_at)
    report = ImportReport(run)
    try:
        with OrderFile(path, layout) as source:
            report.file_kind = source.description
            run.rows_total = source.count()
            run.heartbeat_at = timezone.now()
            ImportRun.objects.filter(pk=run.pk).update(rows_total=run.rows_total, heartbeat_at=run.heartbeat_at)
            if progress is not None:
                progress(run)
            parallel = pretriage.wanted(run.rows_total)
            _Importer(run, actor=actor, dry_run=dry_run, progress=progress, parallel=parallel,
                      batch_size=batch_size or (BIG_BATCH_SIZE if parallel else BATCH_SIZE)).run_all(source.parsed())
            if parallel and not dry_run and run.created:
                bulk.refresh_statistics(Case, CaseEvent)  # thousands of new cases: fresh plans
    except FileUnreadable as exc:
        _finish(run, ImportStatus.FAILED, exc.message)
        return report
    except BaseException as exc:
        _finish(run, ImportStatus.FAILED, f"导入中断：{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(run, ImportStatus.DONE)
    return report


def _finish(run: ImportRun, status: str, error: str = "") -> None:
    # Written even over a run `fail_stale_runs` gave up on meanwhile: the worker was slow, not dead, and its
    # outcome is the true one.
    run.status = status
    run.error = error
    run.finished_at = run.heartbeat_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "heartbeat_at"])


# --- the rejected rows as a workbook ---------------------------------------------------------------------


def _cell_text(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", "" if value is None else str(value))


def rejection_headers(run: ImportRun, rejections: list[ImportRejection]) -> list[str]:
    """The file's headers found in the rejected rows: the canonical columns first (in the file's own names),
    then the others. (The order of keys in a JSON column is not kept by every database.)"""
    present: dict[str, None] = {}
    for rejection in rejections:
        for key in rejection.values:
            present.setdefault(str(key), None)
    layout = Layout.from_profile(run.profile)
    ordered = [layout.header_for(column) for column in CANONICAL_COLUMNS if layout.header_for(column) in present]
    return ordered + [key for key in present if key not in ordered]


def write_rejections(run: ImportRun, target: IO[bytes] | Path | str) -> int:
    """Write the run's rejected rows as XLSX (行号, 列, 原因, then the row as read); the number written.

    Every value is written as text: a value starting with "=" stays text, never a formula, and characters
    XLSX cannot hold are replaced."""
    rejections = list(run.rejections.all())
    headers = rejection_headers(run, rejections)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(REJECTIONS_SHEET)
    sheet.append([*REJECTIONS_HEADER, *headers])
    for rejection in rejections:
        cells: list[object] = [rejection.row_number]
        for value in (rejection.column, rejection.reason, *(rejection.values.get(h, "") for h in headers)):
            cell = WriteOnlyCell(sheet, value=_cell_text(value))
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)
    return len(rejections)


# --- the import page's uploads ---------------------------------------------------------------------------


def start_upload(*, upload: UploadedFile, profile: ImportProfile | None, dry_run: bool, actor: User) -> ImportRun:
    """Keep an uploaded file under MEDIA_ROOT/imports/ (not served directly: `views.import_file` gives it back
    to whom may have it), record its run with where the file is kept, and hand the import to the worker once
    the run is committed. The run has no heartbeat until a worker takes it up."""
    from ecohotline.intake.tasks import import_orders_file

    original = Path(upload.name or "orders").name
    stamp = timezone.localtime().strftime("%Y/%m/%Y%m%d-%H%M%S")
    stored = default_storage.save(f"imports/{stamp}-{secrets.token_hex(4)}-{original}"[:200], upload)
    run = ImportRun.objects.create(file_name=original[:255], stored_file=stored, profile=profile, started_by=actor,
                                   dry_run=dry_run)
    run_id = run.pk
    transaction.on_commit(lambda: import_orders_file(run_id))
    return run
