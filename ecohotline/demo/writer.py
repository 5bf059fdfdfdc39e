"""Fast batch inserts for the demo generator: primary keys reserved up front, rows sent with executemany.

Django's `bulk_create` spends most of its time compiling SQL value by value (about 35 µs a row), which made
a million demo cases take some twenty minutes. This writer prepares one INSERT per table and converts each
column the way Django's field would (`get_db_prep_save`): aware datetimes to naive UTC text on SQLite,
dates to ISO text, JSON through `json.dumps` (psycopg's `Jsonb` on PostgreSQL). Rows are plain dicts keyed
by attname; columns listed in `refs` hold an index into another table of the same batch and are turned
into that row's reserved primary key.

Primary keys are reserved up front and the rows written by `core.bulk` (executemany on SQLite, COPY on
PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from ecohotline.core import bulk


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
        self.converters = tuple(bulk.converter(fields[column], vendor) for column in self.columns)
        self.db_table = opts.db_table
        self.pk_column = str(opts.pk.column)
        self.column_names = [self.pk_column, *(str(fields[c].column) for c in self.columns)]


def reserve_ids(table: Table, count: int) -> list[int]:
    """`count` fresh primary keys for `table` (call inside the transaction that inserts them)."""
    return bulk.reserve_ids(table.db_table, table.pk_column, count)


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
    bulk.write_rows(table.db_table, table.column_names, params)
