"""INSERT of many rows of one model as one statement with one parameter per column.

`VALUES (%s, ...), (%s, ...)` costs one placeholder per cell: for the 10,000 lines or lots of an
opening-balance import (110,000 placeholders), building, converting and parsing the statement
took longer than PostgreSQL's work. Here each column travels as one array, `unnest`ed in order
(WITH ORDINALITY: the rows are inserted, and returned, in the order given); a column whose value
is the same on every row travels once. Each value is prepared by its field as the ORM would. Like
bulk_create, no model signals are sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def unnest_insert_sql(objs: Sequence[Model], *, include_pk: bool = False) -> tuple[str, list, list]:
    """(`INSERT INTO table (columns) SELECT ... FROM unnest(...) ... ORDER BY n`, its parameters,
    the fields in column order) for `objs`, all of one model. The caller adds `ON CONFLICT` or
    `RETURNING`. A column whose values differ from row to row must not be an array column (a
    multi-dimensional array does not unnest into rows): ValueError."""
    model = type(objs[0])
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if include_pk or not field.primary_key]
    columns, selected, constants, arrays = [], [], [], []
    for field in fields:
        values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs]
        db_type = field.db_type(connection)
        columns.append(quote(field.column))
        if all(value == values[0] for value in values[1:]):
            selected.append(f"%s::{db_type}")
            constants.append(values[0])
            continue
        if db_type.endswith("]"):
            raise ValueError(f"{field.name}: an array column varies from row to row")
        selected.append(f"v.c{len(arrays)}")
        arrays.append((f"%s::{db_type}[]", values))
    if arrays:
        unnest = ", ".join(sql for sql, _values in arrays)
        names = ", ".join(f"c{i}" for i in range(len(arrays)))
        source = f" FROM unnest({unnest}) WITH ORDINALITY AS v ({names}, n) ORDER BY v.n"
        # The SELECT list's parameters (the constant columns) come first, then the arrays.
        params = constants + [values for _sql, values in arrays]
    else:
        source = " FROM generate_series(1, %s) AS v (n)"
        params = [*constants, len(objs)]
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selected)}{source}"
    return sql, params, fields
