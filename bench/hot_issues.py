"""Hot issues (热点问题) of 附件3, hotspot_messages.csv (4,326 messages): the core of `ecohotline hot-issues`.

    .venv/bin/python bench/hot_issues.py                       # ../shared/data/govmsg/hotspot_messages.csv
    .venv/bin/python bench/hot_issues.py --input FILE.csv --repeat 5

Timed, each `--repeat` times (default 3) in one process after the libraries are loaded (jieba's dictionary and
scikit-learn's imports, about 3 s, are paid once per process and reported apart), median and max:

* reading the file (encoding guessed, every cell checked);
* `find_hot_issues` (parsing, TF-IDF, average linkage, merging, heat, naming the top 10);
* the whole command (`call_command("hot-issues", …)`, table output), the target being under 60 s.

The top 10 of the last run are printed, so a change of speed can be checked against a change of answer.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _time(label: str, run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    samples = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples)
    print(f"{label:<40} median {median:7.2f} s   max {max(samples):7.2f} s   ({repeat} runs)")
    return median, result


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path,
                        default=root.parent / "shared" / "data" / "govmsg" / "hotspot_messages.csv")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    if not args.input.is_file():
        print(f"no such file: {args.input}", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    sys.path.insert(0, str(root))
    started = time.perf_counter()
    import django

    django.setup()
    import jieba
    import sklearn.cluster
    import sklearn.feature_extraction.text

    assert sklearn.cluster and sklearn.feature_extraction.text  # loaded here so that the timings leave them out
    from django.core.management import call_command

    from ecohotline.insight.hotissues import find_hot_issues, read_messages

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    print(f"{'loading Django, scikit-learn and jieba':<40} {time.perf_counter() - started:7.2f} s (once)")
    _, messages = _time("read the file", lambda: read_messages(args.input), args.repeat)
    print(f"{len(messages):,} messages")
    _, issues = _time(f"find_hot_issues (top {args.top})", lambda: find_hot_issues(messages, top=args.top),
                      args.repeat)
    _time("the command (table)", lambda: call_command("hot-issues", "--input", str(args.input), "--top",
                                                      str(args.top), stdout=io.StringIO()), args.repeat)
    for issue in issues:
        print(f"{issue.rank:>3} {issue.heat:7.1f}  {issue.name}  ({issue.messages} messages, "
              f"{issue.complainants} complainants, {issue.first_at:%Y-%m-%d} – {issue.last_at:%Y-%m-%d})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
