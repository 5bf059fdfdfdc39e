"""Triage in a second process for big imports: while the importer writes one batch (cases, timeline,
duplicate lookups: the database's part), the next batch is placed, classified, checked for remit and routed
(pure computation) in another process, so that a 100,000-order file uses both of a small server's cores.

The second process is started with "spawn" (the worker that runs imports has threads; forking it is not
safe), sets Django up without touching the database, and gets what triage reads from the database (the
streets, routing rules, key units and 包片 leaders) from the importer, pickled once. Anything that goes wrong
there is the importer's cue to triage in its own process, as it does for small files.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING

from django.conf import settings

# The second process imports this module before Django is set up: nothing here may import models.
if TYPE_CHECKING:
    from ecohotline.intake.orders import OrderInput
    from ecohotline.intake.triage import Triage, TriageContext

logger = logging.getLogger(__name__)

_context: TriageContext | None = None  # in the second process


def _start(blob: bytes) -> None:
    import django

    django.setup()
    from ecohotline.intake.triage import TriageContext

    global _context
    streets, rules, key_units, leaders, matrix = pickle.loads(blob)
    _context = TriageContext(streets=streets, rules=rules, key_units=key_units, leaders=leaders,
                             matrix=matrix if matrix is not None else {})


def _triage(orders: list[OrderInput]) -> list[Triage]:
    from ecohotline.intake.triage import triage_order

    assert _context is not None, "the triage process was not started"
    return [triage_order(order, _context) for order in orders]


def wanted(rows: int) -> bool:
    """Whether a file of this many rows is worth a second process (starting one costs about a second)."""
    return bool(settings.IMPORT_TRIAGE_PROCESS) and rows >= settings.IMPORT_TRIAGE_PROCESS_FROM_ROWS


class PreTriage:
    """One second process that triages batches of orders on request."""

    def __init__(self, context: TriageContext) -> None:
        blob = pickle.dumps((context.streets, context.rules, context.key_units, context.leaders, context.matrix))
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start, initargs=(blob,))
        self._broken = False

    def submit(self, orders: list[OrderInput]) -> Future[list[Triage]] | None:
        """The batch's triages to come, or None when the second process is gone (triage here then)."""
        if self._broken:
            return None
        try:
            return self._pool.submit(_triage, orders)
        except Exception:
            logger.warning("The triage process is not usable; triaging in this one", exc_info=True)
            self._broken = True
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def result(future: Future[list[Triage]] | None, count: int) -> list[Triage | None]:
    """The triages of a submitted batch, or Nones (triage here instead) when the second process failed."""
    if future is not None:
        try:
            triages = future.result()
        except Exception:
            logger.warning("Triage in the second process failed; triaging in this one", exc_info=True)
        else:
            if len(triages) == count:
                return list(triages)
    return [None] * count
