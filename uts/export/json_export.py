"""Plain JSON export, for consumers that want UTS concepts without an RDF library."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from uts.ontology.model import ENGLISH

if TYPE_CHECKING:
    from uts.ontology import Ontology


def to_json(ontology: Ontology) -> str:
    """``{"metadata": ..., "concepts": [...]}``, concepts sorted by ID, each with its IRI. A label says its
    ``lang`` when it is not English (as in the source files, English is the default)."""
    meta = ontology.metadata
    metadata: dict[str, Any] = {**meta.model_dump(mode="json"), "version_iri": meta.version_iri}
    concepts = [
        {**_concept(concept.model_dump(mode="json")), "iri": meta.iri(concept.id)}
        for concept in sorted(ontology.concepts.values(), key=lambda c: c.id)
    ]
    return json.dumps({"metadata": metadata, "concepts": concepts}, indent=2, ensure_ascii=False) + "\n"


def _concept(data: dict[str, Any]) -> dict[str, Any]:
    data["synonyms"] = [
        {k: v for k, v in synonym.items() if k != "lang" or v != ENGLISH} for synonym in data["synonyms"]
    ]
    return data
