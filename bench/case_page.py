"""The desk's case page: server time of `ui.views.case_detail` (queries, timeline, related cases, action forms
and template; no network) for signed-in users, on cases picked at random across the database.

    ECOHOTLINE_DATA_DIR=/tmp/eh-1m .venv/bin/python bench/case_page.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_1m .venv/bin/python bench/case_page.py
    .venv/bin/python bench/case_page.py --cases 200 --role handler

Fill the database first, e.g. `ECOHOTLINE_DATA_DIR=/tmp/eh-1m ecohotline migrate && ecohotline demo-data
--cases 1000000`. Each role reads cases it may see: a dispatcher or leader any case, a handler the cases of
their unit (the actions they may take are drawn as forms). Each request loads the user afresh, as the
authentication middleware does. The target is a median under 300 ms at 1,000,000 cases.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100, help="cases read per role (after one warm-up)")
    parser.add_argument("--role", action="append", help="roles to measure (default dispatcher, handler, leader)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from ecohotline.cases import access
    from ecohotline.cases.models import Case
    from ecohotline.org.models import User
    from ecohotline.ui import views

    factory = RequestFactory()
    translation.activate("zh-hans")
    rng = random.Random(args.seed)
    top = Case.objects.aggregate(top=Max("pk"))["top"] or 0
    print(f"database  {connection.vendor}, {Case.objects.count():,} cases, {args.cases} case pages per role")

    for role in args.role or ["dispatcher", "handler", "leader"]:
        user = (User.objects.filter(is_active=True, role_assignments__role=role).order_by("pk").first())
        if user is None:
            raise SystemExit(f"no active user with the role {role!r}: fill the database with demo-data first")
        visible = access.visible_cases(user)
        picked: list[int] = []
        while len(picked) < args.cases + 1:
            # A random id, then the first case the user may see from there: spread over the whole table.
            start = rng.randint(1, top)
            pk = visible.filter(pk__gte=start).order_by("pk").values_list("pk", flat=True).first()
            if pk is not None:
                picked.append(pk)
        samples, counts = [], []
        for number, pk in enumerate(picked):
            request = factory.get(f"/cases/{pk}/")
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                request.user = User.objects.get(pk=user.pk)
                request.session = {}  # type: ignore[assignment]
                request._messages = _NoMessages()  # type: ignore[attr-defined]
                response = views.case_detail(request, pk)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (pk, response.status_code)
            if number:  # the first is the warm-up
                samples.append(elapsed)
                counts.append(len(queries))
        p95 = statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]
        print(f"{role:<12} p50 {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   max {max(samples):7.1f} ms"
              f"   queries median {statistics.median(counts):.0f}, max {max(counts)}")


class _NoMessages(list):  # type: ignore[type-arg]
    """The messages framework's storage as the page reads it (nothing to show)."""

    def add(self, *args: object, **kwargs: object) -> None:
        pass


if __name__ == "__main__":
    main()
