"""Captioner output (raw tags or whole captions) to UTS concepts.

Stages, cheapest first: normalisation, exact label/synonym/narrower-term lookup, inflection, typo correction
(never of English words or audio jargon), the phrase stage (every label inside a multiword tag, its head first:
``phrases``), and embedding nearest neighbours with abstention below a calibrated threshold, a higher one for an
answer that shares no word with the tag (``meaning``).
Captions are scanned once for every label (``spotting``); only the content phrases no label covers go to the
encoder, and its answers are cached, so a caption stream mostly costs dictionary lookups. The lexical path never
imports torch.

One Resolver may serve many threads at once: its tables are shared and read-only (``index``), its caches are
bounded and locked (``cache``), and its setup is one frozen :class:`ResolverConfig`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack, cast

from uts.errors import UsageError
from uts.lexical import nfc, normalise
from uts.lexical.stemming import cjk_bases
from uts.ontology.model import Level
from uts.ontology.ontology import Ontology
from uts.resolve.cache import Answer, CacheInfo, Counters, EmbeddingCache, LRUCache, ResolverStats
from uts.resolve.config import Calibration, ResolverConfig, ResolverOptions, configure
from uts.resolve.events import EventWords
from uts.resolve.index import UNSPACED, Hit, LexicalIndex, embedding_index, lexical_index
from uts.resolve.meaning import MeaningCues, word_stems
from uts.resolve.model import Abstention, Match, Method, Resolution
from uts.resolve.phrases import Part, PhraseReader
from uts.resolve.ranking import HEDGE_FACTOR, rank, with_flags
from uts.resolve.rollup import Rollup, Target
from uts.resolve.senses import EmbeddingChooser, sense_table
from uts.resolve.spotting import HAS_LETTER, Mention, Spotter
from uts.resolve.text import Lexicon, tokenize

if TYPE_CHECKING:
    from uts.matching.candidate import Candidate
    from uts.matching.embedding import EmbeddingIndex
    from uts.matching.encoders import Encoder
    from uts.matching.fuzzy import FuzzyMatcher

_NEG_PREFIX = re.compile(r"^(?:no|non|not|without|zero|absence of|lack of)[\s_\-]+(.+)$")
_HEDGE_PREFIX = re.compile(r"^(?:possibly|possible|maybe|perhaps|probably|likely|potential)[\s_\-]+(.+)$")
# The negation cues after the word: "vocals: none", "drums absent", "noise-free" (read by ``negated_suffix``).
_NEG_SUFFIXES = ("none", "absent", "missing", "free")
_LOADING = threading.Lock()
MAX_TAG_WORDS = 32  # the most words a raw tag's phrase stage reads
TYPO_CACHE = 65_536  # typo answers of words kept (most are "none": a word that is no label's misspelling)
# A modifier inside a multiword tag scores below its head, and each step further from it lower again: "soft
# female vocal" is surely a vocal, and it is female and soft less surely than it is a vocal.
MODIFIER_FACTOR = 0.9
TagAnswer = Match | Abstention | tuple[Match, ...]
"""What a raw tag resolves to: one match, an abstention, or (a multiword tag) several matches, the head first."""


def head(answer: TagAnswer) -> Match | Abstention:
    """The concept a raw tag is about: a multiword tag's head, else its one answer."""
    return answer[0] if isinstance(answer, tuple) else answer


def concepts(answer: TagAnswer) -> tuple[Match, ...]:
    """Every concept a raw tag's answer names, head first (none for an abstention)."""
    if isinstance(answer, tuple):
        return answer
    return (answer,) if isinstance(answer, Match) else ()


@dataclass(frozen=True, slots=True)
class _Pending:
    """A raw tag or caption phrase that waits for the encoder: ``query`` is what it sees."""

    query: str
    start: int
    end: int
    negated: bool = False
    hedged: bool = False


class Resolver:
    """Resolves raw tags and captions against one ontology version and, optionally, one paper level.

    ``ontology`` is an Ontology, a source root to load, or ``None`` for the bundled release; ``config`` a
    :class:`ResolverConfig` or just a level; keyword ``overrides`` set single fields of the config.

    >>> from uts import load_ontology
    >>> r = Resolver(load_ontology(), embed=False)
    >>> [(m.label, m.method) for m in r.resolve_tags(["Hi-Fi", "drums", "lofi"]).tags]
    [('high-fidelity', 'exact'), ('drums', 'exact'), ('lo-fi', 'exact')]
    >>> res = r.resolve_text("A dog barks twice, no music.")
    >>> [m.label for m in res.tags], [m.label for m in res.negated]
    (['dog', 'bark'], ['music'])
    >>> res = r.resolve_text("A man speaks, then mimics a goat.")
    >>> [m.label for m in res.tags], [m.label for m in res.imitated]
    (['man', 'speech', 'vocalization'], ['goat'])
    """

    def __init__(
        self,
        ontology: Ontology | Path | str | None = None,
        config: ResolverConfig | Level | str | None = None,
        *,
        embed_cache: EmbeddingCache | None = None,
        encoder: Encoder | None = None,
        **overrides: Unpack[ResolverOptions],
    ) -> None:
        self.ontology = _ontology(ontology)
        self.config = configure(config, overrides)
        self.lexical_index: LexicalIndex = lexical_index(self.ontology)
        size = self.config.cache_size
        # The event words of the lexicon ("speaks": speech), in every form; read-only once built.
        self._events = EventWords(self.lexical_index, self.lexicon)
        # Bounded and thread-safe; a word's hit is a pure function of the word.
        self._lookup = lru_cache(maxsize=size)(self._word)
        self._rollup = Rollup(self.ontology, self.lexical_index, self.level, rollup=self.rollup, cache_size=size)
        self._spotter = Spotter(
            self.lexical_index, self.lexicon, self._lookup, nested=self.config.nested, events=self._events,
            senses=sense_table(self.ontology), chooser=self._sense_chooser(),
        )  # fmt: skip
        # A multiword tag reports the labels in it, not the words inside those labels: a tag that is a label
        # ("female vocalist") is that label alone. Its words take the sense the tag gives them ("metal clanging").
        tag_spotter = Spotter(self.lexical_index, self.lexicon, self._lookup, nested=False, events=self._events,
                              senses=sense_table(self.ontology))  # fmt: skip
        # A word's typo answer is a pure function of the word too; a one-word tag no label matches asks it twice
        # (the whole tag, then its one word in the phrase stage), and an unknown word costs a scan of the labels.
        self._typo: Callable[[str], Candidate | None] = lru_cache(maxsize=min(size, TYPO_CACHE))(self._find_typo)
        self._phrases = PhraseReader(tag_spotter, self.lexicon, self._lookup, self._typo)
        self._tags: LRUCache[str, TagAnswer] = LRUCache(size)
        self._embed_cache = embed_cache if embed_cache is not None else EmbeddingCache(size)
        self._counters = Counters()
        self._embedding: EmbeddingIndex | None = None
        # What encodes queries: by default the process-wide encoder of the backend; a server passes a
        # MicroBatcher so that concurrent requests share encoder calls.
        self._encoder = encoder

    def __repr__(self) -> str:
        return f"Resolver(UTS {self.ontology.metadata.version}, {self.config!r})"

    # ---- setup ----------------------------------------------------------------------------------------

    @property
    def level(self) -> Level | None:
        return self.config.level

    @property
    def rollup(self) -> bool:
        return self.config.rollup

    @property
    def embed(self) -> bool:
        return self.config.embed

    @property
    def backend(self) -> str:
        return self.config.backend

    @property
    def calibration(self) -> Calibration:
        return self.config.calibration

    @property
    def lexicon(self) -> Lexicon:
        return self.config.lexicon

    @property
    def embed_cache(self) -> EmbeddingCache:
        """The encoder answers; pass it to another resolver of the same ontology and backend to share them."""
        return self._embed_cache

    @property
    def stats(self) -> ResolverStats:
        """A snapshot of the counters (they only grow: subtract two snapshots for the work in between)."""
        counted = self._counters.snapshot()  # its tag_cache_hits: a tag answered earlier in the same batch
        hits = self._tags.info().hits + counted.tag_cache_hits
        return ResolverStats(counted.encoded, counted.embed_cache_hits, hits)

    def cache_info(self) -> Mapping[str, CacheInfo]:
        """Hits, misses, bound and size of each cache: raw tags, words, rollup targets, encoder answers."""
        words = self._lookup.cache_info()
        return {
            "tags": self._tags.info(),
            "words": CacheInfo(words.hits, words.misses, words.maxsize or 0, words.currsize),
            "targets": self._rollup.cache_info(),
            "embeddings": self._embed_cache.info(),
        }

    @property
    def fuzzy(self) -> FuzzyMatcher:
        """The typo matcher, shared by every resolver of this ontology (built on first use)."""
        return self.lexical_index.fuzzy

    @property
    def meaning(self) -> MeaningCues:
        """The word stems of each concept's labels and definition (shared by every resolver of this ontology)."""
        return self.lexical_index.meaning

    def shares_meaning(self, text: str, concept_id: str) -> bool:
        """Whether ``text`` shares a word stem with the concept's labels or definition (function words aside)."""
        return self.meaning.shares(word_stems(text, self._spotter.skip), concept_id)

    def _find_typo(self, text: str) -> Candidate | None:
        return self.fuzzy.typo(text, self.lexical_index.ranks)

    def _word(self, key: str) -> Hit | None:
        """A normalised word or tag key to its concept: a label (exact, narrower, inflected), else an event word."""
        hit = self.lexical_index.lookup(key)
        return hit if hit is not None else self._events.hit(key)

    # ---- levels ---------------------------------------------------------------------------------------

    def target(self, concept_id: str) -> Target | None:
        """The concept reported for a match: itself inside the level, else its nearest ancestor inside it.

        Returns ``(concept, rolled_up_from)``, or ``None`` when the concept is outside the level and cannot
        roll up (no ancestor inside it, or ``rollup=False``: the paper's behaviour).
        """
        return self._rollup.target(concept_id)

    def _report(
        self,
        hit: Hit,
        start: int,
        end: int,
        text: str,
        negated: bool = False,
        hedged: bool = False,
        *,
        lang: str | None = None,
    ) -> Match | Abstention:
        """A hit as the match the level reports, or an abstention when it is outside the level. ``lang``: the
        language of the label matched, when the caller knows it (else it is looked up for a label match)."""
        concept_id, method, score = hit
        target = self._rollup.target(concept_id)
        if target is None:
            return self._outside_level(hit, start, end, text)
        if hedged:
            score *= HEDGE_FACTOR
        label = self.lexical_index.label_of[target[0]]
        if lang is None and method != "embedding":
            lang = self._language(text[start:end])
        return Match(target[0], label, score, method, (start, end), text, negated, hedged, target[1], lang=lang)

    def _language(self, evidence: str) -> str | None:
        """The language of the label the evidence matched, if not English (None at once for an English-only UTS,
        and at the cost of one lookup for a label matched as written)."""
        index = self.lexical_index
        lang_of = index.lang_of
        if not lang_of:
            return None
        key = normalise(evidence)
        return lang_of.get(key) if key in index.words else index.language(evidence)

    def _as_match(
        self,
        target: Target,
        hit: Hit,
        start: int,
        end: int,
        text: str,
        negated: bool,
        hedged: bool,
        count: int = 1,
        imitated: bool = False,
        modifies: str | None = None,
    ) -> Match:
        score = hit[2] * HEDGE_FACTOR if hedged else hit[2]
        label = self.lexical_index.label_of[target[0]]
        lang = self._language(text) if hit[1] != "embedding" else None
        return Match(
            target[0],
            label,
            score,
            hit[1],
            (start, end),
            text,
            negated,
            hedged,
            target[1],
            count,
            imitated,
            modifies,
            lang,
        )

    def _outside_level(self, hit: Hit, start: int, end: int, text: str) -> Abstention:
        label = self.lexical_index.label_of[hit[0]]
        return Abstention(text, (start, end), f"{label} is outside level {self.level}", hit[0], hit[2])

    # ---- raw tags -------------------------------------------------------------------------------------

    def resolve_tag(self, tag: str, *, lang: str | None = None) -> Match | Abstention:
        """One raw tag to the concept it is about (a multiword tag's head), or an abstention that says why.
        ``lang``: the tagger's language, when the caller knows it (see :meth:`resolve_each_concepts`)."""
        return head(self.resolve_tag_concepts(tag, lang=lang))

    def resolve_tag_concepts(self, tag: str, *, lang: str | None = None) -> TagAnswer:
        """One raw tag to every concept it names, each with its span in the tag: one match, an abstention, or,
        for a multiword tag naming several concepts, their matches, the head first ("soft female vocal": vocal,
        then female and soft, which name vocal in ``modifies``)."""
        if lang is not None:
            return self.resolve_each_concepts([tag], lang=lang)[0]
        cached = self._tags.get(tag)
        if cached is not None:
            return cached
        result = self._lexical_tag(tag)
        if isinstance(result, _Pending):
            result = self._embedded({tag: result})[tag]
        self._tags.put(tag, result)
        return result

    def resolve_tags(
        self, tags: Sequence[str], *, top_k: int | None = None, min_score: float = 0.0, lang: str | None = None
    ) -> Resolution:
        """Raw tags (as an LLM tagger emits them) to ranked concepts: every concept each tag names (a multiword
        tag's modifiers too, ranked below its head); tags naming one concept are merged. ``lang``: the tagger's
        language, when the caller knows it (see :meth:`resolve_each_concepts`)."""
        answers = self.resolve_each_concepts(tags, lang=lang)
        matches: list[Match] = []
        abstained: list[Abstention] = []
        for answer in answers:
            if isinstance(answer, Match):
                matches.append(answer)
            elif isinstance(answer, tuple):
                matches.extend(answer)
            else:
                abstained.append(answer)
        return rank(matches, abstained, top_k, min_score)

    def prefetch_tags(self, tags: Iterable[str], *, lang: str | None = None) -> None:
        """Resolve many raw tags ahead (one encoder batch for all that need it); later calls hit the cache."""
        self.resolve_each_concepts(list(dict.fromkeys(tags)), lang=lang)

    def resolve_each(self, tags: Sequence[str], *, lang: str | None = None) -> list[Match | Abstention]:
        """Each raw tag's own answer (a multiword tag's head), in order, unmerged; the tags that need the encoder
        go in one batch."""
        return [head(answer) for answer in self.resolve_each_concepts(tags, lang=lang)]

    def resolve_each_concepts(self, tags: Sequence[str], *, lang: str | None = None) -> list[TagAnswer]:
        """Each raw tag's every concept (:meth:`resolve_tag_concepts`), in order, unmerged; one encoder batch.

        ``lang`` (ISO 639-1, e.g. ``"fr"``): the language the tagger writes in, when the caller knows it. A tag
        that is a label of that language (or an inflected or unaccented form of one) takes that label's concept
        before any English reading: French "chat" is the cat, German "Hall" reverb. Other tags are read as without
        it. ``"en"`` or ``None``: no hint. A language no label is given in is a :class:`UsageError`.
        """
        hint = self._hint(lang)
        if hint is not None:
            answers: list[TagAnswer | None] = [self._in_language(tag, hint) for tag in tags]
            rest = [tag for tag, answer in zip(tags, answers, strict=True) if answer is None]
            if rest:
                others = iter(self.resolve_each_concepts(rest))
                answers = [answer if answer is not None else next(others) for answer in answers]
            return cast("list[TagAnswer]", answers)
        out, missing = self._tags.get_many(tags)
        return self._answer(tags, out) if missing else cast("list[TagAnswer]", out)

    def _hint(self, lang: str | None) -> str | None:
        """The language hint as a code the labels use; ``None`` for none or English."""
        if lang is None:
            return None
        code = lang.strip().lower()
        if code == "en":
            return None
        known = self.lexical_index.languages
        if code not in known:
            raise UsageError(
                f"no UTS label is in the language {lang!r}; give one of {', '.join(sorted(known))}, "
                "or leave the language out (English, or not known)"
            )
        return code

    def _in_language(self, tag: str, lang: str) -> Match | Abstention | None:
        """A raw tag as a label of ``lang`` (:meth:`LexicalIndex.in_language`), or ``None`` when it is none."""
        tag = nfc(tag)
        stripped = tag.strip()
        hit = self.lexical_index.in_language(stripped, lang) if stripped else None
        if hit is None:
            return None
        start = tag.find(stripped)
        return self._report(hit, start, start + len(stripped), tag, lang=lang)

    def _answer(self, tags: Sequence[str], out: list[TagAnswer | None]) -> list[TagAnswer]:
        """Fill the slots of ``out`` the tag cache left empty (``None``), and remember the new answers."""
        hits = 0
        fresh: dict[str, TagAnswer] = {}
        pending: dict[str, tuple[_Pending, list[int]]] = {}
        for slot, cached in enumerate(out):
            if cached is not None:
                continue
            tag = tags[slot]
            known = fresh.get(tag)
            if known is not None:
                out[slot] = known
                hits += 1
            elif tag in pending:
                pending[tag][1].append(slot)
            else:
                result = self._lexical_tag(tag)
                if isinstance(result, _Pending):
                    pending[tag] = (result, [slot])
                else:
                    out[slot] = fresh[tag] = result
        if pending:
            for tag, answer in self._embedded({t: p for t, (p, _) in pending.items()}).items():
                fresh[tag] = answer
                for slot in pending[tag][1]:
                    out[slot] = answer
        if len(fresh) == 1:
            self._tags.put(*fresh.popitem())
        else:
            self._tags.put_many(fresh.items())
        if hits:
            self._counters.add(tag_cache_hits=hits)
        return cast("list[TagAnswer]", out)

    def _embedded(self, pending: Mapping[str, _Pending]) -> dict[str, Match | Abstention]:
        """The answers of raw tags that need the encoder, from one batch."""
        answers = self._nearest([p.query for p in pending.values()])
        threshold = self.calibration.tag_threshold
        unrelated = self.calibration.unrelated_threshold
        return {
            tag: self._embedding_result(p, answer, threshold, tag, unrelated)
            for (tag, p), answer in zip(pending.items(), answers, strict=True)
        }

    def _lexical_tag(self, tag: str) -> TagAnswer | _Pending:
        """A raw tag by every stage short of the encoder; negation and hedging cues around it are read here.

        The tag is read in NFC (spans index that form), so decomposed accents never split a word.
        """
        tag = nfc(tag)
        stripped = tag.strip()
        start = tag.find(stripped) if stripped else 0
        end = start + len(stripped)
        key = normalise(stripped)
        hit = self._lookup(key) if key else None
        if hit is not None:
            return self._report(hit, start, end, tag)
        if not HAS_LETTER.search(stripped):
            return Abstention(tag, (start, end), "no label matches and there are no letters to match on")
        folded = stripped.casefold()
        for found, negated in _cues(folded):
            if found is not None:
                inner_start, inner_end = start + found[0], start + found[1]
                result = self._unmarked_tag(tag[inner_start:inner_end], inner_start, inner_end, tag)
                if isinstance(result, _Pending):
                    return _Pending(result.query, result.start, result.end, negated, not negated)
                return _flagged(result, negated)
        return self._unmarked_tag(stripped, start, end, tag)

    def _unmarked_tag(self, text: str, start: int, end: int, tag: str) -> TagAnswer | _Pending:
        """Text without cues: a label, a typo of one, the labels of a phrase, else the encoder's job."""
        hit = self._lookup(normalise(text))
        if hit is not None:
            return self._report(hit, start, end, tag)
        stemmed = self.lexical_index.stemmed(text)
        if stemmed is not None:
            return self._report(stemmed[1], start, end, tag, lang=self.lexical_index.lang_of.get(stemmed[0]))
        typo = self._typo(text)
        if typo is not None:
            lang = self.lexical_index.lang_of.get(normalise(typo.matched))
            return self._report((typo.concept_id, "fuzzy", typo.score), start, end, tag, lang=lang)
        # A tagger's tag is a few words; past MAX_TAG_WORDS it is no tag, and spotting labels in it would cost time
        # in proportion to its length: the encoder (which reads a bounded prefix) answers instead.
        if len(text.split(maxsplit=MAX_TAG_WORDS)) <= MAX_TAG_WORDS:
            # A Chinese or Japanese tag ending in "sound" ("木头敲击声", the sound of knocking on wood) is about what
            # comes before it: read without the suffix, the last label there is the head, not 声 (voice).
            key = normalise(text)
            bases = cjk_bases(key) if UNSPACED.search(text) else ()
            read = text[: len(text) - (len(key) - len(bases[0]))] if bases else text  # the suffix cut off
            parts = self._phrases.read(read) or (self._phrases.read(text) if bases else [])
            if parts:
                return self._phrase_answer(parts, text, start, tag)
        if not self.embed:
            return Abstention(tag, (start, end), "no label matches and embedding matching is off")
        return _Pending(text, start, end)

    def _phrase_answer(self, parts: list[Part], text: str, start: int, tag: str) -> TagAnswer:
        """The matches of a phrase's parts, head first. The head scores by how much of the tag its labels
        cover (0.8 to 0.95), each modifier by MODIFIER_FACTOR per step from its head; a misspelt word lowers its
        part by the typo's score, and ``X-like`` is hedged."""
        covered = sum(p.mention.end - p.mention.start for p in parts if not p.mention.negated)
        base = 0.8 + 0.15 * min(1.0, covered / max(1, len(text)))
        matches: list[Match] = []
        seen: set[str] = set()
        head_id: str | None = None
        step = 0
        for part in parts:
            m = part.mention
            target = self._rollup.target(m.concept)
            if target is None:
                if not matches:  # the tag's own head is outside the level: so is the tag
                    return self._outside_level((m.concept, "phrase", base), start + m.start, start + m.end, tag)
                continue
            if part.head:
                step = 0
                score = base
            else:
                step += 1
                score = base * MODIFIER_FACTOR**step
            method: Method = "phrase"
            if part.typo is not None:
                score *= part.typo
                method = "fuzzy"
            if target[0] in seen:
                continue
            seen.add(target[0])
            modifies = None if part.head else head_id
            match = self._as_match(
                target, (m.concept, method, score), start + m.start, start + m.end, tag, m.negated,
                m.hedged or part.likened, imitated=m.imitated, modifies=modifies,
            )  # fmt: skip
            if part.head:
                head_id = match.id
            matches.append(match)
        return matches[0] if len(matches) == 1 else tuple(matches)

    def _embedding_result(
        self, p: _Pending, answer: Answer | None, threshold: float, text: str, unrelated: float | None = None
    ) -> Match | Abstention:
        """The encoder's answer kept, or an abstention under the threshold; with ``unrelated`` (raw tags), an
        answer sharing no word stem with the query needs that higher threshold ("grim" is no grime)."""
        if answer is None:
            return Abstention(text, (p.start, p.end), "nothing to embed")
        concept_id, score = answer
        if score < threshold:
            reason = f"nearest concept below the threshold {threshold:.2f}"
            return Abstention(text, (p.start, p.end), reason, concept_id, score)
        if unrelated is not None and score < unrelated and not self.shares_meaning(p.query, concept_id):
            reason = f"nearest concept shares no word with the tag and is below the threshold {unrelated:.2f} for such"
            return Abstention(text, (p.start, p.end), reason, concept_id, score)
        return self._report((concept_id, "embedding", score), p.start, p.end, text, p.negated, p.hedged)

    # ---- embeddings -----------------------------------------------------------------------------------

    @property
    def embedding_index(self) -> EmbeddingIndex:
        """The concept vectors of this ontology and backend (shared by its resolvers), loaded on first use,
        with the encoder: threads that need them at once wait for one load."""
        index = self._embedding
        if index is None:
            with _LOADING:
                index = self._embedding
                if index is None:
                    from uts.matching.encoders import get_encoder

                    get_encoder(self.backend)
                    index = embedding_index(self.ontology, self.backend)
                    index.matrix  # noqa: B018  (loads, or encodes and saves, the concept vectors)
                    self._embedding = index
        return index

    def _sense_chooser(self) -> EmbeddingChooser | None:
        margin = self.config.sense_margin
        return EmbeddingChooser(self._encode, margin=margin) if self.embed and margin is not None else None

    def _encode(self, texts: list[str]) -> Any:
        """Vectors of ``texts`` by this resolver's encoder (a server's batcher, or the backend's)."""
        from uts.matching.embedding import encode

        encoder = self._encoder
        return encoder.encode(texts) if encoder is not None else encode(texts, backend=self.backend)

    def _nearest(self, queries: Sequence[str]) -> list[Answer | None]:
        """Nearest active concept and cosine of each query; the encoder sees each distinct new query once."""
        keys = [q.strip().casefold() for q in queries]
        cached, _ = self._embed_cache.get_many(keys)
        todo = list(dict.fromkeys(k for k, answer in zip(keys, cached, strict=True) if k and answer is None))
        fresh: dict[str, Answer | None] = {}
        if todo:
            from uts.matching.batching import MicroBatcher
            from uts.matching.embedding import encode

            index = self.embedding_index
            if isinstance(self._encoder, MicroBatcher):  # the search joins the batch too
                found = self._encoder.nearest(index, todo, k=1)
            else:
                encoder = self._encoder
                vectors = encoder.encode(todo) if encoder is not None else encode(todo, backend=self.backend)
                found = index.search_vectors(vectors, k=1)
            for key, candidates in zip(todo, found, strict=True):
                fresh[key] = (candidates[0].concept_id, candidates[0].score) if candidates else None
            self._embed_cache.put_many((k, a) for k, a in fresh.items() if a is not None)
        self._counters.add(encoded=len(todo), embed_cache_hits=len(keys) - len(todo))
        return [fresh.get(k, answer) if k else None for k, answer in zip(keys, cached, strict=True)]

    def warm(self) -> None:
        """Load the encoder, the concept vectors, the English word list and the stems of the labels in other
        languages now rather than on the first query that needs them (the word list alone took the first unknown
        tag of a server from 20 to about 250 ms; the stems and the other languages' word lists about a second).

        One search runs, past the caches and counters: it readies the vectors for searching, and the encoder
        session allocates its buffers on its first run.
        """
        from uts.matching.fuzzy import is_frequent_english, is_known_word

        is_known_word("warm")
        is_frequent_english("warm")  # wordfreq's list too, which a word no dictionary lists is looked up in
        self.lexical_index.warm()  # the stems of other languages' labels, their word frequencies
        if self.embed:
            from uts.matching.embedding import encode

            self.embedding_index.search_vectors(encode(["warm up"], backend=self.backend), k=1)

    # ---- captions -------------------------------------------------------------------------------------

    def resolve_text(self, text: str, *, top_k: int | None = None, min_score: float = 0.0) -> Resolution:
        """A caption to ranked concepts; negated concepts go to ``negated`` and imitated ones ("a man mimics a
        goat") to ``imitated``, never to ``tags``."""
        return self.resolve_texts([text], top_k=top_k, min_score=min_score)[0]

    def resolve_texts(
        self,
        texts: Sequence[str],
        *,
        top_k: int | None = None,
        min_score: float = 0.0,
        on_unmatched: Callable[[int, str], None] | None = None,
    ) -> list[Resolution]:
        """Many captions; the phrases that need the encoder are encoded together in one batch.

        ``on_unmatched(i, phrase)`` hears of each content phrase of caption ``i`` that no concept matched (the
        raw material of vocabulary gaps); such phrases are no abstentions, as most are ordinary words."""
        spotter = self._spotter
        spotted = []
        queries: list[str] = []
        for text in map(nfc, texts):  # spans index the caption in NFC, so accents never split a word
            tokens = tokenize(text)
            found = spotter.spot(tokens, text)
            phrases = spotter.uncovered(tokens, found.covered) if self.embed else []
            spotted.append((text, tokens, found, phrases))
            queries.extend(text[tokens.starts[a] : tokens.ends[b]] for a, b in phrases)
        answers = iter(self._nearest(queries) if queries else [])
        threshold = self.calibration.phrase_threshold
        out: list[Resolution] = []
        for text, tokens, found, phrases in spotted:
            matches, abstained = self._aggregate(found.mentions)
            for a, b in phrases:
                answer = next(answers)
                start, stop = tokens.starts[a], tokens.ends[b]
                if answer is None or answer[1] < threshold:
                    if on_unmatched is not None:
                        on_unmatched(len(out), text[start:stop])
                    continue  # ordinary words that name no concept; not an abstention on a tag
                negated, hedged = any(found.negated[a : b + 1]), any(found.hedged[a : b + 1])
                p = _Pending(text[start:stop], start, stop, negated, hedged)
                result = self._embedding_result(p, answer, threshold, p.query)
                if isinstance(result, Match):
                    if any(found.imitated[a : b + 1]):
                        result = with_flags(result, negated=negated, hedged=hedged, imitated=True)
                    matches.append(result)
                else:
                    abstained.append(result)
            out.append(rank(matches, abstained, top_k, min_score))
        return out

    def mentions(self, text: str) -> list[Mention]:
        """Every place ``text`` names a concept by a label or event word, before levels, merging and ranking (what a
        curator surveys; the encoder is not asked)."""
        text = nfc(text)
        return self._spotter.spot(tokenize(text), text).mentions

    def uncovered_phrases(self, text: str) -> list[str]:
        """The runs of content words no label or event word covers, exactly as the embedding stage reads them
        (what gap mining counts when the encoder is not asked)."""
        text = nfc(text)
        tokens = tokenize(text)
        runs = self._spotter.uncovered(tokens, self._spotter.spot(tokens, text).covered)
        return [text[tokens.starts[a] : tokens.ends[b]] for a, b in runs]

    def _aggregate(self, mentions: list[Mention]) -> tuple[list[Match], list[Abstention]]:
        """One match per (reported concept, polarity, imitation): a long caption names the same things many times.

        The mention that stands for the group is the best asserted one (else the best hedged one), then the
        first; ``count`` says how many mentions the group has.
        """
        target = self._rollup.target
        groups: dict[tuple[str, bool, bool], list[Mention]] = {}
        abstained: list[Abstention] = []
        for m in mentions:
            reported = target(m.concept)
            if reported is None:
                abstained.append(self._outside_level((m.concept, m.method, m.score), m.start, m.end, m.text))
            else:
                groups.setdefault((reported[0], m.negated, m.imitated), []).append(m)
        matches = []
        for group in groups.values():
            best = group[0] if len(group) == 1 else max(group, key=_stands_for_group)
            reported = target(best.concept)
            assert reported is not None
            hit = (best.concept, best.method, best.score)
            matches.append(
                self._as_match(
                    reported, hit, best.start, best.end, best.text, best.negated, best.hedged, len(group), best.imitated
                )
            )
        return matches, abstained


def _flagged(answer: TagAnswer, negated: bool) -> TagAnswer:
    """A tag's answer under a cue around it: a negation negates every concept, a hedge hedges every one."""
    if isinstance(answer, Match):
        return with_flags(answer, negated=answer.negated or negated, hedged=answer.hedged or not negated)
    if isinstance(answer, tuple):
        return tuple(with_flags(m, negated=m.negated or negated, hedged=m.hedged or not negated) for m in answer)
    return answer


def _cues(folded: str) -> Iterator[tuple[tuple[int, int] | None, bool]]:
    """Where the tag inside a cue lies (``(start, end)`` in ``folded``, or None), and whether the cue negates:
    a negation before the tag, a negation after it, a hedge before it. Each check is linear in the tag."""
    m = _NEG_PREFIX.match(folded)
    yield (m.span(1) if m else None), True
    yield negated_suffix(folded), True
    m = _HEDGE_PREFIX.match(folded)
    yield (m.span(1) if m else None), False


def _rstrip_separators(text: str) -> str:
    """``text`` without trailing whitespace, ``_`` and ``:`` (what ``[\\s_:]`` matches), in one pass."""
    end = len(text)
    while end and (text[end - 1] in "_:" or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def negated_suffix(folded: str) -> tuple[int, int] | None:
    """``"drums: none"``, ``"vocals absent"``, ``"noise-free"``: the span of what a trailing cue negates.

    The cue follows separators (spaces, ``_``, ``:``), or a hyphen with separators before it; what it negates is
    the shortest non-empty head before them. A plain scan from the end, so a tag of a million spaces costs a
    million steps, not their square (as the regular expression this replaces did).

    >>> negated_suffix("drums: none"), negated_suffix("noise-free"), negated_suffix("carefree")
    ((0, 5), (0, 5), None)
    """
    for cue in _NEG_SUFFIXES:
        if not folded.endswith(cue):
            continue
        head = folded[: -len(cue)]
        if head and (head[-1] in "_:" or head[-1].isspace()):  # separators, then the cue
            kept = _rstrip_separators(head)
            if kept:
                return 0, len(kept)
            if len(head) >= 2:  # all separators: the head is its first one
                return 0, 1
        elif head.endswith("-"):  # separators and a hyphen, then the cue
            before = head[:-1]
            kept = _rstrip_separators(before)
            if kept:
                return 0, len(kept)
            if before:
                return 0, 1
    return None


def _stands_for_group(m: Mention) -> tuple[bool, float, int]:
    return (not m.hedged, m.score, -m.start)


def _ontology(ontology: Ontology | Path | str | None) -> Ontology:
    if isinstance(ontology, Ontology):
        return ontology
    from uts.ontology.load import load_ontology

    return load_ontology(ontology)


__all__ = ["MODIFIER_FACTOR", "Resolver", "TagAnswer", "concepts", "head"]
