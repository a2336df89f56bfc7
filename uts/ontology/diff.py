"""What changed between two UTS versions, in the terms dataset builders ask about (ROBOT's diff, for audio tags).

A summary comes first (counts, then the added, deprecated, merged, split, relabelled and moved concepts), then
the details: label changes, other fields, re-pointed published tags and mapping rows. Rendered as text for a
terminal, Markdown for a changelog, and JSON for tools.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from uts.ontology.mapping import MappingRow, row_key
from uts.ontology.model import ENGLISH, Concept, LabelScope, Status
from uts.ontology.ontology import Ontology

# Fields compared one by one for the "other changes" details (labels, broader and status have their own lists).
_FIELDS = ("definition", "facets", "domains", "comment", "origin", "consider")


class Kind(StrEnum):
    ADDED = "added"
    DEPRECATED = "deprecated"
    MERGED = "merged"
    SPLIT = "split"
    RESTORED = "restored"
    RELABELLED = "relabelled"
    MOVED = "moved"


class ConceptChange(BaseModel):
    """One concept in one list of the summary."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    kind: Kind
    old: str = Field(default="", description="The old label (relabelled) or old broader concepts (moved).")
    new: str = Field(default="", description="The new label, broader concepts, or merge target.")
    targets: tuple[str, ...] = Field(default=(), description="Merge target, or the parts of a split.")


class LabelChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    concept_label: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


class FieldChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    concept_label: str
    field: str
    old: str
    new: str


class TagChange(BaseModel):
    """A published tag of the paper that now denotes another concept."""

    model_config = ConfigDict(frozen=True)

    index: int
    tag: str
    old: str
    new: str


class MappingChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    mapping_set: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    examples: tuple[str, ...] = Field(default=(), description="A few of the changed rows, for people.")


class Diff(BaseModel):
    """Everything that changed from ``old`` to ``new``."""

    model_config = ConfigDict(frozen=True)

    old: str
    new: str
    concepts: tuple[ConceptChange, ...] = ()
    labels: tuple[LabelChange, ...] = ()
    fields: tuple[FieldChange, ...] = ()
    tags: tuple[TagChange, ...] = ()
    mappings: tuple[MappingChange, ...] = ()

    def of(self, kind: Kind) -> list[ConceptChange]:
        return [c for c in self.concepts if c.kind is kind]

    def counts(self) -> dict[str, int]:
        out = {kind.value: len(self.of(kind)) for kind in Kind}
        out["label changes"] = sum(len(c.added) + len(c.removed) for c in self.labels)
        out["other field changes"] = len(self.fields)
        out["re-pointed published tags"] = len(self.tags)
        out["mapping rows changed"] = sum(m.added + m.removed + m.changed for m in self.mappings)
        return out

    @property
    def empty(self) -> bool:
        return not (self.concepts or self.labels or self.fields or self.tags or self.mappings)


def _classify_deprecation(old: Ontology, new: Ontology, was: Concept, now: Concept) -> ConceptChange:
    if now.replaced_by is not None:
        target = new.concepts.get(now.replaced_by)
        label = target.label if target is not None else now.replaced_by
        return ConceptChange(id=now.id, label=was.label, kind=Kind.MERGED, new=f"{now.replaced_by} ({label})",
                             targets=(now.replaced_by,))  # fmt: skip
    if len(now.consider) > 1:
        parts = ", ".join(f"{c} ({new.concepts[c].label})" if c in new.concepts else c for c in now.consider)
        return ConceptChange(id=now.id, label=was.label, kind=Kind.SPLIT, new=parts, targets=now.consider)
    return ConceptChange(id=now.id, label=was.label, kind=Kind.DEPRECATED, targets=now.consider,
                         new=", ".join(now.consider))  # fmt: skip


def _names(ontology: Ontology, ids: Iterable[str]) -> str:
    return ", ".join(f"{i} ({ontology.concepts[i].label})" if i in ontology.concepts else i for i in ids) or "(top)"


def _value(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(getattr(v, "value", v)) for v in value)
    return str(getattr(value, "value", value))


def _label(key: tuple[str, str], scope: LabelScope) -> str:
    """``"hi-fi (alt)"``; a label in another language with its tag: ``"perro@es (pref)"``."""
    label, lang = key
    return f"{label} ({scope.value})" if lang == ENGLISH else f"{label}@{lang} ({scope.value})"


def diff(old: Ontology, new: Ontology) -> Diff:
    """The changes that turn ``old`` into ``new``."""
    concepts: list[ConceptChange] = []
    labels: list[LabelChange] = []
    fields: list[FieldChange] = []
    for cid, now in sorted(new.concepts.items()):
        was = old.concepts.get(cid)
        if was is None:
            concepts.append(ConceptChange(id=cid, label=now.label, kind=Kind.ADDED))
            continue
        if was == now:
            continue
        if was.status is Status.ACTIVE and now.status is Status.DEPRECATED:
            concepts.append(_classify_deprecation(old, new, was, now))
            continue
        if was.status is Status.DEPRECATED and now.status is Status.ACTIVE:
            concepts.append(ConceptChange(id=cid, label=now.label, kind=Kind.RESTORED))
        if was.label != now.label:
            concepts.append(ConceptChange(id=cid, label=now.label, kind=Kind.RELABELLED, old=was.label, new=now.label))
        if was.broader != now.broader:
            concepts.append(ConceptChange(id=cid, label=now.label, kind=Kind.MOVED, old=_names(old, was.broader),
                                          new=_names(new, now.broader)))  # fmt: skip
        before = {(s.label, s.lang): s.scope for s in was.synonyms}
        after = {(s.label, s.lang): s.scope for s in now.synonyms}
        added = tuple(_label(key, scope) for key, scope in after.items() if before.get(key) != scope)
        removed = tuple(_label(key, scope) for key, scope in before.items() if after.get(key) != scope)
        if added or removed:
            labels.append(LabelChange(id=cid, concept_label=now.label, added=added, removed=removed))
        for name in _FIELDS:
            a, b = getattr(was, name), getattr(now, name)
            if a != b:
                fields.append(FieldChange(id=cid, concept_label=now.label, field=name, old=_value(a), new=_value(b)))
    order = {kind: n for n, kind in enumerate(Kind)}
    concepts.sort(key=lambda c: (order[c.kind], c.id))
    old_tags = {(t.index, t.tag): t.concept_id for t in old.paper}
    tags = [
        TagChange(index=t.index, tag=t.tag, old=old_tags[(t.index, t.tag)], new=t.concept_id)
        for t in new.paper
        if (t.index, t.tag) in old_tags and old_tags[(t.index, t.tag)] != t.concept_id
    ]
    return Diff(
        old=old.metadata.version,
        new=new.metadata.version,
        concepts=tuple(concepts),
        labels=tuple(labels),
        fields=tuple(fields),
        tags=tuple(tags),
        mappings=tuple(_mapping_changes(old, new)),
    )


def _mapping_changes(old: Ontology, new: Ontology) -> list[MappingChange]:
    out = []
    for name in sorted(set(old.mappings) | set(new.mappings)):
        a = {row_key(r): r for r in old.mappings[name].rows} if name in old.mappings else {}
        b = {row_key(r): r for r in new.mappings[name].rows} if name in new.mappings else {}
        if a == b:
            continue
        added = [b[k] for k in b if k not in a]
        removed = [a[k] for k in a if k not in b]
        changed = [b[k] for k in b if k in a and a[k] != b[k]]
        examples = [f"+ {_row(r)}" for r in added[:3]] + [f"- {_row(r)}" for r in removed[:3]]
        examples += [f"~ {_row(r)}" for r in changed[:3]]
        out.append(MappingChange(mapping_set=name, added=len(added), removed=len(removed), changed=len(changed),
                                 examples=tuple(examples)))  # fmt: skip
    return out


def _row(row: MappingRow) -> str:
    return f"{row.subject_id} {row.predicate_id} {row.object_id}"


# ---- rendering ------------------------------------------------------------------------------------------------

_TITLES = {
    Kind.ADDED: "Added",
    Kind.DEPRECATED: "Deprecated",
    Kind.MERGED: "Merged",
    Kind.SPLIT: "Split",
    Kind.RESTORED: "Restored",
    Kind.RELABELLED: "Relabelled",
    Kind.MOVED: "Moved",
}


def _line(change: ConceptChange) -> str:
    if change.kind is Kind.RELABELLED:
        return f"{change.id} {change.old!r} -> {change.new!r}"
    if change.kind is Kind.MOVED:
        return f"{change.id} {change.label}: under {change.old} -> under {change.new}"
    if change.kind in (Kind.MERGED, Kind.SPLIT):
        return f"{change.id} {change.label} -> {change.new}"
    if change.kind is Kind.DEPRECATED and change.new:
        return f"{change.id} {change.label} (consider {change.new})"
    return f"{change.id} {change.label}"


def sections(result: Diff) -> list[tuple[str, list[str]]]:
    """The diff as titled lists of lines, for any renderer (text, Markdown, the web UI)."""
    out = [(_TITLES[kind], [_line(c) for c in result.of(kind)]) for kind in Kind]
    out.append(
        ("Label changes", [
            f"{c.id} {c.concept_label}: " + "; ".join([*(f"+ {a}" for a in c.added), *(f"- {r}" for r in c.removed)])
            for c in result.labels
        ])
    )  # fmt: skip
    out.append(("Other field changes", [f"{f.id} {f.concept_label}: {f.field} {f.old!r} -> {f.new!r}"
                                              for f in result.fields]))  # fmt: skip
    out.append(("Re-pointed published tags", [f"{t.index} {t.tag!r}: {t.old} -> {t.new}" for t in result.tags]))
    out.append(
        ("Mapping changes", [
            f"{m.mapping_set}: +{m.added} -{m.removed} ~{m.changed}" + "".join(f"\n    {e}" for e in m.examples)
            for m in result.mappings
        ])
    )  # fmt: skip
    return out


def summary_line(result: Diff) -> str:
    counts = {k: v for k, v in result.counts().items() if v}
    if not counts:
        return f"UTS {result.old} -> {result.new}: no changes"
    return f"UTS {result.old} -> {result.new}: " + ", ".join(f"{v} {k}" for k, v in counts.items())


def to_text(result: Diff) -> str:
    lines = [summary_line(result)]
    for title, items in sections(result):
        if items:
            lines += ["", f"{title} ({len(items)}):", *(f"  {item}" for item in items)]
    return "\n".join(lines) + "\n"


def to_markdown(result: Diff) -> str:
    lines = [f"## UTS {result.new} (changes since {result.old})", "", "| change | count |", "| --- | ---: |"]
    lines += [f"| {k} | {v} |" for k, v in result.counts().items() if v] or ["| none | 0 |"]
    for title, items in sections(result):
        if items:
            lines += ["", f"### {title}", ""]
            lines += [f"- {item}".replace("\n    ", "\n  - ") for item in items]
    return "\n".join(lines) + "\n"


def to_json(result: Diff) -> str:
    data = {"summary": result.counts(), **json.loads(result.model_dump_json())}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


__all__ = [
    "ConceptChange",
    "Diff",
    "FieldChange",
    "Kind",
    "LabelChange",
    "MappingChange",
    "TagChange",
    "diff",
    "sections",
    "summary_line",
    "to_json",
    "to_markdown",
    "to_text",
]
