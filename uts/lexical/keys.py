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


def nfc(text: str) -> str:
    """``text`` in Unicode NFC, the composed form: decomposed input (``a`` + combining acute, as macOS and some
    pipelines write) would otherwise split words at their accents.

    >>> nfc("pia\u0301no") == "pi\u00e1no"
    True
    """
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
