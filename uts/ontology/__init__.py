"""UTS as a concept graph: the model, the curated sources, loading, validation, linting and edits."""

from uts.ontology.load import load_ontology
from uts.ontology.mapping import MappingRow, MappingSet
from uts.ontology.model import Concept, Domain, LabelScope, Level, OntologyMetadata, Origin, PaperTag, Status, Synonym
from uts.ontology.ontology import Ontology
from uts.ontology.source import bundled_root

__all__ = [
    "Concept",
    "Domain",
    "LabelScope",
    "Level",
    "MappingRow",
    "MappingSet",
    "Ontology",
    "OntologyMetadata",
    "Origin",
    "PaperTag",
    "Status",
    "Synonym",
    "bundled_root",
    "load_ontology",
]
