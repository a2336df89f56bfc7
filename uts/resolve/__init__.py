"""Captioner output (raw tags or whole captions) resolved to UTS concepts: see ``Resolver``.

>>> from uts import load_ontology
>>> resolver = Resolver(load_ontology(), "800", embed=False)
>>> resolver.resolve_tag("electro-funk").label   # outside level 800: its best-ranked parent stands for it
'electronic'
"""

from uts.resolve.cache import CacheInfo, EmbeddingCache, ResolverStats
from uts.resolve.config import Calibration, CalibrationError, ResolverConfig, ResolverError
from uts.resolve.index import LexicalIndex, lexical_index
from uts.resolve.model import Abstention, Match, Resolution, json_schema, type_adapter
from uts.resolve.resolver import Resolver

__all__ = [
    "Abstention",
    "CacheInfo",
    "Calibration",
    "CalibrationError",
    "EmbeddingCache",
    "LexicalIndex",
    "Match",
    "Resolution",
    "Resolver",
    "ResolverConfig",
    "ResolverError",
    "ResolverStats",
    "json_schema",
    "lexical_index",
    "type_adapter",
]
