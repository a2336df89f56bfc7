"""Captioner output (raw tags or whole captions) resolved to UTS concepts: see ``Resolver``."""

from uts.resolve.model import Abstention, Match, Resolution
from uts.resolve.resolver import Calibration, Resolver, ResolverError

__all__ = ["Abstention", "Calibration", "Match", "Resolution", "Resolver", "ResolverError"]
