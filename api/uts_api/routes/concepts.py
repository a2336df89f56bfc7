"""Reading the tag graph: concepts (filtered, cursor-paginated), one concept by ID or any label, search and
autocomplete, facets and the tree below each."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from uts.errors import UnknownConceptError
from uts.ontology.model import Concept, Domain, Facet, LabelScope, Level, PaperTag, Status
from uts.ontology.search import SearchHit
from uts.store.base import ChangeRecord
from uts_api.auth import Svc
from uts_api.problems import errors
from uts_api.service import WORKING, Service

router = APIRouter(tags=["concepts"], responses=errors(404, 422))
# The lookups an annotator's search box and a pipeline call most (one concept, search, autocomplete) are ``async``:
# they run on the event loop (a SQLite revision check takes a tenth of a millisecond) instead of paying a thread
# hand-off each; on a shared 2-core machine that took p99 at 200 requests/s from 74 ms to 8 ms.

Version = Annotated[
    str | None,
    Query(
        description="Which version to read: 'working' (the working copy annotators edit; default), 'latest' (the "
        "newest release) or a release version such as '1.0.0'.",
        max_length=32,
    ),
]


HISTORY_SHOWN = 50


class ConceptRef(BaseModel):
    """A concept named in another's record."""

    id: str = Field(description="The concept's ID.")
    label: str = Field(description="Its preferred label.")
    status: Status = Field(description="active or deprecated.")

    @classmethod
    def of(cls, concept: Concept) -> ConceptRef:
        return cls(id=concept.id, label=concept.label, status=concept.status)


class ConceptSummary(ConceptRef):
    """A concept in a list."""

    facets: tuple[str, ...] = Field(description="Facet ids.")
    domains: tuple[Domain, ...] = Field(description="speech, music and/or environmental.")
    levels: tuple[Level, ...] = Field(description="The paper levels it is in.")
    rank: int | None = Field(description="Its best TF-IDF index in the paper's vocabulary; null if curated.")
    replaced_by: str | None = Field(description="For a deprecated concept: the concept to use instead.")


class ConceptPage(BaseModel):
    """One page of concepts, in ID order."""

    version: str = Field(description="'working' or the release version read.")
    items: list[ConceptSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")
    total: int = Field(description="How many concepts match the filters.")


class LabelOut(BaseModel):
    label: str = Field(description="The label as written.")
    scope: Literal["preferred", "alt", "hidden", "narrower"] = Field(
        description="Which kind of label it is: the preferred label in its language, an alternative, a hidden "
        "variant or a narrower term."
    )
    lang: str = Field(default="en", description="The label's language (BCP 47), e.g. 'en', 'es', 'zh'.")


class MappingOut(BaseModel):
    """A legacy class mapped to the concept (SSSOM)."""

    vocabulary: str = Field(description="The mapping set (legacy vocabulary), e.g. 'audioset'.")
    subject_id: str = Field(description="The legacy class, as a CURIE.")
    subject_label: str = Field(description="Its name in the legacy vocabulary.")
    predicate_id: str = Field(description="skos:exactMatch, closeMatch, broadMatch, narrowMatch or relatedMatch.")
    negated: bool = Field(description="A reviewed 'this is NOT a match' row.")
    mapping_justification: str = Field(description="How the mapping was made (semapv).")
    confidence: float | None = Field(description="How sure the mapping is, 0 to 1.")


class ConceptDetail(BaseModel):
    """Everything about one concept."""

    version: str = Field(description="'working' or the release version read.")
    revision: str | None = Field(
        description="The working-copy revision that last changed the concept (its ETag): send it as If-Match "
        "when proposing or accepting a change of it. Null for a release."
    )
    matched_label: str | None = Field(description="The label the concept was found by, when asked by label.")
    concept: Concept
    labels: list[LabelOut] = Field(
        description="Every label with its scope and language: the English preferred label first, then the other "
        "English labels, then those in other languages, language by language."
    )
    broader: list[ConceptRef]
    narrower: list[ConceptRef]
    ancestors: list[ConceptRef] = Field(description="Every concept above it, nearest first.")
    replacement: ConceptRef | None = Field(description="For a deprecated concept: the active concept standing for it.")
    mappings: list[MappingOut] = Field(description="Legacy classes mapped to the concept, by vocabulary.")
    paper_tags: list[PaperTag] = Field(description="The paper's published tags the concept came from, with ranks.")
    history: list[ChangeRecord] = Field(
        description=f"The newest {HISTORY_SHOWN} edits of it made through uts, oldest first (working copy only)."
    )
    history_total: int = Field(description="How many edits of it were made through uts in all.")


class SearchAnswer(BaseModel):
    version: str
    query: str
    hits: list[SearchHit]


class FacetOut(Facet):
    concepts: int = Field(description="Active concepts in the facet and its sub-facets.")


class TreeNodeOut(BaseModel):
    id: str
    label: str
    levels: tuple[Level, ...]
    repeated: bool = Field(description="Shown in full elsewhere in the tree (a concept with several parents).")
    children: list[TreeNodeOut]


def _summary(c: Concept) -> ConceptSummary:
    return ConceptSummary(
        id=c.id, label=c.label, status=c.status, facets=c.facets, domains=c.domains, levels=c.levels, rank=c.rank,
        replaced_by=c.replaced_by,
    )  # fmt: skip


@router.get("/concepts", response_model=ConceptPage, summary="List concepts, filtered and cursor-paginated")
def list_concepts(
    svc: Svc,
    version: Version = None,
    facet: Annotated[str | None, Query(description="Only concepts in this facet or its sub-facets.")] = None,
    domain: Annotated[Domain | None, Query(description="Only concepts of this domain.")] = None,
    level: Annotated[Level | None, Query(description="Only concepts in this paper level.")] = None,
    status: Annotated[Status | None, Query(description="active or deprecated; default both.")] = None,
    cursor: Annotated[str | None, Query(description="From a previous page's next_cursor.", max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Concepts per page.")] = 100,
) -> ConceptPage:
    view = svc.view(version)
    ontology = view.ontology
    allowed = ontology.facet_and_subfacets(facet) if facet is not None else None
    chosen = [
        c
        for _, c in sorted(ontology.concepts.items())
        if (allowed is None or allowed.intersection(c.facets))
        and (domain is None or domain in c.domains)
        and (level is None or level in c.levels)
        and (status is None or c.status is status)
    ]
    start = 0
    if cursor:
        start = next((i for i, c in enumerate(chosen) if c.id > cursor), len(chosen))
    page = chosen[start : start + limit]
    more = start + limit < len(chosen)
    return ConceptPage(
        version=view.name, items=[_summary(c) for c in page], next_cursor=page[-1].id if more and page else None,
        total=len(chosen),
    )  # fmt: skip


@router.get(
    "/concepts/{ref:path}",
    response_model=ConceptDetail,
    summary="One concept by ID (UTS:0000001) or by any of its labels",
    responses={200: {"headers": {"ETag": {"description": "The concept's revision (working copy only)."}}}},
)
async def get_concept(ref: str, svc: Svc, response: Response, version: Version = None) -> ConceptDetail:
    detail = concept_detail(svc, ref, version)
    if detail.revision is not None:
        response.headers["ETag"] = f'"{detail.revision}"'
    return detail


_SCOPE_SHOWN: dict[LabelScope, Literal["preferred", "alt", "hidden", "narrower"]] = {
    LabelScope.PREF: "preferred",
    LabelScope.ALT: "alt",
    LabelScope.HIDDEN: "hidden",
    LabelScope.NARROWER: "narrower",
}


def concept_detail(svc: Service, ref: str, version: str | None = None) -> ConceptDetail:
    """One concept and everything about it (the API's answer and the web UI's concept page)."""
    view = svc.view(version)
    ontology = view.ontology
    matched: str | None = None
    if ref.upper().startswith("UTS:"):
        concept = ontology.concepts.get(ref.upper())
        if concept is None:
            raise UnknownConceptError(ref)
    else:
        hit = ontology.labels.find(ref)
        if hit is None:
            ontology.lookup(ref)  # UnknownTagError with suggestions
            raise AssertionError("unreachable")
        concept, matched = ontology.concepts[hit.concept_id], hit.label
    revision: str | None = None
    history: list[ChangeRecord] = []
    history_total = 0
    if view.name == WORKING:
        revision = str(svc.store.concept_revision(concept.id))
        history = svc.store.history(concept.id, newest=HISTORY_SHOWN)
        history_total = svc.store.history_size(concept.id)
    current = ontology.current(concept.id) if concept.status is not Status.ACTIVE else None
    return ConceptDetail(
        version=view.name,
        revision=revision,
        matched_label=matched,
        concept=concept,
        labels=[
            LabelOut(label=concept.label, scope="preferred"),
            *(LabelOut(label=s.label, scope=_SCOPE_SHOWN[s.scope], lang=s.lang) for s in concept.synonyms),
        ],
        broader=[ConceptRef.of(ontology.concepts[b]) for b in concept.broader if b in ontology.concepts],
        narrower=[ConceptRef.of(n) for n in ontology.narrower(concept.id)],
        ancestors=[ConceptRef.of(a) for a in ontology.ancestors(concept.id)],
        replacement=ConceptRef.of(current) if current is not None else None,
        mappings=[
            MappingOut(
                vocabulary=name,
                subject_id=row.subject_id,
                subject_label=row.subject_label,
                predicate_id=row.predicate_id,
                negated=row.negated,
                mapping_justification=row.mapping_justification,
                confidence=row.confidence,
            )
            for name, row in view.mappings_of.get(concept.id, [])
        ],
        paper_tags=ontology.paper_tags_of(concept.id),
        history=history,
        history_total=history_total,
    )


def search_labels(svc: Service, q: str, limit: int, deprecated: bool, facet: str | None, level: Level | None,
            version: str | None, fuzzy: bool = True) -> SearchAnswer:  # fmt: skip
    view = svc.view(version)
    if facet is not None:
        view.ontology.facet(facet)  # UnknownFacetError (404) rather than an empty answer
    hits = view.search.search(q, limit=limit, include_deprecated=deprecated, facet=facet, level=level, fuzzy=fuzzy)
    return SearchAnswer(version=view.name, query=q, hits=hits)


Q = Annotated[str, Query(min_length=1, max_length=200, description="What to look for: a label, its start, a typo.")]
Deprecated = Annotated[bool, Query(description="Include deprecated concepts (each says what replaces it).")]
FacetQ = Annotated[str | None, Query(description="Only concepts in this facet or its sub-facets.", max_length=64)]


@router.get("/search", response_model=SearchAnswer, summary="Search labels, synonyms and narrower terms")
async def search(
    svc: Svc,
    q: Q,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    include_deprecated: Deprecated = False,
    facet: FacetQ = None,
    level: Annotated[Level | None, Query(description="Only concepts in this paper level.")] = None,
    version: Version = None,
) -> SearchAnswer:
    """Exact labels first, then labels starting with the query, then labels with a word starting with it, then
    close spellings; each hit says which label matched."""
    return search_labels(svc, q, limit, include_deprecated, facet, level, version)


@router.get("/autocomplete", response_model=SearchAnswer, summary="Complete a label as it is typed")
async def autocomplete(
    svc: Svc,
    q: Q,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    include_deprecated: Deprecated = False,
    facet: FacetQ = None,
    version: Version = None,
) -> SearchAnswer:
    """Like search, tuned for a search box: few hits, prefix matches first, typos only when prefixes run out."""
    return search_labels(svc, q, limit, include_deprecated, facet, None, version)


@router.get("/facets", response_model=list[FacetOut], summary="The facets, with their concept counts")
def facets(svc: Svc, version: Version = None) -> list[FacetOut]:
    ontology = svc.view(version).ontology
    return [FacetOut(**f.model_dump(), concepts=len(ontology.in_facet(f.id))) for f in ontology.facets.values()]


@router.get("/tree/{facet}", response_model=TreeNodeOut, summary="The concepts below a facet's root, as a tree")
def tree(
    facet: str,
    svc: Svc,
    depth: Annotated[int | None, Query(ge=0, le=50, description="Stop after this many levels.")] = None,
    version: Version = None,
) -> TreeNodeOut:
    from uts.ontology.tree import TreeNode, facet_tree

    node = facet_tree(svc.view(version).ontology, facet, max_depth=depth)

    def out(n: TreeNode) -> TreeNodeOut:
        c = n.concept
        return TreeNodeOut(
            id=c.id, label=c.label, levels=c.levels, repeated=n.repeated, children=[out(k) for k in n.children]
        )

    return out(node)
