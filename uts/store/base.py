"""The storage interface: one protocol for every place a working copy of UTS lives (files, SQLite, PostgreSQL).

A store holds a working state that edits change, and releases that never change. Every write names the revision
it was made against; a store where what it changes moved on since refuses it with ``ConflictError`` instead of
silently overwriting someone else's change. Every store passes the same contract suite (``tests/store_contract.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from uts.ontology.edits import Edit
from uts.ontology.model import Concept
from uts.ontology.ontology import Ontology


class ReleaseInfo(BaseModel):
    """A release a store can load."""

    model_config = ConfigDict(frozen=True)

    version: str = Field(description="Semantic version, e.g. '1.0.0'.")
    iri: str = Field(description="The release's versionIRI.")
    date: dt.date | None = Field(default=None, description="When it was released, if known.")


class ChangeRecord(BaseModel):
    """One applied edit in a store's append-only change log: what, by whom, when, why, and the records before and
    after (``None``: the concept did not exist)."""

    model_config = ConfigDict(frozen=True)

    revision: str = Field(description="The store revision this edit produced (with the others of its batch).")
    edit: Edit
    concepts: tuple[str, ...] = Field(description="Concepts whose records the edit changed.")
    vocabularies: tuple[str, ...] = Field(default=(), description="Mapping sets the edit changed.")
    before: dict[str, Concept | None] = Field(default_factory=dict)
    after: dict[str, Concept | None] = Field(default_factory=dict)


class Commit(BaseModel):
    """What one successful ``apply`` did."""

    model_config = ConfigDict(frozen=True)

    revision: str = Field(description="The store's revision after the write.")
    previous: str = Field(description="The revision the write was made against.")
    changes: tuple[ChangeRecord, ...]

    @property
    def concepts(self) -> list[str]:
        return sorted({c for change in self.changes for c in change.concepts})


@runtime_checkable
class OntologyStore(Protocol):
    """Where a working copy of UTS lives, with its releases and the history of every edit."""

    def load(self, release: str | None = None) -> Ontology:
        """The working state (``release`` None) or a release by version; ``UnknownReleaseError`` if none."""
        ...

    def releases(self) -> list[ReleaseInfo]:
        """Every release the store can load, oldest first."""
        ...

    def revision(self) -> str:
        """An opaque token that changes with every write to the working state."""
        ...

    def apply(self, edits: Sequence[Edit], *, expected_revision: str | None = None) -> Commit:
        """Apply ``edits`` as one change: all of them or none (``EditError``); ``ConflictError`` when
        ``expected_revision`` is given and what the edits change has changed since that revision (a store may
        be stricter: FileStore refuses any change since)."""
        ...

    def history(self, concept_id: str) -> list[ChangeRecord]:
        """Every applied edit that changed the concept, oldest first."""
        ...

    def reserve_ids(self, count: int) -> list[str]:
        """``count`` concept IDs that no concept has and no earlier call returned: never reused."""
        ...
