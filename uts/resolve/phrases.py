"""The phrase stage of raw tags: every concept a multiword tag names, its head first.

A tagger's multiword tag is an English noun phrase, and its head comes last: "soft female vocal" is a vocal,
which is female and soft. So the stage finds every label in the tag (the caption spotter's one pass, longest
label first), takes as head the label that ends last, and reports the others as its modifiers, nearest first
("soft female vocal": vocal, then female, then soft). A tag that names things before a preposition keeps its
head there ("birds in forest": birds; "sound of rain": rain, since a framing word is no head); coordinated
parts ("guitar and piano") each have their own head. ``X-like`` (also ``X-ish``, ``X-esque``, ``X like``)
names X, hedged: it resembles X. A word that is no English word or audio jargon and lies within a typo's
edits of a label is read as that label (``slightly agressive``), under the guard of the whole-tag typo stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from uts.lexical import normalise
from uts.matching.candidate import Candidate
from uts.resolve.index import Hit
from uts.resolve.spotting import HAS_LETTER, Mention, Spotter
from uts.resolve.text import Lexicon, Tokens, tokenize

# Suffixes that liken a word to what it names: "accordion-like", "jazz-ish", "Beatles-esque".
LIKENESS_SUFFIXES = ("like", "ish", "esque")
LIKENESS_WORD = "like"  # as a word of its own after what it likens: "bell like tone"
# Words that join coordinated parts of a tag, each with its own head: "guitar and piano".
COORDINATORS = frozenset({"and", "or", "plus", "nor"})
# Languages whose noun phrases put the noun first ("alerte sonore", "voz clara"): a tag with a label in one of them
# and none in another language but English takes its first label as head, not its last.
HEAD_FIRST = frozenset({"es", "fr", "it", "pt"})


@dataclass(frozen=True, slots=True)
class Part:
    """One concept a tag names: where (a mention, its span in the tag), and its role in the tag."""

    mention: Mention
    head: bool  # the head of its coordinated part ("vocal" in "soft female vocal")
    modifies: str | None  # for a modifier, the concept of the head it qualifies; None for a head
    likened: bool  # "X-like": hedged
    typo: float | None  # when a misspelt word lies in it: the typo match's score


class PhraseReader:
    """Reads multiword raw tags into :class:`Part` lists; ``typo`` is the whole-tag typo matcher (the same guard)."""

    def __init__(
        self,
        spotter: Spotter,
        lexicon: Lexicon,
        lookup: Callable[[str], Hit | None],
        typo: Callable[[str], Candidate | None],
    ) -> None:
        self.spotter = spotter
        self.lookup = lookup
        self.typo = typo
        self.skip = spotter.skip
        self.prepositions = lexicon.noun_phrase_end | {"of"}
        words = spotter.index.words
        self.weak_heads = frozenset(words[k] for k in lexicon.weak_heads if k in words)
        self._language = spotter.index.language

    def tokens(self, text: str) -> tuple[Tokens, frozenset[int]]:
        """The tag's tokens with ``X-like`` split in two (unless ``X-like`` is itself a label, as "bell-like"),
        and the tokens that are likened."""
        tokens = tokenize(text)
        likened: set[int] = set()
        if not any(w.casefold().endswith(LIKENESS_SUFFIXES) or w.casefold() == LIKENESS_WORD for w in tokens.texts):
            return tokens, frozenset()
        texts, keys, starts, ends = [], [], [], []
        for word, key, start, end in zip(tokens.texts, tokens.keys, tokens.starts, tokens.ends, strict=True):
            folded = word.casefold()
            suffix = next((s for s in LIKENESS_SUFFIXES if folded.endswith(s)), None)
            cut = len(word) - len(suffix) - 1 if suffix is not None else 0
            if suffix is not None and cut > 0 and word[cut] in "-_" and self.lookup(key) is None:
                texts += [word[:cut], word[cut + 1 :]]
                keys += [normalise(word[:cut]), normalise(suffix)]
                starts += [start, start + cut + 1]
                ends += [start + cut, end]
                likened.add(len(keys) - 2)
                continue
            if folded == LIKENESS_WORD and keys and keys[-1] and keys[-1] not in self.skip:
                likened.add(len(keys) - 1)  # "bell like tone" (not "sounds like")
            texts.append(word)
            keys.append(key)
            starts.append(start)
            ends.append(end)
        return Tokens(texts, keys, starts, ends), frozenset(likened)

    def read(self, text: str) -> list[Part]:
        """Every concept ``text`` names, each coordinated part's head first, then its modifiers nearest first."""
        tokens, likened = self.tokens(text)
        spotted = self.spotter.spot(tokens, text)
        typos: dict[int, float] = {}
        for j, key in enumerate(tokens.keys):
            if spotted.covered[j] or not key or key in self.skip or j in likened or not HAS_LETTER.search(key):
                continue
            if key in LIKENESS_SUFFIXES and j - 1 in likened:
                continue
            found = self.typo(tokens.texts[j])
            if found is not None:
                typos[j] = found.score
                tokens.keys[j] = normalise(found.matched)
        if typos:
            spotted = self.spotter.spot(tokens, text)
        mentions = _one_per_span(spotted.mentions)
        if not mentions:
            return []
        index = {start: j for j, start in enumerate(tokens.starts)}
        last_token = {end: j for j, end in enumerate(tokens.ends)}
        parts: list[Part] = []
        for first, last in self._conjuncts(tokens.keys):
            inside = [m for m in mentions if first <= index[m.start] and last_token[m.end] <= last]
            parts += self._parts(inside, tokens.keys, index, last_token, likened, typos)
        return parts

    def _conjuncts(self, keys: list[str]) -> list[tuple[int, int]]:
        """First and last token of each coordinated part: split at "and", "or" and punctuation."""
        out: list[tuple[int, int]] = []
        first = 0
        for j, key in enumerate(keys):
            if not key or key in COORDINATORS:
                if j > first:
                    out.append((first, j - 1))
                first = j + 1
        if first < len(keys):
            out.append((first, len(keys) - 1))
        return out

    def _parts(
        self,
        mentions: list[Mention],
        keys: list[str],
        index: dict[int, int],
        last_token: dict[int, int],
        likened: frozenset[int],
        typos: dict[int, float],
    ) -> list[Part]:
        if not mentions:
            return []
        # What a tag imitates or denies is no head ("goat imitation" is a vocalization), unless that is all.
        heard = [m for m in mentions if not m.negated and not m.imitated] or [m for m in mentions if not m.negated]
        candidates = heard or mentions
        before = self._before_preposition(keys, index[mentions[0].start], candidates, index)
        pool = before or candidates
        weak = self.weak_heads
        if len(pool) > 1 and weak:  # "engine noise": the engine is what the tag is about
            pool = [m for m in pool if m.concept not in weak]
            pool = pool or before or candidates
        languages = {self._language(m.text) for m in pool} if len(pool) > 1 else set()
        if languages & HEAD_FIRST and languages <= HEAD_FIRST | {None}:
            # Spanish, French, Italian and Portuguese put the noun first: "alerte sonore" is an alert, "piano
            # triste" a piano (a label spelled as in English, "piano", says no language of its own).
            head = min(pool, key=lambda m: (index[m.start], -(m.end - m.start)))
        else:
            head = max(pool, key=lambda m: (last_token[m.end], m.end - m.start))
        # Nearest first: the words before the head right to left, then those after it left to right.
        order = sorted(
            (m for m in mentions if m is not head),
            key=lambda m: (m.start > head.start, -m.start if m.start < head.start else m.start),
        )
        out = []
        for m in [head, *order]:
            first, last = index[m.start], last_token[m.end]
            typo = min((typos[j] for j in range(first, last + 1) if j in typos), default=None)
            out.append(Part(m, m is head, None if m is head else head.concept, last in likened, typo))
        return out

    def _before_preposition(
        self, keys: list[str], first: int, candidates: list[Mention], index: dict[int, int]
    ) -> list[Mention]:
        """The candidates before the part's first preposition ("birds in forest": birds), if any."""
        for j in range(first, len(keys)):
            if keys[j] in self.prepositions:
                return [m for m in candidates if index[m.start] < j]
        return []


def _one_per_span(mentions: list[Mention]) -> list[Mention]:
    """One concept per place: a single-word tag "talking" is talking, so inside a tag it is not also speech."""
    seen: set[tuple[int, int]] = set()
    out = []
    for m in mentions:
        if (m.start, m.end) not in seen:
            seen.add((m.start, m.end))
            out.append(m)
    return out


__all__ = ["COORDINATORS", "LIKENESS_SUFFIXES", "Part", "PhraseReader"]
