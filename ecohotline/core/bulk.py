"""Fast inserts of many rows, for the paths that write thousands of them (the intake's import batches, the
demo generator).

Django's `bulk_create` spends most of its time compiling the INSERT value by value (about 35 µs a row for a
case). Here one INSERT per model is prepared once and each column converted the way its field would be
(`get_db_prep_save`): aware datetimes to naive UTC text on SQLite, dates to ISO text, JSON through
`json.dumps` (psycopg's `Jsonb` on PostgreSQL), anything unusual through the field itself. The rows go in
with `executemany` on SQLite and COPY on PostgreSQL.

Primary keys are reserved up front: on SQLite, inside the write transaction (which holds the database's write
lock; the project opens SQLite transactions IMMEDIATE), the next ids follow the largest of the table's
MAX(id) and its AUTOINCREMENT counter; on PostgreSQL they are drawn from the column's sequence with `nextval`,
so concurrent writers can never collide.

No signals are sent and `save()` is not called (as with `bulk_create`); `auto_now`/`auto_now_add` fields are
filled as `save()` would fill them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    TextField,
)
from django.utils import timezone

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _iso_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


# Fields whose Python value the database driver takes as it is.
_PLAIN = (BigIntegerField, BooleanField, CharField, FloatField, ForeignKey, IntegerField, TextField)


class JsonText(str):
    """A value for a JSON column that is encoded already (say, one payload written into two rows)."""


def converter(field: Any, vendor: str) -> Converter | None:
    """How to turn a field's Python value into what the driver takes (None: as it is)."""
    if isinstance(field, JSONField):
        encoder = field.encoder

        def dumps(value: Any) -> str:
            return str(value) if isinstance(value, JsonText) else json.dumps(value, cls=encoder)

        if vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return lambda value: None if value is None else Jsonb(value, dumps=dumps)
        return lambda value: None if value is None else dumps(value)
    if isinstance(field, DateTimeField):
        return _sqlite_datetime if vendor == "sqlite" else None
    if isinstance(field, DateField):
        return _iso_date if vendor == "sqlite" else None
    if isinstance(field, _PLAIN):
        return None
    return functools.partial(_prep_save, field)


def _prep_save(field: Any, value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def reserve_ids(db_table: str, pk_column: str, count: int) -> list[int]:
    """`count` fresh primary keys for a table (call inside the transaction that inserts them)."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [db_table, pk_column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"fast inserts support SQLite and PostgreSQL, not {connection.vendor}")
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(pk_column)}) FROM {quote(db_table)}")
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [db_table])
        found = cursor.fetchone()
        start = max(largest, found[0] if found else 0) + 1
    return list(range(start, start + count))


def write_rows(db_table: str, names: Sequence[str], params: Sequence[Sequence[Any]]) -> None:
    """Insert rows of already converted values into the columns `names` (quoted here)."""
    if not params:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than executemany; psycopg adapts each value as for a query.
            with cursor.cursor.copy(f"COPY {quote(db_table)} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {quote(db_table)} ({columns}) VALUES ({marks})", params)


def insert_objects(objects: Sequence[Model]) -> None:
    """Insert unsaved model instances of one model, as `bulk_create` would, and set their primary keys."""
    if not objects:
        return
    model = type(objects[0])
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    vendor = connection.vendor
    convert = [(f.attname, converter(f, vendor)) for f in fields]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    ids = reserve_ids(opts.db_table, str(opts.pk.column), len(objects))
    params = []
    for pk, obj in zip(ids, objects, strict=True):
        if type(obj) is not model or obj.pk is not None:
            raise ValueError("insert_objects takes unsaved instances of one model")
        for field in stamped:
            field.pre_save(obj, add=True)
        values: list[Any] = [pk]
        for attname, change in convert:
            value = getattr(obj, attname)
            values.append(change(value) if change is not None else value)
        params.append(values)
    write_rows(opts.db_table, [str(opts.pk.column), *(str(f.column) for f in fields)], params)
    for pk, obj in zip(ids, objects, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert rows given as {attname: value} (`case_id`, not `case`); a field left out gets its default, or
    the current time when it is `auto_now`/`auto_now_add`. Cheaper than making model instances when the
    caller does not need them. Returns the new primary keys."""
    if not rows:
        return []
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    vendor = connection.vendor
    now = timezone.now()
    plan = []
    for f in fields:
        stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        # As a model instance would have it; a required link has no sensible default.
        required = f.is_relation and not f.null and not f.has_default()
        fallback = now if stamped else _REQUIRED if required else f.get_default()
        plan.append((f.attname, converter(f, vendor), fallback))
    ids = reserve_ids(opts.db_table, str(opts.pk.column), len(rows))
    params = []
    for pk, row in zip(ids, rows, strict=True):
        values: list[Any] = [pk]
        for attname, change, fallback in plan:
            value = row.get(attname, fallback)
            if value is _REQUIRED:
                raise ValueError(f"{opts.label}: no value for {attname}")
            values.append(change(value) if change is not None and value is not None else value)
        params.append(values)
    write_rows(opts.db_table, [str(opts.pk.column), *(str(f.column) for f in fields)], params)
    return ids


_REQUIRED = object()


def update_objects(objects: Sequence[Model], attname: str) -> None:
    """Write one field of saved instances of one model (one prepared UPDATE, executemany)."""
    if not objects:
        return
    opts = type(objects[0])._meta
    field = next(f for f in opts.concrete_fields if f.attname == attname)
    change = converter(field, connection.vendor)
    quote = connection.ops.quote_name
    params = []
    for obj in objects:
        value = getattr(obj, attname)
        params.append([change(value) if change is not None else value, obj.pk])
    table, column, pk = quote(opts.db_table), quote(str(field.column)), quote(str(opts.pk.column))
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", params)


def refresh_statistics(*models: type[Model]) -> None:
    """Let the query planner see the tables as they are after a bulk load (thousands of rows at once): the
    plans for the lists, the duplicate lookup and the search index depend on it. PostgreSQL: ANALYZE the
    tables; SQLite: `PRAGMA optimize`, which analyses what needs it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
