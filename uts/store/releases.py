"""Releases: a frozen version of UTS is the canonical text of its source files, kept whole and never changed.

Freezing writes every source file (``ontology/*.tsv``, ``ontology/uts.toml``, ``mappings/*.sssom.tsv``) and the
class-index layout of each level as the release's files; loading a release parses them like a checkout. The
content hash leaves the version out, so releasing unchanged content again is recognised and refused as a no-op.

A release's folder also carries its record (``release.toml``: version, date, notes, content hash), so a checkout or
a wheel holds the project's release history: ``releases/1.0.0/`` keeps the source of an earlier release, and a
database filled from the source gets every earlier release too (``uts diff 1.0.0 1.1.0`` works on a fresh machine).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from uts.errors import SourceError, UsageError, where
from uts.ontology.layouts import LAYOUT_DIR, Layout, layout_path_level, layouts_for
from uts.ontology.lint import canonical_texts
from uts.ontology.load import raise_for, read_root
from uts.ontology.model import Level
from uts.ontology.ontology import Ontology
from uts.ontology.source import SourceLayout
from uts.store.base import ReleaseInfo

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from uts.store.sql import SqlStore

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_PLACEHOLDER_VERSION = "0.0.0"


RELEASES_DIR = "releases"  # below a source root (a checkout, or the package's bundled copy)
RECORD_FILE = "release.toml"


class ReleaseRecord(BaseModel):
    """What a release folder says of itself, so its history survives outside the database that made it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(description="Semantic version, e.g. '1.0.0'.")
    date: dt.date = Field(description="The day it was released.")
    notes: str = Field(description="What the release changes, for its users.")
    content_hash: str = Field(description="SHA-256 of the source texts with the version left out (content_hash).")

    def to_toml(self) -> str:
        # JSON string escapes are valid in TOML basic strings; tomllib reads the file back.
        fields = {"version": self.version, "notes": self.notes, "content_hash": self.content_hash}
        lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
        lines.insert(1, f"date = {self.date.isoformat()}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RecordedRelease:
    """An earlier (or the current) release found under ``releases/``: its record and the source root holding its
    ``ontology/`` and ``mappings/``."""

    record: ReleaseRecord
    root: Path


def read_record(path: Path) -> ReleaseRecord:
    try:
        return ReleaseRecord.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise SourceError(
            f"{where(path)}: not a release record ({exc}); it needs version, date, notes and content_hash"
        ) from None


def recorded_releases(root: Path, current: str | None = None) -> list[RecordedRelease]:
    """The releases recorded under ``root/releases/*/release.toml``, oldest first. A folder without its own
    ``ontology/`` is the release ``root`` itself holds (version ``current``); any other such folder is an error."""
    folder = Path(root) / RELEASES_DIR
    found = []
    for path in sorted(folder.glob(f"*/{RECORD_FILE}")) if folder.is_dir() else []:
        record = read_record(path)
        if record.version != path.parent.name:
            raise SourceError(
                f"{where(path)} records release {record.version}; it belongs in releases/{record.version}/"
            )
        own = path.parent
        if (own / "ontology" / "terms.tsv").exists():
            found.append(RecordedRelease(record, own))
        elif record.version == current:
            found.append(RecordedRelease(record, Path(root)))
        else:
            raise SourceError(
                f"{where(path)}: release {record.version} has no ontology/ beside its record, and the source root "
                f"holds {current}; put the release's source files in {where(own)}"
            )
    return sorted(found, key=lambda r: semver_key(r.record.version))


def semver_key(version: str) -> tuple[int, ...]:
    """``"1.10.0"`` -> ``(1, 10, 0)``, so versions sort as numbers."""
    found = SEMVER.match(version)
    if found is None:
        raise UsageError(f"{version!r} is not a semantic version like 1.1.0")
    return tuple(int(part) for part in found.groups())


def check_new_version(version: str, existing: list[str]) -> None:
    """A new release needs a version no release has, newer than every one: releases never change."""
    key = semver_key(version)
    if version in existing:
        raise UsageError(f"release {version} exists and never changes; release the working copy as a newer version")
    newest = max(existing, key=semver_key, default=None)
    if newest is not None and key <= semver_key(newest):
        raise UsageError(f"release {version} would not be newer than release {newest}; choose a higher version")


def source_texts(ontology: Ontology) -> dict[str, str]:
    """The canonical text of every source file of ``ontology``, by path below a source root."""
    texts = canonical_texts(ontology, SourceLayout(Path(".")))
    return {path.as_posix(): text for path, text in sorted(texts.items())}


def with_version(ontology: Ontology, version: str) -> Ontology:
    return ontology.replace(metadata=ontology.metadata.model_copy(update={"version": version}))


def content_hash(ontology: Ontology) -> str:
    """What a release holds, whatever it is called: the source texts hashed with the version left out."""
    digest = hashlib.sha256()
    for path, text in source_texts(with_version(ontology, _PLACEHOLDER_VERSION)).items():
        digest.update(path.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


def ontology_from_texts(texts: Mapping[str, str], *, name: str) -> Ontology:
    """The Ontology a release's files describe (checked by every rule, as a checkout would be)."""
    files = {Path(path): text for path, text in texts.items() if not path.startswith(LAYOUT_DIR)}
    loaded = read_root(Path("."), files=files)
    raise_for(loaded.problems)
    return loaded.ontology


def newest_layouts(conn: Connection) -> dict[Level, Layout]:
    """The class-index layouts of the newest release, to continue from (none before the first release)."""
    from sqlalchemy import select

    from uts.store.schema import RELEASE, RELEASE_FILE

    versions = [v for (v,) in conn.execute(select(RELEASE.c.version))]
    if not versions:
        return {}
    newest = max(versions, key=semver_key)
    rows = conn.execute(
        select(RELEASE_FILE.c.path, RELEASE_FILE.c.text).where(
            RELEASE_FILE.c.version == newest,
            RELEASE_FILE.c.path.startswith(LAYOUT_DIR),
        )
    ).all()
    out = {}
    for path, text in rows:
        level = layout_path_level(path)
        out[level] = Layout.from_text(text, level=level, version=newest, name=f"release {newest}: {path}")
    return out


def release_layout(store: SqlStore, version: str, level: Level) -> Layout:
    """The class-index layout of ``level`` in release ``version``."""
    path = f"{LAYOUT_DIR}label_{level.value}.tsv"
    texts = store.release_texts(version)
    if path not in texts:
        raise UsageError(f"release {version} has no class-index layout for level {level.value}")
    return Layout.from_text(texts[path], level=level, version=version, name=f"release {version}: {path}")


def freeze(
    conn: Connection,
    ontology: Ontology,
    version: str,
    *,
    notes: str,
    revision: int,
    date: dt.date | None = None,
    previous: Mapping[Level, Layout] | None = None,
) -> tuple[ReleaseInfo, dict[str, str]]:
    """Write release ``version`` of ``ontology`` in the open transaction: its metadata, files and layouts (which
    continue ``previous``, default the newest release's). Returns the release and its files."""
    from sqlalchemy import insert

    from uts.store.schema import RELEASE, RELEASE_FILE

    released = with_version(ontology, version)
    texts = source_texts(released)
    for layout in layouts_for(released, newest_layouts(conn) if previous is None else previous).values():
        texts[layout.path] = layout.to_text()
    day = date or dt.date.today()
    conn.execute(
        insert(RELEASE).values(
            version=version,
            date=day,
            notes=notes,
            content_hash=content_hash(ontology),
            version_iri=released.metadata.version_iri,
            revision=revision,
            created=dt.datetime.now(dt.UTC),
        )
    )
    conn.execute(insert(RELEASE_FILE), [{"version": version, "path": p, "text": t} for p, t in sorted(texts.items())])
    return ReleaseInfo(version=version, iri=released.metadata.version_iri, date=day), dict(sorted(texts.items()))


__all__ = [
    "RECORD_FILE",
    "RELEASES_DIR",
    "RecordedRelease",
    "ReleaseRecord",
    "check_new_version",
    "content_hash",
    "freeze",
    "newest_layouts",
    "ontology_from_texts",
    "read_record",
    "recorded_releases",
    "release_layout",
    "semver_key",
    "source_texts",
    "with_version",
]
