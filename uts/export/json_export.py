"""Plain JSON export, for consumers that want UTS concepts without an RDF library."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from uts.ontology import Ontology


def to_json(ontology: Ontology) -> str:
    """``{"metadata": ..., "concepts": [...]}``, concepts sorted by ID, each with its IRI."""
    meta = ontology.metadata
    metadata: dict[str, Any] = {**meta.model_dump(mode="json"), "version_iri": meta.version_iri}
    concepts = [
        {**concept.model_dump(mode="json"), "iri": meta.iri(concept.id)}
        for concept in sorted(ontology.concepts.values(), key=lambda c: c.id)
    ]
    return json.dumps({"metadata": metadata, "concepts": concepts}, indent=2, ensure_ascii=False) + "\n"
