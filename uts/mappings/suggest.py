"""Candidate mappings for curators: lexical matches first, then embedding neighbours above a threshold.

The matching machinery (label index, fuzzy matcher, embedding index) lives in ``uts.matching`` so the resolver
reuses it. Suggestions become machine-justified SSSOM rows; a subject that already has a reviewed row gets none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from uts.mappings.sets import mapping_set_of, new_header
from uts.matching.candidate import Candidate, exact_candidate
from uts.matching.encoders import MODEL_NAME
from uts.matching.fuzzy import FuzzyMatcher
from uts.ontology.edits import AddMapping, CreateMappingSet, Edit, RemoveMapping
from uts.ontology.mapping import LEXICAL, SEMANTIC, SUGGESTER, MappingRow
from uts.ontology.ontology import Ontology
from uts.vocabularies.base import Vocabulary, VocabularyClass

if TYPE_CHECKING:
    from uts.matching.embedding import EmbeddingIndex

EMBEDDING_THRESHOLD = 0.55
CLOSE_THRESHOLD = 0.8
FUZZY_MEASURE = "https://rapidfuzz.github.io/RapidFuzz/Usage/fuzz.html#ratio"
EMBEDDING_MEASURE = f"cosine similarity, {MODEL_NAME}"


def class_texts(cls: VocabularyClass) -> list[str]:
    """The strings a class is known by: its label split at commas (AudioSet lists variants), then synonyms."""
    label = cls.label.split("---")[-1]
    parts = [p.strip() for p in re.split(r",\s+|\s+/\s+", label) if p.strip()]
    return list(dict.fromkeys([label, *parts, *cls.synonyms]))


@dataclass(frozen=True)
class Suggestion:
    subject: VocabularyClass
    candidates: tuple[Candidate, ...]  # best first

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Suggester:
    """Ranks UTS concepts for each class of a vocabulary."""

    def __init__(
        self, ontology: Ontology, *, use_embeddings: bool = True, threshold: float = EMBEDDING_THRESHOLD
    ) -> None:
        self.ontology = ontology
        self.fuzzy = FuzzyMatcher(ontology, english=True)
        self.embeddings: EmbeddingIndex | None = None
        if use_embeddings:
            from uts.matching.embedding import EmbeddingIndex

            self.embeddings = EmbeddingIndex(ontology)
        self.threshold = threshold

    def suggest(self, classes: Sequence[VocabularyClass], k: int = 3) -> list[Suggestion]:
        lexical: dict[str, list[Candidate]] = {}
        need_vectors: list[VocabularyClass] = []
        for cls in classes:
            found: list[Candidate] = []
            for text in class_texts(cls):
                hit = exact_candidate(self.ontology, text)
                if hit is not None:
                    found.append(hit)
            if not found:
                for text in class_texts(cls):
                    found.extend(self.fuzzy.match(text, limit=1))
            lexical[cls.id] = found
            if not found:
                need_vectors.append(cls)
        semantic: dict[str, list[Candidate]] = {}
        if self.embeddings is not None and need_vectors:
            queries = [cls.label.split("---")[-1].replace("_", " ") for cls in need_vectors]
            for cls, hits in zip(need_vectors, self.embeddings.search(queries, k=k), strict=True):
                semantic[cls.id] = [h for h in hits if h.score >= self.threshold]
        out = []
        for cls in classes:
            best: dict[str, Candidate] = {}  # one candidate per concept: its highest score
            for candidate in lexical[cls.id] + semantic.get(cls.id, []):
                if candidate.concept_id not in best or candidate.score > best[candidate.concept_id].score:
                    best[candidate.concept_id] = candidate
            out.append(Suggestion(cls, tuple(sorted(best.values(), key=lambda c: -c.score)[:k])))
        return out


def to_rows(
    suggestions: Sequence[Suggestion], *, date: dt.date | None = None, threshold: float = EMBEDDING_THRESHOLD
) -> list[MappingRow]:
    """Machine-justified SSSOM rows: the best candidate with its predicted predicate, the others as related."""
    day = (date or dt.date.today()).isoformat()
    rows = []
    for suggestion in suggestions:
        for rank, candidate in enumerate(suggestion.candidates):
            if candidate.method in ("exact", "inflection"):
                predicate, justification, measure, cutoff = "skos:exactMatch", LEXICAL, "", None
            elif candidate.method == "fuzzy":
                predicate, justification, measure, cutoff = "skos:closeMatch", LEXICAL, FUZZY_MEASURE, 0.88
            else:
                close = candidate.score >= CLOSE_THRESHOLD
                predicate = "skos:closeMatch" if close else "skos:relatedMatch"
                justification, measure, cutoff = SEMANTIC, EMBEDDING_MEASURE, threshold
            if rank > 0:
                predicate = "skos:relatedMatch"
            rows.append(
                MappingRow(
                    subject_id=suggestion.subject.id,
                    subject_label=suggestion.subject.label,
                    predicate_id=predicate,
                    object_id=candidate.concept_id,
                    mapping_justification=justification,
                    confidence=round(candidate.score * (1.0 if rank == 0 else 0.8), 4),
                    similarity_score=round(candidate.score, 4) if measure else None,
                    similarity_measure=measure,
                    similarity_threshold=cutoff,
                    author_id=SUGGESTER,
                    mapping_date=day,
                    comment=f"suggestion {rank + 1} ({candidate.method} on '{candidate.matched}')",
                )
            )
    return rows


def merge_suggestions(existing: Sequence[MappingRow], suggested: Sequence[MappingRow]) -> list[MappingRow]:
    """Reviewed rows stay as they are; old machine rows are replaced; reviewed subjects get no machine rows."""
    reviewed_subjects = {r.subject_id for r in existing if r.reviewed}
    kept = [r for r in existing if r.reviewed]
    return kept + [r for r in suggested if r.subject_id not in reviewed_subjects]


def vocabulary_rows(ontology: Ontology, vocabulary: Vocabulary, *, use_embeddings: bool = True) -> list[MappingRow]:
    return to_rows(Suggester(ontology, use_embeddings=use_embeddings).suggest(list(vocabulary.classes)))


def suggestion_edits(
    ontology: Ontology, vocabulary: Vocabulary, suggested: Sequence[MappingRow], *, author: str
) -> list[Edit]:
    """The edits that put ``suggested`` rows in place of the old machine rows; reviewed rows and their subjects
    are left alone. A vocabulary without a mapping set gets one."""
    reason = f"machine suggestions for {vocabulary.name}"
    edits: list[Edit] = []
    if vocabulary.name not in ontology.mappings:
        edits.append(
            CreateMappingSet(vocabulary=vocabulary.name, metadata=new_header(vocabulary), author=author, reason=reason)
        )
    existing = mapping_set_of(ontology, vocabulary).rows
    kept = merge_suggestions(existing, suggested)
    edits += [
        RemoveMapping(
            vocabulary=vocabulary.name,
            subject_id=r.subject_id,
            predicate_id=r.predicate_id,
            predicate_modifier=r.predicate_modifier,  # type: ignore[arg-type]
            object_id=r.object_id,
            author=author,
            reason=reason,
        )
        for r in existing
        if not r.reviewed
    ]
    edits += [
        AddMapping(vocabulary=vocabulary.name, row=r, author=author, reason=reason) for r in kept if not r.reviewed
    ]
    return edits
