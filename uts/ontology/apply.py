"""The one pure function that changes UTS: apply typed edits to an Ontology and get a new one, or every problem.

Pure: it reads nothing, writes nothing and asks no clock (dates come from the edits). A store persists what it
returns; sheets, the CLI, the API and the UI all go through it, so every rule of ``uts validate`` holds after
every change, whoever makes it.

>>> from uts import load_ontology
>>> from uts.ontology.edits import AddLabel
>>> uts = load_ontology()
>>> dog = uts.lookup("dog").id
>>> new = apply_edits(uts, [AddLabel(concept_id=dog, label="doggo", scope="alt", author="utsteam:curators")])
>>> new.ontology.lookup("doggo").id == dog, uts.find("doggo") is None
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from uts.errors import InvalidError, Problem
from uts.lexical import normalise
from uts.ontology.edits import (
    AddConcept,
    AddLabel,
    AddMapping,
    CreateMappingSet,
    Deprecate,
    Edit,
    Merge,
    Move,
    RemoveLabel,
    RemoveMapping,
    ReviewMappings,
    SetField,
    Split,
)
from uts.ontology.mapping import MANUAL, MappingRow, MappingSet, canonical_rows, row_key
from uts.ontology.model import (
    ENGLISH,
    Concept,
    LabelScope,
    Origin,
    PaperTag,
    Status,
    Synonym,
    WordSense,
    control_character,
    synonym_order,
)
from uts.ontology.ontology import Ontology, with_derived_fields
from uts.ontology.recheck import label_holders, may_break_rules, updated_holders
from uts.ontology.validate import check


class EditError(InvalidError):
    """Edits that cannot be applied, or whose result breaks a rule; nothing was changed."""

    head = "the edits cannot be applied (nothing was changed)"


@dataclass(frozen=True)
class Change:
    """One applied edit and what it changed: the concepts whose records differ, the mapping sets it touched."""

    edit: Edit
    concepts: frozenset[str]
    vocabularies: frozenset[str]


@dataclass(frozen=True)
class Applied:
    """The new Ontology and, per edit, what it changed (a store's change log is made of these)."""

    ontology: Ontology
    changes: tuple[Change, ...]

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset(c for change in self.changes for c in change.concepts)

    @property
    def vocabularies(self) -> frozenset[str]:
        return frozenset(v for change in self.changes for v in change.vocabularies)


class _RefusedError(Exception):
    """An edit that cannot apply to the current draft: its message and how to fix it."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass
class _Draft:
    """The state being edited: plain dicts and lists, turned into a new Ontology once every edit is in."""

    base: Ontology
    concepts: dict[str, Concept]
    paper: list[PaperTag]
    mappings: dict[str, MappingSet]
    mapping_rows: dict[str, list[MappingRow]] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)
    vocabularies: set[str] = field(default_factory=set)
    senses: list[WordSense] = field(default_factory=list)

    def repoint_senses(self, old: str, new: str) -> None:
        """Word senses that named ``old`` name ``new``: a merged concept's sense is its target's."""
        self.senses = [s.model_copy(update={"concept_id": new}) if s.concept_id == old else s for s in self.senses]

    def get(self, concept_id: str, role: str = "concept") -> Concept:
        concept = self.concepts.get(concept_id)
        if concept is None:
            raise _RefusedError(f"{role} {concept_id} does not exist", "use the ID of an existing concept")
        return concept

    def active(self, concept_id: str, role: str = "concept") -> Concept:
        concept = self.get(concept_id, role)
        if concept.status is not Status.ACTIVE:
            where = f" (it is replaced by {concept.replaced_by})" if concept.replaced_by else ""
            raise _RefusedError(f"{role} {concept_id} ({concept.label}) is deprecated{where}", "edit an active concept")
        return concept

    def put(self, concept: Concept) -> None:
        texts = [concept.label, concept.definition, concept.comment]
        texts += [t for s in concept.synonyms for t in (s.label, s.source, s.comment)]
        bad = control_character(*texts)
        if bad is not None:
            raise _RefusedError(
                f"the text of {concept.id} would hold the control character {bad}",
                "write it on one line, without tabs or control characters",
            )
        ordered = tuple(sorted(concept.synonyms, key=synonym_order))
        if ordered != concept.synonyms:  # the order the files keep, so a stored state equals the one built here
            concept = concept.model_copy(update={"synonyms": ordered})
        self.concepts[concept.id] = concept
        self.touched.add(concept.id)

    def update(self, concept: Concept, **changes: Any) -> Concept:
        """The concept with ``changes``, validated as a whole (so a bad facet or domain is refused here)."""
        try:
            updated = Concept.model_validate({**concept.model_dump(), **changes})
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise _RefusedError(f"{loc}: {err['msg'].removeprefix('Value error, ')}", f"correct the {loc}") from None
        self.put(updated)
        return updated

    def rows(self, vocabulary: str) -> list[MappingRow]:
        if vocabulary not in self.mapping_rows:
            if vocabulary not in self.mappings:
                known = ", ".join(sorted(self.mappings)) or "(none)"
                raise _RefusedError(
                    f"there is no mapping set for vocabulary {vocabulary!r} (there are: {known})",
                    "create it first (`uts mappings suggest VOCABULARY`, or a create_mapping_set edit)",
                )
            self.mapping_rows[vocabulary] = list(self.mappings[vocabulary].rows)
        self.vocabularies.add(vocabulary)
        return self.mapping_rows[vocabulary]

    def facet_root_of(self, concept_id: str) -> str | None:
        return next((f.id for f in self.base.facets.values() if f.root == concept_id), None)

    def repoint_references(self, old: str, new: str | None, heirs_of_children: tuple[str, ...]) -> None:
        """Whatever named ``old`` names ``new`` instead: broader links (children get ``heirs_of_children``),
        replaced_by and consider. With ``new`` None, a replaced_by naming ``old`` is refused."""
        for concept_id, concept in list(self.concepts.items()):
            if concept_id == old:
                continue
            changes: dict[str, Any] = {}
            if old in concept.broader:
                parents = dict.fromkeys(p for b in concept.broader for p in (heirs_of_children if b == old else (b,)))
                changes["broader"] = tuple(p for p in parents if p != concept_id)
            if concept.replaced_by == old:
                if new is None:
                    raise _RefusedError(
                        f"{concept_id} ({concept.label}) is replaced by {old}, which would be left without a successor",
                        f"point the replaced_by of {concept_id} elsewhere first",
                    )
                changes["replaced_by"] = new
            if old in concept.consider and new is not None:
                changes["consider"] = tuple(dict.fromkeys(new if c == old else c for c in concept.consider))
            if changes:
                self.put(concept.model_copy(update=changes))

    def repoint_mappings(self, old: str, new: str, note: str) -> None:
        """Every vocabulary mapping row whose object is ``old`` names ``new``; a row that then repeats another goes."""
        for name, mapping_set in self.mappings.items():
            current = self.mapping_rows.get(name, mapping_set.rows)
            if not any(r.object_id == old for r in current):
                continue
            rows: list[MappingRow] = []
            seen: set[tuple[str, str, str, str]] = set()
            for row in self.rows(name):
                if row.object_id == old:
                    comment = "; ".join(filter(None, [row.comment, note]))
                    row = row.model_copy(update={"object_id": new, "comment": comment})
                key = row_key(row)
                if key not in seen:
                    seen.add(key)
                    rows.append(row)
            self.mapping_rows[name] = rows

    def move_paper_tags(self, old: str, new: str, note: str, edit: Edit) -> bool:
        """Published tags of ``old`` now denote ``new``, as a manual curation by the edit's author."""
        moved = False
        for i, tag in enumerate(self.paper):
            if tag.concept_id == old:
                self.paper[i] = tag.model_copy(
                    update={
                        "concept_id": new,
                        "justification": MANUAL,
                        "author": edit.author,
                        "date": edit.time.date().isoformat(),
                        "comment": f"{note}; was: {tag.comment}" if tag.comment else note,
                    }
                )
                moved = True
        return moved

    def move_labels(self, source: Concept, target: Concept, comment: str, *, english: bool = True) -> Concept:
        """The target with the source's preferred label (as an alternative label) and synonyms added (with
        ``english`` False: only its labels in other languages). A preferred label in a language the target has
        one in already comes as an alternative label."""
        have = {(label, ENGLISH) for label in target.all_labels} | {(s.label, s.lang) for s in target.translations}
        prefs = {s.lang for s in target.translations if s.scope is LabelScope.PREF}
        moved = [Synonym(label=source.label, scope=LabelScope.ALT, source="merge", comment=comment)] if english else []
        moved += [s for s in source.synonyms if english or s.lang != ENGLISH]
        added = []
        for synonym in moved:
            if (synonym.label, synonym.lang) in have:
                continue
            have.add((synonym.label, synonym.lang))
            if synonym.scope is LabelScope.PREF:
                if synonym.lang in prefs:
                    note = "; ".join(filter(None, [synonym.comment, f"preferred label of {source.id}"]))
                    synonym = synonym.model_copy(update={"scope": LabelScope.ALT, "comment": note})
                prefs.add(synonym.lang)
            added.append(synonym)
        return target.model_copy(update={"synonyms": target.synonyms + tuple(added)})


# ---- one handler per edit ---------------------------------------------------------------------------


def _add_concept(draft: _Draft, edit: AddConcept) -> None:
    if edit.concept_id in draft.concepts:
        raise _RefusedError(
            f"{edit.concept_id} is already used (by {draft.concepts[edit.concept_id].label!r}); IDs are never reused",
            "take a new ID from the store",
        )
    try:
        concept = Concept(
            id=edit.concept_id,
            label=edit.label,
            origin=edit.origin,
            facets=edit.facets,
            domains=edit.domains,
            broader=edit.broader,
            definition=edit.definition,
            comment=edit.comment,
        )
    except ValidationError as exc:
        raise _RefusedError(exc.errors()[0]["msg"].removeprefix("Value error, "), "correct the new concept") from None
    draft.put(concept)


def _set_field(draft: _Draft, edit: SetField) -> None:
    concept = draft.active(edit.concept_id)
    current = getattr(concept, edit.field)
    if edit.field == "domains":
        current = tuple(d.value for d in current)
    if edit.old is not None and edit.old != current:
        raise _RefusedError(
            f"{edit.field} of {concept.id} is {current!r}, not {edit.old!r} as the edit expects",
            "someone changed it in between: load it again and redo the edit",
        )
    if edit.field != "label":
        draft.update(concept, **{edit.field: edit.value})
        return
    new_label = str(edit.value).strip()
    key = normalise(new_label)
    if not key:
        raise _RefusedError(f"label {new_label!r} is empty after normalisation", "use a label with letters or digits")
    synonyms = [s for s in concept.synonyms if not (s.label == new_label and s.lang == ENGLISH)]
    english = [s for s in synonyms if s.lang == ENGLISH]
    if normalise(concept.label) != key and all(normalise(s.label) != normalise(concept.label) for s in english):
        # The old name keeps resolving: it becomes an alternative label.
        synonyms.append(Synonym(label=concept.label, scope=LabelScope.ALT, source="rename", comment="earlier label"))
    draft.update(concept, label=new_label, synonyms=tuple(synonyms))


def _shown(label: str, lang: str) -> str:
    return repr(label) if lang == ENGLISH else f"{label!r}@{lang}"


def _add_label(draft: _Draft, edit: AddLabel) -> None:
    concept = draft.active(edit.concept_id)
    key = normalise(edit.label)
    if not key:
        raise _RefusedError(f"label {edit.label!r} is empty after normalisation", "use a label with letters or digits")
    lang = edit.lang
    if lang == ENGLISH:
        have = concept.all_labels
    else:
        have = [s.label for s in concept.translations if s.lang == lang]
        pref = concept.pref_label(lang)
        if edit.scope is LabelScope.PREF and pref is not None:
            raise _RefusedError(
                f"{concept.id} ({concept.label}) has the preferred label {pref!r} in {lang} already",
                "remove it first (in the same batch), or add this one as alt",
            )
    if edit.label in have:
        raise _RefusedError(f"{_shown(edit.label, lang)} is already a label of {concept.id}", "drop the edit")
    synonym = Synonym(label=edit.label, scope=edit.scope, source=edit.source, comment=edit.comment, lang=lang)
    draft.update(concept, synonyms=(*concept.synonyms, synonym))


def _remove_label(draft: _Draft, edit: RemoveLabel) -> None:
    concept = draft.get(edit.concept_id)
    if edit.label == concept.label and edit.lang == ENGLISH:
        raise _RefusedError(f"{edit.label!r} is the preferred label of {concept.id}", "rename the concept instead")
    kept = tuple(s for s in concept.synonyms if not (s.label == edit.label and s.lang == edit.lang))
    if len(kept) == len(concept.synonyms):
        others = sorted({s.lang for s in concept.synonyms if s.label == edit.label} - {edit.lang})
        hint = f" (it is one in {', '.join(others)}: give that lang)" if others else ""
        raise _RefusedError(
            f"{_shown(edit.label, edit.lang)} is not a label of {concept.id} ({concept.label}){hint}",
            "name one of its labels",
        )
    draft.update(concept, synonyms=kept)


def _move(draft: _Draft, edit: Move) -> None:
    concept = draft.active(edit.concept_id)
    if edit.old is not None and tuple(sorted(edit.old)) != tuple(sorted(concept.broader)):
        raise _RefusedError(
            f"{concept.id} is under {', '.join(concept.broader) or 'nothing'}, not {', '.join(edit.old) or 'nothing'}",
            "someone moved it in between: load it again and redo the edit",
        )
    draft.update(concept, broader=tuple(dict.fromkeys(edit.broader)))


def _merge(draft: _Draft, edit: Merge) -> None:
    if edit.concept_id == edit.into:
        raise _RefusedError(f"{edit.concept_id} cannot be merged into itself", "name another concept")
    source = draft.active(edit.concept_id)
    target = draft.active(edit.into, "merge target")
    facet = draft.facet_root_of(source.id)
    if facet is not None:
        raise _RefusedError(f"{source.id} is the root of facet {facet!r}", "give the facet another root first")
    target = draft.move_labels(source, target, f"merged from {source.id}")
    # The target keeps what it has and inherits what it lacks (a definition, a place in the hierarchy).
    broader = tuple(b for b in target.broader if b != source.id) or tuple(b for b in source.broader if b != target.id)
    target = target.model_copy(update={"broader": broader, "definition": target.definition or source.definition})
    note = f"merged {source.id} ({source.label}) into {target.id} ({target.label})"
    if draft.move_paper_tags(source.id, target.id, note, edit):
        target = target.model_copy(update={"origin": Origin.PAPER})
    draft.put(target)
    draft.put(
        source.model_copy(update={"status": Status.DEPRECATED, "replaced_by": target.id, "synonyms": (), "broader": ()})
    )
    draft.repoint_references(source.id, target.id, (target.id,))
    draft.repoint_mappings(source.id, target.id, f"re-pointed from merged {source.id}")
    draft.repoint_senses(source.id, target.id)


def _split(draft: _Draft, edit: Split) -> None:
    source = draft.active(edit.concept_id)
    if source.id in edit.into:
        raise _RefusedError(f"{source.id} cannot be one of its own parts", "split it into other concepts")
    parts = [draft.active(part, "part") for part in dict.fromkeys(edit.into)]
    facet = draft.facet_root_of(source.id)
    if facet is not None:
        raise _RefusedError(f"{source.id} is the root of facet {facet!r}", "give the facet another root first")
    heir = draft.concepts[edit.heir or parts[0].id]
    names = ", ".join(f"{p.id} ({p.label})" for p in parts)
    note = f"split {source.id} ({source.label}) into {names}; review which part this belongs to"
    heir = draft.move_labels(source, heir, f"from split {source.id}; review")
    if draft.move_paper_tags(source.id, heir.id, note, edit):
        heir = heir.model_copy(update={"origin": Origin.PAPER})
    draft.put(heir)
    draft.put(
        source.model_copy(
            update={
                "status": Status.DEPRECATED,
                "replaced_by": None,
                "consider": tuple(p.id for p in parts),
                "synonyms": (),
                "broader": (),
            }
        )
    )
    draft.repoint_references(source.id, heir.id, source.broader)
    draft.repoint_mappings(source.id, heir.id, note)


def _deprecate(draft: _Draft, edit: Deprecate) -> None:
    concept = draft.active(edit.concept_id)
    facet = draft.facet_root_of(concept.id)
    if facet is not None:
        raise _RefusedError(f"{concept.id} is the root of facet {facet!r}", "give the facet another root first")
    if edit.replaced_by is not None:
        draft.active(edit.replaced_by, "replacement")
        if edit.replaced_by == concept.id:
            raise _RefusedError(f"{concept.id} cannot replace itself", "name another concept")
    for consider in edit.consider:
        draft.get(consider, "concept to consider")
    if concept.translations and edit.replaced_by is None:
        raise _RefusedError(
            f"{concept.id} ({concept.label}) has labels in {', '.join(concept.languages)}, which a deprecated concept "
            "cannot keep",
            "give a replaced_by (they move to it), or move or remove them first",
        )
    published = [t.tag for t in draft.paper if t.concept_id == concept.id]
    if published:
        raise _RefusedError(
            f"published tags map to {concept.id} ({', '.join(repr(t) for t in published[:5])})",
            "merge it into its replacement, or split it, so that the tags move with their labels",
        )
    if edit.replaced_by is None:
        mapped = sum(1 for name in draft.mappings for r in draft.rows(name) if r.object_id == concept.id)
        if mapped:
            raise _RefusedError(
                f"{mapped} vocabulary mapping row(s) name {concept.id} and it has no replacement to take them",
                "re-map or remove those rows first, or give a replaced_by",
            )
    else:
        draft.repoint_mappings(concept.id, edit.replaced_by, f"re-pointed from deprecated {concept.id}")
        if concept.translations:  # labels in other languages live on active concepts only: they go to the successor
            heir = draft.concepts[edit.replaced_by]
            draft.put(draft.move_labels(concept, heir, f"from deprecated {concept.id}", english=False))
    draft.put(
        concept.model_copy(
            update={
                "status": Status.DEPRECATED,
                "replaced_by": edit.replaced_by,
                "consider": edit.consider,
                "synonyms": tuple(s for s in concept.synonyms if s.lang == ENGLISH),
            }
        )
    )
    draft.repoint_references(concept.id, edit.replaced_by, concept.broader)


def _create_mapping_set(draft: _Draft, edit: CreateMappingSet) -> None:
    if edit.vocabulary in draft.mappings:
        raise _RefusedError(f"vocabulary {edit.vocabulary!r} already has a mapping set", "add rows to it instead")
    missing = [key for key in ("curie_map", "mapping_set_id", "license") if key not in edit.metadata]
    if missing:
        raise _RefusedError(f"the header lacks {', '.join(missing)}, which SSSOM requires", "give them in metadata")
    draft.mappings[edit.vocabulary] = MappingSet(edit.vocabulary, edit.metadata, ())
    draft.vocabularies.add(edit.vocabulary)


def _checked_row(row: MappingRow) -> MappingRow:
    bad = control_character(row.subject_id, row.subject_label, row.comment, row.similarity_measure, row.author_id)
    if bad is not None:
        raise _RefusedError(f"mapping row of {row.subject_id} holds the control character {bad}", "remove it")
    return row


def _add_mapping(draft: _Draft, edit: AddMapping) -> None:
    _checked_row(edit.row)
    rows = draft.rows(edit.vocabulary)
    key = row_key(edit.row)
    if any(row_key(r) == key for r in rows):
        raise _RefusedError(f"the mapping {' '.join(k for k in key if k)} is already there", "drop the edit")
    rows.append(edit.row)


def _remove_mapping(draft: _Draft, edit: RemoveMapping) -> None:
    rows = draft.rows(edit.vocabulary)
    key = (edit.subject_id, edit.predicate_id, edit.predicate_modifier, edit.object_id)
    kept = [r for r in rows if row_key(r) != key]
    if len(kept) == len(rows):
        raise _RefusedError(f"there is no mapping {' '.join(k for k in key if k)}", "name an existing row")
    rows[:] = kept


def _review_mappings(draft: _Draft, edit: ReviewMappings) -> None:
    rows = draft.rows(edit.vocabulary)
    rows[:] = [r for r in rows if r.subject_id != edit.subject_id] + [_checked_row(r) for r in edit.rows]


_HANDLERS: dict[type[Any], Callable[[_Draft, Any], None]] = {
    AddConcept: _add_concept,
    SetField: _set_field,
    AddLabel: _add_label,
    RemoveLabel: _remove_label,
    Move: _move,
    Merge: _merge,
    Split: _split,
    Deprecate: _deprecate,
    CreateMappingSet: _create_mapping_set,
    AddMapping: _add_mapping,
    RemoveMapping: _remove_mapping,
    ReviewMappings: _review_mappings,
}


def describe(position: int, edit: Edit) -> str:
    """How problems name an edit: its 1-based position, operation and subject."""
    return f"edit {position} ({edit.op} {edit.subject})"


_HOLDERS = "_uts_label_holders"


def _holders(ontology: Ontology) -> dict[str, str]:
    found: dict[str, str] | None = ontology.__dict__.get(_HOLDERS)
    if found is None:
        found = ontology.__dict__[_HOLDERS] = label_holders(ontology)
    return found


def prepare_for_edits(ontology: Ontology) -> None:
    """Build now the indexes that checking an edit of ``ontology`` reads (a server does it once, at start)."""
    _holders(ontology)
    ontology.paper_tags_of("")


def try_apply(
    ontology: Ontology, edits: Sequence[Edit], *, full_check: bool = False
) -> tuple[Applied | None, list[Problem]]:
    """Apply ``edits`` in order; the result and no problems, or ``None`` and every problem found.

    ``ontology`` must be valid (stores only hold valid states): the result is then checked where the edits could
    have broken a rule, and fully on any doubt (``full_check`` always), so the problems are those of
    ``uts validate``.
    """
    draft = _Draft(ontology, dict(ontology.concepts), list(ontology.paper), dict(ontology.mappings))
    draft.senses = list(ontology.senses)
    problems: list[Problem] = []
    changes: list[tuple[Edit, set[str], set[str]]] = []
    for position, edit in enumerate(edits, start=1):
        draft.touched, draft.vocabularies = set(), set()
        try:
            _HANDLERS[type(edit)](draft, edit)
        except _RefusedError as refused:
            problems.append(Problem(describe(position, edit), 0, refused.message, refused.fix))
            continue
        changes.append((edit, draft.touched, draft.vocabularies))
    if problems:
        return None, problems
    mappings = dict(draft.mappings)
    for name, rows in draft.mapping_rows.items():
        order = list(dict.fromkeys(r.subject_id for r in draft.mappings[name].rows))
        mappings[name] = draft.mappings[name].with_rows(canonical_rows(rows, order))
    touched = {c for _, t, _ in changes for c in t}
    vocabularies = {v for _, _, vs in changes for v in vs}
    paper = tuple(draft.paper)
    if paper == ontology.paper:
        # Ranks and levels come from the paper alignment, which did not change: only the touched concepts need
        # theirs recomputed (from their own published tags), and the index of tags by concept carries over.
        concepts = draft.concepts
        mine = [t for c in touched for t in ontology.paper_tags_of(c)]
        concepts.update(with_derived_fields({c: concepts[c] for c in touched if c in concepts}, mine))
        result = ontology.replace(concepts=concepts, paper=ontology.paper, mappings=mappings, senses=draft.senses)
        result.__dict__["_paper_by_concept"] = ontology._paper_by_concept
    else:
        concepts = with_derived_fields(draft.concepts, paper)
        result = ontology.replace(concepts=concepts, paper=paper, mappings=mappings, senses=draft.senses)
    holders, shared = updated_holders(_holders(ontology), ontology, result, touched)
    result.__dict__[_HOLDERS] = holders  # the next edit of this version starts from them
    if full_check or shared or may_break_rules(ontology, result, touched, vocabularies):
        problems = check(result)
        if problems:
            return None, problems
    out = tuple(Change(edit, frozenset(touched), frozenset(vocabularies)) for edit, touched, vocabularies in changes)
    return Applied(result, out), []


def apply_edits(ontology: Ontology, edits: Sequence[Edit], *, full_check: bool = False) -> Applied:
    """Apply ``edits`` in order and return the new Ontology; raise ``EditError`` with every problem otherwise."""
    applied, problems = try_apply(ontology, edits, full_check=full_check)
    if applied is None:
        raise EditError(problems)
    return applied


__all__ = ["Applied", "Change", "EditError", "apply_edits", "describe", "prepare_for_edits", "try_apply"]
