"""One change to a store, the way every command that writes makes it: read the revision, load, work out the
edits against what was loaded, then apply them against that revision (or only check them, for a dry run).

Edits worked out from a state someone else changed in the meantime are refused (``ConflictError``), never
applied on top of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from uts.ontology.apply import Applied, apply_edits
from uts.ontology.edits import Edit
from uts.ontology.ontology import Ontology
from uts.store.base import Commit, OntologyStore


@dataclass(frozen=True)
class Change:
    """What a change did: its edits, their result, and the commit (``None`` for a dry run)."""

    edits: tuple[Edit, ...]
    applied: Applied | None
    commit: Commit | None

    @property
    def concepts(self) -> list[str]:
        if self.commit is not None:
            return self.commit.concepts
        return sorted(self.applied.concepts) if self.applied is not None else []


def change(
    store: OntologyStore,
    edits_for: Callable[[Ontology], Sequence[Edit]],
    *,
    dry_run: bool = False,
    expected_revision: str | None = None,
) -> Change:
    """Apply the edits ``edits_for`` works out from the store's working state, as one change.

    ``expected_revision`` (default: the revision read before loading) names the state the edits were made
    against; with ``dry_run`` every rule is checked and nothing is written.
    """
    revision = expected_revision or store.revision()
    ontology = store.load()
    edits = tuple(edits_for(ontology))
    if dry_run:
        return Change(edits, apply_edits(ontology, edits) if edits else None, None)
    if not edits:
        return Change(edits, None, None)
    return Change(edits, None, store.apply(edits, expected_revision=revision))


__all__ = ["Change", "change"]
