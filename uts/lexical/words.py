"""Is a string a word in its own right? The guard that keeps typo correction off real words and audio jargon.

Word frequency alone misses rare words ("lilting" is a word, and one edit from a label); a dictionary alone
misses the jargon of sound ("thumpy", "plinky"). So a word counts as known when the English dictionaries of the
``english-words`` package (Webster's Second, web2, and the GNU Collaborative International Dictionary of
English, GCIDE; shipped inside the package, never downloaded) list it or one of its base forms, or when
``audio_jargon.txt`` beside this module does. The dictionaries load once, on first use (about 0.1 s).

>>> is_dictionary_word("lilting"), is_dictionary_word("thumpy"), is_dictionary_word("gutiar")
(True, True, False)
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from uts.lexical.inflection import base_forms

AUDIO_JARGON_FILE = Path(__file__).with_name("audio_jargon.txt")
WORD_LISTS = ("web2", "gcide")
LONGEST_WORD = 45  # no English word is longer ("pneumonoultramicroscopicsilicovolcanoconiosis")


@cache
def dictionary_words() -> frozenset[str]:
    """Every word of the bundled English dictionaries, in lower case."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(WORD_LISTS, lower=True))


def read_jargon(path: Path = AUDIO_JARGON_FILE) -> list[str]:
    """The entries of the jargon file, in file order: one word a line; ``#`` starts a comment."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            out.append(word)
    return out


@cache
def audio_jargon() -> frozenset[str]:
    """The curated words of audio description that dictionaries lack ("thumpy", "plinky"), in lower case."""
    return frozenset(w.casefold() for w in read_jargon())


@lru_cache(maxsize=65536)
def is_dictionary_word(word: str) -> bool:
    """Whether ``word`` (one word, any case) is an English word or audio jargon, itself or by a base form
    ("grasped", "revert"): a string near a label that is such a word is another word, not a typo of the label."""
    key = word.casefold()
    if not key or len(key) > LONGEST_WORD:
        return False
    words, jargon = dictionary_words(), audio_jargon()
    if key in words or key in jargon:
        return True
    return any(form in words or form in jargon for form in base_forms(key))


def stems(key: str) -> frozenset[str]:
    """A normalised word and the bases it may be formed from: its inflections' (:func:`base_forms`) and the
    common derivations of description words (``-y``, ``-ly``, ``-er``, ``-est``, ``-ness``, ``-ic``). Like
    ``base_forms`` the rules are plain and over-generate; two words share a stem only when both reach it, so
    a wrong candidate costs nothing. Stems shorter than four letters are left out, except the word itself.

    >>> sorted(stems("jangly")), sorted(stems("limiter"))
    (['jang', 'jangl', 'jangle', 'jangly'], ['limit', 'limite', 'limiter'])
    >>> "loud" in stems("louder"), "big" in stems("bigger"), "grim" in stems("grime")
    (True, False, False)
    """
    out = {key, *base_forms(key)}
    for suffix, replacements in _DERIVATIONS:
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            stem = key[: -len(suffix)]
            out.update(stem + r for r in replacements)
            if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "aeiousl":
                out.add(stem[:-1])  # "bigger" -> "big" is too short to count; "thinner" -> "thin" too
    return frozenset(s for s in out if s == key or len(s) >= 4)


# Derivational suffixes of description words, each with what may stand in its place ("jangly" -> "jangle",
# "noisier" -> "noisy", "melancholic" -> "melancholy").
_DERIVATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("iest", ("y",)),
    ("ier", ("y",)),
    ("ily", ("y",)),
    ("ness", ("",)),
    ("est", ("", "e")),
    ("er", ("", "e")),
    ("ly", ("", "le")),
    ("ic", ("", "y")),
    ("y", ("", "e")),
)


__all__ = ["AUDIO_JARGON_FILE", "audio_jargon", "dictionary_words", "is_dictionary_word", "read_jargon", "stems"]
