"""Words of a caption with their offsets, and the scope of negation and hedging cues over them.

The cue rules are NegEx's (Chapman et al. 2001), which still hold up for short descriptive text: a cue reaches
forward (or, for "absent"-like cues, backward) to the end of its clause, and at most ``scope_words`` words.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from uts.lexical import normalise

# Words keep inner hyphens and apostrophes ("hi-fi", "man's"); clause punctuation is a token of its own.
_TOKEN = re.compile(r"[^\W_]+(?:['\u2019\-_][^\W_]+)*|[,.;:!?()\[\]\"\u201c\u201d]")
_PUNCT = frozenset(',.;:!?()[]"\u201c\u201d')


@dataclass(slots=True)
class Tokens:
    """The words and punctuation of a text as parallel lists (thousands per long caption, so no object each)."""

    texts: list[str]
    keys: list[str]  # normalised; "" for punctuation
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.keys)


def tokenize(text: str) -> Tokens:
    """Words and clause punctuation of ``text`` with character offsets.

    >>> tokenize("No hi-fi drums, possibly a dog's bark.").texts
    ['No', 'hi-fi', 'drums', ',', 'possibly', 'a', "dog's", 'bark', '.']
    """
    spans = [m.span() for m in _TOKEN.finditer(text)]
    texts = [text[a:b] for a, b in spans]
    keys = ["" if w in _PUNCT else normalise(w) for w in texts]
    return Tokens(texts, keys, [a for a, _ in spans], [b for _, b in spans])


@dataclass(frozen=True)
class Lexicon:
    """The word lists of ``lexicon.toml``, as sets of normalised words."""

    negation: frozenset[str]
    negation_pairs: frozenset[tuple[str, str]]
    negation_after: frozenset[str]
    negation_after_pairs: frozenset[tuple[str, str]]
    pseudo_negation: frozenset[str]
    hedge: frozenset[str]
    hedge_pairs: frozenset[tuple[str, str]]
    scope_end: frozenset[str]
    clause_starts: frozenset[str]
    scope_words: int
    caption_framing: frozenset[str]
    stopwords: frozenset[str]

    @property
    def cue_words(self) -> frozenset[str]:
        pairs = self.negation_pairs | self.negation_after_pairs | self.hedge_pairs
        return self.negation | self.negation_after | self.hedge | frozenset(w for p in pairs for w in p)


LEXICON_FILE = Path(__file__).with_name("lexicon.toml")


@cache
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def words(name: str) -> frozenset[str]:
        return frozenset(normalise(w) for w in data[name])

    def pairs(name: str) -> frozenset[tuple[str, str]]:
        out = set()
        for phrase in data[name]:
            first, second = phrase.split()
            out.add((normalise(first), normalise(second)))
        return frozenset(out)

    return Lexicon(
        negation=words("negation"),
        negation_pairs=pairs("negation_pairs"),
        negation_after=words("negation_after"),
        negation_after_pairs=pairs("negation_after_pairs"),
        pseudo_negation=words("pseudo_negation"),
        hedge=words("hedge"),
        hedge_pairs=pairs("hedge_pairs"),
        scope_end=words("scope_end"),
        clause_starts=words("clause_starts"),
        scope_words=int(data["scope_words"]),
        caption_framing=words("caption_framing"),
        stopwords=words("stopwords"),
    )


def _ends_scope(keys: list[str], i: int, lexicon: Lexicon) -> bool:
    key = keys[i]
    if not key or key in lexicon.scope_end:
        return True
    return key == "and" and i + 1 < len(keys) and keys[i + 1] in lexicon.clause_starts


def cue_scopes(keys: list[str], lexicon: Lexicon) -> tuple[list[bool], list[bool], set[int]]:
    """Which tokens (given by their normalised keys) are negated and which hedged, and the cue words' indices."""
    n = len(keys)
    negated = [False] * n
    hedged = [False] * n
    cues: set[int] = set()

    def forward(start: int, marks: list[bool]) -> None:
        for j in range(start, min(n, start + lexicon.scope_words)):
            if _ends_scope(keys, j, lexicon):
                return
            marks[j] = True

    def backward(end: int, marks: list[bool]) -> None:
        for j in range(end, max(-1, end - lexicon.scope_words), -1):
            if _ends_scope(keys, j, lexicon):
                return
            marks[j] = True

    i = 0
    while i < n:
        key = keys[i]
        following = keys[i + 1] if i + 1 < n else ""
        pair = (key, following)
        if pair in lexicon.negation_after_pairs:
            cues.update((i, i + 1))
            backward(i - 1, negated)
            i += 2
        elif pair in lexicon.negation_pairs:
            cues.update((i, i + 1))
            forward(i + 2, negated)
            i += 2
        elif pair in lexicon.hedge_pairs:
            cues.update((i, i + 1))
            forward(i + 2, hedged)
            i += 2
        elif key in lexicon.negation_after:
            cues.add(i)
            backward(i - 1, negated)
            i += 1
        elif key in lexicon.negation:
            cues.add(i)
            if following not in lexicon.pseudo_negation:
                forward(i + 1, negated)
            i += 1
        elif key in lexicon.hedge:
            cues.add(i)
            forward(i + 1, hedged)
            i += 1
        else:
            i += 1
    return negated, hedged, cues
