"""uts: the Unified Tag System of audio tags as a versioned, curated ontology.

>>> from uts import load_ontology
>>> load_ontology().lookup("Drums").label
'drums'
"""

from importlib import metadata as _metadata

from uts.errors import (
    ConflictError,
    InvalidError,
    NotFoundError,
    OntologyCycleError,
    OntologyValidationError,
    Problem,
    UnknownConceptError,
    UnknownTagError,
    UsageError,
    UTSError,
    VocabularyError,
)
from uts.lexical import normalise
from uts.ontology import Concept, Level, Ontology, load_ontology

__version__ = _metadata.version("uts")

__all__ = [
    "Concept",
    "ConflictError",
    "InvalidError",
    "Level",
    "NotFoundError",
    "Ontology",
    "OntologyCycleError",
    "OntologyValidationError",
    "Problem",
    "UTSError",
    "UnknownConceptError",
    "UnknownTagError",
    "UsageError",
    "VocabularyError",
    "__version__",
    "load_ontology",
    "normalise",
]
