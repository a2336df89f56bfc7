"""What only the database stores do: migrations, the round trip to files, per-concept revisions, many writers,
releases that never change, and clear errors for databases that are missing, empty or out of date."""

from __future__ import annotations

import filecmp
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from uts.errors import ConflictError, UnknownTagError, UsageError
from uts.ontology.apply import apply_edits
from uts.ontology.edits import AddLabel, SetField
from uts.ontology.layouts import Layout, layouts_for, read_layouts
from uts.ontology.load import load_ontology
from uts.ontology.source import bundled_root
from uts.store import get_store, migrate
from uts.store.schema import metadata
from uts.store.sql import SqlStore, database_url, make_engine

from .conftest import REPO, RESOURCES, empty_postgres
from .store_contract import AUTHOR

WRITERS = 50


def label(concept_id: str, name: str) -> AddLabel:
    return AddLabel(concept_id=concept_id, label=name, scope="alt", author=AUTHOR)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database with no tables: a SQLite file, or the PostgreSQL test database emptied of uts tables."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    if migrate.current(url):
        migrate.downgrade(url)
    yield url
    migrate.upgrade(url)  # the session's other tests expect the schema


def test_migrations_round_trip_and_match_the_models(any_url: str) -> None:
    migrate.upgrade(any_url)
    assert migrate.current(any_url) == migrate.head()
    assert migrate.pending(any_url) == []  # the models and the migrations agree
    engine = make_engine(any_url)
    with engine.connect() as conn:
        tables = set(conn.dialect.get_table_names(conn))
    assert {t.name for t in metadata.sorted_tables} <= tables
    migrate.downgrade(any_url)
    assert migrate.current(any_url) is None
    with engine.connect() as conn:
        assert set(conn.dialect.get_table_names(conn)) <= {"alembic_version"}
    migrate.upgrade(any_url)
    assert migrate.pending(any_url) == []
    engine.dispose()


def test_an_unmigrated_database_says_how_to_fix_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    with pytest.raises(UsageError, match=r"holds no uts tables yet; create them with `uts db upgrade --db"):
        SqlStore.open(url)
    migrate.upgrade(url)
    with pytest.raises(UsageError, match="holds no UTS working copy yet; fill it with `uts db load`"):
        SqlStore.open(url).load()


def test_urls_are_checked() -> None:
    assert database_url("postgresql://uts@localhost:5432/uts").startswith("postgresql+psycopg://")
    with pytest.raises(UsageError, match="is not a database URL"):
        database_url("not a url")
    with pytest.raises(UsageError, match="'mysql' databases are not supported"):
        database_url("mysql://x@y/z")


def test_get_store_opens_databases_by_url(sqlite_url: str) -> None:
    SqlStore(sqlite_url).load_source(RESOURCES / "tiny")
    store = get_store(sqlite_url)
    assert isinstance(store, SqlStore)
    assert store.load().lookup("barks").id == "UTS:0000002"


def test_load_then_dump_is_byte_identical(sqlite_url: str, tmp_path: Path) -> None:
    store = SqlStore(sqlite_url)
    store.load_source(bundled_root())
    out = tmp_path / "dump"
    written = store.dump(out)
    source = bundled_root()
    for path in written:
        relative = path.relative_to(out)
        assert filecmp.cmp(path, source / relative, shallow=False), relative
    expected = {p.relative_to(source) for p in (source / "mappings").glob("*.sssom.tsv")}
    assert expected <= {p.relative_to(out) for p in written}
    assert (out / "ontology" / "terms.tsv").read_bytes() == (source / "ontology" / "terms.tsv").read_bytes()


def test_labels_in_other_languages_load_and_dump_byte_identically(sqlite_url: str, tmp_path: Path) -> None:
    source = RESOURCES / "tiny"
    store = SqlStore(sqlite_url)
    store.load_source(source)
    with store.engine.connect() as conn:
        rows = set(conn.execute(text("SELECT concept_id, label, scope, lang FROM concept_label WHERE lang <> 'en'")))
    assert ("UTS:0000001", "perro", "pref", "es") in rows
    assert ("UTS:0000006", "鼓", "pref", "zh") in rows
    out = tmp_path / "dump"
    written = {p.relative_to(out) for p in store.dump(out)}
    translations = {p.relative_to(source) for p in (source / "ontology" / "translations").glob("*.tsv")}
    assert translations == {Path("ontology/translations") / f"{lang}.tsv" for lang in ("de", "es", "zh")}
    assert translations <= written
    for path in written:
        if (source / path).exists():
            assert (out / path).read_bytes() == (source / path).read_bytes(), path
    release = store.release_texts(store.releases()[0].version)
    assert release["ontology/translations/zh.tsv"] == (source / "ontology/translations/zh.tsv").read_text("utf-8")


def test_the_label_language_migration_keeps_existing_labels_english(any_url: str) -> None:
    """0003 gives every label of an older working copy the language 'en', and its downgrade drops only the
    labels in other languages (they cannot live without one)."""
    migrate.upgrade(any_url, "0002")
    engine = make_engine(any_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO concept (id, label, status, origin, definition, comment, revision) "
                          "VALUES ('UTS:0000001', 'dog', 'active', 'paper', '', '', 1)"))  # fmt: skip
        conn.execute(text("INSERT INTO concept_label (concept_id, position, label, scope, source, comment) "
                          "VALUES ('UTS:0000001', 0, 'doggy', 'alt', 'x', '')"))  # fmt: skip
    migrate.upgrade(any_url)
    assert migrate.pending(any_url) == []
    with engine.begin() as conn:
        assert list(conn.execute(text("SELECT label, lang FROM concept_label"))) == [("doggy", "en")]
        conn.execute(text("INSERT INTO concept_label (concept_id, position, label, scope, source, comment, lang) "
                          "VALUES ('UTS:0000001', 1, 'perro', 'pref', 'x', '', 'es')"))  # fmt: skip
    migrate.downgrade(any_url, "0002")
    with engine.begin() as conn:
        assert list(conn.execute(text("SELECT label FROM concept_label"))) == [("doggy",)]
        conn.execute(text("DELETE FROM concept_label"))
        conn.execute(text("DELETE FROM concept"))
    engine.dispose()
    migrate.downgrade(any_url)


def test_the_repository_layouts_are_those_of_its_release() -> None:
    """ontology/layouts/ is generated (by `uts db dump`): it must be exactly what the source derives."""
    ontology = load_ontology(REPO)
    held = read_layouts(REPO, ontology.metadata.version)
    assert len(held) == 5
    derived = layouts_for(ontology, held)
    for level, layout in held.items():
        assert derived[level] == layout, level
        assert isinstance(layout, Layout)


def test_concept_revisions_allow_edits_elsewhere(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    store.load_source(RESOURCES / "tiny")
    read_at = store.revision()
    assert store.concept_revision("UTS:0000001") == 1
    store.apply([label("UTS:0000002", "woofing")])  # someone edits another concept
    commit = store.apply([label("UTS:0000001", "hound")], expected_revision=read_at)  # still fine
    assert store.concept_revision("UTS:0000001") == int(commit.revision) == 3
    assert store.concept_revision("UTS:0000005") == 1
    with pytest.raises(ConflictError, match="UTS:0000001"):
        store.apply([label("UTS:0000001", "pooch")], expected_revision=read_at)
    with pytest.raises(ConflictError):
        store.apply([label("UTS:0000001", "pooch")], expected_revision="99")
    with pytest.raises(UsageError, match="whole numbers"):
        store.apply([label("UTS:0000001", "pooch")], expected_revision="abc")


def _writers_race(url: str) -> None:
    """WRITERS writers, each with its own engine, edit one concept; each retries on a conflict with the revision it
    reads again. Every revision has exactly one winner, every writer's edit lands once, the log replays."""
    setup = SqlStore(url)
    start = setup.load()
    barrier = threading.Barrier(WRITERS)
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        store = SqlStore(url)
        barrier.wait()
        for _ in range(WRITERS * 2):
            read_at = str(store.concept_revision("UTS:0000001"))
            try:
                commit = store.apply([label("UTS:0000001", f"dog name {n}")], expected_revision=read_at)
            except ConflictError:
                with lock:
                    outcomes.append((n, "conflict"))
                continue
            with lock:
                outcomes.append((n, f"won {commit.revision}"))
            break
        store.engine.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wins = [o for _, o in outcomes if o.startswith("won")]
    assert len(wins) == WRITERS, outcomes  # every writer got through, once
    assert sorted(int(w.split()[1]) for w in wins) == list(range(2, WRITERS + 2))  # one winner per revision
    assert any(o == "conflict" for _, o in outcomes)  # and the others were told, not overwritten
    final = setup.load()
    names = sorted(s.label for s in final.get("UTS:0000001").synonyms if s.label.startswith("dog name"))
    assert names == sorted(f"dog name {n}" for n in range(WRITERS))
    history = setup.history("UTS:0000001")
    assert len(history) == WRITERS
    assert setup.history_size("UTS:0000001") == WRITERS
    assert setup.history("UTS:0000001", newest=3) == history[-3:]  # the newest, still oldest first
    replayed = start
    for record in history:
        replayed = apply_edits(replayed, [record.edit]).ontology
    assert dict(replayed.concepts) == dict(final.concepts)
    with setup.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM change")).scalar_one() == WRITERS
    setup.engine.dispose()


def test_many_writers_on_sqlite(sqlite_url: str) -> None:
    SqlStore(sqlite_url).load_source(RESOURCES / "tiny")
    _writers_race(sqlite_url)


def test_many_writers_on_postgresql(postgres_schema: str) -> None:
    empty_postgres(postgres_schema)
    SqlStore(postgres_schema).load_source(RESOURCES / "tiny")
    _writers_race(postgres_schema)


def test_a_release_needs_a_new_higher_version(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    store.load_source(RESOURCES / "tiny")
    with pytest.raises(UsageError, match="is not a semantic version"):
        store.release("1.1", notes="x")
    with pytest.raises(UsageError, match=r"release 0\.0\.1 exists and never changes"):
        store.release("0.0.1", notes="x")
    store.apply([SetField(concept_id="UTS:0000001", field="definition", value="A dog.", author=AUTHOR)])
    info, created = store.release("0.1.0", notes="first edits")
    assert created
    assert info.version == "0.1.0"
    with pytest.raises(UsageError, match=r"would not be newer than release 0\.1\.0"):
        store.release("0.0.5", notes="x")
    assert store.load("0.1.0").get("UTS:0000001").definition == "A dog."
    assert store.load("0.0.1").get("UTS:0000001").definition != "A dog."


def test_a_failed_publish_leaves_no_release(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    store.load_source(RESOURCES / "tiny")
    store.apply([SetField(concept_id="UTS:0000001", field="definition", value="A dog.", author=AUTHOR)])

    def publish(*_: object) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.release("0.2.0", notes="x", publish=publish)
    assert [r.version for r in store.releases()] == ["0.0.1"]


# ---- the release history a source records ----------------------------------------------------------------


def test_a_database_filled_from_the_source_holds_every_recorded_release(sqlite_url: str) -> None:
    """releases/1.0.0/ and releases/1.1.0/ keep the earlier releases' sources beside the 1.1.1 one: a fresh database
    gets all three, each with the date, notes and content hash its release.toml records, so `uts diff 1.0.0 1.1.0`
    works anywhere."""
    from uts.store.releases import content_hash, read_record
    from uts.store.sql import SqlStore as Store

    store = Store(sqlite_url)
    info = store.load_source(bundled_root())
    assert info.version == "1.1.1"
    assert [(r.version, str(r.date)) for r in store.releases()] == [
        ("1.0.0", "2026-11-29"),
        ("1.1.0", "2026-12-07"),
        ("1.1.1", "2026-12-08"),
    ]
    source = content_hash(load_ontology(bundled_root()))
    for version in ("1.0.0", "1.1.0", "1.1.1"):
        record = read_record(REPO / "releases" / version / "release.toml")
        notes, digest, revision = store.release_notes(version)
        assert (notes, digest) == (record.notes, record.content_hash)
        assert content_hash(store.load(version)) == digest
        # The release the source is (none, while it has unreleased curation) is the working copy's first revision;
        # the earlier ones came before it.
        assert revision == (1 if digest == source else 0)
    assert store.release_texts("1.0.0")["ontology/terms.tsv"] == (REPO / "releases/1.0.0/ontology/terms.tsv").read_text(
        encoding="utf-8"
    )
    old, new = store.load("1.0.0"), store.load("1.1.0")
    talking = old.lookup("talking")
    assert talking.status.value == "active"
    assert new.current(talking.id).id == "UTS:0000003"


def _copy_source(root: Path, target: Path) -> Path:
    import shutil

    for part in ("ontology", "mappings"):
        shutil.copytree(root / part, target / part)
    return target


def test_a_source_with_unreleased_changes_loads_as_a_working_copy_beside_its_releases(
    sqlite_url: str, tmp_path: Path
) -> None:
    import shutil

    source = _copy_source(REPO, tmp_path / "src")
    shutil.copytree(REPO / "releases/1.0.0", source / "releases/1.0.0")
    for version in ("1.1.0", "1.1.1"):
        (source / "releases" / version).mkdir(parents=True)
        for part in ("ontology", "mappings", "release.toml"):
            copy = shutil.copytree if part != "release.toml" else shutil.copyfile
            copy(REPO / "releases" / version / part, source / "releases" / version / part)
    labels = source / "ontology" / "labels.tsv"
    unreleased = apply_edits(load_ontology(source), [label("UTS:0000360", "doggo-zz")]).ontology
    from uts.ontology.lint import canonical_texts
    from uts.ontology.source import SourceLayout

    for path, text_ in canonical_texts(unreleased, SourceLayout(source)).items():
        Path(path).write_text(text_, encoding="utf-8")
    assert "doggo-zz" in labels.read_text(encoding="utf-8")
    store = SqlStore(sqlite_url)
    store.load_source(source)
    assert [r.version for r in store.releases()] == ["1.0.0", "1.1.0", "1.1.1"]
    assert store.load().lookup("doggo-zz").id == "UTS:0000360"  # the working copy holds the change
    with pytest.raises(UnknownTagError, match="doggo-zz"):
        store.load("1.1.1").lookup("doggo-zz")  # release 1.1.1 stays as it was released


def test_a_recorded_release_whose_files_changed_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    import shutil

    from uts.errors import SourceError

    source = _copy_source(REPO, tmp_path / "src")
    old = source / "releases/1.0.0"
    shutil.copytree(REPO / "releases/1.0.0", old)
    terms = old / "ontology" / "terms.tsv"
    terms.write_text(
        terms.read_text(encoding="utf-8").replace("a man's or boy's voice", "a man's voice", 1), encoding="utf-8"
    )
    with pytest.raises(SourceError, match="content hash"):
        SqlStore(sqlite_url).load_source(source)
    assert SqlStore(sqlite_url).is_empty()  # nothing half-loaded


def test_a_release_folder_carries_its_record(tmp_path: Path) -> None:
    import datetime as dt

    from uts.export.release import write_release
    from uts.store.releases import content_hash, read_record, source_texts

    ontology = load_ontology(RESOURCES / "tiny")
    texts = source_texts(ontology)
    write_release(
        texts, "0.0.2", tmp_path / "r", notes='Merged "motor" into engine\nand more', date=dt.date(2026, 12, 8)
    )
    record = read_record(tmp_path / "r" / "release.toml")
    assert record.notes == 'Merged "motor" into engine\nand more'
    assert str(record.date) == "2026-12-08"
    assert record.content_hash == content_hash(ontology)
