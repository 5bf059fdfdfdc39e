"""`ecohotline restore FOLDER`: replace the database and the uploaded files by a backup made with `ecohotline
backup`, and check the result against the backup's manifest. Stop the web server and the worker first.
`--check` only compares the running database and files with the backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecohotline.core import backup


class Command(BaseCommand):
    help = "Restore the database and the uploaded files from a backup folder, and check the result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")
        parser.add_argument("--check", action="store_true", help="only compare the running data with the backup")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        try:
            if options["check"]:
                result = backup.check_current(folder)
            else:
                manifest = backup.read_manifest(folder)
                if not options["yes"] and input(
                        f"Replace ALL data by the backup of {manifest['created_at']}? Type yes: ").strip() != "yes":
                    raise CommandError("Nothing was restored.")
                result = backup.restore(folder)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if not result.matches:
            raise CommandError(f"The data does not match the backup: {result}")
        self.stdout.write("The data matches the backup." if options["check"] else
                          "Restored; the data matches the backup.")
