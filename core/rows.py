"""Model instances from rows read with raw SQL (a JOIN that fetches several models in one query),
converted as the ORM converts what it reads."""

from django.db import connection


def instance_from_row(model, values):
    """A `model` instance from its concrete columns' values in field order, as the database
    returned them; None when the row was not found (its primary key is NULL, as in a LEFT JOIN)."""
    fields = model._meta.concrete_fields
    if values[[f.primary_key for f in fields].index(True)] is None:
        return None
    values = [
        field.from_db_value(value, None, connection)
        if value is not None and hasattr(field, "from_db_value")
        else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], values)
