"""KGCL text, the change language of the Ontology Access Kit, read into UTS edits and written from them.

Parsing and rendering are the ``kgcl-schema`` package's (the ``kgcl`` extra); this module only translates between
its change objects and ours, for the operations both have:

=============================================  =====================================================
KGCL                                           UTS edit
=============================================  =====================================================
``create node UTS:1 'label'``                  ``AddConcept`` (label only)
``rename UTS:1 from 'old' to 'new'``           ``SetField`` label (``old`` checked)
``add definition 'x' to UTS:1``                ``SetField`` definition
``change definition of UTS:1 to 'x'``          ``SetField`` definition
``remove definition for UTS:1``                ``SetField`` definition ''
``create exact|narrow synonym 'x' for UTS:1``  ``AddLabel`` alt | narrower (``create synonym``: alt)
``create exact synonym 'x'@es for UTS:1``      ``AddLabel`` alt in Spanish (a language tag: its ``lang``)
``remove synonym 'x' for UTS:1``               ``RemoveLabel`` (``'x'@es``: the Spanish label)
``obsolete UTS:1 with replacement UTS:2``      ``Deprecate`` with ``replaced_by``
``create edge UTS:1 rdfs:subClassOf UTS:2``    ``Move`` (adds a broader concept)
``delete edge UTS:1 rdfs:subClassOf UTS:2``    ``Move`` (drops one)
=============================================  =====================================================

Everything else (merges, splits, facets, domains, scope notes, hidden labels, the preferred label in another
language, mapping rows) has no KGCL form
here and is refused with the reason, never dropped. The package's parser reads only single-quoted text, so a
label holding a single quote cannot be written as KGCL either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from uts.errors import InvalidError, Problem, UsageError
from uts.ontology.edits import (
    AddConcept,
    AddLabel,
    Deprecate,
    Edit,
    Move,
    RemoveLabel,
    SetField,
)
from uts.ontology.model import ENGLISH, LANGUAGE_PATTERN, LabelScope
from uts.ontology.ontology import Ontology

BROADER_PREDICATES = ("rdfs:subClassOf", "skos:broader")
_SCOPE_OF_QUALIFIER = {None: LabelScope.ALT, "exact": LabelScope.ALT, "narrow": LabelScope.NARROWER}
_QUALIFIER_OF_SCOPE = {LabelScope.ALT: "exact", LabelScope.NARROWER: "narrow"}


class KgclError(InvalidError):
    """KGCL text that cannot be read, or edits that have no KGCL form."""

    head = "KGCL problems (nothing was changed)"


def _kgcl() -> tuple[Any, Any, Any]:
    try:
        from kgcl_schema.datamodel import kgcl
        from kgcl_schema.grammar.parser import parse_statement
        from kgcl_schema.grammar.render_operations import render
    except ImportError:
        raise UsageError("KGCL needs the 'kgcl' extra: pip install 'uts[kgcl]'") from None
    return kgcl, parse_statement, render


def from_kgcl(
    text: str, ontology: Ontology, *, author: str, reason: str = "", time: dt.datetime | None = None
) -> list[Edit]:
    """The edits a KGCL text (one change per line; ``#`` comments) stands for, against ``ontology``.

    Edge changes become ``Move`` edits, so the broader concepts of a node are worked out from the ontology and
    the lines before.
    """
    _, parse_statement, _ = _kgcl()
    meta: dict[str, Any] = {"author": author, "reason": reason}
    if time is not None:
        meta["time"] = time
    broader: dict[str, tuple[str, ...]] = {}
    edits: list[Edit] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        statement = line.strip()
        if not statement or statement.startswith("#"):
            continue
        try:
            change = parse_statement(statement)
        except Exception as exc:  # lark raises its own hierarchy; report the line, whatever it is
            problems.append(
                Problem(
                    "kgcl",
                    number,
                    f"cannot read {statement!r} ({type(exc).__name__})",
                    "write one KGCL change per line",
                )
            )
            continue
        try:
            edits.append(_edit(change, ontology, broader, meta))
        except ValueError as exc:
            problems.append(Problem("kgcl", number, str(exc), "express this change as a UTS edit (JSON) instead"))
    if problems:
        raise KgclError(problems)
    return edits


def _edit(change: Any, ontology: Ontology, broader: dict[str, tuple[str, ...]], meta: dict[str, Any]) -> Edit:
    kind = type(change).__name__
    node: str = getattr(change, "about_node", None) or ""
    if kind in ("NodeCreation", "ClassCreation"):
        concept_id = change.about_node or change.node_id
        broader[concept_id] = ()
        return AddConcept(concept_id=concept_id, label=change.name or "", **meta)
    if kind == "NodeRename":
        return SetField(concept_id=node, field="label", value=change.new_value, old=change.old_value, **meta)
    if kind in ("NewTextDefinition", "NodeTextDefinitionChange"):
        return SetField(concept_id=node, field="definition", value=change.new_value, **meta)
    if kind == "RemoveTextDefinition":
        return SetField(concept_id=node, field="definition", value="", **meta)
    if kind == "NewSynonym":
        qualifier = str(change.qualifier) if change.qualifier is not None else None
        if qualifier not in _SCOPE_OF_QUALIFIER:
            raise ValueError(f"a {qualifier} synonym has no UTS label scope (exact and narrow synonyms do)")
        return AddLabel(
            concept_id=node,
            label=change.new_value,
            scope=_SCOPE_OF_QUALIFIER[qualifier],
            lang=_language(change),
            **meta,
        )
    if kind == "RemoveSynonym":
        return RemoveLabel(concept_id=node, label=change.old_value, lang=_language(change), **meta)
    if kind == "NodeObsoletionWithDirectReplacement":
        return Deprecate(concept_id=node, replaced_by=change.has_direct_replacement, **meta)
    if kind == "NodeObsoletion":
        if change.has_direct_replacement:
            return Deprecate(concept_id=node, replaced_by=change.has_direct_replacement, **meta)
        raise ValueError("UTS never deprecates a concept without a replacement or candidates to consider")
    if kind in ("PlaceUnder", "RemoveUnder", "EdgeCreation", "EdgeDeletion"):
        if change.predicate not in BROADER_PREDICATES:
            raise ValueError(
                f"only broader edges ({', '.join(BROADER_PREDICATES)}) exist in UTS, not {change.predicate}"
            )
        subject = change.subject
        current = broader.get(subject)
        if current is None:
            current = ontology.concepts[subject].broader if subject in ontology.concepts else ()
        if kind in ("PlaceUnder", "EdgeCreation"):
            new = tuple(dict.fromkeys((*current, change.object)))
        else:
            new = tuple(b for b in current if b != change.object)
        broader[subject] = new
        return Move(concept_id=subject, broader=new, **meta)
    raise ValueError(f"KGCL {kind} has no UTS edit")


def _language(change: Any) -> str:
    """The language tag of a synonym change (``'perro'@es``), English without one; only a primary tag is a UTS
    language."""
    tag = getattr(change, "language", None)
    if tag is None:
        return ENGLISH
    lang = str(tag).lower()
    if not LANGUAGE_PATTERN.match(lang):
        raise ValueError(f"language tag {str(tag)!r} is not a primary language tag like 'es' or 'zh'")
    return lang


def _tagged(lang: str) -> dict[str, str]:
    return {} if lang == ENGLISH else {"language": lang}


def to_kgcl(edits: Sequence[Edit], ontology: Ontology) -> str:
    """KGCL text for ``edits`` (against ``ontology``, which tells a move's old broader concepts and a rename's old
    label); an edit without a KGCL form raises ``KgclError`` naming it."""
    kgcl, _, render = _kgcl()
    lines: list[str] = []
    problems: list[Problem] = []
    broader = {cid: c.broader for cid, c in ontology.concepts.items()}
    labels = {cid: c.label for cid, c in ontology.concepts.items()}
    for position, edit in enumerate(edits, start=1):
        try:
            changes = _changes(kgcl, edit, broader, labels)
        except ValueError as exc:
            problems.append(
                Problem(f"edit {position} ({edit.op} {edit.subject})", 0, str(exc), "keep it as a JSON edit")
            )
            continue
        for change in changes:
            for text in _quoted_values(change):
                if "'" in text:
                    problems.append(
                        Problem(
                            f"edit {position} ({edit.op} {edit.subject})",
                            0,
                            f"{text!r} holds a single quote, which kgcl-schema cannot read back",
                            "keep it as a JSON edit",
                        )
                    )
                    break
            else:
                lines.append(render(change))
    if problems:
        raise KgclError(problems)
    return "".join(line + "\n" for line in lines)


def _quoted_values(change: Any) -> list[str]:
    return [str(v) for key in ("old_value", "new_value", "name") if (v := getattr(change, key, None))]


def _changes(kgcl: Any, edit: Edit, broader: dict[str, tuple[str, ...]], labels: dict[str, str]) -> list[Any]:
    ids = {"id": f"uts:{edit.op}"}
    if isinstance(edit, AddConcept):
        if edit.facets or edit.domains or edit.comment or edit.origin.value != "curated":
            raise ValueError("facets, domains, scope notes and origin have no KGCL form")
        out: list[Any] = [
            kgcl.NodeCreation(**ids, about_node=edit.concept_id, node_id=edit.concept_id, name=edit.label)
        ]
        if edit.definition:
            out.append(kgcl.NewTextDefinition(**ids, about_node=edit.concept_id, new_value=edit.definition))
        for parent in edit.broader:
            out.append(kgcl.PlaceUnder(**ids, subject=edit.concept_id, predicate="rdfs:subClassOf", object=parent))
        broader[edit.concept_id] = edit.broader
        labels[edit.concept_id] = edit.label
        return out
    if isinstance(edit, SetField):
        if edit.field == "label":
            old = str(edit.old) if edit.old is not None else labels.get(edit.concept_id, "")
            labels[edit.concept_id] = str(edit.value)
            return [kgcl.NodeRename(**ids, about_node=edit.concept_id, old_value=old, new_value=edit.value)]
        if edit.field == "definition":
            if not edit.value:
                return [kgcl.RemoveTextDefinition(**ids, about_node=edit.concept_id)]
            return [kgcl.NodeTextDefinitionChange(**ids, about_node=edit.concept_id, new_value=edit.value)]
        raise ValueError(f"the {edit.field} of a concept has no KGCL form")
    if isinstance(edit, AddLabel):
        qualifier = _QUALIFIER_OF_SCOPE.get(edit.scope)
        if qualifier is None:
            raise ValueError(f"{edit.scope.value} labels have no KGCL synonym qualifier")
        return [
            kgcl.NewSynonym(
                **ids, about_node=edit.concept_id, new_value=edit.label, qualifier=qualifier, **_tagged(edit.lang)
            )
        ]
    if isinstance(edit, RemoveLabel):
        return [kgcl.RemoveSynonym(**ids, about_node=edit.concept_id, old_value=edit.label, **_tagged(edit.lang))]
    if isinstance(edit, Deprecate):
        if edit.replaced_by is None:
            raise ValueError("kgcl-schema cannot read 'obsolete ... with alternative', so consider lists have no form")
        return [
            kgcl.NodeObsoletionWithDirectReplacement(
                **ids, about_node=edit.concept_id, has_direct_replacement=edit.replaced_by
            )
        ]
    if isinstance(edit, Move):
        before = broader.get(edit.concept_id, ())
        out = [
            kgcl.RemoveUnder(**ids, subject=edit.concept_id, predicate="rdfs:subClassOf", object=parent)
            for parent in before
            if parent not in edit.broader
        ]
        out += [
            kgcl.PlaceUnder(**ids, subject=edit.concept_id, predicate="rdfs:subClassOf", object=parent)
            for parent in edit.broader
            if parent not in before
        ]
        broader[edit.concept_id] = edit.broader
        return out
    raise ValueError(f"{edit.op} has no KGCL form")


__all__ = ["KgclError", "from_kgcl", "to_kgcl"]
