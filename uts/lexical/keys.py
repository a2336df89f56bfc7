"""Normalised label keys: the one definition of when two surface strings are the same label."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Case, hyphens, underscores, spaces (the ideographic one too, after NFKC), apostrophes, full stops and the middle
# dots that join the words of a compound (katakana "エレキ・ギター", "hip·hop") never distinguish two tags.
_IGNORED = re.compile(r"[\s_\-\u2010-\u2015'\u2018\u2019.\u00b7\u30fb]+")
# The combining marks of Latin, Greek and Cyrillic letters (accents, cedillas, umlauts, the breve of й); the voicing
# marks of kana (U+3099, U+309A) lie outside this block and are never taken away.
_DIACRITICS = re.compile("[\u0300-\u036f]+")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The lookup key of a label: NFKC (full-width forms become plain ones), case folded, separators removed.

    >>> normalise("High_Fidelity") == normalise("high-fidelity") == normalise("highfidelity")
    True
    >>> normalise("ＨＩＦＩ"), normalise("エレキ・ギター"), normalise("Straße")
    ('hifi', 'エレキギター', 'strasse')
    """
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


def unaccented(key: str) -> str:
    """A normalised key without the accents of its Latin, Greek and Cyrillic letters, for matching labels written
    without them ("musica" for "música", "ежик" for "ёжик"); kana keep their voicing marks.

    >>> unaccented("música"), unaccented("ёжик"), unaccented("ガギ") == "ガギ"
    ('musica', 'ежик', True)
    """
    if key.isascii():
        return key
    return unicodedata.normalize("NFC", _DIACRITICS.sub("", unicodedata.normalize("NFD", key)))


def nfc(text: str) -> str:
    """``text`` in Unicode NFC, the composed form: decomposed input (``a`` + combining acute, as macOS and some
    pipelines write) would otherwise split words at their accents.

    >>> nfc("pia\u0301no") == "pi\u00e1no"
    True
    """
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
