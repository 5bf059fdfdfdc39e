"""Time the remit (department) model: messages per second on one core over the 30% hold-out, and its size.

    .venv/bin/python bench/remit_speed.py                 # the shipped model, ../shared/data/govmsg
    .venv/bin/python bench/remit_speed.py --runs 9 --model /path/to/remit.joblib --data /path/to/govmsg

One core: the OpenMP/OpenBLAS/MKL pools are limited to one thread before numpy loads (and again with
threadpoolctl). Three figures, each the median of --runs passes over the hold-out texts: a batch (all the
texts in one call), one message per call (as triage does), and the full check_remit decision per message
(pollution rules included). Load time and file size are printed too.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", default=None, help="model file (default: the shipped one)")
    parser.add_argument("--data", default=None, help="govmsg folder (default: ../shared/data/govmsg)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="eh-bench-remit-") as scratch:
        os.environ.setdefault("ECOHOTLINE_DATA_DIR", scratch)  # settings want a data folder; nothing is kept
        return run(args)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    import django

    django.setup()
    from threadpoolctl import threadpool_limits

    from ecohotline.intake import remit
    from ecohotline.intake.classify import classify_by_rules
    from ecohotline.intake.textmodels import LinearTextModel

    folder = Path(args.data) if args.data else remit.default_data_dir()
    if not remit.labelled_file(folder).is_file():
        print(f"The labelled govmsg data was not found at {remit.labelled_file(folder)}.", file=sys.stderr)
        return 2
    path = Path(args.model) if args.model else remit.model_path()
    started = time.perf_counter()
    model = LinearTextModel.load(path)
    load_seconds = time.perf_counter() - started
    messages = remit.load_messages(folder)
    _, holdout = remit.holdout_split([m.label for m in messages])
    texts = [messages[r].text for r in holdout]
    chars = sum(len(t) for t in texts) / len(texts)

    def rate(run: object) -> float:
        rates = []
        with threadpool_limits(limits=1):
            for _ in range(args.runs):
                t0 = time.perf_counter()
                run()  # type: ignore[operator]
                rates.append(len(texts) / (time.perf_counter() - t0))
        return statistics.median(rates)

    rules = [classify_by_rules(t) for t in texts]
    batch = rate(lambda: model.probabilities(texts))
    single = rate(lambda: [model.probabilities([t]) for t in texts])
    remit._MODEL.get()  # loaded once, outside the clock
    decisions = rate(lambda: [remit.check_remit(t, c.code, classification=c)
                              for t, c in zip(texts, rules, strict=True)])
    print(f"model     {path} ({path.stat().st_size / 1e6:.2f} MB on disk, {model.n_features:,} features, "
          f"loaded in {load_seconds * 1000:.0f} ms)")
    print(f"hold-out  {len(texts):,} messages, {chars:.0f} characters on average")
    print(f"batch     {batch:,.0f} messages/s   (one core, median of {args.runs})")
    print(f"single    {single:,.0f} messages/s   (one message per call)")
    print(f"decision  {decisions:,.0f} messages/s   (check_remit per message, matrix included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
