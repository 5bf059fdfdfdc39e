"""`ecohotline knowledge import FILE...` imports Markdown/DOCX articles (all or nothing);
`ecohotline knowledge reindex` rebuilds the search index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecohotline.knowledge import services


class Command(BaseCommand):
    help = "Knowledge base: import Markdown/DOCX articles, or rebuild the search index."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        importer = commands.add_parser("import", help="Import Markdown (.md) or Word (.docx) files.")
        importer.add_argument("files", nargs="+", metavar="FILE")
        commands.add_parser("reindex", help="Rebuild the search index of every article.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "reindex":
            count = services.reindex_all()
            self.stdout.write(f"{count} articles indexed.")
            return
        files: list[tuple[str, bytes]] = []
        for name in options["files"]:
            path = Path(name)
            try:
                files.append((name, path.read_bytes()))
            except OSError as error:
                raise CommandError(f"{name}: {error.strerror or error}") from None
        try:
            results = services.import_files(actor=None, files=files)
        except services.KnowledgeImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(error.problems)} problem(s); nothing was imported.") from None
        for result in results:
            self.stdout.write(f"{result.file}: {result.code} {result.outcome}")
