"""Proposed changes and their review: an annotator proposes typed edits, a reviewer who is not the author accepts
(applies them, as one change, with the proposal marked in the same transaction) or rejects them.

A proposal keeps the revision its author read. Accepting it applies the edits against that revision (or a newer
one the reviewer names): if what they change was changed since, the store answers ``ConflictError`` and the
proposal stays open, so no one's edit is overwritten unseen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, insert, select, update

from uts.errors import ConflictError, NotFoundError, UsageError
from uts.ontology.apply import apply_edits
from uts.ontology.edits import Edit, EditListAdapter
from uts.store.access import AuthError, Principal, Role
from uts.store.base import Commit
from uts.store.schema import PROPOSAL
from uts.store.sql import SqlStore


class ProposalStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Proposal(BaseModel):
    """Edits someone proposed, and what became of them."""

    model_config = ConfigDict(frozen=True)

    id: int = Field(description="The proposal's number.")
    author: str = Field(description="Who proposed it (CURIE); the author of its edits in the change log.")
    created: dt.datetime = Field(description="When it was proposed (UTC).")
    base_revision: str = Field(description="The working-copy revision the author read.")
    edits: list[Edit] = Field(description="The typed edits, applied together or not at all.")
    reason: str = Field(default="", description="Why the author proposes it.")
    status: ProposalStatus = Field(description="open, accepted or rejected.")
    reviewer: str | None = Field(default=None, description="Who accepted or rejected it.")
    reviewed: dt.datetime | None = Field(default=None, description="When it was reviewed.")
    review_reason: str = Field(default="", description="The reviewer's reason.")
    applied_revision: str | None = Field(default=None, description="The revision its acceptance produced.")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _proposal(row: object) -> Proposal:
    r = row._mapping  # type: ignore[attr-defined]
    return Proposal(
        id=r["id"],
        author=r["author"],
        created=r["created"],
        base_revision=str(r["base_revision"]),
        edits=EditListAdapter.validate_json(r["edits_json"]),
        reason=r["reason"],
        status=ProposalStatus(r["status"]),
        reviewer=r["reviewer"],
        reviewed=r["reviewed"],
        review_reason=r["review_reason"],
        applied_revision=None if r["applied_revision"] is None else str(r["applied_revision"]),
    )


def propose(
    store: SqlStore,
    author: Principal,
    edits: Sequence[Edit],
    *,
    reason: str = "",
    base_revision: str | None = None,
) -> Proposal:
    """Record a proposal. The edits are checked against the working copy now (every rule, as ``uts validate``),
    so a proposal that could never be applied is refused at once with its problems."""
    author.require(Role.ANNOTATOR)
    if not edits:
        raise UsageError("a proposal needs at least one edit")
    now = _now()
    stamped = [e.model_copy(update={"author": author.curie, "time": now, "reason": e.reason or reason}) for e in edits]
    current = store.revision()
    base = int(base_revision) if base_revision is not None else int(current)
    if base > int(current):
        raise ConflictError(str(base), current, "the working copy")
    apply_edits(store.load(), stamped)  # EditError with every problem, before anything is recorded
    with store.transaction(write=True) as conn:
        inserted = conn.execute(
            insert(PROPOSAL).values(
                author=author.curie,
                created=now,
                base_revision=base,
                edits_json=EditListAdapter.dump_json(stamped).decode(),
                reason=reason,
                status=ProposalStatus.OPEN.value,
                review_reason="",
            )
        ).inserted_primary_key
    assert inserted is not None
    return get_proposal(store, int(inserted[0]))


def get_proposal(store: SqlStore, proposal_id: int) -> Proposal:
    with store.transaction() as conn:
        row = conn.execute(select(PROPOSAL).where(PROPOSAL.c.id == proposal_id)).first()
    if row is None:
        raise NotFoundError(f"no proposal has the number {proposal_id}; GET /v1/proposals lists them")
    return _proposal(row)


def list_proposals(
    store: SqlStore, *, status: ProposalStatus | None = None, after: int = 0, limit: int = 50
) -> list[Proposal]:
    query = select(PROPOSAL).where(PROPOSAL.c.id > after).order_by(PROPOSAL.c.id).limit(limit)
    if status is not None:
        query = query.where(PROPOSAL.c.status == status.value)
    with store.transaction() as conn:
        return [_proposal(row) for row in conn.execute(query)]


def _check_reviewable(proposal: Proposal, reviewer: Principal) -> None:
    reviewer.require(Role.REVIEWER)
    if proposal.author == reviewer.curie:
        raise AuthError(
            f"proposal {proposal.id} is {reviewer.curie}'s own: another reviewer must accept or reject it",
            forbidden=True,
        )
    if proposal.status is not ProposalStatus.OPEN:
        raise ConflictError("open", proposal.status.value, f"proposal {proposal.id}")


def _close(conn: Connection, proposal: Proposal, status: ProposalStatus, values: dict[str, object]) -> None:
    """Mark an open proposal reviewed; a second reviewer who got there first makes this a conflict."""
    done = conn.execute(
        update(PROPOSAL)
        .where(PROPOSAL.c.id == proposal.id, PROPOSAL.c.status == ProposalStatus.OPEN.value)
        .values(status=status.value, **values)
    ).rowcount
    if not done:
        raise ConflictError("open", "reviewed", f"proposal {proposal.id}")


def accept(
    store: SqlStore, proposal_id: int, reviewer: Principal, *, reason: str = "", expected_revision: str | None = None
) -> tuple[Proposal, Commit]:
    """Apply an open proposal's edits as one change and mark it accepted, in one transaction.

    ``expected_revision`` (default: the proposal's base revision) is the state the reviewer judged: when what the
    edits change has changed since, this is a ``ConflictError`` and the proposal stays open."""
    proposal = get_proposal(store, proposal_id)
    _check_reviewable(proposal, reviewer)
    note = f"proposal {proposal.id}, accepted by {reviewer.curie}" + (f": {reason}" if reason else "")
    edits = [e.model_copy(update={"reason": f"{e.reason} ({note})" if e.reason else note}) for e in proposal.edits]
    now = _now()

    def mark(conn: Connection, commit: Commit) -> None:
        values = {"reviewer": reviewer.curie, "reviewed": now, "review_reason": reason}
        _close(conn, proposal, ProposalStatus.ACCEPTED, {**values, "applied_revision": int(commit.revision)})

    commit = store.apply(edits, expected_revision=expected_revision or proposal.base_revision, within=mark)
    return get_proposal(store, proposal_id), commit


def reject(store: SqlStore, proposal_id: int, reviewer: Principal, *, reason: str) -> Proposal:
    if not reason.strip():
        raise UsageError("say why the proposal is rejected: the author reads it")
    proposal = get_proposal(store, proposal_id)
    _check_reviewable(proposal, reviewer)
    with store.transaction(write=True) as conn:
        _close(
            conn,
            proposal,
            ProposalStatus.REJECTED,
            {"reviewer": reviewer.curie, "reviewed": _now(), "review_reason": reason},
        )
    return get_proposal(store, proposal_id)


__all__ = ["Proposal", "ProposalStatus", "accept", "get_proposal", "list_proposals", "propose", "reject"]
