"""The desk's case list: server time of `ui.views.case_list` (queries and template, no network) for a signed-in
user, page 1 and a page further on for every sort, and a filtered list.

    ECOHOTLINE_DATA_DIR=/tmp/eh-1m .venv/bin/python bench/case_list.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_1m .venv/bin/python bench/case_list.py
    .venv/bin/python bench/case_list.py --role handler --repeat 50

Fill the database first, e.g. `ECOHOTLINE_DATA_DIR=/tmp/eh-1m ecohotline migrate && ecohotline demo-data
--cases 1000000`. The user is the first active one holding `--role` (dispatcher by default); each request
loads the user afresh, as the authentication middleware does. The target is a median under 300 ms at
1,000,000 cases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from urllib.parse import parse_qs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", default="dispatcher")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per scenario (after one warm-up)")
    parser.add_argument("--pages", type=int, default=20, help="how far the 'later page' scenario pages in")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from ecohotline.cases.models import Case
    from ecohotline.cases.selectors import CASE_SORTS
    from ecohotline.org.models import User
    from ecohotline.ui import views

    user_pk = (User.objects.filter(is_active=True, role_assignments__role=args.role)
               .order_by("pk").values_list("pk", flat=True).first())
    if user_pk is None:
        raise SystemExit(f"no active user with the role {args.role!r}: fill the database with demo-data first")
    factory = RequestFactory()
    translation.activate("zh-hans")

    def get(query: dict[str, str]) -> tuple[float, int, str | None]:
        request = factory.get("/cases/", query)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            request.user = User.objects.get(pk=user_pk)
            response = views.case_list(request)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        page = response.context_data["page"] if hasattr(response, "context_data") else None
        cursor = page.next_cursor if page is not None else _next_cursor(response.content.decode())
        return elapsed, len(queries), cursor

    def later(query: dict[str, str]) -> dict[str, str]:
        cursor = None
        for _ in range(args.pages):
            _elapsed, _queries, next_cursor = get({**query, **({"after": cursor} if cursor else {})})
            if next_cursor is None:
                break
            cursor = next_cursor
        return {**query, **({"after": cursor} if cursor else {})}

    scenarios: list[tuple[str, dict[str, str]]] = []
    for sort in CASE_SORTS:
        scenarios.append((f"{sort} page 1", {"sort": sort}))
        scenarios.append((f"{sort} page {args.pages + 1}", later({"sort": sort})))
    scenarios.append(("status=in_progress", {"status": "in_progress"}))
    scenarios.append(("overdue, nearest deadline", {"overdue": "true", "sort": "deadline"}))

    print(f"database  {connection.vendor}, {Case.objects.count():,} cases, role {args.role}, "
          f"{args.repeat} requests per line")
    medians = []
    for name, query in scenarios:
        get(query)  # warm-up
        samples, counts = [], set()
        for _ in range(args.repeat):
            elapsed, count, _cursor = get(query)
            samples.append(elapsed)
            counts.add(count)
        medians.append(statistics.median(samples))
        p95 = statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]
        print(f"{name:<28} p50 {medians[-1]:7.1f} ms   p95 {p95:7.1f} ms   queries {max(counts)}")
    print(f"{'all scenarios':<28} p50 {statistics.median(medians):7.1f} ms (median of the medians)")


def _next_cursor(html: str) -> str | None:
    marker = 'rel="next" href="?'
    start = html.find(marker)
    if start < 0:
        return None
    href = html[start + len(marker): html.find('"', start + len(marker))].replace("&amp;", "&")
    return parse_qs(href).get("after", [None])[0]


if __name__ == "__main__":
    main()
