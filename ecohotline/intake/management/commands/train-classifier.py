"""`ecohotline train-classifier [--since YYYY-MM-DD] [--min-cases N] [--limit N] [--output FILE]`: learn
the bureau's own language from confirmed cases.

The training cases are the cases whose sub-category a person confirmed (`Case.category_confirmed`: set or
corrected by a dispatcher with `set_category`, chosen at registration, or shown when a dispatcher sent the
case on), the most recent --limit of them, received on or after --since. The classifier's own guesses that
nobody confirmed are left out: learning from them would only teach the model its own mistakes.
Sub-categories with fewer than --min-cases cases are left to the keyword rules. The model is written to
DATA_DIR/models/classifier.joblib (or settings.CLASSIFIER_MODEL_FILE, or --output) and used by triage from
the next order on.
"""

from __future__ import annotations

import datetime as dt
import time
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecohotline.cases.models import Case
from ecohotline.core.workdays import BEIJING
from ecohotline.intake.classify import CODES, MIN_CASES_PER_CODE, model_path, train_classifier


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = ("Retrain the pollution classifier from the cases whose sub-category a person confirmed (never "
            "from the classifier's own unconfirmed guesses).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--since", type=_date, default=None,
                            help="only cases received on or after this date (YYYY-MM-DD, Beijing time)")
        parser.add_argument("--min-cases", type=int, default=MIN_CASES_PER_CODE,
                            help=f"cases a sub-category needs to be learnt (default {MIN_CASES_PER_CODE})")
        parser.add_argument("--limit", type=int, default=100_000,
                            help="at most this many cases, the most recent first (default 100,000)")
        parser.add_argument("--output", default=None, help=f"model file (default: {model_path()})")

    def handle(self, *args: Any, **options: Any) -> None:
        since = options["since"]
        if since is not None and not isinstance(since, dt.date):
            try:
                since = _date(str(since))
            except ArgumentTypeError as exc:
                raise CommandError(str(exc)) from exc
        started = time.monotonic()
        labelled = Case.objects.filter(sub_category__in=CODES)
        if since is not None:
            labelled = labelled.filter(received_at__gte=dt.datetime.combine(since, dt.time(0), tzinfo=BEIJING))
        cases = labelled.filter(category_confirmed=True)
        rows = list(cases.order_by("-received_at", "-pk").values_list("title", "description", "sub_category")
                    [:max(1, options["limit"])])
        texts = [f"{title} {description}" for title, description, _ in rows]
        codes = [code for _, _, code in rows]
        self.stdout.write(f"{len(rows):,} confirmed cases" + (f" received since {since}" if since else "") + ".")
        unconfirmed = labelled.filter(category_confirmed=False).count()
        if unconfirmed:
            self.stdout.write(f"Left out: {unconfirmed:,} cases whose sub-category nobody confirmed (guesses).")
        try:
            model, report = train_classifier(texts, codes, min_cases=max(1, options["min_cases"]))
        except ValueError as exc:
            raise CommandError(f"Cannot train: {exc}.") from exc
        for code, count in report.per_code.items():
            self.stdout.write(f"  {code:<28}{count:>8,}")
        if report.skipped:
            self.stdout.write("Left to the keyword rules (too few cases): "
                              + ", ".join(f"{code} ({n})" for code, n in report.skipped.items()))
        if report.model_accuracy is not None and report.rules_accuracy is not None:
            self.stdout.write(f"Cross-validated accuracy ({report.folds} folds): model {report.model_accuracy:.1%}, "
                              f"keyword rules {report.rules_accuracy:.1%}.")
        output = Path(options["output"]) if options["output"] else model_path()
        size = model.save(output)
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {output} ({size / 1e3:,.0f} kB, {len(model.labels)} sub-categories, {report.cases:,} cases) in "
            f"{time.monotonic() - started:.1f} s."))
