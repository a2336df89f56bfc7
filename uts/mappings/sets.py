"""A vocabulary's mapping set held against the vocabulary itself: a header for a new set, its canonical text in
the vocabulary's class order, and subjects that must be classes of the vocabulary.

The rows themselves live in the Ontology (``ontology.mappings``), where ``uts validate`` checks their objects.
"""

from __future__ import annotations

from typing import Any

from uts.errors import Problem
from uts.ontology.build import MAPPING, NO_PROVENANCE, Provenance
from uts.ontology.mapping import BASE_CURIES, CURATORS, MappingSet, canonical_rows
from uts.ontology.ontology import Ontology
from uts.ontology.source import format_mapping_set
from uts.vocabularies.base import Vocabulary


def new_header(vocabulary: Vocabulary) -> dict[str, Any]:
    """The SSSOM header of a vocabulary's first mapping set."""
    return {
        "curie_map": {**BASE_CURIES, vocabulary.prefix: vocabulary.iri_prefix},
        "mapping_set_id": f"https://w3id.org/uts/mappings/{vocabulary.name}.sssom.tsv",
        "mapping_set_title": f"{vocabulary.title} mapped to UTS",
        "license": "https://www.apache.org/licenses/LICENSE-2.0",
        "creator_id": [CURATORS],
    }


def mapping_set_of(ontology: Ontology, vocabulary: Vocabulary) -> MappingSet:
    """The vocabulary's mapping set, or an empty one with a fresh header when it has none yet."""
    found = ontology.mappings.get(vocabulary.name)
    return found if found is not None else MappingSet(vocabulary.name, new_header(vocabulary), ())


def canonical_text(mapping_set: MappingSet, ontology: Ontology, vocabulary: Vocabulary) -> str:
    """The file text with rows in the vocabulary's class order (what ``uts mappings lint --fix`` writes)."""
    ordered = mapping_set.with_rows(canonical_rows(mapping_set.rows, vocabulary.ids))
    pref = {c.id: c.label for c in ontology.concepts.values()}
    return format_mapping_set(ordered, pref, ontology.metadata.version)


def check_subjects(mapping_set: MappingSet, vocabulary: Vocabulary, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    """Every row's subject is a class of the vocabulary."""
    known = set(vocabulary.ids)
    problems = []
    for position, row in enumerate(mapping_set.rows):
        if row.subject_id not in known:
            file, line = prov.of(MAPPING, f"{mapping_set.name}\t{position}")
            problems.append(
                Problem(
                    file,
                    line,
                    f"subject {row.subject_id} is not a class of {vocabulary.name}",
                    "fix the subject_id or drop the row",
                )
            )
    return problems


__all__ = ["canonical_text", "check_subjects", "mapping_set_of", "new_header"]
