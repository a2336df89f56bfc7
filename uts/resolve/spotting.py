"""Labels in a caption: one left-to-right pass over its words, longest label first, with negation and hedging.

The words inside a multiword label count too ("man speaking" also says man and speaking, as a one-word tagger
would list them); the content words no label covers are what the encoder sees, in runs of at most three.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from uts.resolve.index import Hit, LexicalIndex
from uts.resolve.model import Method
from uts.resolve.text import Lexicon, Tokens, cue_scopes

HAS_LETTER = re.compile(r"[^\W\d_]")
MAX_PHRASE_WORDS = 3  # the longest run of uncovered words sent to the encoder as one phrase


@dataclass(slots=True)
class Mention:
    """One place a caption names a concept (before levels, merging and ranking)."""

    concept: str
    method: Method
    score: float
    start: int
    end: int
    text: str
    negated: bool
    hedged: bool


@dataclass(slots=True)
class Spotted:
    """The mentions of a caption, and per token whether a label or cue covers it, and whether it is negated or
    hedged (what the embedding stage needs for the rest)."""

    mentions: list[Mention]
    covered: list[bool]
    negated: list[bool]
    hedged: list[bool]


def clause_ends(keys: list[str]) -> list[int]:
    """For each token, the index where its clause ends (the next punctuation token, whose key is empty), so that
    no label crosses punctuation.

    >>> clause_ends(["dog", "barks", "", "cat"])
    [2, 2, 2, 4]
    """
    n = len(keys)
    out = [n] * n
    end = n
    for j in range(n - 1, -1, -1):
        if not keys[j]:
            end = j
        out[j] = end
    return out


class Spotter:
    """Finds the labels of a lexical index in tokenized captions; ``lookup`` answers single words (the
    resolver passes its cached lookup)."""

    def __init__(
        self, index: LexicalIndex, lexicon: Lexicon, lookup: Callable[[str], Hit | None], *, nested: bool
    ) -> None:
        self.index = index
        self.lexicon = lexicon
        self.lookup = lookup
        self.nested = nested
        # Words that are never evidence on their own and never start an encoder phrase.
        self.skip = lexicon.stopwords | lexicon.cue_words | lexicon.caption_framing
        self.framing = frozenset(index.words[k] for k in lexicon.caption_framing if k in index.words)

    def spot(self, tokens: Tokens, text: str) -> Spotted:
        """Every label in the tokens of ``text``, longest match first."""
        keys, starts, ends = tokens.keys, tokens.starts, tokens.ends
        n = len(keys)
        negated, hedged, cues = cue_scopes(keys, self.lexicon)
        covered = [False] * n
        mentions: list[Mention] = []
        seg_end = clause_ends(keys)
        i = 0
        while i < n:
            if not keys[i] or i in cues:
                i += 1
                continue
            found = self._label_at(tokens, i, seg_end[i], negated)
            if found is None:
                i += 1
                continue
            hit, length = found
            last = i + length - 1
            start, stop = starts[i], ends[last]
            mentions.append(
                Mention(*hit, start, stop, text[start:stop], any(negated[i : last + 1]), any(hedged[i : last + 1]))
            )
            if length > 1 and self.nested:
                self._inner_mentions(tokens, i, last, hit[0], negated, hedged, mentions)
            covered[i : last + 1] = [True] * length
            i = last + 1
        for j in cues:
            covered[j] = True
        return Spotted(mentions, covered, negated, hedged)

    def _label_at(self, tokens: Tokens, i: int, clause_end: int, negated: list[bool]) -> tuple[Hit, int] | None:
        """The longest label starting at token ``i`` and its length in tokens: a multiword label, a one-word
        label written as two words ("bird song"), or one word ("non-" before it negates it)."""
        keys = tokens.keys
        key = keys[i]
        longest = min(self.index.first_len.get(key, 0), clause_end - i)
        if longest > 1:
            phrases = self.index.phrases
            for size in range(longest, 1, -1):
                hit = phrases.get(tuple(keys[i : i + size]))
                if hit is not None:
                    return hit, size
        skip = self.skip
        if key in skip:
            return None
        if i + 1 < clause_end and keys[i + 1] not in skip:
            concept_id = self.index.words.get(key + keys[i + 1])
            if concept_id is not None:
                return (concept_id, "exact", 1.0), 2
        hit = self.lookup(key)
        if hit is not None and hit[0] in self.framing:
            hit = None  # "sounds", "settings": framing words in another form
        if hit is None and key.startswith("non") and tokens.texts[i][3:4] == "-":
            hit = self.lookup(key[3:])
            if hit is not None:
                negated[i] = True
        return (hit, 1) if hit is not None else None

    def _inner_mentions(
        self,
        tokens: Tokens,
        first: int,
        last: int,
        concept_id: str,
        negated: list[bool],
        hedged: list[bool],
        out: list[Mention],
    ) -> None:
        """The words inside a multiword label that name other concepts ("man speaking": man, speaking)."""
        keys, skip, framing = tokens.keys, self.skip, self.framing
        for j in range(first, last + 1):
            word = keys[j]
            if word in skip or len(word) < 3:
                continue
            sub = self.lookup(word)
            if sub is not None and sub[0] != concept_id and sub[0] not in framing:
                out.append(Mention(*sub, tokens.starts[j], tokens.ends[j], tokens.texts[j], negated[j], hedged[j]))

    def uncovered(self, tokens: Tokens, covered: list[bool]) -> list[tuple[int, int]]:
        """Runs of content words (at most three) that no label covers, as first and last token: the only text
        of a caption the encoder sees."""
        out: list[tuple[int, int]] = []
        run: list[int] = []
        skip = self.skip
        keys = tokens.keys

        def flush() -> None:
            for k in range(0, len(run), MAX_PHRASE_WORDS):
                chunk = run[k : k + MAX_PHRASE_WORDS]
                if len(chunk) > 1 or len(keys[chunk[0]]) >= 4:
                    out.append((chunk[0], chunk[-1]))
            run.clear()

        for j, key in enumerate(keys):
            if not key or covered[j] or key in skip or not HAS_LETTER.search(key):
                if run:
                    flush()
                continue
            run.append(j)
        if run:
            flush()
        return out


__all__ = ["HAS_LETTER", "Mention", "Spotted", "Spotter", "clause_ends"]
