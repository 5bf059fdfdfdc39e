"""Fast batch inserts for the demo generator: primary keys reserved up front, rows sent with executemany.

Django's `bulk_create` spends most of its time compiling SQL value by value (about 35 µs a row), which made
a million demo cases take some twenty minutes. This writer prepares one INSERT per table and converts each
column the way Django's field would (`get_db_prep_save`): aware datetimes to naive UTC text on SQLite,
dates to ISO text, JSON through `json.dumps` (psycopg's `Jsonb` on PostgreSQL). Rows are plain dicts keyed
by attname; columns listed in `refs` hold an index into another table of the same batch and are turned
into that row's reserved primary key.

Primary keys: on SQLite, inside the batch's write transaction (which holds the database's write lock), the
next ids follow the largest of the table's MAX(id) and its AUTOINCREMENT counter; on PostgreSQL they are
drawn from the column's sequence with `nextval`, so concurrent writers can never collide, and the rows go
in with COPY.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import DateField, DateTimeField, JSONField, Model

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _iso_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _converter(field: Any, vendor: str) -> Converter | None:
    if isinstance(field, JSONField):
        encoder = field.encoder
        if vendor == "postgresql":
            from psycopg.types.json import Jsonb

            def dumps(value: Any) -> str:
                return json.dumps(value, cls=encoder)

            return lambda value: None if value is None else Jsonb(value, dumps=dumps)
        return lambda value: None if value is None else json.dumps(value, cls=encoder)
    if isinstance(field, DateTimeField):
        return _sqlite_datetime if vendor == "sqlite" else None
    if isinstance(field, DateField):
        return _iso_date if vendor == "sqlite" else None
    return None


class Table:
    """How to insert rows of one model: its columns, their conversions, and which hold batch references."""

    def __init__(self, name: str, model: type[Model], columns: Sequence[str], refs: dict[str, str] | None = None):
        opts = model._meta
        required = {f.attname for f in opts.concrete_fields if not f.primary_key}
        missing = required - set(columns)
        if missing:
            raise LookupError(f"{opts.label}: the demo writer does not fill {sorted(missing)}")
        self.name = name
        self.model = model
        self.columns = tuple(columns)
        self.refs = refs or {}
        fields = {f.attname: f for f in opts.concrete_fields}
        vendor = connection.vendor
        self.converters = tuple(_converter(fields[column], vendor) for column in self.columns)
        quote = connection.ops.quote_name
        self.db_table = opts.db_table
        self.pk_column = str(opts.pk.column)
        names = ", ".join(quote(str(c)) for c in (self.pk_column, *(fields[c].column for c in self.columns)))
        marks = ", ".join(["%s"] * (len(self.columns) + 1))
        self.sql = f"INSERT INTO {quote(self.db_table)} ({names}) VALUES ({marks})"
        self.copy_sql = f"COPY {quote(self.db_table)} ({names}) FROM STDIN"


def reserve_ids(table: Table, count: int) -> list[int]:
    """`count` fresh primary keys for `table` (call inside the transaction that inserts them)."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table.db_table, table.pk_column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"the demo writer supports SQLite and PostgreSQL, not {connection.vendor}")
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(table.pk_column)}) FROM {quote(table.db_table)}")
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.db_table])
        found = cursor.fetchone()
        start = max(largest, found[0] if found else 0) + 1
    return list(range(start, start + count))


def insert(table: Table, rows: Sequence[dict[str, Any]], ids: Sequence[int],
           reserved: Mapping[str, Sequence[int]]) -> None:
    """Insert `rows` with the primary keys `ids`; `reserved` gives the keys of the tables referred to."""
    if not rows:
        return
    plan = []
    for column, convert in zip(table.columns, table.converters, strict=True):
        ref = reserved[table.refs[column]] if column in table.refs else None
        plan.append((column, convert, ref))
    params = []
    for pk, row in zip(ids, rows, strict=True):
        values: list[Any] = [pk]
        for column, convert, ref in plan:
            value = row[column]
            if ref is not None and value is not None:
                value = ref[value]
            values.append(convert(value) if convert is not None else value)
        params.append(values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than executemany; psycopg adapts each value as for a query.
            with cursor.cursor.copy(table.copy_sql) as copy:
                for values in params:
                    copy.write_row(values)
        else:
            cursor.executemany(table.sql, params)
