"""The annotators' web UI: server-rendered pages over the same functions as the API (one concept, search, the
facet trees, mapping sets, releases and diffs, proposals, gaps, the resolver), so a page never shows what the API
would not answer. Reading works without JavaScript; the only script completes the search box as one types."""

from __future__ import annotations

import datetime as dt
import hmac
from collections import Counter
from collections.abc import Callable
from enum import Enum
from functools import lru_cache, wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar, cast

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from uts.errors import ConflictError, InvalidError, NotFoundError, UsageError, UTSError, VocabularyError
from uts.mappings.coverage import Coverage
from uts.ontology.edits import AddConcept, AddLabel, Deprecate, Edit, Merge, Move, ReviewMappings, SetField, Split
from uts.ontology.mapping import MANUAL
from uts.ontology.model import Concept, Domain, LabelScope, Level, Status
from uts.ontology.ontology import Ontology
from uts.ontology.search import SearchHit
from uts.store import proposals as proposing
from uts.store.access import AuthError, Principal, Role
from uts.store.gaps import GapKind, top_gaps
from uts.store.gaps import propose_gap as propose_gap_of
from uts.store.proposals import ProposalStatus
from uts.vocabularies.base import Vocabulary
from uts_api.routes.concepts import concept_detail, search_labels
from uts_api.service import WORKING, Service
from uts_api.ui.neighbourhood import neighbourhood
from uts_api.ui.session import COOKIE, form_token, require, signed_in

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
P = ParamSpec("P")
E = TypeVar("E", bound=Enum)

LEVELS = [level.value for level in Level]
EDIT_KINDS = {
    "add_label": "Add a label",
    "definition": "Edit the definition",
    "comment": "Edit the scope note",
    "move": "Move (change broader concepts)",
    "merge": "Merge into another concept",
    "split": "Split into new concepts",
    "deprecate": "Deprecate",
}


def _svc(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def render(request: Request, template: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    svc = _svc(request)
    user = signed_in(request, svc)
    context.update(request=request, user=user, csrf=form_token(request), levels=LEVELS)
    response = templates.TemplateResponse(request, template, context, status_code=http_status)
    response.headers.update(SECURITY_HEADERS)
    if user is not None:  # a signed-in page carries a form token: never kept by a shared cache
        response.headers["Cache-Control"] = "no-store"
    return response


# Pages load only this site's own script, style and forms, and are never framed by another site.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _status(exc: Exception) -> int:
    if isinstance(exc, AuthError):
        return 403 if exc.forbidden else 401
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, InvalidError | UsageError | ValidationError):
        return 422
    return 400


def page(handler: Callable[P, Response]) -> Callable[P, Response]:
    """A page handler whose refusals (unknown concept, no key, a role too low, an invalid edit) become a page
    that says what went wrong and what to do, with the HTTP status the API would give."""

    @wraps(handler)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return handler(*args, **kwargs)
        except (UTSError, ValidationError) as exc:
            request = kwargs["request"]
            assert isinstance(request, Request)
            problems = [str(p) for p in getattr(exc, "problems", [])]
            if isinstance(exc, ValidationError):
                problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            message = str(exc) if not isinstance(exc, ValidationError) else "the form has invalid values"
            problems = [p for p in problems if p not in message]  # a single problem is the message already
            return render(request, "error.html", _status(exc), message=message, problems=problems)

    return wrapped


def _choice(kind: type[E], value: str, what: str) -> E:
    """A form or query value as one of an enumeration's members, or a refusal that lists them."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(str(m.value) for m in kind)
        raise UsageError(f"{value!r} is no {what}; choose one of {choices}") from None


# ---- reading ---------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
@page
def home(request: Request) -> Response:
    ontology = _svc(request).working().ontology
    active = ontology.active()
    facets = [(f, len(ontology.in_facet(f.id))) for f in ontology.facets.values() if f.parent is None]
    domains = Counter(d.value for c in active for d in c.domains)
    levels = Counter(level.value for c in active for level in c.levels)
    return render(
        request, "home.html", facets=facets, domains=sorted(domains.items()), level_counts=levels,
        active=len(active), total=len(ontology.concepts), version=ontology.metadata.version,
    )  # fmt: skip


@router.get("/search", response_class=HTMLResponse)
@page
def search(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    facet: Annotated[str, Query(max_length=64)] = "",
    domain: Annotated[str, Query(max_length=32)] = "",
    level: Annotated[str, Query(max_length=8)] = "",
    deprecated: bool = False,
) -> Response:
    svc = _svc(request)
    ontology = svc.working().ontology
    chosen_level = _choice(Level, level, "level") if level else None
    results: list[tuple[SearchHit | None, Concept]]
    if q.strip():
        # A domain filters after the search: look deeper then, so that its hits are not cut before filtering.
        hits = search_labels(svc, q, 1000 if domain else 200, deprecated, facet or None, chosen_level, None).hits
        results = [(h, c) for h in hits if (c := ontology.concepts.get(h.id)) is not None]  # a concept just added
    else:  # a filter alone lists the concepts it keeps, by paper rank
        if facet:
            ontology.facet(facet)
        pool = ontology.in_facet(facet) if facet else list(ontology.concepts.values())
        results = [(None, c) for c in pool if deprecated or c.status is Status.ACTIVE]
        if chosen_level is not None:
            results = [(h, c) for h, c in results if chosen_level in c.levels]
        results.sort(key=lambda r: (r[1].rank is None, r[1].rank or 0, r[1].label))
    if domain:
        results = [(h, c) for h, c in results if domain in {d.value for d in c.domains}]
    return render(
        request, "search.html", q=q, facet=facet, domain=domain, level=level, deprecated=deprecated,
        results=results[:200], total=len(results), facets=list(ontology.facets.values()),
        domains=[d.value for d in Domain],
    )  # fmt: skip


@router.get("/tree", response_class=HTMLResponse)
@page
def trees(request: Request) -> Response:
    ontology = _svc(request).working().ontology
    facets = [(f, len(ontology.in_facet(f.id))) for f in ontology.facets.values()]
    return render(request, "trees.html", facets=facets)


@router.get("/tree/{facet}", response_class=HTMLResponse)
@page
def tree(request: Request, facet: str, deprecated: bool = False) -> Response:
    from uts.ontology.tree import facet_tree

    ontology = _svc(request).working().ontology
    node = facet_tree(ontology, facet)
    # Deprecated concepts leave the hierarchy; asked for, they are listed below it with what replaces them.
    facets = ontology.facet_and_subfacets(facet)
    retired = sorted(
        (c for c in ontology.concepts.values() if c.status is not Status.ACTIVE and facets & set(c.facets)),
        key=lambda c: c.label,
    )
    return render(
        request, "tree.html", facet=ontology.facet(facet), root=node, deprecated=deprecated,
        retired=[(c, ontology.current(c.id)) for c in retired] if deprecated else [], retired_count=len(retired),
    )  # fmt: skip


@router.get("/concepts/{ref:path}", response_class=HTMLResponse)
@page
def concept(request: Request, ref: str) -> Response:
    svc = _svc(request)
    detail = concept_detail(svc, ref)
    ontology = svc.working().ontology
    facets = [ontology.facets[f] for f in detail.concept.facets if f in ontology.facets]
    return render(
        request, "concept.html", d=detail, c=detail.concept, facets=facets,
        drawing=neighbourhood(ontology, detail.concept.id), edit_kinds=EDIT_KINDS, scopes=[s.value for s in LabelScope],
    )  # fmt: skip


@lru_cache(maxsize=32)
def _vocabulary(name: str, data_dir: str) -> Vocabulary | None:
    """A legacy vocabulary's class list, read once per process from the data folder; ``None`` when the folder
    does not hold it (a server without the data shows what is mapped, not what is missing)."""
    from uts.vocabularies import VOCABULARIES, read_vocabulary

    if name not in VOCABULARIES:
        return None
    try:
        return read_vocabulary(name, Path(data_dir))
    except VocabularyError:
        return None


def _data_dir() -> str:
    from uts.settings import get_settings

    return str(get_settings().data_dir)


def _coverage(ontology: Ontology, name: str) -> Coverage | None:
    from uts.mappings.coverage import coverage

    vocabulary = _vocabulary(name, _data_dir())
    return coverage(ontology, vocabulary, ontology.mappings[name]) if vocabulary is not None else None


@router.get("/mappings", response_class=HTMLResponse)
@page
def mapping_sets(request: Request) -> Response:
    ontology = _svc(request).working().ontology
    sets = []
    for name, mapping_set in sorted(ontology.mappings.items()):
        subjects: dict[str, set[str]] = {}
        for row in mapping_set.rows:
            subjects.setdefault(row.subject_id, set()).add(row.predicate_id)
        broad_only = sum(1 for p in subjects.values() if p == {"skos:broadMatch"})
        machine = sum(1 for r in mapping_set.rows if r.mapping_justification != MANUAL)
        sets.append((name, mapping_set, len(subjects), broad_only, machine, _coverage(ontology, name)))
    return render(request, "mappings.html", sets=sets)


@router.get("/mappings/{vocabulary}", response_class=HTMLResponse)
@page
def mapping_set(
    request: Request,
    vocabulary: str,
    show: Annotated[str, Query(pattern="^(all|broad-only|machine|unmapped)$")] = "all",
) -> Response:
    ontology = _svc(request).working().ontology
    found = ontology.mappings.get(vocabulary)
    if found is None:
        raise NotFoundError(f"no mapping set {vocabulary!r}; the mapping sets are: {', '.join(ontology.mappings)}")
    predicates: dict[str, set[str]] = {}
    for row in found.rows:
        predicates.setdefault(row.subject_id, set()).add(row.predicate_id)
    rows = list(found.rows)
    if show == "broad-only":
        rows = [r for r in rows if predicates[r.subject_id] == {"skos:broadMatch"}]
    elif show == "machine":
        rows = [r for r in rows if r.mapping_justification != MANUAL]
    elif show == "unmapped":
        rows = []
    by_predicate = Counter(r.predicate_id for r in found.rows)
    covered = _coverage(ontology, vocabulary)
    vocabulary_of = _vocabulary(vocabulary, _data_dir())
    classes = {c.id: c for c in vocabulary_of.classes} if vocabulary_of is not None else {}
    unmapped = [classes[i] for i in covered.gaps if i in classes] if covered is not None else []
    return render(
        request, "mapping_set.html", vocabulary=vocabulary, mapping_set=found, rows=rows[:1000], total=len(rows),
        show=show, subjects=len(predicates), by_predicate=sorted(by_predicate.items()),
        broad_only=sum(1 for p in predicates.values() if p == {"skos:broadMatch"}),
        concepts=ontology.concepts, coverage=covered, unmapped=unmapped,
    )  # fmt: skip


@router.get("/releases", response_class=HTMLResponse)
@page
def releases(request: Request) -> Response:
    svc = _svc(request)
    return render(request, "releases.html", releases=svc.store.releases(), today=dt.date.today().isoformat())


@router.get("/diff", response_class=HTMLResponse)
@page
def diff(
    request: Request,
    old: Annotated[str, Query(max_length=32)],
    new: Annotated[str, Query(max_length=32)] = WORKING,
) -> Response:
    from uts.ontology import diff as diffs

    svc = _svc(request)
    result = diffs.diff(svc.view(old).ontology, svc.view(new).ontology)
    return render(
        request, "diff.html", old=old, new=new, summary=diffs.summary_line(result),
        sections=[(title, items) for title, items in diffs.sections(result) if items],
        releases=svc.store.releases(),
    )  # fmt: skip


@router.get("/playground", response_class=HTMLResponse)
@page
def playground(
    request: Request,
    text: Annotated[str, Query(max_length=20_000)] = "",
    tags: Annotated[str, Query(max_length=5_000)] = "",
    level: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    svc = _svc(request)
    chosen = _choice(Level, level, "level") if level else None
    caption = tag_result = None
    segments: list[tuple[str, Any]] = []
    if text.strip() or tags.strip():
        resolver = svc.resolver(None, chosen, True, svc.settings.embed)
        if text.strip():
            caption = resolver.resolve_text(text)
            segments = _highlight(text, caption)
        raw = [t.strip() for t in tags.replace("\n", ",").split(",") if t.strip()]
        if raw:
            tag_result = resolver.resolve_tags(raw)
    return render(
        request, "playground.html", text=text, tags=tags, level=level, caption=caption, segments=segments,
        tag_result=tag_result,
    )  # fmt: skip


def _highlight(text: str, result: Any) -> list[tuple[str, Any]]:
    """The caption cut into plain runs and marked mentions, left to right. Overlapping mentions ("dog" inside
    "dog barks") make one mark that names every concept found there; negated wins over imitated over hedged over a
    match."""
    found: list[tuple[int, int, str, Any]] = []
    for match in result.tags:
        if match.span is not None:
            found.append((match.span[0], match.span[1], "hedged" if match.hedged else "match", match))
    for match in result.negated:
        if match.span is not None:
            found.append((match.span[0], match.span[1], "negated", match))
    for match in result.imitated:
        if match.span is not None:
            found.append((match.span[0], match.span[1], "imitated", match))
    for abstention in result.abstained:
        found.append((abstention.span[0], abstention.span[1], "abstained", abstention))
    found.sort(key=lambda m: (m[0], -m[1]))
    clusters: list[tuple[int, int, list[tuple[str, Any]]]] = []
    for start, end, kind, item in found:
        if clusters and start < clusters[-1][1]:
            first, last, items = clusters[-1]
            clusters[-1] = (first, max(last, end), [*items, (kind, item)])
        else:
            clusters.append((start, end, [(kind, item)]))
    out: list[tuple[str, Any]] = []
    at = 0
    for start, end, items in clusters:
        if start > at:
            out.append(("text", text[at:start]))
        kinds = {kind for kind, _ in items}
        kind = next(k for k in ("negated", "imitated", "hedged", "match", "abstained") if k in kinds)
        out.append((kind, (text[start:end], items)))
        at = end
    if at < len(text):
        out.append(("text", text[at:]))
    return out


@router.get("/gaps", response_class=HTMLResponse)
@page
def gaps(request: Request, kind: Annotated[str, Query(pattern="^(|tag|phrase)$")] = "") -> Response:
    svc = _svc(request)
    version = svc.latest_release()
    svc.gaps.flush()
    found = top_gaps(svc.store, version, kind=cast(GapKind, kind) if kind else None, limit=200)
    facets = list(svc.working().ontology.facets.values())
    return render(request, "gaps.html", gaps=found, release=version, kind=kind, facets=facets,
                  scopes=[s.value for s in LabelScope])  # fmt: skip


@router.get("/proposals", response_class=HTMLResponse)
@page
def proposals(
    request: Request, status: Annotated[str, Query(pattern="^(|open|accepted|rejected)$")] = "open"
) -> Response:
    svc = _svc(request)
    chosen = ProposalStatus(status) if status else None
    found = proposing.list_proposals(svc.store, status=chosen, limit=200)
    return render(request, "proposals.html", proposals=found, status=status)


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
@page
def proposal(request: Request, proposal_id: int) -> Response:
    from uts.ontology import diff as diffs
    from uts.ontology.apply import apply_edits

    svc = _svc(request)
    found = proposing.get_proposal(svc.store, proposal_id)
    sections: list[tuple[str, list[str]]] = []
    problem = ""
    if found.status is ProposalStatus.OPEN:  # what accepting it would change in the working copy now
        working = svc.working().ontology
        try:
            applied = apply_edits(working, found.edits)
            sections = [(t, items) for t, items in diffs.sections(diffs.diff(working, applied.ontology)) if items]
        except (UTSError, ValidationError) as exc:
            problem = str(exc)
    return render(request, "proposal.html", p=found, sections=sections, problem=problem)


# ---- signing in -----------------------------------------------------------------------------------------


@router.get("/signin", response_class=HTMLResponse)
@page
def signin_page(request: Request) -> Response:
    return render(request, "signin.html")


@router.post("/signin", response_class=HTMLResponse)
@page
def signin(request: Request, key: Annotated[str, Form(max_length=200)]) -> Response:
    _svc(request).keys.verify(key.strip())  # AuthError: the page says why
    target = request.query_params.get("next") or "/proposals"
    if not target.startswith("/") or target.startswith("//") or any(ch == "\\" or ch < " " for ch in target):
        # only back to a page of this site
        target = "/proposals"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, key.strip(), httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/signout")
@page
def signout(request: Request, csrf: Annotated[str, Form(max_length=64)] = "") -> Response:
    if request.cookies.get(COOKIE) and not hmac.compare_digest(csrf.encode(), form_token(request).encode()):
        raise AuthError("this form was not sent from a page of this site: reload the page and sign out there")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# ---- curation ---------------------------------------------------------------------------------------------


def _refs(svc: Service, text: str) -> tuple[str, ...]:
    """Concepts named by ID or label, separated by commas."""
    ontology = svc.working().ontology
    return tuple(ontology.resolve_id_or_label(part.strip()).id for part in text.split(",") if part.strip())


def _edits(
    svc: Service, who: Principal, concept_id: str, kind: str, value: str, scope: str, reason: str, lang: str = "en"
) -> list[Edit]:
    """The typed edits one form of a concept page stands for."""
    common: dict[str, Any] = {"concept_id": concept_id, "author": who.curie, "reason": reason}
    if kind == "add_label":
        label_kind = _choice(LabelScope, scope, "label kind")
        return [AddLabel(label=value.strip(), scope=label_kind, lang=lang.strip().lower() or "en", **common)]
    if kind in ("definition", "comment"):
        return [SetField(field="definition" if kind == "definition" else "comment", value=value.strip(), **common)]
    if kind == "move":
        return [Move(broader=_refs(svc, value), **common)]
    if kind == "merge":
        into = _refs(svc, value)
        if len(into) != 1:
            raise UsageError("name the one concept to merge into (its ID or a label)")
        return [Merge(into=into[0], **common)]
    if kind == "deprecate":
        replacement = _refs(svc, value)
        if len(replacement) > 1:
            raise UsageError("name at most one replacement (its ID or a label); leave it empty for none")
        return [Deprecate(replaced_by=replacement[0] if replacement else None, **common)]
    if kind == "split":  # new concepts, one per label, where the split one sits; then the split itself
        labels = [part.strip() for part in value.split(",") if part.strip()]
        if len(labels) < 2:
            raise UsageError("a split needs the labels of at least two new concepts, separated by commas")
        split = svc.working().ontology.get(concept_id)
        ids = svc.store.reserve_ids(len(labels))
        parts: list[Edit] = [
            AddConcept(concept_id=new_id, label=label, broader=split.broader, facets=split.facets,
                       domains=split.domains, author=who.curie, reason=reason)
            for new_id, label in zip(ids, labels, strict=True)
        ]  # fmt: skip
        return [*parts, Split(into=tuple(ids), **common)]
    raise UsageError(f"unknown change {kind!r}; choose one of {', '.join(EDIT_KINDS)}")


@router.post("/concepts/{concept_id}/proposals", response_class=HTMLResponse)
@page
def propose(
    request: Request,
    concept_id: str,
    csrf: Annotated[str, Form(max_length=64)],
    kind: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(max_length=5000)],
    value: Annotated[str, Form(max_length=2000)] = "",
    scope: Annotated[str, Form(max_length=16)] = "alt",
    lang: Annotated[str, Form(max_length=8)] = "en",
) -> Response:
    svc = _svc(request)
    who = require(request, svc, csrf)
    if not reason.strip():
        raise UsageError("say why: the reviewer reads the reason")
    edits = _edits(svc, who, concept_id.upper(), kind, value, scope, reason.strip(), lang)
    made = proposing.propose(svc.store, who, edits, reason=reason.strip())
    return RedirectResponse(f"/proposals/{made.id}", status_code=303)


@router.get("/propose", response_class=HTMLResponse)
@page
def new_concept_page(request: Request) -> Response:
    facets = list(_svc(request).working().ontology.facets.values())
    return render(request, "propose.html", facets=facets, domains=[d.value for d in Domain])


@router.post("/propose", response_class=HTMLResponse)
@page
def propose_concept(
    request: Request,
    csrf: Annotated[str, Form(max_length=64)],
    label: Annotated[str, Form(max_length=200)],
    broader: Annotated[str, Form(max_length=500)],
    reason: Annotated[str, Form(max_length=5000)],
    facet: Annotated[str, Form(max_length=64)] = "",
    domain: Annotated[list[str] | None, Form()] = None,
    definition: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    svc = _svc(request)
    who = require(request, svc, csrf)
    who.require(Role.ANNOTATOR)
    if not reason.strip():
        raise UsageError("say why: the reviewer reads the reason")
    parents = _refs(svc, broader)
    (new_id,) = svc.store.reserve_ids(1)
    edit = AddConcept(
        concept_id=new_id, label=label.strip(), broader=parents, facets=(facet,) if facet else (),
        domains=tuple(_choice(Domain, d, "domain") for d in domain or []), definition=definition.strip(), author=who.curie,
        reason=reason.strip(),
    )  # fmt: skip
    made = proposing.propose(svc.store, who, [edit], reason=reason.strip())
    return RedirectResponse(f"/proposals/{made.id}", status_code=303)


@router.post("/proposals/{proposal_id}/{decision}", response_class=HTMLResponse)
@page
def review(
    request: Request,
    proposal_id: int,
    decision: str,
    csrf: Annotated[str, Form(max_length=64)],
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    svc = _svc(request)
    who = require(request, svc, csrf)
    if decision == "accept":
        proposing.accept(svc.store, proposal_id, who, reason=reason.strip())
    elif decision == "reject":
        proposing.reject(svc.store, proposal_id, who, reason=reason.strip())
    else:
        raise NotFoundError(f"no such review decision {decision!r}: accept or reject")
    return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)


@router.post("/gaps/proposals", response_class=HTMLResponse)
@page
def propose_gap(
    request: Request,
    csrf: Annotated[str, Form(max_length=64)],
    kind: Annotated[str, Form(pattern="^(tag|phrase)$")],
    text: Annotated[str, Form(max_length=200)],
    action: Annotated[str, Form(pattern="^(new_concept|add_label)$")],
    concept: Annotated[str, Form(max_length=200)] = "",
    scope: Annotated[str, Form(max_length=16)] = "alt",
    facet: Annotated[str, Form(max_length=64)] = "",
    lang: Annotated[str, Form(max_length=8)] = "en",
) -> Response:
    """A gap made into a proposal: a new concept, or a label of a named concept in the language the gap is in (a
    German tag the resolver met is a German label)."""
    svc = _svc(request)
    who = require(request, svc, csrf)
    ontology = svc.working().ontology
    target: str | None = None
    if action == "add_label":
        if not concept.strip():
            raise UsageError("name the concept the label belongs to (its ID or a label)")
        target = ontology.resolve_id_or_label(concept.strip()).id
    svc.gaps.flush()
    made = propose_gap_of(
        svc.store, who, svc.latest_release(), cast(GapKind, kind), text, concept_id=target,
        scope=_choice(LabelScope, scope, "label kind"), broader=(ontology.facet(facet).root,) if facet else (),
        facets=(facet,) if facet else (), lang=lang.strip().lower() or "en",
    )  # fmt: skip
    return RedirectResponse(f"/proposals/{made.id}", status_code=303)


@router.post("/mappings/{vocabulary}/review", response_class=HTMLResponse)
@page
def review_mapping(
    request: Request,
    vocabulary: str,
    csrf: Annotated[str, Form(max_length=64)],
    subject_id: Annotated[str, Form(max_length=300)],
    predicate_id: Annotated[str, Form(max_length=64)],
    object_id: Annotated[str, Form(max_length=32)],
    decision: Annotated[str, Form(pattern="^(accept|reject)$")],
) -> Response:
    """A reviewer's verdict on a machine suggestion, applied at once (it is the review): accepted, the row
    becomes a curated one by the reviewer; rejected, a curated negative row ("not a match") records it, so the
    suggester does not offer it again."""
    svc = _svc(request)
    who = require(request, svc, csrf)
    who.require(Role.REVIEWER)
    view = svc.working()
    found = view.ontology.mappings.get(vocabulary)
    if found is None:
        raise NotFoundError(f"no mapping set {vocabulary!r}")
    rows = [r for r in found.rows if r.subject_id == subject_id]
    target = next((r for r in rows if (r.predicate_id, r.object_id) == (predicate_id, object_id)), None)
    if target is None or target.mapping_justification == MANUAL:
        raise NotFoundError(f"no machine suggestion {subject_id} {predicate_id} {object_id} in {vocabulary}")
    reviewed = target.model_copy(update={
        "mapping_justification": MANUAL, "author_id": who.curie, "mapping_date": dt.date.today().isoformat(),
        "predicate_modifier": "" if decision == "accept" else "Not", "confidence": None,
        "similarity_score": None, "similarity_measure": "", "similarity_threshold": None,
        "comment": f"{decision}ed machine suggestion ({target.mapping_justification})",
    })  # fmt: skip
    kept = [reviewed if r is target else r for r in rows]
    edit = ReviewMappings(vocabulary=vocabulary, subject_id=subject_id, rows=tuple(kept), author=who.curie,
                          reason=f"review of a machine suggestion: {decision}")  # fmt: skip
    svc.store.apply([edit], expected_revision=view.revision)  # 409 if another review of the set came first
    return RedirectResponse(f"/mappings/{vocabulary}?show=machine", status_code=303)


@router.post("/releases", response_class=HTMLResponse)
@page
def make_release(
    request: Request,
    csrf: Annotated[str, Form(max_length=64)],
    version: Annotated[str, Form(max_length=32)],
    notes: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    svc = _svc(request)
    who = require(request, svc, csrf)
    who.require(Role.ADMIN)
    info, created = svc.store.release(
        version.strip(), notes=f"{notes.strip()} (released by {who.curie})", date=dt.date.today()
    )
    if not created:
        raise UsageError(f"nothing changed since release {info.version}: there is nothing to release as {version}")
    previous = [r.version for r in svc.store.releases() if r.version != version.strip()]
    target = f"/diff?old={previous[-1]}&new={version.strip()}" if previous else "/releases"
    return RedirectResponse(target, status_code=303)


__all__ = ["router", "templates"]
