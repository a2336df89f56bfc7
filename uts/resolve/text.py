"""Words of a caption with their offsets, and the scope of negation, hedging and imitation cues over them.

The cue rules are NegEx's (Chapman et al. 2001), which still hold up for short descriptive text: a cue reaches
forward (or, for "absent"-like cues, backward) to the end of its clause, and at most ``scope_words`` words. A
negation or imitation reaches no further than the noun phrase it governs ("a television with no signal is
buzzing": the signal is absent, the buzzing is heard), and a negation of a change negates nothing ("without any
change in rhythm"). Every word list is curated in ``lexicon.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from uts.lexical import normalise

# Chinese characters and kana (not the katakana middle dot, which joins words): scripts written without spaces.
_UNSPACED = "\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
# Clause punctuation, in its ASCII, typographic and East Asian (full-width) forms.
_CLAUSE_PUNCT = ',.;:!?()[]"\u201c\u201d\u3001\u3002\uff0c\uff0e\uff1b\uff1a\uff01\uff1f\uff08\uff09\u300c\u300d\u300e\u300f\u3010\u3011'
# Words keep inner hyphens and apostrophes ("hi-fi", "man's"); a character of an unspaced script is a word of its
# own (labels in those scripts are phrases of characters); clause punctuation is a token of its own.
_TOKEN = re.compile(
    rf"[^\W_{_UNSPACED}]+(?:['\u2019\-_][^\W_{_UNSPACED}]+)*|[{_UNSPACED}]|[{re.escape(_CLAUSE_PUNCT)}]"
)
_PUNCT = frozenset(_CLAUSE_PUNCT)
# The elided articles and prepositions of French and Italian before a word starting with a vowel or h ("d'oiseau",
# "l'eau", "dell'acqua", "un'eco"): split off, so the word reads as itself. English contractions ("don't", "it's")
# have their apostrophe late in the word and never match.
_ELISION = re.compile(
    r"(c|d|j|l|m|n|s|t|qu|dall|dell|nell|sull|all|quell|un)['\u2019](?=[aeiouhàâéèêëîïôöûùüœæy])", re.IGNORECASE
)


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
    >>> tokenize("狗在叫，下雨了。").texts
    ['狗', '在', '叫', '，', '下', '雨', '了', '。']
    >>> tokenize("bruit d'oiseau, l'eau, it's").texts
    ['bruit', 'd', 'oiseau', ',', 'l', 'eau', ',', "it's"]
    """
    spans = []
    for m in _TOKEN.finditer(text):
        a, b = m.span()
        elided = _ELISION.match(text, a, b)
        if elided is not None:  # French and Italian "d'oiseau", "l'acqua": the article, then the word
            spans.append((a, elided.end(1)))
            a = elided.end()
        spans.append((a, b))
    texts = [text[a:b] for a, b in spans]
    keys = ["" if w in _PUNCT else normalise(w) for w in texts]
    return Tokens(texts, keys, [a for a, _ in spans], [b for _, b in spans])


@dataclass(frozen=True)
class Lexicon:
    """The word lists of ``lexicon.toml``, as sets of normalised words (cue phrases as tuples of them)."""

    negation: frozenset[str]
    negation_pairs: frozenset[tuple[str, ...]]
    negation_after: frozenset[str]
    negation_after_pairs: frozenset[tuple[str, ...]]
    negation_after_final: frozenset[str]
    negation_after_final_trailers: frozenset[str]
    pseudo_negation: frozenset[str]
    denied_change: frozenset[str]
    change_modifiers: frozenset[str]
    hedge: frozenset[str]
    hedge_pairs: frozenset[tuple[str, ...]]
    imitation: frozenset[str]
    imitation_pairs: frozenset[tuple[str, ...]]
    imitation_nouns: frozenset[str]
    imitation_act: str
    scope_end: frozenset[str]
    noun_phrase_end: frozenset[str]
    noun_phrase_links: frozenset[str]
    copulas: frozenset[str]
    clause_joins: frozenset[str]
    coordinators: frozenset[str]
    existentials: frozenset[str]
    clause_starts: frozenset[str]
    scope_words: int
    caption_framing: frozenset[str]
    sense_clause_end: frozenset[str]
    stopwords: frozenset[str]
    sense_own_source: frozenset[str] = frozenset()
    """Words after an ambiguous word that make it name its source in its own words ("the hum of an engine")."""
    sense_back_reference: frozenset[str] = frozenset()
    """Words right before a repeated ambiguous word that make it refer back to its earlier mention ("the hum")."""
    sense_repetition: frozenset[str] = frozenset()
    """Words near a repeated ambiguous word that make it refer back to its earlier mention ("hums again")."""
    weak_heads: frozenset[str] = frozenset()
    """Labels of generic sound nouns that give way as a raw tag's head to what qualifies them ("engine noise")."""
    events: tuple[tuple[tuple[str, ...], str], ...] = ()
    """Event words: (the words of a lemma or phrase, normalised; the preferred label of its concept)."""
    phrase_cues: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )
    """First word -> the cue phrases it starts, longest first, each with its kind (built by ``__post_init__``)."""
    cue_starts: frozenset[str] = field(default=frozenset(), init=False, compare=False, hash=False, repr=False)
    """The words a cue may start with (built by ``__post_init__``)."""

    def __post_init__(self) -> None:
        kinds = (
            (self.negation_after_pairs, "negation_after"),
            (self.negation_pairs, "negation"),
            (self.hedge_pairs, "hedge"),
            (self.imitation_pairs, "imitation"),
        )
        table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrases, kind in kinds:
            for phrase in sorted(phrases):
                table.setdefault(phrase[0], []).append((phrase, kind))
        cues = {first: tuple(sorted(found, key=lambda p: -len(p[0]))) for first, found in table.items()}
        object.__setattr__(self, "phrase_cues", cues)
        single = self.negation | self.negation_after | self.negation_after_final | self.hedge
        object.__setattr__(self, "cue_starts", frozenset(cues) | single | self.imitation | self.imitation_nouns)

    @property
    def cue_words(self) -> frozenset[str]:
        pairs = self.negation_pairs | self.negation_after_pairs | self.hedge_pairs | self.imitation_pairs
        single = self.negation | self.negation_after | self.negation_after_final | self.hedge
        return single | self.imitation | self.imitation_nouns | frozenset(w for p in pairs for w in p)


LEXICON_FILE = Path(__file__).with_name("lexicon.toml")


@cache
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def words(name: str) -> frozenset[str]:
        return frozenset(normalise(w) for w in data[name])

    def phrases(name: str) -> frozenset[tuple[str, ...]]:
        return frozenset(tuple(normalise(w) for w in phrase.split()) for phrase in data[name])

    events = tuple((tuple(normalise(w) for w in words.split()), label) for words, label in data["events"].items())
    return Lexicon(
        negation=words("negation"),
        negation_pairs=phrases("negation_pairs"),
        negation_after=words("negation_after"),
        negation_after_pairs=phrases("negation_after_pairs"),
        negation_after_final=words("negation_after_final"),
        negation_after_final_trailers=words("negation_after_final_trailers"),
        pseudo_negation=words("pseudo_negation"),
        denied_change=words("denied_change"),
        change_modifiers=words("change_modifiers"),
        hedge=words("hedge"),
        hedge_pairs=phrases("hedge_pairs"),
        imitation=words("imitation"),
        imitation_pairs=phrases("imitation_pairs"),
        imitation_nouns=words("imitation_nouns"),
        imitation_act=str(data["imitation_act"]),
        scope_end=words("scope_end"),
        noun_phrase_end=words("noun_phrase_end"),
        noun_phrase_links=words("noun_phrase_links"),
        copulas=words("copulas"),
        clause_joins=words("clause_joins"),
        coordinators=words("coordinators"),
        existentials=words("existentials"),
        clause_starts=words("clause_starts"),
        scope_words=int(data["scope_words"]),
        caption_framing=words("caption_framing"),
        sense_clause_end=words("sense_clause_end"),
        stopwords=words("stopwords"),
        sense_own_source=words("sense_own_source"),
        sense_back_reference=words("sense_back_reference"),
        sense_repetition=words("sense_repetition"),
        weak_heads=words("weak_heads"),
        events=events,
    )


@dataclass(slots=True)
class Scopes:
    """Per token whether a cue negates it, hedges it or makes it an imitation; the tokens of cues; and where each
    imitation cue stands (its first and last token), where the act of imitating is said."""

    negated: list[bool]
    hedged: list[bool]
    imitated: list[bool]
    cues: set[int]
    acts: list[tuple[int, int]]  # first and last token of each imitation cue


def _ends_scope(keys: list[str], i: int, lexicon: Lexicon) -> bool:
    key = keys[i]
    if not key or key in lexicon.scope_end:
        return True
    return key in lexicon.clause_joins and i + 1 < len(keys) and keys[i + 1] in lexicon.clause_starts


def _opens_clause(keys: list[str], cue: int, lexicon: Lexicon) -> bool:
    """Whether the cue at ``cue`` is the first word of its clause, "there is" aside ("no dog is barking", "and
    there was no music"): its negation then reaches past the verb too."""
    k = cue - 1
    if k >= 1 and keys[k] in lexicon.copulas and keys[k - 1] in lexicon.existentials:
        k -= 2
    elif k >= 0 and keys[k] in lexicon.existentials:
        k -= 1
    return k < 0 or not keys[k] or keys[k] in lexicon.scope_end or keys[k] in lexicon.coordinators


def _final_copula(keys: list[str], i: int, lexicon: Lexicon) -> int:
    """Where the copula of a cue like "gone" stands, when the cue negates: after a copula (one adverb may stand
    between) and ending its clause ("the noise is gone", "has completely gone."); else -1."""
    n = len(keys)
    after = keys[i + 1] if i + 1 < n else ""
    ends = _ends_scope(keys, i + 1, lexicon) if after else True
    if not (ends or after in lexicon.coordinators or after in lexicon.negation_after_final_trailers):
        return -1
    k = i - 1
    if k >= 0 and keys[k] not in lexicon.copulas and (keys[k].endswith("ly") or keys[k] in lexicon.stopwords):
        k -= 1
    return k if k >= 0 and keys[k] in lexicon.copulas else -1


def cue_scopes(keys: list[str], lexicon: Lexicon) -> Scopes:
    """Which tokens (given by their normalised keys) are negated, hedged or imitated, and the cues' tokens."""
    n = len(keys)
    negated = [False] * n
    hedged = [False] * n
    imitated = [False] * n
    cues: set[int] = set()
    acts: list[tuple[int, int]] = []
    stop, copulas, phrase_end, links = (
        lexicon.stopwords,
        lexicon.copulas,
        lexicon.noun_phrase_end,
        lexicon.noun_phrase_links,
    )

    def forward(start: int, marks: list[bool]) -> None:
        for j in range(start, min(n, start + lexicon.scope_words)):
            if _ends_scope(keys, j, lexicon):
                return
            marks[j] = True

    def noun_phrase(start: int, marks: list[bool], *, past_verb: bool = False) -> None:
        """Forward to the end of the noun phrase (and its verb, with ``past_verb``)."""
        for j in range(start, min(n, start + lexicon.scope_words)):
            key = keys[j]
            if _ends_scope(keys, j, lexicon) or (key in copulas and not past_verb):
                return
            if key in phrase_end and j > start and keys[j - 1] not in links:
                return
            marks[j] = True

    def backward(end: int, marks: list[bool]) -> None:
        for j in range(end, max(-1, end - lexicon.scope_words), -1):
            if _ends_scope(keys, j, lexicon):
                return
            marks[j] = True

    def subject(end: int) -> None:
        """Back over the subject of "is gone"; none when it is shared with an earlier verb ("blows and is gone":
        the horn was heard)."""
        for j in range(end, max(-1, end - lexicon.scope_words), -1):
            if _ends_scope(keys, j, lexicon) or keys[j] in lexicon.coordinators:
                return
            negated[j] = True

    def noun_phrase_before(end: int, marks: list[bool]) -> None:
        for j in range(end, max(-1, end - lexicon.scope_words), -1):
            key = keys[j]
            if _ends_scope(keys, j, lexicon) or key in stop or key in phrase_end:
                return
            marks[j] = True

    def negate(cue: int, start: int) -> None:
        """A forward negation, unless its head denies a change ("without any change in rhythm")."""
        j = start
        while j < n and keys[j] and (keys[j] in stop or keys[j] in lexicon.change_modifiers):
            if keys[j] in lexicon.denied_change or _ends_scope(keys, j, lexicon):
                break
            j += 1
        if j < n and keys[j] in lexicon.denied_change:
            cues.add(j)  # "no drop in volume": the change is part of the cue, never a sound of its own
            return
        noun_phrase(start, negated, past_verb=_opens_clause(keys, cue, lexicon))

    def imitate(first: int, last: int, start: int) -> None:
        acts.append((first, last))
        noun_phrase(start, imitated)

    starts = lexicon.cue_starts
    i = 0
    while i < n:
        key = keys[i]
        if key not in starts:  # most words start no cue
            i += 1
            continue
        found = None
        for phrase, kind in lexicon.phrase_cues.get(key, ()):
            if tuple(keys[i : i + len(phrase)]) == phrase:
                found = phrase, kind
                break
        if found is not None:
            phrase, kind = found
            size = len(phrase)
            cues.update(range(i, i + size))
            if kind == "negation_after":
                backward(i - 1, negated)
            elif kind == "negation":
                negate(i, i + size)
            elif kind == "hedge":
                forward(i + size, hedged)
            else:
                imitate(i, i + size - 1, i + size)
            i += size
            continue
        following = keys[i + 1] if i + 1 < n else ""
        if key in lexicon.negation_after:
            cues.add(i)
            backward(i - 1, negated)
        elif key in lexicon.negation_after_final:
            cues.add(i)
            copula = _final_copula(keys, i, lexicon)
            if copula >= 0:
                subject(copula - 1)
        elif key in lexicon.negation:
            cues.add(i)
            if following not in lexicon.pseudo_negation:
                negate(i, i + 1)
        elif key in lexicon.hedge:
            cues.add(i)
            forward(i + 1, hedged)
        elif key in lexicon.imitation:
            cues.add(i)
            imitate(i, i, i + 1)
        elif key in lexicon.imitation_nouns:
            cues.add(i)
            acts.append((i, i))
            if following and following not in stop and not _ends_scope(keys, i + 1, lexicon):
                noun_phrase(i + 1, imitated)  # "imitation frog noises"
            else:
                noun_phrase_before(i - 1, imitated)  # "a bad goat impression"
        i += 1
    return Scopes(negated, hedged, imitated, cues, acts)
