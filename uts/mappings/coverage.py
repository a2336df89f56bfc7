"""How completely each legacy vocabulary is mapped to UTS, and how well the suggester agrees with curators."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from uts.errors import Problem, UTSError
from uts.mappings.table import (
    BASE_CURIES,
    MappingRow,
    MappingSet,
    check_mapping_set,
    format_mapping_set,
    read_mapping_set,
)
from uts.ontology.ontology import Ontology
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


def mapping_path(root: Path, name: str) -> Path:
    return root / "mappings" / f"{name}.sssom.tsv"


def new_mapping_set(root: Path, vocabulary: Vocabulary) -> MappingSet:
    metadata = {
        "curie_map": {**BASE_CURIES, vocabulary.prefix: vocabulary.iri_prefix},
        "mapping_set_id": f"https://w3id.org/uts/mappings/{vocabulary.name}.sssom.tsv",
        "mapping_set_title": f"{vocabulary.title} mapped to UTS",
        "license": "https://www.apache.org/licenses/LICENSE-2.0",
        "creator_id": ["utsteam:curators"],
    }
    return MappingSet(path=mapping_path(root, vocabulary.name), metadata=metadata)


def load_mapping_set(root: Path, vocabulary: Vocabulary) -> tuple[MappingSet, list[Problem]]:
    path = mapping_path(root, vocabulary.name)
    if not path.exists():
        return new_mapping_set(root, vocabulary), []
    mapping_set, problems = read_mapping_set(path)
    if mapping_set is None:
        raise UTSError("\n".join(str(p) for p in problems))
    return mapping_set, problems


def write_mapping_set(mapping_set: MappingSet, ontology: Ontology, vocabulary: Vocabulary) -> None:
    mapping_set.path.parent.mkdir(parents=True, exist_ok=True)
    mapping_set.path.write_text(format_mapping_set(mapping_set, ontology, vocabulary.ids), encoding="utf-8")


def coverage(ontology: Ontology, vocabulary: Vocabulary, mapping_set: MappingSet, problems: list[Problem]) -> Coverage:
    problems = problems + check_mapping_set(mapping_set, ontology, vocabulary.ids)
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
    )


def evaluate(
    ontology: Ontology, vocabulary: Vocabulary, mapping_set: MappingSet, *, use_embeddings: bool = True
) -> Evaluation:
    """Top-1 of the suggester against the reviewed positive rows: right when it names one of their objects."""
    from uts.mappings.suggest import Suggester

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
