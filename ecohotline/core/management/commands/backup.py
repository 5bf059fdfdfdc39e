"""`ecohotline backup FOLDER`: save the database and the uploaded files into a new folder, with a manifest
(`ecohotline.core.backup`). The platform may keep running: SQLite is copied with its online backup, PostgreSQL
dumped from one snapshot. `--check FOLDER` checks an existing backup against its manifest instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecohotline.core import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder (or --check an existing backup)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--check", action="store_true", help="check an existing backup against its manifest")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        try:
            if options["check"]:
                result = backup.check_backup(folder)
                if not result.matches:
                    raise CommandError(f"{folder}: {result}")
                self.stdout.write(f"{folder}: the backup matches its manifest.")
                return
            manifest = backup.backup(folder)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(f"Backed up {len(manifest['tables'])} tables ({rows:,} rows) and {len(manifest['files'])} "
                          f"files of the {manifest['vendor']} database into {folder}.")
