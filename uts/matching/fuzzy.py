"""Typo-tolerant matching with rapidfuzz, guarded against near-miss words that mean something else.

Labels in other languages are matched too, more strictly: only a form that differs from one at its end (an
inflection: German "Hunde" for "Hund", Russian "собаки" for "собака") is corrected into it, and input written with
letters beyond ASCII ("Übersteuerung") is never corrected into an English look-alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from uts.lexical import normalise
from uts.lexical.words import LONGEST_WORD, is_dictionary_word
from uts.matching.candidate import Candidate
from uts.ontology.ontology import Ontology

# Zipf frequency (log10 of uses per billion words) from which a string is an English word in its own right.
# Common misspellings are frequent on the web too ("rythm" 1.95, "amature" 1.99), while the near-miss words of
# the dev split start at 3.0 ("postcode", "revert" 3.35): 2.5 sits between them.
KNOWN_WORD_ZIPF = 2.5


@lru_cache(maxsize=65536)
def is_known_word(word: str) -> bool:
    """Whether ``word`` is an English word in its own right (so a near label is a different word, not a typo):
    listed by a dictionary or the audio jargon (:func:`uts.lexical.words.is_dictionary_word`: "lilting",
    "thumpy"), or frequent enough in English text (words too new for the dictionaries: "postcode")."""
    if len(word) > LONGEST_WORD:
        return False
    return is_dictionary_word(word) or is_frequent_english(word)


def is_frequent_english(word: str) -> bool:
    """Whether ``word`` reaches ``KNOWN_WORD_ZIPF`` in wordfreq's English list: ``zipf_frequency(word, "en") >=
    KNOWN_WORD_ZIPF``, read straight from the list for a word of ASCII lower-case letters (one token to wordfreq,
    whose frequency is its list entry's), which skips wordfreq's tokenizer: most of the cost of an unknown word.

    >>> is_frequent_english("postcode"), is_frequent_english("gutiar"), is_frequent_english("Postcode")
    (True, False, True)
    """
    if word.isascii() and word.isalpha() and word.islower():
        frequencies, known = _english_frequencies()
        frequency = frequencies.get(word)
        return frequency is not None and frequency in known
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= KNOWN_WORD_ZIPF


@cache
def _english_frequencies() -> tuple[dict[str, float], frozenset[float]]:
    """wordfreq's English list (word -> frequency), and the frequencies at which a word is known: each of the few
    hundred values the list takes, asked of wordfreq once through a word that has it."""
    from wordfreq import get_frequency_dict, zipf_frequency

    frequencies = get_frequency_dict("en")
    examples: dict[float, str] = {}
    for word, frequency in frequencies.items():
        if frequency not in examples and word.isascii() and word.isalpha() and word.islower():
            examples[frequency] = word
    known = frozenset(f for f, word in examples.items() if zipf_frequency(word, "en") >= KNOWN_WORD_ZIPF)
    return frequencies, known


def max_typo_edits(key: str) -> int:
    """Edits (insert, delete, substitute, swap) a typo of this length may carry; short words get none."""
    if len(key) <= 4:
        return 0
    return 1 if len(key) <= 6 else 2


def same_stem(key: str, label: str) -> bool:
    """Whether two keys differ only in their last letter (the last two, past seven letters), as inflected forms of
    one word often do; other near misses are other words ("перебор" is no form of "перебил").

    >>> same_stem("hunde", "hund"), same_stem("собаки", "собака"), same_stem("chitarre", "chitarra")
    (True, True, True)
    >>> same_stem("перебор", "перебил"), same_stem("перебор", "переход")
    (False, False)
    """
    common = 0
    for a, b in zip(key, label, strict=False):
        if a != b:
            break
        common += 1
    longest = max(len(key), len(label))
    return common >= 3 and common >= longest - (2 if longest > 7 else 1)


class FuzzyMatcher:
    """Edit-distance matching over normalised labels.

    Short keys are where one edit changes the word (``revert``/``reverb``), so the cutoff rises as keys get
    shorter and the first letter must agree.
    """

    def __init__(self, ontology: Ontology, cutoff: float = 88.0, *, english: bool = False) -> None:
        # Keys of labels that name an active concept (directly, or through a deprecated one it replaced); with
        # ``english`` only English labels (legacy vocabularies are matched that way).
        self._concept: dict[str, str] = {}
        self._label: dict[str, str] = {}
        self._lang: dict[str, str] = {}  # the language of each key whose label is not English
        for key, hit in ontology.labels.items():
            if hit.current is not None and (hit.is_english or not english):
                self._concept[key] = hit.current
                self._label[key] = hit.label
                if not hit.is_english:
                    self._lang[key] = hit.lang
        self.cutoff = cutoff
        self._keys = list(self._concept)
        # A typo keeps its first letter and its length within the edits allowed, so only keys that agree on
        # both are worth scanning (about 1/100 of them).
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        for key in self._keys:
            self._by_shape.setdefault((key[:1], len(key)), []).append(key)
        self._pools: dict[tuple[str, int, int], list[str]] = {}
        self._screens: dict[tuple[str, int, int], tuple[list[str], dict[str, list[str]]]] = {}

    def _cutoff_for(self, key: str) -> float:
        if len(key) <= 5:
            return 101.0  # never: too many real words are one edit apart
        if len(key) <= 8:
            return max(self.cutoff, 92.0)
        return self.cutoff

    def match(self, text: str, limit: int = 3) -> list[Candidate]:
        key = normalise(text)
        cutoff = self._cutoff_for(key)
        if cutoff > 100:
            return []
        hits = process.extract(key, self._keys, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
        return [
            Candidate(self._concept[hit], score / 100.0, "fuzzy", self._label[hit])
            for hit, score, _ in hits
            if hit[:1] == key[:1] and hit != key
        ]

    def _pool(self, first: str, length: int, edits: int) -> list[str]:
        shape = (first, length, edits)
        if shape not in self._pools:
            lengths = range(length - edits, length + edits + 1)
            self._pools[shape] = [k for n in lengths for k in self._by_shape.get((first, n), ())]
        return self._pools[shape]

    def _screen(self, key: str, edits: int) -> list[str]:
        """The keys of ``key``'s pool that can be its typo's label when ``key`` is ASCII: every English key, and the
        keys in other languages that start with its first three letters (:func:`same_stem` needs that much)."""
        shape = (key[:1], len(key), edits)
        screen = self._screens.get(shape)
        if screen is None:
            english: list[str] = []
            others: dict[str, list[str]] = {}
            for k in self._pool(*shape):
                if k in self._lang:
                    others.setdefault(k[:3], []).append(k)
                else:
                    english.append(k)
            screen = self._screens[shape] = (english, others)
        english, others = screen
        same_start = others.get(key[:3])
        return english + same_start if same_start else english

    def typo(self, text: str, rank: Mapping[str, tuple[int, int, str]] | None = None) -> Candidate | None:
        """The label ``text`` is a misspelling of, or ``None``.

        Only inputs that are not English words qualify (``revert`` is a word, not a typo of ``reverb``); the
        label must start with the same letter and lie within :func:`max_typo_edits` optimal-string-alignment
        edits (a swap counts once: ``gutiar``). A label in another language takes only forms that differ from it
        at the end (:func:`same_stem`), and an English label no input with letters beyond ASCII. Ties go to an
        English label, then to the better-ranked concept (``rank``: concept ID -> its ``rank_key``), then to the key.
        """
        key = normalise(text)
        edits = max_typo_edits(key)
        if edits == 0:
            return None
        pool = self._pool(key[:1], len(key), edits)
        if not pool:  # no label of a near length starts with that letter (checked first: it is the cheap test)
            return None
        words = text.split()
        if not words or all(is_known_word(w.casefold()) for w in words):
            return None
        beyond_ascii = not key.isascii()
        if not beyond_ascii:
            # Most words that reach this point are no typo: when no label that could be the typo's lies within the
            # edits, the answer is None without scanning the whole pool, of which labels in other languages are
            # about half and cannot qualify unless they share the word's first letters. When one does, the pool is
            # scanned as it always was, so the answer never depends on the screen.
            near = process.extract(key, self._screen(key, edits), scorer=OSA.distance, score_cutoff=edits, limit=None)
            if not any(hit != key and (hit not in self._lang or same_stem(key, hit)) for hit, _, _ in near):
                return None
        found = process.extract(key, pool, scorer=OSA.distance, score_cutoff=edits, limit=10)
        hits = [
            (hit, int(distance))
            for hit, distance, _ in found
            if hit != key and (same_stem(key, hit) if hit in self._lang else not (beyond_ascii and hit.isascii()))
        ]
        if not hits:
            return None
        best = min(distance for _, distance in hits)
        closest = [hit for hit, distance in hits if distance == best]
        order = rank or {}
        unranked = (1, 0, "")
        # English labels first, as everywhere ("rythm" is a typo of "rhythm", not of French "rythme").
        closest.sort(key=lambda k: (k in self._lang, order.get(self._concept[k], unranked)[:2], k))
        hit = closest[0]
        return Candidate(self._concept[hit], round(1 - best / max(len(key), len(hit)), 4), "fuzzy", self._label[hit])
