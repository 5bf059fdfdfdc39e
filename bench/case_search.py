"""Full-text search of the case list: server time of `ui.views.case_list` with `q` (queries and template, no
network) for a signed-in user, for words the trigram index serves (3+ characters), short words it cannot serve
(searched in list order until the page is full), order numbers and words that match nothing.

    ECOHOTLINE_DATA_DIR=/tmp/eh-1m .venv/bin/python bench/case_search.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_1m .venv/bin/python bench/case_search.py
    .venv/bin/python bench/case_search.py --q 油烟 --q 中关村大街 --repeat 50

Fill the database first, e.g. `ECOHOTLINE_DATA_DIR=/tmp/eh-1m ecohotline migrate && ecohotline demo-data
--cases 1000000` (migration 0009 builds the search index). The user is the first active one holding `--role`
(dispatcher by default). Each line also says how many cases the search finds (one COUNT, outside the timing).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

# (what it shows, query); the order number is taken from the database.
DEFAULT_QUERIES = [
    ("3+ chars, frequent", "油烟扰民"),
    ("3+ chars, place", "育新花园"),
    ("3+ chars, rare", "福满楼串吧"),
    ("3+ chars, two words", "施工 凌晨"),
    ("2 chars, frequent", "油烟"),
    ("2 chars, rare", "锅炉"),
    ("1 char", "鑫"),
    ("no match, 3+ chars", "核辐射泄漏"),
    ("no match, 2 chars", "核泄"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", default="dispatcher")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per query (after one warm-up)")
    parser.add_argument("--q", action="append", help="a query to time (repeatable; default: a built-in set)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from ecohotline.cases import search
    from ecohotline.cases.models import Case
    from ecohotline.org.models import User
    from ecohotline.ui import views

    user_pk = (User.objects.filter(is_active=True, role_assignments__role=args.role)
               .order_by("pk").values_list("pk", flat=True).first())
    if user_pk is None:
        raise SystemExit(f"no active user with the role {args.role!r}: fill the database with demo-data first")
    factory = RequestFactory()
    translation.activate("zh-hans")

    queries = [(text, text) for text in args.q] if args.q else list(DEFAULT_QUERIES)
    if not args.q:
        order = Case.objects.exclude(external_id="").order_by("pk").values_list("external_id", flat=True).first()
        if order:
            queries.append(("order number", order))
            queries.append(("order number, part", order[-7:]))

    def get(query: dict[str, str]) -> tuple[float, int]:
        request = factory.get("/cases/", query)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            request.user = User.objects.get(pk=user_pk)
            response = views.case_list(request)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed, len(captured)

    print(f"database  {connection.vendor}, {Case.objects.count():,} cases, role {args.role}, "
          f"{args.repeat} requests per line")
    for name, text in queries:
        hits = search.matching(Case.objects.all(), text).count()
        for sort in ("-received", "deadline"):
            get({"q": text, "sort": sort})  # warm-up
            samples, counts = [], set()
            for _ in range(args.repeat):
                elapsed, count = get({"q": text, "sort": sort})
                samples.append(elapsed)
                counts.add(count)
            p50 = statistics.median(samples)
            p95 = statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]
            label = f"{name} «{text}» {sort}"
            print(f"{label:<44} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   queries {max(counts)}   found {hits:,}")


if __name__ == "__main__":
    main()
