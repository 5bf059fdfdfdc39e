"""`ecohotline start`: migrate, load the demo district if the database is empty, print the demo logins,
and run the web server (gunicorn) and the background worker (huey) until Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ecohotline.cases.models import Case


class Command(BaseCommand):
    help = "Start EcoHotline (web server and worker) with the demo district on the embedded database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="web processes")
        parser.add_argument("--cases", type=int, default=4800, help="demo cases to create on an empty database")
        parser.add_argument("--days", type=int, default=730,
                            help="the days they span (two years: the forecasts are checked against last year's)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo district")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"]:
            if Case.objects.exists():
                self.stdout.write("Demo data already present; keeping it.")
                call_command("demo-data", cases=0, seed=options["seed"])
            else:
                call_command("demo-data", cases=options["cases"], days=options["days"], seed=options["seed"])
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"EcoHotline is starting at {url}  (Ctrl-C stops it)"))
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        python = sys.executable
        web = subprocess.Popen([
            python, "-m", "gunicorn", "ecohotline.wsgi", "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]), "--access-logfile", "-", "--log-level", "warning",
        ])
        worker = subprocess.Popen([python, "-m", "ecohotline", "run_huey"])
        children = [web, worker]

        def stop(signum: int, frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop(signal.SIGTERM, None)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        stopped_by_us = (0, -signal.SIGTERM, -signal.SIGINT)
        if any(child.returncode not in stopped_by_us for child in children):
            sys.exit(1)
