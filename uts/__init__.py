"""uts: the Unified Tag System of audio tags as a versioned, curated ontology.

>>> from uts import Ontology
>>> Ontology.load().lookup("Drums").label
'drums'
"""

from importlib import metadata as _metadata

from uts.errors import (
    OntologyCycleError,
    OntologyValidationError,
    Problem,
    UnknownConceptError,
    UnknownTagError,
    UTSError,
    VocabularyError,
)
from uts.matching.normalise import normalise
from uts.ontology import Concept, Level, Ontology

__version__ = _metadata.version("uts")

__all__ = [
    "Concept",
    "Level",
    "Ontology",
    "OntologyCycleError",
    "OntologyValidationError",
    "Problem",
    "UTSError",
    "UnknownConceptError",
    "UnknownTagError",
    "VocabularyError",
    "__version__",
    "normalise",
]
