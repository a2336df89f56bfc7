"""Normalised label keys: the one definition of when two surface strings are the same label."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Case, hyphens, underscores, spaces, apostrophes and full stops never distinguish two tags.
_IGNORED = re.compile(r"[\s_\-\u2010-\u2015'\u2018\u2019.]+")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The lookup key of a label.

    >>> normalise("High_Fidelity") == normalise("high-fidelity") == normalise("highfidelity")
    True
    """
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())
