"""`ecohotline train-remit [--data DIR] [--output FILE] [--all]`: rebuild the remit (department) model.

Trains on the 70% training split of labelled_messages.csv (see `remit.SPLIT_SEED` for the split rule),
calibrates it and chooses the keep/return/joint thresholds by cross-validation inside that split, and
writes the model shipped in the package (or --output). --all trains on every labelled message instead
(for deployment; the hold-out figures then no longer apply and eval-remit retrains in memory).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecohotline.intake import remit


def data_dir_or_exit(value: str | None) -> Path:
    """The govmsg folder, or CommandError (exit status 2) saying clearly that it is missing."""
    folder = Path(value) if value else remit.default_data_dir()
    if not remit.labelled_file(folder).is_file():
        raise CommandError(
            f"The labelled govmsg data was not found: {remit.labelled_file(folder)} does not exist. "
            f"It lives in the shared folder next to the project (../shared/data/govmsg); pass --data DIR "
            f"to use another copy.", returncode=2)
    return folder


class Command(BaseCommand):
    help = "Rebuild the remit (department) model from the labelled govmsg messages."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--data", default=None,
                            help="folder holding labelled_messages.csv (default: ../shared/data/govmsg next to "
                                 "the project)")
        parser.add_argument("--output", default=None,
                            help=f"model file to write (default: {remit.model_path()})")
        parser.add_argument("--all", action="store_true",
                            help="train on every labelled message, hold-out included (for deployment only)")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = data_dir_or_exit(options["data"])
        started = time.monotonic()
        try:
            messages = remit.load_messages(folder)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {remit.labelled_file(folder)}: {exc}", returncode=2) from exc
        train_rows, holdout_rows = remit.holdout_split([m.label for m in messages])
        rows = list(range(len(messages))) if options["all"] else train_rows
        self.stdout.write(f"{len(messages):,} labelled messages: training on {len(rows):,} "
                          f"({'all of them' if options['all'] else 'the training split'}), "
                          f"hold-out {len(holdout_rows):,}.")
        meta = {
            "data_sha256": remit.file_sha256(remit.labelled_file(folder)),
            "split": {"seed": remit.SPLIT_SEED, "holdout_share": remit.HOLDOUT_SHARE, "train": len(train_rows),
                      "holdout": len(holdout_rows), "train_rows_sha256": remit.rows_digest(train_rows)},
            "training_rows": "all" if options["all"] else "train",
        }
        model = remit.train_department_model(messages, rows, meta=meta,
                                             progress=lambda step: self.stdout.write(f"  {step}…"))
        output = Path(options["output"]) if options["output"] else remit.model_path()
        size = model.save(output)
        cv = model.meta["cross_validation"]
        thresholds = model.meta["thresholds"]
        self.stdout.write(f"Cross-validation inside the training rows ({cv['folds']} folds): macro-F1 "
                          f"{cv['macro_f1']:.4f}, accuracy {cv['accuracy']:.4f}; softmax temperature "
                          f"{model.temperature:.3f}.")
        stats = thresholds.get("validation", {})
        self.stdout.write(
            f"Thresholds: return ≥ {thresholds['return']:.2f} with 环境保护 < {thresholds['joint']:.2f}, joint when "
            f"环境保护 ≥ {thresholds['joint']:.2f}, pollution keep ≥ {thresholds['pollution_keep']:.2f}"
            + (f" (validation: {stats['others_returned']:.1%} of other departments' messages returned, "
               f"{stats['return_precision']:.1%} to the right department; {stats['ours_returned']:.1%} of "
               f"环境保护 returned, {stats['ours_joint']:.1%} joint)." if stats else "."))
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {output} ({size / 1e6:.2f} MB, {model.n_features:,} features) in "
            f"{time.monotonic() - started:.1f} s."))
