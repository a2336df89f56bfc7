"""SqlStore: the store contract on a real SQLite file and a real PostgreSQL server, and what only databases do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from uts.store.sql import SqlStore

from .conftest import RESOURCES, empty_postgres
from .store_contract import StoreContract


def filled(url: str) -> SqlStore:
    store = SqlStore(url)
    store.load_source(RESOURCES / "tiny")
    return store


class TestSqliteContract(StoreContract):
    @pytest.fixture
    def store(self, sqlite_url: str) -> Iterator[SqlStore]:
        store = filled(sqlite_url)
        yield store
        store.engine.dispose()


class TestPostgresContract(StoreContract):
    @pytest.fixture
    def store(self, postgres_schema: str) -> Iterator[SqlStore]:
        empty_postgres(postgres_schema)
        store = filled(postgres_schema)
        yield store
        store.engine.dispose()
