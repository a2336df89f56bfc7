"""FileStore: the store contract on a copy of the tiny fixture, and what only files can do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from uts.errors import UsageError
from uts.ontology.edits import AddLabel, RemoveLabel
from uts.store import FileStore, get_store

from .conftest import RESOURCES
from .store_contract import AUTHOR, StoreContract


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    root = tmp_path / "tiny"
    shutil.copytree(RESOURCES / "tiny", root)
    return FileStore(root)


class TestFileStoreContract(StoreContract):
    pass


def test_loaded_and_written_back_unchanged_is_byte_identical(store: FileStore) -> None:
    before = {p: p.read_bytes() for p in store.root.rglob("*.tsv")}
    store.apply([AddLabel(concept_id="UTS:0000002", label="woofing", scope="alt", author=AUTHOR)])
    after = {p: p.read_bytes() for p in store.root.rglob("*.tsv")}
    assert [p.name for p in before if before[p] != after[p]] == ["labels.tsv"]


def test_labels_in_another_language_are_written_to_that_language_file_only(store: FileStore) -> None:
    before = {p: p.read_bytes() for p in store.root.rglob("*.tsv")}
    store.apply([AddLabel(concept_id="UTS:0000002", label="aboiement", scope="pref", lang="fr", author=AUTHOR)])
    french = store.layout.translation_file("fr")
    assert french.read_text(encoding="utf-8") == (
        "id\tconcept_label\tlabel\tscope\tsource\tcomment\nUTS:0000002\tbark\taboiement\tpref\tuts-curators\t\n"
    )
    after = {p: p.read_bytes() for p in store.root.rglob("*.tsv")}
    assert [p for p in after if before.get(p) != after[p]] == [french]
    # The last German label gone: de.tsv stays, as its header (a stale row would come back on the next load).
    read_at = store.revision()
    store.apply(
        [RemoveLabel(concept_id=c, label=t, lang="de", author=AUTHOR) for c, t in
         [("UTS:0000001", "Hund"), ("UTS:0000002", "Bellen"), ("UTS:0000006", "Trommel")]]
    )  # fmt: skip
    assert (
        store.layout.translation_file("de").read_text(encoding="utf-8")
        == "id\tconcept_label\tlabel\tscope\tsource\tcomment\n"
    )
    assert store.revision() != read_at
    assert "de" not in store.load().get("UTS:0000001").languages


def test_an_edit_outside_uts_changes_the_revision(store: FileStore) -> None:
    read_at = store.revision()
    terms = store.layout.terms
    terms.write_text(terms.read_text(encoding="utf-8").replace("Any animal", "Every animal"), encoding="utf-8")
    assert store.revision() != read_at


def test_the_bundled_release_is_read_only() -> None:
    store = FileStore.bundled()
    assert len(store.load()) > 2000
    with pytest.raises(UsageError, match="read-only"):
        store.apply([AddLabel(concept_id="UTS:0000001", label="x", scope="alt", author=AUTHOR)])
    with pytest.raises(UsageError, match="read-only"):
        store.reserve_ids(1)


def test_get_store_picks_by_url(tmp_path: Path) -> None:
    assert isinstance(get_store(str(RESOURCES / "tiny")), FileStore)
    assert get_store(f"file:{RESOURCES / 'tiny'}").load().lookup("barks").id == "UTS:0000002"  # type: ignore[union-attr]
    assert get_store(f"file://{RESOURCES / 'tiny'}").root == RESOURCES / "tiny"  # type: ignore[attr-defined]
    with pytest.raises(UsageError, match="unknown store URL 'mongodb://x'"):
        get_store("mongodb://x")
