"""Many rows written with one prepared statement, for the statement batches' hot path.

The ORM's bulk_create builds a model and compiles SQL per row, and on SQLite splits a batch
into statements of at most 999 parameters; for a batch of 500 statements that was the
costliest step after the database's own work. Here each field's value adapter is chosen
once and the driver runs one prepared INSERT for every row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Field


def _adapter(field: Field[Any, Any]) -> Callable[[Any], Any]:
    """How a value of ``field`` is handed to the database driver (``get_db_prep_save``,
    decided once per field instead of once per value)."""
    ops, features = connection.ops, connection.features
    if isinstance(field, models.UUIDField) or (
        isinstance(field, models.ForeignKey) and isinstance(field.target_field, models.UUIDField)
    ):
        if features.has_native_uuid_field:
            return lambda value: value
        return lambda value: None if value is None else value.hex
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    return lambda value: value


def insert(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    unique: Sequence[str] = (),
    update: Sequence[str] = (),
) -> int:
    """Insert ``rows`` (values of the fields ``names`` names, in order); the number inserted.

    A row that would break a unique constraint is skipped, or, given the ``unique`` fields
    of that constraint and fields to ``update``, updates those of the row already there.
    """
    if not rows:
        return 0
    by_name = {field.name: field for field in model._meta.concrete_fields}
    fields = [by_name[name] for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    if update:
        target = ", ".join(quote(by_name[name].column) for name in unique)
        changes = ", ".join(
            f"{quote(by_name[name].column)} = excluded.{quote(by_name[name].column)}"
            for name in update
        )
        conflict = f"ON CONFLICT ({target}) DO UPDATE SET {changes}"
    else:
        conflict = "ON CONFLICT DO NOTHING"
    adapters = [_adapter(field) for field in fields]
    params = [[adapt(value) for adapt, value in zip(adapters, row, strict=True)] for row in rows]
    # Only quoted table and column names from the model are formatted in; values are bound.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks}) {conflict}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return int(cursor.rowcount)
