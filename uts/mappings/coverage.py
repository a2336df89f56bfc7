"""How completely each legacy vocabulary is mapped to UTS, and how well the suggester agrees with curators."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from uts.mappings.sets import check_subjects, mapping_set_of
from uts.ontology.mapping import MappingRow, MappingSet
from uts.ontology.ontology import Ontology
from uts.ontology.qc import filled_gaps
from uts.vocabularies.base import Vocabulary


class Coverage(BaseModel):
    vocabulary: str
    classes: int
    mapped: int  # classes with at least one reviewed positive row
    exact_or_close: int  # classes with a reviewed exact or close match
    by_predicate: dict[str, int]  # reviewed rows per predicate ("Not ..." for negative rows)
    machine_only: list[str]  # classes covered only by machine suggestions
    gaps: list[str]  # classes with no reviewed row at all
    broad_only: list[str]  # classes mapped, but with no exact or close UTS concept
    problems: list[str]
    filled_gaps: list[str]  # rows whose comment names a gap (gap: X) that an active concept X now fills


class Evaluation(BaseModel):
    vocabulary: str
    reviewed_classes: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.reviewed_classes if self.reviewed_classes else 0.0


def coverage(ontology: Ontology, vocabulary: Vocabulary, mapping_set: MappingSet | None = None) -> Coverage:
    """How completely the vocabulary is mapped (by ``mapping_set``, default the ontology's own set for it)."""
    mapping_set = mapping_set if mapping_set is not None else mapping_set_of(ontology, vocabulary)
    problems = check_subjects(mapping_set, vocabulary)
    reviewed: dict[str, list[MappingRow]] = {}
    machine: set[str] = set()
    for row in mapping_set.rows:
        if row.reviewed:
            reviewed.setdefault(row.subject_id, []).append(row)
        else:
            machine.add(row.subject_id)
    by_predicate = Counter(("Not " if r.negated else "") + r.predicate_id for rows in reviewed.values() for r in rows)
    positive = {s for s, rows in reviewed.items() if any(not r.negated for r in rows)}
    close = {
        s
        for s, rows in reviewed.items()
        if any(not r.negated and r.predicate_id in ("skos:exactMatch", "skos:closeMatch") for r in rows)
    }
    ids = vocabulary.ids
    return Coverage(
        vocabulary=vocabulary.name,
        classes=len(ids),
        mapped=sum(1 for i in ids if i in positive),
        exact_or_close=sum(1 for i in ids if i in close),
        by_predicate=dict(sorted(by_predicate.items())),
        machine_only=[i for i in ids if i in machine and i not in reviewed],
        gaps=[i for i in ids if i not in reviewed],
        broad_only=[i for i in ids if i in positive and i not in close],
        problems=[str(p) for p in problems],
        filled_gaps=[str(f) for f in filled_gaps(ontology, {vocabulary.name: mapping_set})],
    )


def evaluate(
    ontology: Ontology, vocabulary: Vocabulary, mapping_set: MappingSet | None = None, *, use_embeddings: bool = True
) -> Evaluation:
    """Top-1 of the suggester against the reviewed positive rows: right when it names one of their objects."""
    from uts.mappings.suggest import Suggester

    mapping_set = mapping_set if mapping_set is not None else mapping_set_of(ontology, vocabulary)
    truth: dict[str, set[str]] = {}
    for row in mapping_set.rows:
        if row.reviewed and not row.negated:
            truth.setdefault(row.subject_id, set()).add(row.object_id)
    classes = [c for c in vocabulary.classes if c.id in truth]
    suggestions = Suggester(ontology, use_embeddings=use_embeddings).suggest(classes)
    predicted = [s for s in suggestions if s.best is not None]
    correct = sum(1 for s in predicted if s.best is not None and s.best.concept_id in truth[s.subject.id])
    return Evaluation(
        vocabulary=vocabulary.name, reviewed_classes=len(classes), predicted=len(predicted), correct=correct
    )
