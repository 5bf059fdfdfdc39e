"""Backup and restore of the platform: the database and the uploaded files, with a manifest that a restored copy
is checked against.

A backup is a folder:

    manifest.json        what was saved: when, from which database, each table's row count and digest, each file's
                         size and SHA-256
    database.sqlite3     SQLite: a consistent copy made with SQLite's online backup (the platform may keep running)
    database.dump        PostgreSQL: `pg_dump --format=custom` of one snapshot, the snapshot the digests are read in
    media/               the uploaded files (photos, documents, the report archive)

A table's digest is the SHA-256 of its rows in primary-key order, as the database returns them: equal digests mean
equal contents. Restoring checks the backup against its own manifest first (SQLite), replaces the database and the
files, and checks the result against the manifest again: a restore that does not match says which tables or files
differ. Backups are restored into the same kind of database they came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
DUMP_FILE = "database.dump"
MEDIA_DIR = "media"
CHUNK = 2000


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


@dataclass(frozen=True)
class Check:
    """Differences between a database (and its files) and a manifest; empty when they match."""

    tables: list[str]
    files: list[str]

    @property
    def matches(self) -> bool:
        return not self.tables and not self.files

    def __str__(self) -> str:
        parts = []
        if self.tables:
            parts.append("tables differ: " + ", ".join(self.tables))
        if self.files:
            parts.append("files differ: " + ", ".join(self.files[:20]) + (" …" if len(self.files) > 20 else ""))
        return "; ".join(parts) or "matches"


# --- digests ---------------------------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_digest(cursor: Any, table: str, order: list[str]) -> dict[str, Any]:
    order_by = ", ".join(_quote(column) for column in order) or "1"
    cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order_by}")
    digest, rows = hashlib.sha256(), 0
    while batch := cursor.fetchmany(CHUNK):
        for row in batch:
            digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
            rows += 1
    return {"rows": rows, "digest": digest.hexdigest()}


def _sqlite_tables(db: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    result = {}
    for table in tables:
        columns = db.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
        keys = [name for _cid, name, _type, _notnull, _default, pk in sorted(columns, key=lambda c: c[5]) if pk]
        result[table] = keys or [column[1] for column in columns]
    return result


def sqlite_fingerprint(path_or_db: Path | sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Each table's row count and digest, read from an SQLite file or connection."""
    db = sqlite3.connect(path_or_db) if isinstance(path_or_db, Path) else path_or_db
    try:
        cursor = db.cursor()
        return {table: _table_digest(cursor, table, order) for table, order in _sqlite_tables(db).items()}
    finally:
        if isinstance(path_or_db, Path):
            db.close()


def database_fingerprint(using: BaseDatabaseWrapper | None = None) -> dict[str, dict[str, Any]]:
    """Each table's row count and digest, read through Django's connection."""
    conn = using or connection
    conn.ensure_connection()
    if conn.vendor == "sqlite":
        # A plain connection to the same database: Django's converts values by declared type (text dates become
        # datetimes), which would make the digests differ from those of the backup file.
        plain = sqlite3.connect(str(conn.settings_dict["NAME"]), uri=True)
        try:
            return sqlite_fingerprint(plain)
        finally:
            plain.close()
    with conn.cursor() as cursor:
        tables = sorted(conn.introspection.table_names(cursor))
        result = {}
        for table in tables:
            keys = conn.introspection.get_primary_key_columns(cursor, table) or [
                column.name for column in conn.introspection.get_table_description(cursor, table)]
            result[table] = _table_digest(cursor, table, list(keys))
        return result


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_fingerprint(root: Path) -> dict[str, dict[str, Any]]:
    """Every file under `root` (relative path → size and SHA-256)."""
    if not root.exists():
        return {}
    return {path.relative_to(root).as_posix(): {"size": path.stat().st_size, "sha256": _file_digest(path)}
            for path in sorted(root.rglob("*")) if path.is_file()}


def compare(manifest: dict[str, Any], tables: dict[str, Any], files: dict[str, Any]) -> Check:
    def differing(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
        return sorted(name for name in set(expected) | set(found) if expected.get(name) != found.get(name))

    return Check(tables=differing(manifest["tables"], tables), files=differing(manifest["files"], files))


# --- PostgreSQL ------------------------------------------------------------------------------------------------


def _pg_environment(conn: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore, the password in the environment, not the command line."""
    params = conn.settings_dict
    arguments = ["--dbname", params["NAME"]]
    if params.get("HOST"):
        arguments += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        arguments += ["--port", str(params["PORT"])]
    if params.get("USER"):
        arguments += ["--username", str(params["USER"])]
    environment = {**os.environ, "PGPASSWORD": str(params.get("PASSWORD") or "")}
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip() or error.returncode}") from error


# --- backup and restore ----------------------------------------------------------------------------------------


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _migrations(conn: BaseDatabaseWrapper) -> dict[str, str]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        latest: dict[str, str] = {}
        for app, name in cursor.fetchall():
            latest[app] = name
        return latest


def backup(destination: Path) -> dict[str, Any]:
    """Write a backup of the database and the uploaded files into `destination` (a new or empty folder); returns its
    manifest."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty: give a new folder")
    destination.mkdir(parents=True, exist_ok=True)
    conn = connections["default"]
    conn.ensure_connection()
    if conn.vendor == "sqlite":
        copy = sqlite3.connect(destination / SQLITE_FILE)
        try:
            conn.connection.backup(copy)  # a consistent snapshot, while others write
        finally:
            copy.close()
        tables = sqlite_fingerprint(destination / SQLITE_FILE)
    elif conn.vendor == "postgresql":
        tables = _pg_backup(conn, destination / DUMP_FILE)
    else:
        raise BackupError(f"backups of {conn.vendor} databases are not supported")
    media = _media_root()
    if media.exists():
        shutil.copytree(media, destination / MEDIA_DIR)
    manifest = {
        "format": FORMAT, "created_at": timezone.now().isoformat(), "vendor": conn.vendor,
        "migrations": _migrations(conn), "tables": tables, "files": files_fingerprint(destination / MEDIA_DIR),
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def _pg_backup(conn: BaseDatabaseWrapper, target: Path) -> dict[str, dict[str, Any]]:
    """pg_dump of one snapshot, and the digests read in that same snapshot."""
    arguments, environment = _pg_environment(conn)
    with conn.cursor() as cursor:
        conn.set_autocommit(False)
        try:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file", str(target),
                  *arguments], environment)
            tables = database_fingerprint(conn)
        finally:
            conn.rollback()
            conn.set_autocommit(True)
    return tables


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((Path(source) / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{source} holds no {MANIFEST}: not a backup") from error
    except json.JSONDecodeError as error:
        raise BackupError(f"{source / MANIFEST} is damaged: {error}") from error
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("tables"), dict):
        raise BackupError(f"{source / MANIFEST} is not a backup of this version")
    return manifest


def check_backup(source: Path) -> Check:
    """Does the backup in `source` match its own manifest? (The database copy of an SQLite backup and the files;
    a PostgreSQL dump is checked once restored.)"""
    source = Path(source)
    manifest = read_manifest(source)
    tables = sqlite_fingerprint(source / SQLITE_FILE) if manifest["vendor"] == "sqlite" else manifest["tables"]
    return compare(manifest, tables, files_fingerprint(source / MEDIA_DIR))


def check_current(source: Path) -> Check:
    """Does the running database, with the uploaded files, match the backup's manifest?"""
    manifest = read_manifest(Path(source))
    return compare(manifest, database_fingerprint(connections["default"]), files_fingerprint(_media_root()))


@contextmanager
def _swapped(target: Path, replacement: Path | None) -> Iterator[None]:
    """Replace the folder `target` by a copy of `replacement` (or an empty one); put the old one back on failure."""
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=parent))
    shutil.rmtree(staging)
    if replacement is not None and replacement.exists():
        shutil.copytree(replacement, staging)
    else:
        staging.mkdir()
    old = parent / f".{target.name}-before-restore-{dt.datetime.now():%Y%m%d%H%M%S}"
    moved = False
    if target.exists():
        target.rename(old)
        moved = True
    staging.rename(target)
    try:
        yield
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        if moved:
            old.rename(target)
        raise
    if moved:
        shutil.rmtree(old, ignore_errors=True)


def restore(source: Path) -> Check:
    """Replace the database and the uploaded files by the backup in `source`, then check them against its manifest.
    Stop the web server and the worker first. Raises `BackupError` when the backup does not match its own manifest
    (nothing is changed then) or is of another kind of database."""
    source = Path(source)
    manifest = read_manifest(source)
    conn = connections["default"]
    conn.ensure_connection()
    if manifest["vendor"] != conn.vendor:
        raise BackupError(f"this backup is of a {manifest['vendor']} database; the platform uses {conn.vendor}")
    before = check_backup(source)
    if not before.matches:
        raise BackupError(f"the backup does not match its manifest ({before}); nothing was restored")
    with _swapped(_media_root(), source / MEDIA_DIR):
        if conn.vendor == "sqlite":
            saved = sqlite3.connect(source / SQLITE_FILE)
            try:
                saved.backup(conn.connection)
            finally:
                saved.close()
        else:
            arguments, environment = _pg_environment(conn)
            conn.close()
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *arguments,
                  str(source / DUMP_FILE)], environment)
    return check_current(source)
