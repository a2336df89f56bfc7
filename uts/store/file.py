"""``FileStore``: the curated TSV and SSSOM files of a source root as a store (the default).

The working state is the files themselves, written in exactly their canonical form, so git shows every change as
a plain diff. The revision is a hash of their content: a write made against files that changed since (by another
``uts`` process, a ``git pull`` or an editor) is a conflict. Writes are serialised by a lock file and land
all-or-nothing. The change log of edits applied through the store is kept in ``.uts/history.jsonl`` beside the
sources (git keeps the history of the files themselves); the store's only release is the version its
``ontology/uts.toml`` declares.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from uts.errors import ConflictError, UnknownReleaseError, UsageError, where
from uts.io.atomic import locked, write_all_atomic, write_atomic
from uts.ontology.apply import apply_edits
from uts.ontology.edits import Edit
from uts.ontology.lint import changed_texts
from uts.ontology.load import raise_for, read_root
from uts.ontology.model import format_id, id_number
from uts.ontology.ontology import Ontology
from uts.ontology.source import SourceLayout, bundled_root, read_metadata
from uts.store.base import ChangeRecord, Commit, ReleaseInfo

STATE_DIR = ".uts"


class FileStore:
    """A source root (``ontology/`` and ``mappings/``) as an :class:`~uts.store.base.OntologyStore`."""

    def __init__(self, root: Path | str, *, read_only: bool = False) -> None:
        self.root = Path(root)
        self.layout = SourceLayout(self.root)
        self.read_only = read_only
        self.state = self.root / STATE_DIR

    @classmethod
    def bundled(cls) -> FileStore:
        """The release shipped with the package, read-only (in an installed wheel it lives in site-packages)."""
        return cls(bundled_root(), read_only=True)

    def __repr__(self) -> str:
        return f"FileStore({str(self.root)!r}{', read_only=True' if self.read_only else ''})"

    # ---- reading ------------------------------------------------------------------------------------

    def _files(self) -> list[Path]:
        layout = self.layout
        return [layout.metadata, *layout.tables, *layout.translation_files().values(), *layout.mapping_files().values()]

    def revision(self) -> str:
        digest = hashlib.sha256()
        for path in self._files():
            digest.update(path.relative_to(self.root).as_posix().encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except FileNotFoundError:
                digest.update(b"\0missing")
            digest.update(b"\0")
        return digest.hexdigest()[:16]

    def releases(self) -> list[ReleaseInfo]:
        meta = read_metadata(self.layout.metadata, [])
        return [] if meta is None else [ReleaseInfo(version=meta.version, iri=meta.version_iri)]

    def load(self, release: str | None = None) -> Ontology:
        if release is not None:
            versions = [r.version for r in self.releases()]
            if release not in versions:
                raise UnknownReleaseError(release, versions)
        loaded = read_root(self.root)
        raise_for(loaded.problems)
        return loaded.ontology

    def history(self, concept_id: str) -> list[ChangeRecord]:
        path = self.state / "history.jsonl"
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and f'"{concept_id}"' in line:
                record = ChangeRecord.model_validate_json(line)
                if concept_id in record.concepts:
                    out.append(record)
        return out

    # ---- writing ------------------------------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise UsageError(
                f"{where(self.root)} is a read-only store (the bundled release); "
                "work on a copy of the sources: pass --root DIR (a checkout of the repository)"
            )

    def apply(self, edits: Sequence[Edit], *, expected_revision: str | None = None) -> Commit:
        self._writable()
        with locked(self.state / "lock"):
            previous = self.revision()
            if expected_revision is not None and expected_revision != previous:
                raise ConflictError(expected_revision, previous, f"the source under {where(self.root)}")
            loaded = read_root(self.root)
            raise_for(loaded.problems)  # a working copy that breaks the rules is fixed first, not edited on top
            applied = apply_edits(loaded.ontology, edits)
            texts = changed_texts(applied.ontology, self.layout, loaded.sources.texts)
            write_all_atomic({path: text.encode("utf-8") for path, text in texts.items()})
            revision = self.revision()
            before, after = loaded.ontology.concepts, applied.ontology.concepts
            records = tuple(
                ChangeRecord(
                    revision=revision,
                    edit=change.edit,
                    concepts=tuple(sorted(change.concepts)),
                    vocabularies=tuple(sorted(change.vocabularies)),
                    before={c: before.get(c) for c in sorted(change.concepts)},
                    after={c: after.get(c) for c in sorted(change.concepts)},
                )
                for change in applied.changes
            )
            self._append_history(records)
            return Commit(revision=revision, previous=previous, changes=records)

    def _append_history(self, records: Sequence[ChangeRecord]) -> None:
        path = self.state / "history.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            for record in records:
                handle.write(record.model_dump_json() + "\n")
            handle.flush()

    def reserve_ids(self, count: int) -> list[str]:
        if count < 0:
            raise UsageError(f"cannot reserve {count} IDs; ask for 0 or more")
        self._writable()
        with locked(self.state / "lock"):
            state_file = self.state / "ids.json"
            handed_out = json.loads(state_file.read_text(encoding="utf-8"))["next"] if state_file.exists() else 1
            start = max(handed_out, self._highest_id() + 1)
            write_atomic(state_file, json.dumps({"next": start + count}).encode("utf-8"))
        return [format_id(n) for n in range(start, start + count)]

    def _highest_id(self) -> int:
        """The highest concept ID in terms.tsv, read from its first column (no need to load everything)."""
        highest = 0
        try:
            text = self.layout.terms.read_text(encoding="utf-8")
        except FileNotFoundError:
            return 0
        for line in text.splitlines()[1:]:
            cell = line.split("\t", 1)[0]
            if cell.startswith("UTS:") and cell[4:].isdigit():
                highest = max(highest, id_number(cell))
        return highest


__all__ = ["FileStore"]
