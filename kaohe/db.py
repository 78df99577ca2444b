"""Small database helpers shared by the bulk writers."""

from __future__ import annotations

from django.db import connection


def statistics_refresh(*models) -> None:
    """After a bulk load, let PostgreSQL's planner see the new row counts (autovacuum would, minutes later).

    Without it a freshly loaded 200,000-record year is planned as a few rows: nested loops instead of hash
    joins, and scoring it took 8.8 s instead of 1.3 s. SQLite plans without statistics; nothing to do there.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
