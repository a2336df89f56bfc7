"""Snowball stems of words in the languages UTS has labels in, so that an inflected tag in another language
reaches its label ("baixas frequências" the label "baixa frequência", "мотора" the label "мотор").

English has its own, curated inflection rules (:mod:`uts.lexical.inflection`); this is only for the other
languages with a Snowball stemmer. Chinese and Japanese do not inflect this way (see ``CJK_SUFFIXES``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer

from uts.lexical.keys import normalise, unaccented

# ISO 639-1 code -> Snowball algorithm.
SNOWBALL: dict[str, str] = {
    "de": "german",
    "es": "spanish",
    "fr": "french",
    "it": "italian",
    "pt": "portuguese",
    "ru": "russian",
}
# What Chinese and Japanese taggers put after the name of a source ("雨声", "雨の音": the sound of rain;
# "高揚感のある": having uplift; "电子的": electronic), longest first: a tag that is no label may be one without it.
CJK_SUFFIXES: tuple[str, ...] = (
    "的声音",
    "のある",
    "の音色",
    "声音",
    "的声",
    "の音",
    "っぽい",
    "的な",
    "音",
    "声",
    "的",
    "な",
)

_local = threading.local()  # Snowball stemmers keep state between calls: one per thread


def _stemmer(lang: str) -> snowballstemmer.Stemmer:
    stemmers: dict[str, snowballstemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    stemmer = stemmers.get(lang)
    if stemmer is None:
        stemmer = stemmers[lang] = snowballstemmer.stemmer(SNOWBALL[lang])
    return stemmer


def stem_key(words: Sequence[str], lang: str) -> str:
    """The key of a label or tag, given as its words, with each word stemmed the way ``lang`` inflects and the
    accents taken off after stemming (so "frequencias" meets "frequências")."""
    stemmer = _stemmer(lang)
    return " ".join(unaccented(stemmer.stemWord(normalise(w))) for w in words if normalise(w))


@lru_cache(maxsize=65536)
def cjk_bases(key: str) -> tuple[str, ...]:
    """A Chinese or Japanese key without each suffix of ``CJK_SUFFIXES`` it ends in, longest suffix first; the
    key itself is never among them, nor an empty base."""
    return tuple(key[: -len(s)] for s in CJK_SUFFIXES if key.endswith(s) and len(key) > len(s))


__all__ = ["CJK_SUFFIXES", "SNOWBALL", "cjk_bases", "stem_key"]
