"""What the benchmarks share: the database they run on, and a demo district to fill an empty one with.

    use_database(args.data, "/tmp/eh-kpis-100000")   # before Django is set up
    ensure_demo_data(cases=100_000, end="2026-11-22")  # migrated, and filled when empty
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any


def use_database(data: Path | None, default_folder: str) -> None:
    """PostgreSQL when DATABASE_URL names one; otherwise SQLite in `data` (else $ECOHOTLINE_DATA_DIR, else
    `default_folder`). Then Django is set up with the project's settings."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        folder = data or Path(os.environ.get("ECOHOTLINE_DATA_DIR") or default_folder)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["ECOHOTLINE_DATA_DIR"] = str(folder)
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def ensure_demo_data(*, cases: int, **options: Any) -> None:
    """Migrate, and fill an empty database with `ecohotline demo-data --cases N` (and `options`); a database that
    holds cases already is used as it is."""
    from django.core.management import call_command

    from ecohotline.cases.models import Case

    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        return
    print(f"filling the database with {cases:,} cases (ecohotline demo-data)…", file=sys.stderr)
    started = time.monotonic()
    with open(os.devnull, "w") as quiet:
        call_command("demo-data", cases=cases, quiet=True, stdout=quiet, **options)
    print(f"  built in {time.monotonic() - started:,.0f} s", file=sys.stderr)
