"""``SqlStore``: a working copy of UTS in SQLite (the embedded default) or PostgreSQL, with history and releases.

Every write is one transaction that holds the database's write lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL a row
lock on ``store_state``), checks the expected revision, applies the typed edits with every validation rule, writes
the concepts they changed, appends the change log and bumps the revision: two writers of one revision, in one
process or many, get exactly one success and one ``ConflictError``. The loaded Ontology is cached per revision,
so serving reads costs one small query.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from uts.errors import (
    ConflictError,
    SourceError,
    StorageError,
    UnknownConceptError,
    UnknownReleaseError,
    UsageError,
    where,
)
from uts.ontology.apply import Applied, apply_edits, prepare_for_edits
from uts.ontology.edits import Edit, EditAdapter
from uts.ontology.model import Concept, Level, format_id, id_number
from uts.ontology.ontology import Ontology
from uts.store import records
from uts.store.base import ChangeRecord, Commit, ReleaseInfo
from uts.store.schema import (
    CHANGE,
    CHANGE_CONCEPT,
    CONCEPT,
    CONCEPT_DOMAIN,
    CONCEPT_FACET,
    FACET,
    LABEL,
    MAPPING_ROW,
    MAPPING_SET,
    PAPER_ORDER,
    PAPER_TAG,
    RELATION,
    RELEASE,
    RELEASE_FILE,
    STATE,
    WORD_SENSE,
)

if TYPE_CHECKING:
    from uts.ontology.layouts import Layout
    from uts.store.releases import ReleaseRecord

DEFAULT_URL = "sqlite:///uts.db"


def database_url(url: str) -> str:
    """A plain ``postgresql://user@host:port/db`` URL with the driver uts installs; SQLite URLs as they are."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(
            f"{url!r} is not a database URL; use sqlite:///FILE.db or postgresql://USER@HOST:PORT/DB"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise UsageError(f"{parsed.drivername!r} databases are not supported; use sqlite:/// or postgresql://")
    return url


def make_engine(url: str) -> Engine:
    """An engine with the settings a shared working copy needs: SQLite in WAL mode with a long busy timeout and
    explicit transactions (so a writer can ask for the write lock up front)."""
    url = database_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions begin where the "begin" event says
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=60000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("uts_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class SqlStore:
    """A working copy of UTS in a database, as an :class:`~uts.store.base.OntologyStore`.

    >>> store = SqlStore.create("sqlite://")          # in memory, for a quick look
    >>> _ = store.load_source("tests/resources/tiny")
    >>> store.load().lookup("barks").id, store.revision()
    ('UTS:0000002', '1')
    """

    def __init__(self, url: str = DEFAULT_URL, *, engine: Engine | None = None) -> None:
        self.url = database_url(url)
        self.engine = engine or make_engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._cache: tuple[int, Ontology] | None = None
        self._cache_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SqlStore({make_url(self.url).render_as_string(hide_password=True)!r})"

    @classmethod
    def open(cls, url: str = DEFAULT_URL) -> SqlStore:
        """The store at ``url``, checked first: the database is reachable and its schema is the one this uts
        needs (else the error says to run ``uts db upgrade``)."""
        from uts.store.migrate import current, head

        store = cls(url)
        at, needed = current(store.url), head()
        shown = make_url(store.url).render_as_string(hide_password=True)
        if at is None:
            raise UsageError(f"{shown} holds no uts tables yet; create them with `uts db upgrade --db {shown}`")
        if at != needed:
            raise UsageError(
                f"{shown} has schema revision {at}, this uts needs {needed}; run `uts db upgrade --db {shown}`"
            )
        return store

    @classmethod
    def create(cls, url: str = DEFAULT_URL) -> SqlStore:
        """The store at ``url``, its schema created or upgraded to the newest migration first."""
        from uts.store.migrate import upgrade

        store = cls(url)
        if store.url.startswith("sqlite://") and store.url in ("sqlite://", "sqlite:///:memory:"):
            from uts.store.schema import metadata

            metadata.create_all(store.engine)  # an in-memory database lives as long as this engine: no Alembic
        else:
            upgrade(store.url)
        return store

    # ---- transactions -------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A read transaction that sees one consistent state, whatever writers do meanwhile."""
        try:
            with self.engine.connect() as conn:
                if not self.is_sqlite:
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except OperationalError as exc:
            raise StorageError(f"cannot read the database {self!r}: {exc.orig}") from None

    @contextmanager
    def _writing(self) -> Iterator[tuple[Connection, int]]:
        """A write transaction holding the write lock, and the revision it starts from."""
        try:
            with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn = conn.execution_options(uts_write=True)
                with conn.begin():
                    query = select(STATE.c.revision).where(STATE.c.id == 1)
                    if not self.is_sqlite:
                        query = query.with_for_update()
                    revision = conn.execute(query).scalar_one_or_none()
                    if revision is None:
                        raise UsageError(f"{self!r} holds no UTS working copy yet; fill it with `uts db load`")
                    yield conn, int(revision)
        except OperationalError as exc:
            raise StorageError(f"cannot write the database {self!r}: {exc.orig}") from None

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Connection]:
        """A transaction on the store's other tables (API keys, proposals, gaps): reads see one consistent
        state; ``write`` takes SQLite's write lock up front, so two writers queue instead of deadlocking."""
        if not write:
            with self._reading() as conn:
                yield conn
            return
        try:
            with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn = conn.execution_options(uts_write=True)
                with conn.begin():
                    yield conn
        except OperationalError as exc:
            raise StorageError(f"cannot write the database {self!r}: {exc.orig}") from None

    # ---- reading ------------------------------------------------------------------------------------

    def revision(self) -> str:
        with self._reading() as conn:
            return str(self._revision(conn))

    def _revision(self, conn: Connection) -> int:
        revision = conn.execute(select(STATE.c.revision).where(STATE.c.id == 1)).scalar_one_or_none()
        if revision is None:
            raise UsageError(f"{self!r} holds no UTS working copy yet; fill it with `uts db load`")
        return int(revision)

    def load(self, release: str | None = None) -> Ontology:
        if release is not None:
            return self._load_release(release)
        with self._reading() as conn:
            return self._working(conn, self._revision(conn))

    def _working(self, conn: Connection, revision: int) -> Ontology:
        cached = self._cache
        if cached is not None and cached[0] == revision:
            return cached[1]
        with self._cache_lock:
            cached = self._cache
            if cached is not None and cached[0] == revision:
                return cached[1]
            ontology = self._read_state(conn)
            prepare_for_edits(ontology)
            self._cache = (revision, ontology)
            # The working copy lives as long as the process: move its ~100,000 objects out of the cycle
            # collector's way, or every full collection scans them again (an 80 ms pause in the middle of an edit).
            gc.freeze()
            return ontology

    def _read_state(self, conn: Connection) -> Ontology:
        def rows(table: Table, columns: Sequence[str], *order: str) -> list[Any]:
            query = select(*(table.c[c] for c in columns)).order_by(*(table.c[o] for o in order))
            return [tuple(row) for row in conn.execute(query)]

        meta = conn.execute(select(STATE.c.metadata_json, STATE.c.paper_header_json)).one()
        return records.build_ontology(
            (meta[0], meta[1]),
            rows(CONCEPT, records.CONCEPT_COLUMNS, "id"),
            rows(LABEL, records.LABEL_COLUMNS, "concept_id", "position"),
            rows(RELATION, records.RELATION_COLUMNS, "concept_id", "kind", "position"),
            rows(CONCEPT_FACET, ("concept_id", "position", "facet_id"), "concept_id", "position"),
            rows(CONCEPT_DOMAIN, ("concept_id", "position", "domain"), "concept_id", "position"),
            rows(FACET, records.FACET_COLUMNS, "position"),
            rows(PAPER_TAG, records.PAPER_COLUMNS, "position"),
            rows(PAPER_ORDER, records.ORDER_COLUMNS, "level", "index"),
            rows(MAPPING_SET, ("name", "metadata_json"), "name"),
            rows(MAPPING_ROW, records.MAPPING_COLUMNS, "set_name", "position"),
            rows(WORD_SENSE, records.SENSE_COLUMNS, "form", "sense"),
        )

    def concept_revision(self, concept_id: str) -> int:
        """The revision that last changed the concept: an edit made against it (``expected_revision``) succeeds
        until someone else changes the concept."""
        with self._reading() as conn:
            found = conn.execute(select(CONCEPT.c.revision).where(CONCEPT.c.id == concept_id)).scalar_one_or_none()
        if found is None:
            raise UnknownConceptError(concept_id)
        return int(found)

    def history(self, concept_id: str, *, newest: int | None = None) -> list[ChangeRecord]:
        """Every applied edit that changed the concept, oldest first; ``newest``: only the last that many (a busy
        concept's whole history is read only when asked for)."""
        query = (
            select(CHANGE)
            .join(CHANGE_CONCEPT, CHANGE_CONCEPT.c.change_id == CHANGE.c.id)
            .where(CHANGE_CONCEPT.c.concept_id == concept_id)
            .order_by(CHANGE.c.id.desc() if newest is not None else CHANGE.c.id)
        )
        if newest is not None:
            query = query.limit(newest)
        with self._reading() as conn:
            changes = list(conn.execute(query).all())
            if newest is not None:
                changes.reverse()
            touched: dict[int, list[str]] = {}
            ids = [c.id for c in changes]
            if ids:
                for change_id, cid in conn.execute(
                    select(CHANGE_CONCEPT.c.change_id, CHANGE_CONCEPT.c.concept_id)
                    .where(CHANGE_CONCEPT.c.change_id.in_(ids))
                    .order_by(CHANGE_CONCEPT.c.concept_id)
                ):
                    touched.setdefault(change_id, []).append(cid)
        return [
            ChangeRecord(
                revision=str(c.revision),
                edit=EditAdapter.validate_json(c.edit_json),
                concepts=tuple(touched.get(c.id, [])),
                vocabularies=tuple(json.loads(c.vocabularies_json)),
                before=json.loads(c.before_json),
                after=json.loads(c.after_json),
            )
            for c in changes
        ]

    def history_size(self, concept_id: str) -> int:
        """How many applied edits changed the concept."""
        query = select(func.count()).select_from(CHANGE_CONCEPT).where(CHANGE_CONCEPT.c.concept_id == concept_id)
        with self._reading() as conn:
            return int(conn.execute(query).scalar_one())

    # ---- writing ------------------------------------------------------------------------------------

    def apply(
        self,
        edits: Sequence[Edit],
        *,
        expected_revision: str | None = None,
        within: Callable[[Connection, Commit], None] | None = None,
    ) -> Commit:
        """Apply ``edits`` in one transaction. ``expected_revision``: the revision the author read; the write is a
        conflict when any concept or mapping set it changes was changed by a later revision (edits to other
        concepts meanwhile are no conflict: every rule is checked again on the current state).

        ``within`` runs inside the same transaction after the edits are written (e.g. marking the proposal they
        came from accepted): if it raises, nothing of the write remains."""
        expected = _parse_revision(expected_revision) if expected_revision is not None else None
        with self._writing() as (conn, previous):
            if expected is not None and expected > previous:
                raise ConflictError(str(expected), str(previous), f"the working copy in {self!r}")
            before = self._working(conn, previous)
            applied = apply_edits(before, edits)
            if expected is not None:
                self._check_unchanged_since(conn, expected, previous, applied)
            revision = previous + 1
            self._write_changes(conn, before, applied, revision)
            commit = self._log(conn, before, applied, revision)
            conn.execute(update(STATE).where(STATE.c.id == 1).values(revision=revision))
            # An edit that names its new concept's ID (an edits file, KGCL) moves the counter past it: IDs handed
            # out later never collide with it.
            added = [id_number(c) for c in applied.concepts if c not in before.concepts]
            if added:
                counter = STATE.c.next_concept
                conn.execute(
                    update(STATE).where(STATE.c.id == 1, counter <= max(added)).values(next_concept=max(added) + 1)
                )
            if within is not None:
                within(conn, commit)
        with self._cache_lock:
            self._cache = (revision, applied.ontology)
        return commit

    def _check_unchanged_since(self, conn: Connection, expected: int, current: int, applied: Applied) -> None:
        stale = [
            cid
            for cid, revision in conn.execute(
                select(CONCEPT.c.id, CONCEPT.c.revision).where(CONCEPT.c.id.in_(sorted(applied.concepts)))
            )
            if revision > expected
        ]
        stale += [
            f"mapping set {name}"
            for name, revision in conn.execute(
                select(MAPPING_SET.c.name, MAPPING_SET.c.revision).where(
                    MAPPING_SET.c.name.in_(sorted(applied.vocabularies))
                )
            )
            if revision > expected
        ]
        if stale:
            raise ConflictError(
                str(expected), str(current), f"{', '.join(sorted(stale)[:5])} in the working copy of {self!r}"
            )

    def _write_changes(self, conn: Connection, before: Ontology, applied: Applied, revision: int) -> None:
        after = applied.ontology
        touched = sorted(applied.concepts)
        if touched:
            for table in (LABEL, RELATION, CONCEPT_FACET, CONCEPT_DOMAIN):
                conn.execute(delete(table).where(table.c.concept_id.in_(touched)))
            conn.execute(delete(CONCEPT).where(CONCEPT.c.id.in_(touched)))
            rows = records.concept_rows((after.concepts[c] for c in touched), revision)
            self._insert(conn, CONCEPT, rows.concepts)
            self._insert(conn, LABEL, rows.labels)
            self._insert(conn, RELATION, rows.relations)
            self._insert(conn, CONCEPT_FACET, rows.facets)
            self._insert(conn, CONCEPT_DOMAIN, rows.domains)
        if after.paper != before.paper:
            changed = [n for n, (a, b) in enumerate(zip(before.paper, after.paper, strict=True)) if a != b]
            conn.execute(delete(PAPER_TAG).where(PAPER_TAG.c.position.in_(changed)))
            all_rows = records.paper_rows(after.paper)
            self._insert(conn, PAPER_TAG, [all_rows[n] for n in changed])
        if after.senses != before.senses:  # a merge re-points the senses that named the merged concept
            conn.execute(delete(WORD_SENSE))
            self._insert(conn, WORD_SENSE, records.sense_rows(after.senses))
        for name in sorted(applied.vocabularies):
            mapping_set = after.mappings[name]
            header = json.dumps(dict(mapping_set.metadata), default=_plain)
            if name not in before.mappings:
                self._insert(conn, MAPPING_SET, [{"name": name, "metadata_json": header, "revision": revision}])
            else:
                conn.execute(
                    update(MAPPING_SET)
                    .where(MAPPING_SET.c.name == name)
                    .values(metadata_json=header, revision=revision)
                )
            conn.execute(delete(MAPPING_ROW).where(MAPPING_ROW.c.set_name == name))
            self._insert(conn, MAPPING_ROW, records.mapping_rows(mapping_set))

    def _log(self, conn: Connection, before: Ontology, applied: Applied, revision: int) -> Commit:
        out = []
        for change in applied.changes:
            concepts = tuple(sorted(change.concepts))
            was = {c: before.concepts.get(c) for c in concepts}
            now = {c: applied.ontology.concepts.get(c) for c in concepts}
            edit = change.edit
            inserted = conn.execute(
                insert(CHANGE).values(
                    revision=revision,
                    op=edit.op,
                    author=edit.author,
                    time=edit.time,
                    reason=edit.reason,
                    edit_json=edit.model_dump_json(),
                    vocabularies_json=json.dumps(sorted(change.vocabularies)),
                    before_json=_concepts_json(was),
                    after_json=_concepts_json(now),
                )
            ).inserted_primary_key
            assert inserted is not None
            change_id = inserted[0]
            self._insert(conn, CHANGE_CONCEPT, [{"change_id": change_id, "concept_id": c} for c in concepts])
            out.append(
                ChangeRecord(
                    revision=str(revision),
                    edit=edit,
                    concepts=concepts,
                    vocabularies=tuple(sorted(change.vocabularies)),
                    before=was,
                    after=now,
                )
            )
        return Commit(revision=str(revision), previous=str(revision - 1), changes=tuple(out))

    @staticmethod
    def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        if rows:
            conn.execute(insert(table), rows)

    def reserve_ids(self, count: int) -> list[str]:
        if count < 0:
            raise UsageError(f"cannot reserve {count} IDs; ask for 0 or more")
        if count == 0:
            return []
        with self._writing() as (conn, _):
            start = conn.execute(select(STATE.c.next_concept).where(STATE.c.id == 1)).scalar_one()
            conn.execute(update(STATE).where(STATE.c.id == 1).values(next_concept=start + count))
        return [format_id(n) for n in range(start, start + count)]

    # ---- filling and releases -----------------------------------------------------------------------

    def is_empty(self) -> bool:
        with self._reading() as conn:
            return conn.execute(select(STATE.c.id)).first() is None

    def load_source(self, root: Path | str | Ontology) -> ReleaseInfo:
        """Fill an empty store from a source root (or an Ontology): the working copy, and its version as a
        release. The releases the root records (``releases/*/release.toml``, e.g. 1.0.0 beside a 1.1.0 source) are
        added as they were released, with their own source, date and notes, so diffs and migrations reach back to
        them; a source that differs from the release its version names is loaded as a working copy with unreleased
        changes. A store that holds anything refuses, rather than mixing two sources. Returns the newest release."""
        from uts.ontology.layouts import read_layouts
        from uts.ontology.load import load_ontology
        from uts.store.releases import content_hash, freeze, recorded_releases, semver_key

        ontology = root if isinstance(root, Ontology) else load_ontology(root)
        version = ontology.metadata.version
        # The source's own class-index layouts (a release of UTS carries them), continued for any new concept.
        layouts = {} if isinstance(root, Ontology) else read_layouts(Path(root), version)
        recorded = [] if isinstance(root, Ontology) else recorded_releases(Path(root), version)
        newer = [r.record.version for r in recorded if semver_key(r.record.version) > semver_key(version)]
        if newer:
            raise UsageError(
                f"the source is UTS {version} but records the newer release {newer[-1]}; "
                "load the source of the newest release (its ontology/uts.toml names the version)"
            )
        earlier: list[tuple[Ontology, ReleaseRecord, dict[Level, Layout]]] = []
        own_record: ReleaseRecord | None = None
        current_hash = content_hash(ontology) if recorded else ""
        for found in recorded:
            record = found.record
            same = record.version == version and record.content_hash == current_hash
            released = ontology if same else load_ontology(found.root)
            if not same and content_hash(released) != record.content_hash:
                raise SourceError(
                    f"{where(found.root)}: the source of release {record.version} does not match the content hash "
                    f"its release.toml records; releases never change, so restore the files from version control"
                )
            if same:
                own_record = record
            else:
                earlier.append((released, record, read_layouts(found.root, record.version)))
        unreleased = any(record.version == version for _, record, _ in earlier)
        if not self.is_empty():
            raise UsageError(f"{self!r} already holds a working copy; load into an empty database")
        rows = records.concept_rows(ontology.concepts.values())
        meta, header = records.metadata_json(ontology)
        highest = max((id_number(c) for c in ontology.concepts), default=0)
        try:
            with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn = conn.execution_options(uts_write=True)
                with conn.begin():
                    self._insert(conn, CONCEPT, rows.concepts)
                    self._insert(conn, LABEL, rows.labels)
                    self._insert(conn, RELATION, rows.relations)
                    self._insert(conn, CONCEPT_FACET, rows.facets)
                    self._insert(conn, CONCEPT_DOMAIN, rows.domains)
                    self._insert(conn, FACET, records.facet_rows(ontology.facets.values()))
                    self._insert(conn, PAPER_TAG, records.paper_rows(ontology.paper))
                    self._insert(conn, PAPER_ORDER, records.order_rows(ontology.reordered))
                    self._insert(conn, WORD_SENSE, records.sense_rows(ontology.senses))
                    for name, mapping_set in sorted(ontology.mappings.items()):
                        header_json = json.dumps(dict(mapping_set.metadata), default=_plain)
                        self._insert(conn, MAPPING_SET, [{"name": name, "metadata_json": header_json, "revision": 1}])
                        self._insert(conn, MAPPING_ROW, records.mapping_rows(mapping_set))
                    self._insert(
                        conn,
                        STATE,
                        [{"id": 1, "revision": 1, "next_concept": highest + 1, "metadata_json": meta,
                          "paper_header_json": header}],
                    )  # fmt: skip
                    info = None
                    for released, record, release_layouts in earlier:  # oldest first, before the working copy
                        info, _ = freeze(
                            conn, released, record.version, notes=record.notes, revision=0, date=record.date,
                            previous=release_layouts,
                        )  # fmt: skip
                    if not unreleased:
                        info, _ = freeze(
                            conn, ontology, version, revision=1, previous=layouts,
                            notes=own_record.notes if own_record else "loaded from the source",
                            date=own_record.date if own_record else None,
                        )  # fmt: skip
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot fill {self!r}: {exc}") from None
        assert info is not None  # the source's version is recorded or released here
        return info

    def releases(self) -> list[ReleaseInfo]:
        with self._reading() as conn:
            found = conn.execute(select(RELEASE.c.version, RELEASE.c.version_iri, RELEASE.c.date)).all()
        from uts.store.releases import semver_key

        return sorted(
            (ReleaseInfo(version=v, iri=iri, date=d) for v, iri, d in found), key=lambda r: semver_key(r.version)
        )

    def release_texts(self, version: str) -> dict[str, str]:
        """The canonical source files of a release, by path (``ontology/terms.tsv``, ...)."""
        with self._reading() as conn:
            files = conn.execute(
                select(RELEASE_FILE.c.path, RELEASE_FILE.c.text).where(RELEASE_FILE.c.version == version)
            ).all()
        if not files:
            raise UnknownReleaseError(version, [r.version for r in self.releases()])
        return dict(files)

    def _load_release(self, version: str) -> Ontology:
        from uts.store.releases import ontology_from_texts

        return ontology_from_texts(self.release_texts(version), name=f"release {version}")

    def release(
        self,
        version: str,
        *,
        notes: str,
        date: dt.date | None = None,
        publish: Callable[[ReleaseInfo, dict[str, str]], None] | None = None,
    ) -> tuple[ReleaseInfo, bool]:
        """Freeze the working copy as release ``version``; ``(latest, False)`` when its content equals the latest
        release's (nothing is released again). A version that exists or is not newer is refused.

        ``publish`` (writing the release's artefacts) runs before the release is committed: if it fails or the
        process is stopped, the database holds no trace of the release either.
        """
        from uts.store.releases import check_new_version, content_hash, freeze

        with self._writing() as (conn, revision):
            existing = conn.execute(
                select(RELEASE.c.version, RELEASE.c.content_hash, RELEASE.c.version_iri, RELEASE.c.date)
            ).all()
            check_new_version(version, [row[0] for row in existing])
            working = self._working(conn, revision)
            latest = max(existing, key=lambda row: _semver(row[0]), default=None)
            if latest is not None and latest[1] == content_hash(working):
                return ReleaseInfo(version=latest[0], iri=latest[2], date=latest[3]), False
            info, texts = freeze(conn, working, version, notes=notes, revision=revision, date=date)
            if publish is not None:
                publish(info, texts)
        return info, True

    def release_notes(self, version: str) -> tuple[str, str, int]:
        """A release's notes, content hash and the working-copy revision it froze."""
        with self._reading() as conn:
            found = conn.execute(
                select(RELEASE.c.notes, RELEASE.c.content_hash, RELEASE.c.revision).where(RELEASE.c.version == version)
            ).first()
        if found is None:
            raise UnknownReleaseError(version, [r.version for r in self.releases()])
        return str(found[0]), str(found[1]), int(found[2])

    def dump(self, output: Path | str, release: str | None = None) -> list[Path]:
        """Write the working copy (or a release) as the canonical source files under ``output``, with the
        class-index layouts of the newest release (of that release)."""
        from uts.io.atomic import write_all_atomic
        from uts.ontology.layouts import LAYOUT_DIR
        from uts.store.releases import source_texts

        if release is not None:
            texts = self.release_texts(release)
        else:
            texts = source_texts(self.load())
            newest = self.releases()
            if newest:
                layouts = self.release_texts(newest[-1].version)
                texts.update({p: t for p, t in layouts.items() if p.startswith(LAYOUT_DIR)})
        files = {Path(output) / path: text.encode("utf-8") for path, text in sorted(texts.items())}
        write_all_atomic(files)
        return sorted(files)


def _parse_revision(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a revision of a database working copy; they are whole numbers") from None


def _semver(version: str) -> tuple[int, ...]:
    from uts.store.releases import semver_key

    return semver_key(version)


def _plain(value: Any) -> Any:
    """JSON for the read-only mappings and tuples of an Ontology's headers."""
    from uts.ontology.model import thaw

    return thaw(value)


def _concepts_json(concepts: dict[str, Concept | None]) -> str:
    return json.dumps({c: (v.model_dump(mode="json") if v is not None else None) for c, v in concepts.items()})


def ping(url: str) -> None:
    """Fail early, with the reason, when a database cannot be reached."""
    try:
        with make_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise SourceError(f"cannot reach the database {url!r}: {exc}") from None


__all__ = ["DEFAULT_URL", "SqlStore", "database_url", "make_engine", "ping"]
