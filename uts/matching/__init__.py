"""Matching machinery shared by the importer, the mappings suggester and the resolver."""

from uts.matching.normalise import normalise

__all__ = ["normalise"]
