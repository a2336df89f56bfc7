"""Captioner output (raw tags or whole captions) to UTS concepts.

Stages, cheapest first: normalisation, exact label/synonym/narrower-term lookup, inflection, typo correction
(never of English words), and embedding nearest neighbours with abstention below a calibrated threshold.
Captions are scanned once for every label (longest match wins, the words inside it count too); only the
content phrases no label covers go to the encoder, and their answers are cached, so a caption stream mostly
costs dictionary lookups. The lexical path never imports torch.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from uts.errors import UTSError
from uts.matching.labels import base_forms
from uts.matching.normalise import normalise
from uts.ontology.model import Level, Status
from uts.ontology.ontology import Ontology
from uts.resolve.model import Abstention, Match, Resolution
from uts.resolve.text import Lexicon, Tokens, cue_scopes, load_lexicon, tokenize

if TYPE_CHECKING:
    from uts.matching.embedding import EmbeddingIndex
    from uts.matching.fuzzy import FuzzyMatcher

CALIBRATION_FILE = Path(__file__).with_name("calibration.toml")
HEDGE_FACTOR = 0.6  # a hedged mention ranks below an asserted one of the same method
NARROWER_SCORE = 0.9  # "poodle" is surely a dog, but the answer is less specific than the input
_SPLIT = re.compile(r"[\s_\-]+")
_NEG_PREFIX = re.compile(r"^(?:no|non|not|without|zero|absence of|lack of)[\s_\-]+(.+)$")
# The same cues after the word: "vocals: none", "drums absent", "noise-free".
_NEG_SUFFIX = re.compile(r"^(.+?)(?:[\s_:]+|[\s_:]*-)(?:none|absent|missing|free)$")
_HEDGE_PREFIX = re.compile(r"^(?:possibly|possible|maybe|perhaps|probably|likely|potential)[\s_\-]+(.+)$")
_HAS_LETTER = re.compile(r"[^\W\d_]")


class ResolverError(UTSError):
    """The resolver was set up wrongly (an unknown level, an unreadable calibration file)."""


@dataclass(frozen=True)
class Calibration:
    """Cosine thresholds under which an embedding neighbour is not trusted (see ``uts eval resolver``)."""

    tag_threshold: float
    phrase_threshold: float

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            return cls(float(data["tags"]["threshold"]), float(data["phrases"]["threshold"]))
        except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
            raise ResolverError(
                f"{path}: cannot read the calibration ({exc}); "
                "restore it from git or rewrite it with `uts eval resolver --calibrate --write`"
            ) from None


@dataclass(slots=True)
class _Mention:
    concept: str
    method: str
    score: float
    start: int
    end: int
    text: str
    negated: bool
    hedged: bool
    origin: str | None = None  # the concept that matched, when it rolled up to ``concept``


@dataclass(slots=True)
class _Pending:
    """A raw tag or phrase that waits for the encoder."""

    query: str
    start: int
    end: int
    text: str
    negated: bool = False
    hedged: bool = False


@dataclass
class ResolverStats:
    """Counters a long-running pipeline can log."""

    encoded: int = 0  # texts sent to the encoder
    embed_cache_hits: int = 0
    tag_cache_hits: int = 0


class Resolver:
    """Resolves raw tags and captions against one ontology version and, optionally, one paper level.

    >>> from uts.ontology.ontology import Ontology
    >>> r = Resolver(Ontology.load(), embed=False)
    >>> [(m.label, m.method) for m in r.resolve_tags(["Hi-Fi", "drums", "lofi"]).tags]
    [('high-fidelity', 'exact'), ('drums', 'exact'), ('lo-fi', 'exact')]
    >>> res = r.resolve_text("A dog barks twice, no music.")
    >>> [m.label for m in res.tags], [m.label for m in res.negated]
    (['dog', 'bark'], ['music'])
    """

    def __init__(
        self,
        ontology: Ontology,
        level: Level | str | None = None,
        *,
        rollup: bool = True,
        embed: bool = True,
        backend: str = "auto",
        calibration: Calibration | None = None,
        lexicon: Lexicon | None = None,
        nested: bool = True,
        cache_size: int = 200_000,
    ) -> None:
        self.ontology = ontology
        try:
            self.level = Level.parse(level) if isinstance(level, str) else level
        except ValueError as exc:
            raise ResolverError(str(exc)) from None
        self.rollup = rollup
        self.embed = embed
        self.nested = nested
        self.backend = backend
        self.calibration = calibration or Calibration.load()
        self.lexicon = lexicon or load_lexicon()
        self.cache_size = cache_size
        self.stats = ResolverStats()

        self._narrower = frozenset(normalise(term) for c in ontology.concepts.values() for term in c.narrower_terms)
        self._words: dict[str, str] = {}
        for key, concept_id in ontology.label_index.items():
            active = self._active(concept_id)
            if active is not None:
                self._words[key] = active
        # Multiword labels as word tuples, with the plural of the last word ("church bells") worked out here
        # rather than per caption word.
        self._phrases: dict[tuple[str, ...], tuple[str, str, float]] = {}
        self._first_len: dict[str, int] = {}
        inflected: dict[tuple[str, ...], tuple[str, str, float]] = {}
        for concept in sorted(ontology.concepts.values(), key=lambda c: c.status is not Status.ACTIVE):
            active = self._active(concept.id)
            if active is None:
                continue
            for label in concept.all_labels:
                parts = tuple(normalise(p) for p in _SPLIT.split(label) if normalise(p))
                if len(parts) < 2:
                    continue
                narrower = "".join(parts) in self._narrower
                self._phrases.setdefault(
                    parts, (active, "narrower", NARROWER_SCORE) if narrower else (active, "exact", 1.0)
                )
                for plural in _plurals(parts[-1]):
                    method = (active, "narrower", NARROWER_SCORE) if narrower else (active, "inflection", 0.97)
                    inflected.setdefault((*parts[:-1], plural), method)
                self._first_len[parts[0]] = max(self._first_len.get(parts[0], 0), len(parts))
        for parts, hit in inflected.items():
            self._phrases.setdefault(parts, hit)
        self._in_level: frozenset[str] | None = None
        if self.level is not None:
            self._in_level = frozenset(c.id for c in ontology.in_level(self.level))
        self._key_cache: dict[str, tuple[str, str, float] | None] = {}
        self._target_cache: dict[str, tuple[str, str | None] | None] = {}
        self._tag_cache: dict[str, Match | Abstention] = {}
        self._embed_cache: dict[str, tuple[str, float] | None] = {}
        self._fuzzy: FuzzyMatcher | None = None
        self._ranks = {c.id: c.rank for c in ontology.concepts.values() if c.rank is not None}
        self._index: EmbeddingIndex | None = None
        lex = self.lexicon
        # Words that are never evidence on their own and never start an encoder phrase.
        self._skip = lex.stopwords | lex.cue_words | lex.caption_framing
        self._framing = frozenset(self._words[k] for k in lex.caption_framing if k in self._words)

    # ---- concepts and levels ------------------------------------------------------------------------

    def _active(self, concept_id: str) -> str | None:
        """The active concept standing for ``concept_id``: itself, or where its ``replaced_by`` chain ends."""
        seen = set()
        while concept_id not in seen:
            seen.add(concept_id)
            concept = self.ontology.concepts[concept_id]
            if concept.status is Status.ACTIVE:
                return concept_id
            if concept.replaced_by is None:
                return None
            concept_id = concept.replaced_by
        return None

    def target(self, concept_id: str) -> tuple[str, str | None] | None:
        """The concept reported for a match: itself inside the level, else its nearest ancestor inside it.

        Returns ``(concept, rolled_up_from)``, or ``None`` when the concept is outside the level and cannot
        roll up (no ancestor inside it, or ``rollup=False``: the paper's behaviour).
        """
        if self._in_level is None or concept_id in self._in_level:
            return concept_id, None
        if concept_id in self._target_cache:
            return self._target_cache[concept_id]
        found: tuple[str, str | None] | None = None
        if self.rollup:
            frontier, seen = [concept_id], {concept_id}
            while frontier and found is None:
                parents = sorted(
                    {p for c in frontier for p in self.ontology.concepts[c].broader if p not in seen},
                    key=lambda p: (self.ontology.concepts[p].rank or 1 << 30, p),
                )
                inside = [p for p in parents if p in self._in_level]
                if inside:
                    found = (inside[0], concept_id)
                seen.update(parents)
                frontier = parents
        self._target_cache[concept_id] = found
        return found

    def _lookup_key(self, key: str) -> tuple[str, str, float] | None:
        """A normalised word or label key to ``(concept, method, score)``: exact, then inflected forms."""
        try:
            return self._key_cache[key]
        except KeyError:
            pass
        hit: tuple[str, str, float] | None = None
        concept_id = self._words.get(key)
        if concept_id is not None:
            hit = (concept_id, "narrower", NARROWER_SCORE) if key in self._narrower else (concept_id, "exact", 1.0)
        else:
            for form in base_forms(key):
                concept_id = self._words.get(form)
                if concept_id is not None:
                    narrower = form in self._narrower
                    hit = (concept_id, "narrower", NARROWER_SCORE) if narrower else (concept_id, "inflection", 0.97)
                    break
        if len(self._key_cache) >= self.cache_size:
            self._key_cache.clear()  # bounded: the words of a long stream are unbounded
        self._key_cache[key] = hit
        return hit

    # ---- raw tags -----------------------------------------------------------------------------------

    def resolve_tag(self, tag: str) -> Match | Abstention:
        """One raw tag to its best concept, or an abstention that says why."""
        return self._resolve_tag_batch([tag])[0]

    def resolve_tags(self, tags: Sequence[str], *, top_k: int | None = None, min_score: float = 0.0) -> Resolution:
        """Raw tags (as an LLM tagger emits them) to ranked concepts; tags naming one concept are merged."""
        results = self._resolve_tag_batch(tags)
        mentions = []
        abstained = []
        for result in results:
            if isinstance(result, Abstention):
                abstained.append(result)
            else:
                mentions.append(result)
        return self._rank(mentions, abstained, top_k, min_score)

    def prefetch_tags(self, tags: Iterable[str]) -> None:
        """Resolve many raw tags ahead (one encoder batch for all that need it); later calls hit the cache."""
        self._resolve_tag_batch(list(dict.fromkeys(tags)))

    def _resolve_tag_batch(self, tags: Sequence[str]) -> list[Match | Abstention]:
        cache = self._tag_cache
        out: list[Match | Abstention | None] = []
        pending: dict[str, tuple[_Pending, list[int]]] = {}
        for tag in tags:
            hit = cache.get(tag)
            if hit is not None:
                self.stats.tag_cache_hits += 1
                out.append(hit)
                continue
            result = self._lexical_tag(tag)
            if isinstance(result, _Pending):
                pending.setdefault(tag, (result, []))[1].append(len(out))
                out.append(None)
            else:
                self._remember(cache, tag, result)
                out.append(result)
        if pending:
            items = list(pending.items())
            answers = self._nearest([p.query for _, (p, _) in items])
            for (tag, (p, slots)), answer in zip(items, answers, strict=True):
                result = self._embedding_result(p, answer, self.calibration.tag_threshold, tag)
                self._remember(cache, tag, result)
                for slot in slots:
                    out[slot] = result
        return [r for r in out if r is not None]

    def _remember(self, cache: dict[str, Match | Abstention], key: str, value: Match | Abstention) -> None:
        if len(cache) >= self.cache_size:
            del cache[next(iter(cache))]
        cache[key] = value

    def _lexical_tag(self, tag: str) -> Match | Abstention | _Pending:
        stripped = tag.strip()
        start = tag.find(stripped) if stripped else 0
        end = start + len(stripped)
        key = normalise(stripped)
        hit = self._lookup_key(key) if key else None
        if hit is not None:
            return self._match(hit, start, end, tag)
        if not _HAS_LETTER.search(stripped):
            return Abstention(tag, (start, end), "no label matches and there are no letters to match on")
        folded = stripped.casefold()
        for pattern, negated in ((_NEG_PREFIX, True), (_NEG_SUFFIX, True), (_HEDGE_PREFIX, False)):
            m = pattern.match(folded)
            if m is not None:
                inner_start, inner_end = start + m.start(1), start + m.end(1)
                inner = tag[inner_start:inner_end]
                result = self._lexical_tag_core(inner, inner_start, inner_end, tag)
                if isinstance(result, Match):
                    return _with_flags(result, negated=negated, hedged=not negated)
                if isinstance(result, _Pending):
                    result.negated, result.hedged = negated, not negated
                    return result
                return result
        return self._lexical_tag_core(stripped, start, end, tag)

    def _lexical_tag_core(self, text: str, start: int, end: int, tag: str) -> Match | Abstention | _Pending:
        hit = self._lookup_key(normalise(text))
        if hit is not None:
            return self._match(hit, start, end, tag)
        typo = self.fuzzy.typo(text, self._ranks)
        if typo is not None:
            return self._match((typo.concept_id, "fuzzy", typo.score), start, end, tag)
        tokens = tokenize(text)
        if len(tokens) > 1:
            spotted = [m for m in self._spot(tokens, text)[0] if not m.negated]
            if spotted:
                # The head of an English noun phrase comes last: "barking dog" is a dog.
                best = max(spotted, key=lambda m: (m.end - m.start, m.start))
                coverage = (best.end - best.start) / max(1, len(text))
                return self._match(
                    (best.concept, "phrase", 0.8 + 0.15 * coverage), start + best.start, start + best.end, tag
                )
        if not self.embed:
            return Abstention(tag, (start, end), "no label matches and embedding matching is off")
        return _Pending(text, start, end, tag)

    def _match(
        self,
        hit: tuple[str, str, float],
        start: int,
        end: int,
        text: str,
        negated: bool = False,
        hedged: bool = False,
    ) -> Match | Abstention:
        concept_id, method, score = hit
        target = self.target(concept_id)
        if target is None:
            return Abstention(
                text,
                (start, end),
                f"{self.ontology.concepts[concept_id].label} is outside level {self.level}",
                concept_id,
                score,
            )
        concept = self.ontology.concepts[target[0]]
        if hedged:
            score *= HEDGE_FACTOR
        return Match(concept.id, concept.label, score, method, (start, end), text, negated, hedged, target[1])

    def _embedding_result(
        self, p: _Pending, answer: tuple[str, float] | None, threshold: float, text: str
    ) -> Match | Abstention:
        if answer is None:
            return Abstention(text, (p.start, p.end), "nothing to embed")
        concept_id, score = answer
        if score < threshold:
            return Abstention(
                text, (p.start, p.end), f"nearest concept below the threshold {threshold:.2f}", concept_id, score
            )
        return self._match((concept_id, "embedding", score), p.start, p.end, text, p.negated, p.hedged)

    @property
    def fuzzy(self) -> FuzzyMatcher:
        if self._fuzzy is None:
            from uts.matching.fuzzy import FuzzyMatcher
            from uts.matching.labels import LabelIndex

            self._fuzzy = FuzzyMatcher(LabelIndex(self.ontology))
        return self._fuzzy

    # ---- embeddings ---------------------------------------------------------------------------------

    @property
    def index(self) -> EmbeddingIndex:
        if self._index is None:
            from uts.matching.embedding import EmbeddingIndex

            self._index = EmbeddingIndex(self.ontology, backend=self.backend, per_label=True)
        return self._index

    def _nearest(self, queries: Sequence[str]) -> list[tuple[str, float] | None]:
        """Nearest active concept and cosine of each query; the encoder sees each distinct query once."""
        keys = [q.strip().casefold() for q in queries]
        cache = self._embed_cache
        todo = list(dict.fromkeys(k for k in keys if k and k not in cache))
        self.stats.embed_cache_hits += len(keys) - len(todo)
        fresh: dict[str, tuple[str, float] | None] = {}
        if todo:
            from uts.matching.embedding import encode

            vectors = encode(todo, backend=self.backend)
            self.stats.encoded += len(todo)
            for key, candidates in zip(todo, self.index.search_vectors(vectors, k=1), strict=True):
                fresh[key] = (candidates[0].concept_id, candidates[0].score) if candidates else None
                if len(cache) >= self.cache_size:
                    del cache[next(iter(cache))]  # oldest first; this call's answers are kept in ``fresh``
                cache[key] = fresh[key]
        return [(fresh[k] if k in fresh else cache.get(k)) if k else None for k in keys]

    def warm(self) -> None:
        """Load the encoder and the concept vectors now rather than on the first query that needs them."""
        if self.embed:
            self._nearest(["warm up"])
            self._embed_cache.clear()

    # ---- captions -----------------------------------------------------------------------------------

    def _spot(self, tokens: Tokens, text: str) -> tuple[list[_Mention], list[bool], list[bool], list[bool]]:
        """Every label in the tokens, longest match first, in one left-to-right pass."""
        keys, starts, ends = tokens.keys, tokens.starts, tokens.ends
        n = len(keys)
        negated, hedged, cues = cue_scopes(keys, self.lexicon)
        covered = [False] * n
        mentions: list[_Mention] = []
        phrases, first_len, words = self._phrases, self._first_len, self._words
        skip = self._skip
        # Where each clause segment ends, so that no phrase crosses punctuation.
        seg_end = [n] * n
        end = n
        for j in range(n - 1, -1, -1):
            if not keys[j]:
                end = j
            seg_end[j] = end
        i = 0
        while i < n:
            key = keys[i]
            if not key or i in cues:
                i += 1
                continue
            length = 0
            hit: tuple[str, str, float] | None = None
            longest = min(first_len.get(key, 0), seg_end[i] - i)
            for size in range(longest, 1, -1):
                hit = phrases.get(tuple(keys[i : i + size]))
                if hit is not None:
                    length = size
                    break
            if hit is None and i + 1 < seg_end[i] and keys[i + 1] not in skip and key not in skip:
                # "bird song", "hi fi": two written words of a one-word label.
                concept_id = words.get(key + keys[i + 1])
                if concept_id is not None:
                    hit, length = (concept_id, "exact", 1.0), 2
            if hit is None and key not in skip:
                hit = self._lookup_key(key)
                length = 1
                if hit is not None and hit[0] in self._framing:
                    hit = None  # "sounds", "settings": framing words in another form
                if hit is None and key.startswith("non") and tokens.texts[i][3:4] == "-":
                    inner = self._lookup_key(key[3:])
                    if inner is not None:
                        negated[i] = True
                        hit = inner
            if hit is None:
                i += 1
                continue
            last = i + length - 1
            start, stop = starts[i], ends[last]
            mentions.append(
                _Mention(
                    hit[0],
                    hit[1],
                    hit[2],
                    start,
                    stop,
                    text[start:stop],
                    any(negated[i : last + 1]),
                    any(hedged[i : last + 1]),
                )
            )
            if self.nested and length > 1:
                # "man speaking" is male-speaker, and also says man and speaking, as a one-word tagger would.
                for j in range(i, last + 1):
                    word = keys[j]
                    if word in skip or len(word) < 3:
                        continue
                    sub = self._lookup_key(word)
                    if sub is not None and sub[0] != hit[0] and sub[0] not in self._framing:
                        mentions.append(
                            _Mention(sub[0], sub[1], sub[2], starts[j], ends[j], tokens.texts[j], negated[j], hedged[j])
                        )
            for j in range(i, last + 1):
                covered[j] = True
            i = last + 1
        for j in cues:
            covered[j] = True
        return mentions, covered, negated, hedged

    def _uncovered_phrases(self, tokens: Tokens, covered: list[bool]) -> list[tuple[int, int]]:
        """Runs of content words (at most three) that no label covers: the only text the encoder sees."""
        out: list[tuple[int, int]] = []
        run: list[int] = []
        skip = self._skip
        keys = tokens.keys

        def flush() -> None:
            for k in range(0, len(run), 3):
                chunk = run[k : k + 3]
                if len(chunk) > 1 or len(keys[chunk[0]]) >= 4:
                    out.append((chunk[0], chunk[-1]))
            run.clear()

        for j, key in enumerate(keys):
            if not key or covered[j] or key in skip or not _HAS_LETTER.search(key):
                if run:
                    flush()
                continue
            run.append(j)
        if run:
            flush()
        return out

    def resolve_text(self, text: str, *, top_k: int | None = None, min_score: float = 0.0) -> Resolution:
        """A caption to ranked concepts; negated concepts go to ``negated``, never to ``tags``."""
        return self.resolve_texts([text], top_k=top_k, min_score=min_score)[0]

    def resolve_texts(
        self, texts: Sequence[str], *, top_k: int | None = None, min_score: float = 0.0
    ) -> list[Resolution]:
        """Many captions; the phrases that need the encoder are encoded together in one batch."""
        spotted = []
        queries: list[str] = []
        for text in texts:
            tokens = tokenize(text)
            mentions, covered, negated_at, hedged_at = self._spot(tokens, text)
            phrases = self._uncovered_phrases(tokens, covered) if self.embed else []
            spotted.append((text, tokens, mentions, phrases, negated_at, hedged_at))
            queries.extend(text[tokens.starts[a] : tokens.ends[b]] for a, b in phrases)
        answers = iter(self._nearest(queries) if queries else [])
        threshold = self.calibration.phrase_threshold
        out = []
        for text, tokens, mentions, phrases, negated_at, hedged_at in spotted:
            matches, abstained = self._aggregate(mentions)
            for a, b in phrases:
                answer = next(answers)
                if answer is None or answer[1] < threshold:
                    continue  # ordinary words that name no concept; not an abstention on a tag
                start, stop = tokens.starts[a], tokens.ends[b]
                p = _Pending(
                    text[start:stop],
                    start,
                    stop,
                    text[start:stop],
                    any(negated_at[a : b + 1]),
                    any(hedged_at[a : b + 1]),
                )
                result = self._embedding_result(p, answer, threshold, p.text)
                (matches if isinstance(result, Match) else abstained).append(result)  # type: ignore[arg-type]
            out.append(self._rank(matches, abstained, top_k, min_score))
        return out

    def _aggregate(self, mentions: list[_Mention]) -> tuple[list[Match], list[Abstention]]:
        """One match per (reported concept, polarity): a long caption names the same things many times over.

        The mention that stands for the group is the best asserted one (else the best hedged one), then the
        first; ``count`` says how many mentions the group has.
        """
        groups: dict[tuple[str, bool], list[_Mention]] = {}
        abstained: list[Abstention] = []
        for m in mentions:
            target = self.target(m.concept)
            if target is None:
                result = self._match((m.concept, m.method, m.score), m.start, m.end, m.text)
                assert isinstance(result, Abstention)
                abstained.append(result)
                continue
            groups.setdefault((target[0], m.negated), []).append(m)
        matches = []
        for group in groups.values():
            best = group[0] if len(group) == 1 else max(group, key=lambda m: (not m.hedged, m.score, -m.start))
            match = self._match(
                (best.concept, best.method, best.score), best.start, best.end, best.text, best.negated, best.hedged
            )
            assert isinstance(match, Match)
            if len(group) > 1:
                match = Match(
                    match.id,
                    match.label,
                    match.score,
                    match.method,
                    match.span,
                    match.text,
                    match.negated,
                    match.hedged,
                    match.rolled_up_from,
                    len(group),
                )
            matches.append(match)
        return matches, abstained

    # ---- ranking ------------------------------------------------------------------------------------

    def _rank(
        self, matches: Iterable[Match], abstained: list[Abstention], top_k: int | None, min_score: float
    ) -> Resolution:
        """One entry per concept, best first: asserted beats hedged, then score, mentions, position."""
        asserted: dict[str, list[Match]] = {}
        denied: dict[str, list[Match]] = {}
        for m in matches:
            (denied if m.negated else asserted).setdefault(m.id, []).append(m)
        tags = [ms[0] if len(ms) == 1 else _merge(ms) for ms in asserted.values()]
        if len(tags) > 1:
            tags.sort(key=_rank_key)
        negated = []
        if denied:
            negated = [_merge(ms) for cid, ms in denied.items() if cid not in asserted]
            negated.sort(key=lambda m: m.span[0])
        result = Resolution(tags=tags, negated=negated, abstained=abstained)
        if min_score > 0:
            kept = [m for m in result.tags if m.score >= min_score]
            result.below_min_score = len(result.tags) - len(kept)
            result.tags = kept
        if top_k is not None and len(result.tags) > top_k:
            result.beyond_top_k = len(result.tags) - top_k
            result.tags = result.tags[:top_k]
        return result


def _plurals(word: str) -> list[str]:
    """Plural spellings of a word, for the last word of multiword labels."""
    out = [word + "s", word + "es"]
    if word.endswith("y") and len(word) > 2:
        out.append(word[:-1] + "ies")
    return out


def _rank_key(m: Match) -> tuple[float, int, int]:
    return (-m.score, -m.count, m.span[0])


def _with_flags(m: Match, *, negated: bool, hedged: bool) -> Match:
    score = m.score * HEDGE_FACTOR if hedged and not m.hedged else m.score
    return Match(m.id, m.label, score, m.method, m.span, m.text, negated, hedged, m.rolled_up_from, m.count)


def _merge(mentions: list[Match]) -> Match:
    """The mentions of one concept as one match: the best asserted one (else the best hedged one) stands for all."""
    sure = [m for m in mentions if not m.hedged]
    best = max(sure or mentions, key=lambda m: (m.score, -m.span[0]))
    if len(mentions) == 1:
        return best
    return Match(
        best.id,
        best.label,
        best.score,
        best.method,
        best.span,
        best.text,
        best.negated,
        best.hedged,
        best.rolled_up_from,
        len(mentions),
    )
