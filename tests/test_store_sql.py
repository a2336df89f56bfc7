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


@pytest.mark.parametrize("database", ["sqlite_url", "postgres_schema"])
def test_gap_counts_and_examples_add_up_across_flushes(database: str, request: pytest.FixtureRequest) -> None:
    """Each flush adds its counts to the stored ones and keeps the stored examples first; a text counted as a tag
    and as a phrase, or under two releases, is two gaps."""
    from uts.store.gaps import GapCounter, find_gap

    url = request.getfixturevalue(database)
    if database == "postgres_schema":
        empty_postgres(url)
    store = filled(url)
    try:
        gaps = GapCounter(store)
        gaps.add("1.0.0", "tag", "Glorp", "glorp, dog", "no label matches")
        gaps.add("1.0.0", "phrase", "glorp", "a glorp barks", "no concept is near enough")
        assert gaps.flush() == 2
        for example in ("glorp, cat", "glorp, cow", "glorp, owl"):
            gaps.add("1.0.0", "tag", "glorp ", example, "no label matches")
        gaps.add("1.1.0", "tag", "glorp", "glorp", "no label matches")
        assert gaps.flush() == 2
        tag = find_gap(store, "1.0.0", "tag", "glorp")
        assert tag is not None
        assert (tag.count, tag.examples, tag.text) == (4, ["glorp, dog", "glorp, cat", "glorp, cow"], "Glorp")
        phrase = find_gap(store, "1.0.0", "phrase", "glorp")
        assert phrase is not None
        assert (phrase.count, phrase.examples) == (1, ["a glorp barks"])
        other = find_gap(store, "1.1.0", "tag", "glorp")
        assert other is not None
        assert (other.count, other.examples) == (1, ["glorp"])
    finally:
        store.engine.dispose()
