"""Project-wide pytest hooks (fixtures live in tests/conftest.py).

Tests marked `@pytest.mark.postgres` need PostgreSQL: `make test-postgres` runs them (through
scripts/with_postgres.sh); on SQLite they are skipped.
"""

import os

import pytest


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))


def pytest_collection_modifyitems(config, items):
    if _on_postgres():
        return
    skip = pytest.mark.skip(reason="需要 PostgreSQL：make test-postgres")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
