"""What a resolver reads from the ontology alone, built once per Ontology and shared by every resolver over it.

Resolvers of different levels, thresholds or caches over one Ontology object share one :class:`LexicalIndex`
(and one embedding index per encoder backend): a server holding a resolver per level pays for the tables once.
The tables are read from ``ontology.labels``, the one label index, so a label means the same concept here as
in every other part of uts; only the multiword phrase table is the resolver's own. Labels in every language are
in them (an English label wins a key over any other), and written without spaces: a Chinese or Japanese label is
a phrase of its characters, as a caption in those languages is tokenized.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from uts.lexical import base_forms, normalise, plurals, singulars, unaccented
from uts.lexical.stemming import SNOWBALL, cjk_bases, stem_key
from uts.ontology.model import rank_key
from uts.ontology.ontology import Ontology
from uts.resolve.model import Method

if TYPE_CHECKING:
    from uts.matching.embedding import EmbeddingIndex
    from uts.matching.fuzzy import FuzzyMatcher
    from uts.resolve.meaning import MeaningCues

_T = TypeVar("_T")
Hit = tuple[str, Method, float]
"""A label match: ``(concept, method, score)``, the concept active."""

INFLECTION_SCORE = 0.97  # "sirens" is surely a siren, but the spelling differs
NARROWER_SCORE = 0.9  # "poodle" is surely a dog, but the answer is less specific than the input
ACCENT_SCORE = 0.97  # "musica" is surely "música", but the spelling differs
STEM_SCORE = 0.95  # "motores" is most likely "motor", but a stem may join two words a language keeps apart
FOREIGN_MARGIN = 0.5  # how much more (Zipf) a language must use an English word for its label to win a tag
HEAD = 4  # letters of a stem the stem stage's prefilter compares with the start of a tag
_SPLIT = re.compile(r"[\s_\-\u00b7\u30fb]+")
# Scripts written without spaces between words: each character is a token (``uts.resolve.text.tokenize``).
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


class LexicalIndex:
    """Label keys and multiword phrases to active concepts, plus the per-concept facts every resolver reads.

    Immutable once built. Build it through :func:`lexical_index`, which shares one per Ontology object.

    >>> from uts import load_ontology
    >>> index = lexical_index(load_ontology())
    >>> index.lookup("reverbs")[1:], index.phrases[("car", "horns")][1:], index.phrases[("police", "sirens")][1:]
    (('inflection', 0.97), ('inflection', 0.97), ('narrower', 0.9))
    """

    def __init__(self, ontology: Ontology) -> None:
        labels = ontology.labels
        # Normalised word key -> active concept: every label key whose concept is, or was replaced by, an active one.
        self.words: Mapping[str, str] = {k: hit.current for k, hit in labels.items() if hit.current is not None}
        self.narrower: frozenset[str] = frozenset(k for k, hit in labels.items() if hit.is_narrower_term)
        # The language of each key whose label is not English (the resolver says it in its matches).
        self.lang_of: Mapping[str, str] = {k: hit.lang for k, hit in labels.items() if not hit.is_english}
        # Keys written with accents, by their unaccented form.
        self.unaccented: Mapping[str, str] = _unaccented(self.words)
        self.phrases: Mapping[tuple[str, ...], Hit]
        self.first_len: Mapping[str, int]
        self.phrases, self.first_len = _phrase_table(ontology)
        self.ranks: Mapping[str, tuple[int, int, str]] = {c.id: rank_key(c) for c in ontology.concepts.values()}
        self.label_of: Mapping[str, str] = {c.id: c.label for c in ontology.concepts.values()}
        self.broader: Mapping[str, tuple[str, ...]] = {c.id: c.broader for c in ontology.concepts.values()}
        # Weak: the shared cache maps each Ontology to its index, so the index must not keep the Ontology alive.
        self._ontology = weakref.ref(ontology)
        self._lock = threading.Lock()
        self._fuzzy: FuzzyMatcher | None = None
        self._meaning: MeaningCues | None = None
        self._languages: _Languages | None = None
        self._language = lru_cache(maxsize=65536)(self._language_of_key)

    def lookup(self, key: str, *, english: bool = False) -> Hit | None:
        """A normalised word or label key to its concept: exact (or narrower) first, then inflected forms, then
        the key or a form of it written without accents where the label has them, or the other way round. With
        ``english``: through English labels only (exact and inflected)."""
        found = self._find(key, english=english)
        return found[1] if found is not None else None

    def _find(self, key: str, *, english: bool = False) -> tuple[str, Hit] | None:
        """:meth:`lookup`, and the label key that matched.

        English inflection reaches a label in another language only as a plural ("perros" for "perro"), never by
        a verb ending ("during" is no form of German "Dur"); an English word reaches one only as written, not
        without its accents ("manner" is no German "Männer"), and only when that language uses the word clearly
        more than English does ("off" is no Spanish "off", the voiceover; see :func:`reads_as_english`).
        """
        words, narrower, lang_of = self.words, self.narrower, self.lang_of
        foreign = lang_of if english else {}
        concept_id = words.get(key)
        if (
            concept_id is not None
            and key not in foreign
            and not (key in lang_of and reads_as_english(key, lang_of[key]))
        ):
            return key, (concept_id, "narrower", NARROWER_SCORE) if key in narrower else (concept_id, "exact", 1.0)
        forms = base_forms(key)
        plural_of: list[str] | None = None
        for form in forms:
            concept_id = words.get(form)
            if concept_id is None or form in foreign:
                continue
            if form in lang_of:
                plural_of = singulars(key) if plural_of is None else plural_of
                if form not in plural_of or reads_as_english(key, lang_of[form]):
                    continue
            if form in narrower:
                return form, (concept_id, "narrower", NARROWER_SCORE)
            return form, (concept_id, "inflection", INFLECTION_SCORE)
        if english:
            return None
        accented = self.unaccented
        for form in (key, *forms):
            bare = unaccented(form)
            # Accents the input has and a label in another language lacks ("пёс" for "пес"); an English label is
            # reached only by its own spelling, or without the accents it has ("cafe" for "café").
            label = accented.get(bare) or (bare if bare != form and bare in lang_of else None)
            if label is None:
                continue
            if label in lang_of and bare == form and _english_word(form):
                continue
            return label, (words[label], "fuzzy", ACCENT_SCORE)
        return None

    def stemmed(self, text: str) -> tuple[str, Hit] | None:
        """A tag that is no label, read as an inflected form of a label in another language: its words' Snowball
        stems against the stems of each language's labels ("baixas frequências" for "baixa frequência"), or, in
        Chinese and Japanese, the tag without a suffix such as "声" or "の音" ("雨声" for "雨"). Only a stem that
        names one concept in every language it is found in counts; a tag of English words never reaches here.

        Returns the label key matched and the hit (method ``inflection``), like :meth:`_find`.
        """
        key = normalise(text)
        if not key:
            return None
        if UNSPACED.search(key):
            for base in cjk_bases(key):
                concept_id = self.words.get(base)
                if concept_id is not None and base in self.lang_of:
                    return base, (concept_id, "inflection", STEM_SCORE)
            return None
        words = [w for w in _SPLIT.split(text) if w]
        # A Snowball stem is (almost always) a prefix of its word: only the languages with a label whose first stem
        # begins like the tag's first word are stemmed (a word no label begins like costs four dict lookups, not six
        # stemmers).
        first = unaccented(normalise(words[0]))
        languages = self._language_tables()
        langs: set[str] = set()
        for n in range(min(HEAD, len(first)), 0, -1):
            langs.update(languages.heads.get(first[:n], ()))
        if not langs or (key.isascii() and all(_english_word(normalise(w)) for w in words)):
            return None
        found: dict[str, str] = {}  # concept -> label key
        for lang in langs:
            label = languages.tables[lang].stems.get(stem_key(words, lang))
            if label is not None:
                found.setdefault(self.words[label], label)
        if len(found) != 1:
            return None
        concept_id, label = next(iter(found.items()))
        return label, (concept_id, "inflection", STEM_SCORE)

    @property
    def languages(self) -> frozenset[str]:
        """The languages other than English that labels are given in."""
        return frozenset(self._language_tables().tables)

    def in_language(self, text: str, lang: str) -> Hit | None:
        """A tag read as a tag in ``lang`` (a caller that knows its tagger's language says so): the key among that
        language's labels (``exact``), without accents (``fuzzy``, ACCENT_SCORE), by stem or CJK suffix
        (``inflection``, STEM_SCORE). English labels and other languages' labels do not compete here, so French
        "chat" is the cat and German "Hall" reverb. ``None``: no label of ``lang`` fits."""
        table = self._language_tables().tables.get(lang)
        key = normalise(text)
        if table is None or not key:
            return None
        concept_id = table.words.get(key)
        if concept_id is not None:
            return concept_id, "exact", 1.0
        concept_id = table.words.get(table.unaccented.get(unaccented(key), ""))
        if concept_id is not None:
            return concept_id, "fuzzy", ACCENT_SCORE
        if UNSPACED.search(key):
            for base in cjk_bases(key):
                concept_id = table.words.get(base)
                if concept_id is not None:
                    return concept_id, "inflection", STEM_SCORE
        elif lang in SNOWBALL:
            label = table.stems.get(stem_key([w for w in _SPLIT.split(text) if w], lang))
            if label is not None:
                return table.words[label], "inflection", STEM_SCORE
        return None

    def _language_tables(self) -> _Languages:
        return self._once("_languages", lambda: _language_tables(self._alive()))

    def warm(self) -> None:
        """Build the tables of other languages' labels (their stems too) and load wordfreq's lists of the stemmed
        languages now, not on a first query."""
        from wordfreq import zipf_frequency

        self._language_tables()
        for lang in SNOWBALL:
            zipf_frequency("warm", lang)

    @property
    def stem_tables(self) -> Mapping[str, Mapping[str, str]]:
        """Per language with a stemmer: the stem key of each label in it -> the label's key, for the stems that
        name one concept (made on first use: most tags never need it)."""
        return {lang: t.stems for lang, t in self._language_tables().tables.items() if lang in SNOWBALL}

    def language(self, text: str) -> str | None:
        """The language of the label that ``text`` (a tag, or the words of a caption that named a concept)
        matched, when it is not English (cached: captions name the same things again and again)."""
        if not self.lang_of:
            return None
        return self._language(normalise(text))

    def _language_of_key(self, key: str) -> str | None:
        found = self._find(key)
        return self.lang_of.get(found[0]) if found is not None else None

    @property
    def fuzzy(self) -> FuzzyMatcher:
        """The typo matcher over the same labels, built on first use (it is not needed for most inputs)."""
        from uts.matching.fuzzy import FuzzyMatcher

        return self._once("_fuzzy", lambda: FuzzyMatcher(self._alive()))

    @property
    def meaning(self) -> MeaningCues:
        """The word stems of each concept's labels and definition, for the embedding stage's guard (made on
        first use; each concept's stems on first need)."""
        from uts.resolve.meaning import MeaningCues

        return self._once("_meaning", lambda: MeaningCues(self._alive()))

    def _once(self, name: str, build: Callable[[], _T]) -> _T:
        """The table held in attribute ``name``, built by ``build`` on first use (once, whatever the threads)."""
        value: _T | None = getattr(self, name)
        if value is None:
            with self._lock:
                value = getattr(self, name)
                if value is None:
                    value = build()
                    setattr(self, name, value)
        return value

    def _alive(self) -> Ontology:
        ontology = self._ontology()
        if ontology is None:  # only reachable by holding an index without its ontology
            raise RuntimeError("the ontology of this lexical index is gone; build the index from a live Ontology")
        return ontology


@lru_cache(maxsize=65536)
def reads_as_english(key: str, lang: str) -> bool:
    """Whether a tag of unknown language that is an English word and also a label in ``lang`` is the English word:
    unless that language uses it clearly more (wordfreq's Zipf frequency higher by ``FOREIGN_MARGIN``), it is.
    "off", "can", "rings", "series" and "real" in an English tagger's output are no Spanish or Italian labels;
    "voce", "cadre" and "alt" are (a caller that knows the tag's language says so: ``resolve_tags(..., lang=)``)."""
    if lang not in SNOWBALL or not _english_word(key):
        return False  # a Latin-letter label in Chinese or Japanese is a loan its taggers write ("HQ", "DJ")
    from wordfreq import zipf_frequency

    return zipf_frequency(key, lang) < zipf_frequency(key, "en") + FOREIGN_MARGIN


def _english_word(key: str) -> bool:
    """Whether an ASCII key is an English word in its own right (the English word list loads on first use)."""
    if not key.isascii():
        return False
    from uts.matching.fuzzy import is_known_word

    return is_known_word(key)


@dataclass(frozen=True, slots=True)
class _Language:
    """One language's labels on their own: key -> the active concept; unaccented key and stem key -> the key."""

    words: dict[str, str]
    unaccented: dict[str, str]  # unaccented key -> the key, where that names one concept
    stems: dict[str, str]  # stem key -> a label key, where the stem names one concept (stemmed languages only)


@dataclass(frozen=True, slots=True)
class _Languages:
    """Every other language's :class:`_Language`, and the stem stage's prefilter: the first ``HEAD`` letters of
    each label's first stem (the whole stem when shorter) -> the languages of those labels."""

    tables: dict[str, _Language]
    heads: dict[str, frozenset[str]]


def _language_tables(ontology: Ontology) -> _Languages:
    """:meth:`LexicalIndex.in_language`'s and :meth:`LexicalIndex.stemmed`'s tables, in one pass over the labels
    (a stem or unaccented key two concepts share in one language is left out)."""
    words: dict[str, dict[str, str]] = {}
    stems: dict[str, dict[str, str | None]] = {}
    heads: dict[str, set[str]] = {}
    for concept in ontology.concepts.values():
        if not concept.is_active:
            continue
        for synonym in concept.translations:
            key = normalise(synonym.label)
            if not key:
                continue
            lang = synonym.lang
            words.setdefault(lang, {})[key] = concept.id
            if lang not in SNOWBALL or UNSPACED.search(key):
                continue
            parts = [w for w in _SPLIT.split(synonym.label) if w]
            stem = stem_key(parts, lang)
            if not stem:
                continue
            heads.setdefault(stem_key(parts[:1], lang)[:HEAD], set()).add(lang)
            held = stems.setdefault(lang, {})
            other = held.setdefault(stem, key)
            if other is not None and words[lang][other] != concept.id:
                held[stem] = None
    tables = {
        lang: _Language(table, _unaccented(table), {s: k for s, k in stems.get(lang, {}).items() if k is not None})
        for lang, table in words.items()
    }
    return _Languages(tables, {prefix: frozenset(langs) for prefix, langs in heads.items()})


def _unaccented(words: Mapping[str, str]) -> dict[str, str]:
    """Keys written with accents, without them -> the key, where that names one concept and is no key of its own
    ("musica" -> "música", when only "música" is a label)."""
    found: dict[str, str | None] = {}
    for key, concept_id in words.items():
        bare = unaccented(key)
        if bare == key or bare in words:
            continue
        if bare not in found:
            found[bare] = key
        elif (held := found[bare]) is not None and words[held] != concept_id:
            found[bare] = None  # two concepts: the accents tell them apart
    return {bare: key for bare, key in found.items() if key is not None}


def label_words(label: str) -> tuple[str, ...]:
    """The normalised words of a label as a caption's tokens would be: split at spaces and separators, and a
    Chinese or Japanese run into its characters ("電子音楽" -> 電, 子, 音, 楽).

    >>> label_words("church bells"), label_words("电子 音乐"), label_words("J-POP")
    (('church', 'bells'), ('电', '子', '音', '乐'), ('j', 'pop'))
    """
    out: list[str] = []
    for part in _SPLIT.split(label):
        key = normalise(part)
        if not key:
            continue
        if UNSPACED.search(key):
            run = ""
            for ch in key:
                if UNSPACED.match(ch):
                    if run:
                        out.append(run)
                        run = ""
                    out.append(ch)
                else:
                    run += ch
            if run:
                out.append(run)
        else:
            out.append(key)
    return tuple(out)


def _phrase_table(ontology: Ontology) -> tuple[dict[tuple[str, ...], Hit], dict[str, int]]:
    """Multiword labels as word tuples, with the plurals of the last word ("church bells") worked out here
    rather than per caption word, and the most words a phrase starting with each word has.

    Every written spelling counts ("hi-hat" and "hi hat" split differently), but what a spelling means (concept,
    narrower term or not) is what ``ontology.labels`` says of its key.
    """
    labels = ontology.labels
    phrases: dict[tuple[str, ...], Hit] = {}
    inflected: dict[tuple[str, ...], Hit] = {}
    first_len: dict[str, int] = {}
    for concept in ontology.concepts.values():
        for label in (*concept.all_labels, *(s.label for s in concept.translations)):
            parts = label_words(label)
            if len(parts) < 2:
                continue
            hit = labels.get(normalise(label))
            if hit is None or hit.current is None:
                continue
            exact: Hit = (hit.current, "exact", 1.0)
            plural: Hit = (hit.current, "inflection", INFLECTION_SCORE)
            if hit.is_narrower_term:
                exact = plural = (hit.current, "narrower", NARROWER_SCORE)
            phrases.setdefault(parts, exact)
            for form in plurals(parts[-1]):
                inflected.setdefault((*parts[:-1], form), plural)
            first_len[parts[0]] = max(first_len.get(parts[0], 0), len(parts))
    for parts, inflection in inflected.items():
        phrases.setdefault(parts, inflection)
    return phrases, first_len


# ---- sharing ------------------------------------------------------------------------------------------

_lock = threading.Lock()
_lexical: weakref.WeakKeyDictionary[Ontology, LexicalIndex] = weakref.WeakKeyDictionary()
_embedding: weakref.WeakKeyDictionary[Ontology, dict[str, EmbeddingIndex]] = weakref.WeakKeyDictionary()


def lexical_index(ontology: Ontology) -> LexicalIndex:
    """The one :class:`LexicalIndex` of this Ontology object, built on first call (thread-safe).

    An Ontology is immutable and hashed by identity, so the index can never go stale; it is dropped with the
    Ontology.
    """
    index = _lexical.get(ontology)
    if index is None:
        with _lock:
            index = _lexical.get(ontology)
            if index is None:
                index = _lexical[ontology] = LexicalIndex(ontology)
    return index


def embedding_index(ontology: Ontology, backend: str) -> EmbeddingIndex:
    """The one per-label :class:`~uts.matching.embedding.EmbeddingIndex` of this Ontology and encoder backend.

    Its vectors load on first search; creating it imports nothing heavy.
    """
    by_backend = _embedding.get(ontology)
    index = by_backend.get(backend) if by_backend is not None else None
    if index is None:
        with _lock:
            by_backend = _embedding.setdefault(ontology, {})
            index = by_backend.get(backend)
            if index is None:
                from uts.matching.embedding import EmbeddingIndex

                index = by_backend[backend] = EmbeddingIndex(ontology, backend=backend, per_label=True)
    return index


__all__ = [
    "ACCENT_SCORE",
    "INFLECTION_SCORE",
    "NARROWER_SCORE",
    "STEM_SCORE",
    "UNSPACED",
    "Hit",
    "LexicalIndex",
    "embedding_index",
    "label_words",
    "lexical_index",
    "reads_as_english",
]
