"""UTS as a concept graph: the model, the curated sources, loading, validation and linting."""

from uts.ontology.model import Concept, Domain, LabelScope, Level, OntologyMetadata, Origin, PaperTag, Status, Synonym
from uts.ontology.ontology import Ontology, bundled_root

__all__ = [
    "Concept",
    "Domain",
    "LabelScope",
    "Level",
    "Ontology",
    "OntologyMetadata",
    "Origin",
    "PaperTag",
    "Status",
    "Synonym",
    "bundled_root",
]
