"""Changing the tag graph over HTTP: proposals (annotators), their review (reviewers, never their own), concept
IDs, gaps turned into proposals, and API keys (admins). Every write needs a key; each lands in the change log with
its author."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from uts.errors import UsageError
from uts.ontology.edits import Edit
from uts.ontology.model import LANGUAGE_PATTERN, Domain, LabelScope
from uts.store import gaps as gaps_lib
from uts.store import proposals as proposing
from uts.store.access import KeyInfo, Role, create_key, list_keys, revoke_key
from uts.store.gaps import Gap, GapKind, top_gaps
from uts.store.proposals import Proposal, ProposalStatus
from uts_api.auth import Svc, Who
from uts_api.problems import errors

router = APIRouter(tags=["curation"])
WRITE_ERRORS = errors(401, 403, 404, 409, 422)
PLACEHOLDER_AUTHOR = "api:caller"  # replaced by the key's owner: clients need not (and cannot) name an author

MAX_ID = 2**31 - 1  # the largest number a database integer column holds everywhere
ProposalId = Annotated[int, Path(ge=1, le=MAX_ID, description="The proposal's number.")]
IfMatch = Annotated[
    str | None,
    Header(
        description="The revision you read (a concept's ETag): the change is refused with 409 if what it "
        "changes has changed since. Default: the revision the proposal was made against.",
        max_length=40,
    ),
]


def _revision(if_match: str | None) -> str | None:
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise UsageError(f"If-Match {if_match!r} is not a revision; send a concept's ETag, e.g. '\"42\"'")
    return value


class ProposalIn(BaseModel):
    """Typed edits to propose, applied together or not at all once a reviewer accepts them."""

    model_config = ConfigDict(extra="forbid")

    edits: list[Edit] = Field(
        min_length=1,
        max_length=500,
        description="The edits (add_concept, set_field, add_label, remove_label, move, merge, split, deprecate, "
        "mapping edits). 'author' and 'time' may be left out: the key's owner and now are recorded.",
    )
    reason: str = Field(default="", max_length=5000, description="Why: the reviewer reads it.")

    @model_validator(mode="before")
    @classmethod
    def _author(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("edits"), list):
            data = {
                **data,
                "edits": [
                    {"author": PLACEHOLDER_AUTHOR, **e} if isinstance(e, dict) and "author" not in e else e
                    for e in data["edits"]
                ],
            }
        return data


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=5000, description="The reviewer's reason (required to reject).")


class AcceptOut(BaseModel):
    proposal: Proposal
    revision: str = Field(description="The working copy's revision after the change.")
    concepts: list[str] = Field(description="The concepts the change touched.")


class IdsIn(BaseModel):
    count: int = Field(ge=1, le=100, description="How many new concept IDs to reserve.")


class IdsOut(BaseModel):
    ids: list[str] = Field(description="Concept IDs no concept has and no one else will get: use them in add_concept.")


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    curie: str = Field(max_length=255, description="The annotator's CURIE, e.g. 'orcid:0000-0002-1825-0097'.")
    role: Role
    name: str = Field(default="", max_length=255)


class KeyOut(BaseModel):
    key: str = Field(description="The API key: shown this once, stored only as a hash.")
    info: KeyInfo


class GapProposalIn(BaseModel):
    """A gap made into a proposal: a new concept named by it, or a label of an existing concept."""

    model_config = ConfigDict(extra="forbid")

    kind: GapKind = Field(description="tag or phrase.")
    text: str = Field(min_length=1, max_length=200, description="The gap's text (or key).")
    release: str | None = Field(default=None, max_length=32, description="The gap's release; default the newest.")
    action: Literal["new_concept", "add_label"] = Field(description="What to propose.")
    concept_id: str | None = Field(default=None, description="For add_label: the concept to add the label to.")
    scope: LabelScope = Field(default=LabelScope.ALT, description="For add_label: the label's scope.")
    label: str | None = Field(default=None, max_length=200, description="The label to use; default the gap's text.")
    lang: str = Field(
        default="en",
        pattern=LANGUAGE_PATTERN.pattern,
        description="For add_label: the label's language (BCP 47 primary tag), e.g. 'de' for a German tag.",
    )
    broader: list[str] = Field(default_factory=list, description="For new_concept: its broader concepts.")
    facets: list[str] = Field(default_factory=list, description="For new_concept: its facets.")
    domains: list[Domain] = Field(default_factory=list, description="For new_concept: its domains.")
    definition: str = Field(default="", max_length=2000, description="For new_concept: what it means.")
    reason: str = Field(default="", max_length=5000)


class GapsOut(BaseModel):
    release: str
    gaps: list[Gap]


# ---- proposals ------------------------------------------------------------------------------------------


@router.post("/proposals", response_model=Proposal, status_code=201, summary="Propose edits (annotators)",
             responses=WRITE_ERRORS)  # fmt: skip
def propose(body: ProposalIn, who: Who, svc: Svc, if_match: IfMatch = None) -> Proposal:
    """The edits are checked against the working copy at once (every rule): a proposal that could never be
    applied is refused with its problems."""
    return proposing.propose(svc.store, who, body.edits, reason=body.reason, base_revision=_revision(if_match))


@router.get("/proposals", response_model=list[Proposal], summary="Proposals, oldest first")
def list_proposals(
    svc: Svc,
    status: Annotated[ProposalStatus | None, Query(description="Only proposals in this state.")] = None,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Only proposals numbered above this (paging).")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[Proposal]:
    return proposing.list_proposals(svc.store, status=status, after=after, limit=limit)


@router.get("/proposals/{proposal_id}", response_model=Proposal, summary="One proposal",
            responses=errors(404))  # fmt: skip
def get_proposal(proposal_id: ProposalId, svc: Svc) -> Proposal:
    return proposing.get_proposal(svc.store, proposal_id)


@router.post("/proposals/{proposal_id}/accept", response_model=AcceptOut,
             summary="Accept a proposal: apply its edits (reviewers; never one's own)", responses=WRITE_ERRORS)  # fmt: skip
def accept(
    proposal_id: ProposalId, who: Who, svc: Svc, body: ReviewIn | None = None, if_match: IfMatch = None
) -> AcceptOut:
    proposal, commit = proposing.accept(
        svc.store, proposal_id, who, reason=body.reason if body else "", expected_revision=_revision(if_match)
    )
    return AcceptOut(proposal=proposal, revision=commit.revision, concepts=commit.concepts)


@router.post("/proposals/{proposal_id}/reject", response_model=Proposal,
             summary="Reject a proposal, saying why (reviewers; never one's own)", responses=WRITE_ERRORS)  # fmt: skip
def reject(proposal_id: ProposalId, body: ReviewIn, who: Who, svc: Svc) -> Proposal:
    return proposing.reject(svc.store, proposal_id, who, reason=body.reason)


@router.post("/ids", response_model=IdsOut, status_code=201, summary="Reserve new concept IDs (annotators)",
             responses=WRITE_ERRORS)  # fmt: skip
def reserve_ids(body: IdsIn, who: Who, svc: Svc) -> IdsOut:
    who.require(Role.ANNOTATOR)
    return IdsOut(ids=svc.store.reserve_ids(body.count))


# ---- gaps -----------------------------------------------------------------------------------------------


@router.get("/gaps", response_model=GapsOut, summary="What the vocabulary lacks: unresolved tags and phrases")
def gaps(
    svc: Svc,
    release: Annotated[str | None, Query(max_length=32, description="Default: the newest release.")] = None,
    kind: Annotated[GapKind | None, Query(description="tag or phrase; default both.")] = None,
    min_count: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> GapsOut:
    """Raw tags and caption phrases the resolver met and could not map, most frequent first, with examples."""
    version = release or svc.latest_release()
    svc.gaps.flush()
    return GapsOut(release=version, gaps=top_gaps(svc.store, version, kind=kind, limit=limit, min_count=min_count))


@router.post("/gaps/proposals", response_model=Proposal, status_code=201,
             summary="Propose a gap as a new concept or as a label of a concept (annotators)", responses=WRITE_ERRORS)  # fmt: skip
def propose_gap(body: GapProposalIn, who: Who, svc: Svc) -> Proposal:
    if body.action == "add_label" and not body.concept_id:
        raise UsageError("add_label needs concept_id: the concept the label belongs to")
    svc.gaps.flush()
    return gaps_lib.propose_gap(
        svc.store, who, body.release or svc.latest_release(), body.kind, body.text,
        concept_id=body.concept_id if body.action == "add_label" else None, scope=body.scope, label=body.label,
        lang=body.lang, broader=body.broader, facets=body.facets, domains=body.domains, definition=body.definition,
        reason=body.reason,
    )  # fmt: skip


# ---- keys -----------------------------------------------------------------------------------------------


@router.post("/keys", response_model=KeyOut, status_code=201, summary="Make an API key (admins)",
             responses=WRITE_ERRORS)  # fmt: skip
def make_key(body: KeyIn, who: Who, svc: Svc) -> KeyOut:
    who.require(Role.ADMIN)
    key, info = create_key(svc.store, body.curie, body.role, name=body.name)
    return KeyOut(key=key, info=info)


@router.get("/keys", response_model=list[KeyInfo], summary="Every API key (admins): prefixes, never keys",
            responses=WRITE_ERRORS)  # fmt: skip
def keys(who: Who, svc: Svc) -> list[KeyInfo]:
    who.require(Role.ADMIN)
    return list_keys(svc.store)


@router.delete("/keys/{prefix}", response_model=KeyInfo, summary="Revoke an API key (admins)",
               responses=WRITE_ERRORS)  # fmt: skip
def revoke(prefix: str, who: Who, svc: Svc) -> KeyInfo:
    who.require(Role.ADMIN)
    return revoke_key(svc.store, prefix)
