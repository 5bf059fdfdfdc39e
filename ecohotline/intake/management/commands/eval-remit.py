"""`ecohotline eval-remit [--data DIR] [--model FILE] [--min-f1 0.90] [--retrain]`: the remit model's
figures on the fixed 30% hold-out of labelled_messages.csv.

Prints the sizes, precision/recall/F1 per label, macro-F1, accuracy and the inference speed on one core,
and exits with status 1 when macro-F1 is below --min-f1 (2 when the data is missing). The model must have
been trained on this split of this file (train-remit records both); otherwise — or with --retrain — a
model is trained in memory on the training split first.
"""

from __future__ import annotations

import importlib
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecohotline.intake import remit
from ecohotline.intake.textmodels import LinearTextModel

data_dir_or_exit = importlib.import_module("ecohotline.intake.management.commands.train-remit").data_dir_or_exit


def trained_on_this_split(model: LinearTextModel, data_sha256: str, train_rows: list[int]) -> str:
    """Why the model cannot be evaluated on this hold-out ("" when it can)."""
    meta = model.meta
    split = meta.get("split", {})
    if meta.get("training_rows") != "train":
        return "the model was trained on all the messages, hold-out included"
    if meta.get("data_sha256") != data_sha256:
        return "the model was trained on another version of labelled_messages.csv"
    if (split.get("seed"), split.get("holdout_share"), split.get("train_rows_sha256")) != (
            remit.SPLIT_SEED, remit.HOLDOUT_SHARE, remit.rows_digest(train_rows)):
        return "the model was trained on another split"
    return ""


class Command(BaseCommand):
    help = "Evaluate the remit (department) model on the fixed 30% hold-out of the labelled govmsg messages."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--data", default=None,
                            help="folder holding labelled_messages.csv (default: ../shared/data/govmsg next to "
                                 "the project)")
        parser.add_argument("--model", default=None, help=f"model file (default: {remit.model_path()})")
        parser.add_argument("--min-f1", type=float, default=remit.MIN_MACRO_F1,
                            help=f"exit with status 1 below this macro-F1 (default {remit.MIN_MACRO_F1})")
        parser.add_argument("--retrain", action="store_true",
                            help="train a model on the training split in memory and evaluate that")
        parser.add_argument("--runs", type=int, default=5, help="timing runs (the median is shown; default 5)")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = data_dir_or_exit(options["data"])
        try:
            messages = remit.load_messages(folder)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {remit.labelled_file(folder)}: {exc}", returncode=2) from exc
        train_rows, holdout_rows = remit.holdout_split([m.label for m in messages])
        path = Path(options["model"]) if options["model"] else remit.model_path()
        model = LinearTextModel.load(path) if path.is_file() and not options["retrain"] else None
        why = "--retrain" if options["retrain"] else (f"no model file at {path}" if model is None else "")
        if model is not None:
            why = trained_on_this_split(model, remit.file_sha256(remit.labelled_file(folder)), train_rows)
        if why:
            self.stdout.write(f"Training a model on the training split in memory ({why})…")
            model = remit.train_department_model(messages, train_rows)
            source = "trained in memory"
        else:
            assert model is not None
            source = f"{path} ({path.stat().st_size / 1e6:.2f} MB)"
        self.stdout.write(f"Model: {source}, {model.n_features:,} features.")
        holdout_ours = sum(messages[r].label == remit.OURS for r in holdout_rows)
        self.stdout.write(
            f"Data: {len(messages):,} labelled messages ({sum(bool(m.body) for m in messages):,} with a body); "
            f"training split {len(train_rows):,}, hold-out {len(holdout_rows):,} (30%, stratified, seed "
            f"{remit.SPLIT_SEED}; {holdout_ours} of them 环境保护).")
        result = remit.evaluate(model, messages, holdout_rows)
        self.stdout.write("")
        self.stdout.write(f"{'label':<16}{'precision':>10}{'recall':>9}{'F1':>9}{'support':>9}")
        for label, row in result.per_label.items():
            pad = 16 - 2 * len(label)  # CJK characters take two columns
            self.stdout.write(f"{label}{' ' * pad}{row['precision']:>10.4f}{row['recall']:>9.4f}"
                              f"{row['f1']:>9.4f}{row['support']:>9}")
        self.stdout.write("")
        self.stdout.write(f"macro-F1  {result.macro_f1:.4f}   (required ≥ {options['min_f1']:.2f})")
        self.stdout.write(f"accuracy  {result.accuracy:.4f}")
        cv = model.meta.get("cross_validation")
        if cv:
            self.stdout.write(f"(cross-validation inside the training split: macro-F1 {cv['macro_f1']:.4f}, "
                              f"accuracy {cv['accuracy']:.4f})")
        texts = [messages[r].text for r in holdout_rows]
        runs = max(1, options["runs"])
        batch = remit.measure_speed(model, texts, runs=runs)
        single = remit.measure_speed(model, texts, runs=max(1, runs // 2), single=True)
        self.stdout.write(f"speed     {batch:,.0f} messages/s in batches, {single:,.0f} messages/s one at a time "
                          f"(one core, median of {runs} runs over the hold-out)")
        if result.macro_f1 < options["min_f1"]:
            raise CommandError(f"macro-F1 {result.macro_f1:.4f} is below {options['min_f1']:.2f}", returncode=1)
