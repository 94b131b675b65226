"""Set-based writes for the import's largest tables, with their audit history.

At national scale an import writes about a million rows (400,000 habilitations alone). Model
instances and one history row built in Python per row cost most of the import's time, so the
rows go in with `executemany`, and their history with one `INSERT … SELECT` per batch: the
same audit trail (django-simple-history's tables), written by the database.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def _adapt_row(model: type[models.Model], fields: Sequence[str], row: Sequence[Any], dated: list[int]) -> list[Any]:
    values = list(row)
    for index in dated:
        value = values[index]
        if value is not None:
            field = model._meta.get_field(fields[index])
            values[index] = (
                field.get_db_prep_save(value, connection) if isinstance(field, models.JSONField) else _adapt(value)
            )
    return values


def _adapt(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT many rows of `fields` (model field names) without building model instances."""
    dated = [
        index
        for index, name in enumerate(fields)
        if isinstance(model._meta.get_field(name), (models.DateField, models.JSONField))
    ]
    if dated:
        rows = [_adapt_row(model, fields, row, dated) for row in rows]
    rows = list(rows)
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = ", ".join(qn(_column(model, name)) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Identifiers come from model metadata, quoted; every value is a parameter.
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def copy_to_history(
    model: type[models.Model], column: str, ids: Sequence[int], when: datetime.datetime, reason: str
) -> None:
    """Write the '+' (created) history rows of every row whose `column` is in `ids`."""
    if not ids:
        return
    history = model.history.model  # type: ignore[attr-defined]
    qn = connection.ops.quote_name
    tracked = [field.column for field in history._meta.concrete_fields if not field.name.startswith("history_")]
    columns = ", ".join(qn(c) for c in tracked)
    marks = ", ".join(["%s"] * len(ids))
    target = (
        f"{qn(history._meta.db_table)} ({columns}, history_date, history_change_reason, history_type, history_user_id)"
    )
    source = f"{columns}, %s, %s, '+', NULL FROM {qn(model._meta.db_table)} WHERE {qn(column)} IN ({marks})"
    sql = f"INSERT INTO {target} SELECT {source}"  # noqa: S608 — quoted identifiers, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [_adapt(when), reason, *ids])
