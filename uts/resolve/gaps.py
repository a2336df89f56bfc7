"""Vocabulary gaps mined from a caption corpus: the content phrases no concept matched, most frequent first.

A served resolver counts its gaps as requests come (``uts.store.gaps``, ``GET /v1/gaps``); this is the same
evidence from a whole corpus at once, for a curator to read before a release. Each caption is resolved as
configured; every content phrase no label covers and whose nearest concept lies below the phrase threshold (the
resolver's ``on_unmatched``) is counted under its key: its words case-folded and lemmatised, so "sirens" and
"siren", "whirring" and "whirred" count as one. With the embedding stage off, every phrase no label covers counts.

>>> from uts.resolve import Resolver
>>> mined = mine_gaps(Resolver(embed=False), ["A dog barks near a marquee", "Marquees and a gazebo; a dog barks"])
>>> [(g.key, g.count, g.forms) for g in mined.gaps]
[('marquee', 2, {'marquee': 1, 'marquees': 1}), ('gazebo', 1, {'gazebo': 1})]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from uts.errors import Problem, UsageError, where
from uts.lexical import base_forms, inflections, nfc
from uts.resolve.cache import Answer
from uts.resolve.corpus import Caption, CaptionFileError, read_captions
from uts.resolve.resolver import Resolver
from uts.resolve.text import tokenize

MAX_EXAMPLES = 3
MIN_LEMMA_ZIPF = 1.0  # a base form rarer than this in English (wordfreq) is no word: "whirre", "bodi"
LEMMA_WINDOW = 1.0  # a base form ten times rarer or commoner than the word is another word
BATCH = 256  # captions resolved together: the encoder sees their phrases in one batch
TSV_COLUMNS = ("rank", "key", "text", "count", "forms", "nearest", "nearest_label", "cosine", "examples")


class PhraseGap(BaseModel):
    """One phrase the vocabulary lacks, with how often the corpus used it and where."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(description="The phrase's words case-folded and lemmatised: what counts are grouped by.")
    text: str = Field(description="Its most frequent surface form.")
    count: int = Field(ge=1, description="How many times a caption used it with no concept matching.")
    forms: dict[str, int] = Field(
        description="Every surface form met (case-folded), with its count, most frequent first."
    )
    examples: list[str] = Field(description="Up to three captions it came from.")
    nearest: str | None = Field(
        default=None, description="The concept the encoder found nearest to its most frequent form (turned down)."
    )
    nearest_label: str | None = Field(default=None, description="That concept's preferred label.")
    cosine: float | None = Field(default=None, description="Their cosine; below the phrase threshold.")


class GapMining(BaseModel):
    """What mining a corpus found, and what it read: nothing is dropped without being counted here."""

    model_config = ConfigDict(frozen=True)

    sources: list[str] = Field(default_factory=list, description="The caption files read, in order.")
    release: str = Field(description="The UTS version the resolver ran.")
    level: str | None = Field(description="The paper level it reported, if any.")
    embed: bool = Field(description="Whether the encoder was asked about the phrases no label covers.")
    threshold: float | None = Field(description="The phrase threshold below which a nearest concept is no match.")
    captions: int = Field(ge=0, description="Captions resolved.")
    skipped: int = Field(default=0, ge=0, description="Input records skipped (each reported as a problem).")
    phrases: int = Field(ge=0, description="Content phrases no label covers (what the encoder is asked about).")
    unmatched: int = Field(ge=0, description="Of those, the phrases no concept matched: the gaps, counted.")
    captions_with_gaps: int = Field(default=0, ge=0, description="Captions with at least one unmatched phrase.")
    distinct: int = Field(ge=0, description="Distinct gap keys.")
    gaps: list[PhraseGap] = Field(description="The gaps, most frequent first (then by key); cut to the top asked.")

    @computed_field(description="Unmatched phrases among the content phrases no label covers (0 if none).")
    def unmatched_share(self) -> float:
        return round(self.unmatched / self.phrases, 6) if self.phrases else 0.0

    def to_tsv(self) -> str:
        """The gaps as a curator's sheet: one row each, examples joined by `` | ``; tabs and line breaks in the
        text become spaces."""
        rows = [TSV_COLUMNS]
        for rank, g in enumerate(self.gaps, start=1):
            forms = "|".join(f"{form}:{n}" for form, n in g.forms.items())
            cosine = f"{g.cosine:.4f}" if g.cosine is not None else ""
            examples = " | ".join(e.replace("|", "/") for e in g.examples)
            rows.append((str(rank), g.key, g.text, str(g.count), forms, g.nearest or "", g.nearest_label or "", cosine,
                         examples))  # fmt: skip
        return "".join("\t".join(" ".join(cell.split()) for cell in row) + "\n" for row in rows)


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """A normalised word's base form, for counting: "sirens" and "siren", "whirring" and "whirred" are one gap.

    A plural is what ``inflect``'s dictionary says ("geese": goose; "news" and "series" are their own singular).
    Otherwise the most frequent (wordfreq) of the singulars and verb stems of ``uts.lexical`` that inflect back to
    the word, if it is an English word whose frequency is within a factor of ten of the word's: "morning" is no
    form of "morn", nor "evening" of "even"; else the word is its own lemma.

    >>> [lemma(w) for w in ("sirens", "whirring", "muffled", "geese", "mice", "news", "morning", "evening", "basis")]
    ['siren', 'whir', 'muffle', 'goose', 'mouse', 'news', 'morning', 'evening', 'basis']
    """
    from wordfreq import zipf_frequency

    if len(word) < 4:
        return word
    if not word.endswith(("ss", "us", "is")):  # "glass", "various", "basis" are no plurals
        singular = _inflect().singular_noun(word)
        if isinstance(singular, str):
            known = singular.isalpha() and zipf_frequency(singular, "en") >= MIN_LEMMA_ZIPF
            return singular if known else word
    candidates = [b for b in dict.fromkeys(base_forms(word)) if b != word and len(b) >= 3 and word in inflections(b)]
    if not candidates:
        return word
    zipf = {b: zipf_frequency(b, "en") for b in candidates}
    best = max(candidates, key=lambda b: zipf[b])  # the spelling people use: "whir", not "whirre"
    return (
        best if zipf[best] >= MIN_LEMMA_ZIPF and abs(zipf[best] - zipf_frequency(word, "en")) <= LEMMA_WINDOW else word
    )


@lru_cache(maxsize=1)
def _inflect() -> Any:
    import inflect

    return inflect.engine()


def gap_key(phrase: str) -> str:
    """The key a phrase is counted under: its words normalised and lemmatised, joined by spaces.

    >>> gap_key("Sirens wailing"), gap_key("siren  wails")
    ('siren wail', 'siren wail')
    """
    return " ".join(lemma(k) for k in tokenize(nfc(phrase)).keys if k)


@dataclass
class _Tally:
    count: int = 0
    forms: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)


class GapTally:
    """Unmatched phrases counted by key as captions are resolved; :meth:`top` ranks them."""

    def __init__(self, examples: int = MAX_EXAMPLES) -> None:
        self.examples = examples
        self._keys: dict[str, _Tally] = {}
        self._nearest: dict[str, Answer] = {}  # surface form -> the encoder's nearest concept and cosine
        self.unmatched = 0
        self.captions_with_gaps = 0

    def add(self, phrase: str, caption: str, nearest: Answer | None = None) -> None:
        key = gap_key(phrase)
        if not key:
            return
        self.unmatched += 1
        tally = self._keys.get(key)
        if tally is None:
            tally = self._keys[key] = _Tally()
        tally.count += 1
        tally.forms[" ".join(phrase.casefold().split())] += 1
        if len(tally.examples) < self.examples and caption not in tally.examples:
            tally.examples.append(caption)
        if nearest is not None:
            self._nearest.setdefault(" ".join(phrase.casefold().split()), nearest)

    def __len__(self) -> int:
        return len(self._keys)

    def top(self, resolver: Resolver, limit: int | None = None, min_count: int = 1) -> list[PhraseGap]:
        """The gaps counted at least ``min_count`` times, most frequent first (then by key), at most ``limit``."""
        ranked = sorted(
            ((k, t) for k, t in self._keys.items() if t.count >= min_count), key=lambda kt: (-kt[1].count, kt[0])
        )
        out = []
        labels = resolver.lexical_index.label_of
        for key, tally in ranked[:limit] if limit is not None else ranked:
            forms = dict(sorted(tally.forms.items(), key=lambda fc: (-fc[1], fc[0])))
            text = next(iter(forms))
            near = self._nearest.get(text) or next((self._nearest[f] for f in forms if f in self._nearest), None)
            out.append(
                PhraseGap(
                    key=key, text=text, count=tally.count, forms=forms, examples=list(tally.examples),
                    nearest=near[0] if near else None, nearest_label=labels.get(near[0]) if near else None,
                    cosine=round(near[1], 4) if near else None,
                )
            )  # fmt: skip
        return out


def mine_gaps(
    resolver: Resolver,
    captions: Iterable[str | Caption],
    *,
    top: int | None = None,
    min_count: int = 1,
    examples: int = MAX_EXAMPLES,
    batch: int = BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> GapMining:
    """Resolve every caption and count the phrases no concept matched (see the module's docstring).

    ``on_batch(n)`` hears how many captions have been resolved so far; :func:`mine_files` reads the captions
    from files.
    """
    tally = GapTally(examples)
    phrases = done = 0
    chunk: list[str] = []
    for item in captions:
        chunk.append(item.text if isinstance(item, Caption) else item)
        if len(chunk) >= batch:
            phrases += _resolve(resolver, chunk, tally)
            done += len(chunk)
            chunk = []
            if on_batch is not None:
                on_batch(done)
    if chunk:
        phrases += _resolve(resolver, chunk, tally)
        done += len(chunk)
        if on_batch is not None:
            on_batch(done)
    return GapMining(
        release=resolver.ontology.metadata.version,
        level=resolver.level.value if resolver.level is not None else None,
        embed=resolver.embed,
        threshold=resolver.calibration.phrase_threshold if resolver.embed else None,
        captions=done,
        phrases=phrases,
        unmatched=tally.unmatched,
        captions_with_gaps=tally.captions_with_gaps,
        distinct=len(tally),
        gaps=tally.top(resolver, top, min_count),
    )


def mine_files(
    resolver: Resolver,
    paths: Sequence[Path],
    fmt: str | None = None,
    column: str | None = None,
    *,
    limit: int | None = None,
    on_problem: Callable[[Problem], None] | None = None,
    top: int | None = None,
    min_count: int = 1,
    examples: int = MAX_EXAMPLES,
    batch: int = BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> GapMining:
    """Mine the captions of one or more files (``uts.resolve.corpus``: CSV, TSV, JSON lines, JSON) as one corpus,
    at most ``limit`` of them. Every file is opened and checked before any caption is resolved; each skipped
    record goes to ``on_problem`` and is counted. A corpus with no caption at all is an error."""
    skipped = 0

    def problem(found: Problem) -> None:
        nonlocal skipped
        skipped += 1
        if on_problem is not None:
            on_problem(found)

    if not paths:
        raise UsageError("no caption file to mine: give at least one")
    readers = [read_captions(path, fmt, column, on_problem=problem) for path in paths]
    captions: Iterable[Caption] = chain.from_iterable(readers)
    if limit is not None:
        captions = islice(captions, limit)
    mined = mine_gaps(resolver, captions, top=top, min_count=min_count, examples=examples, batch=batch,
                      on_batch=on_batch)  # fmt: skip
    names = [where(path) for path in paths]
    if mined.captions == 0:
        fix = "check --format and --column"
        raise CaptionFileError([Problem(", ".join(names), 0, f"no caption to mine ({skipped} records skipped)", fix)])
    return mined.model_copy(update={"sources": names, "skipped": skipped})


def _resolve(resolver: Resolver, texts: Sequence[str], tally: GapTally) -> int:
    """Resolve one batch into ``tally``; the number of content phrases no label covered."""
    if not resolver.embed:
        return sum(_uncovered(resolver, text, tally) for text in texts)
    before = resolver.stats
    unmatched: list[tuple[int, str]] = []
    resolver.resolve_texts(texts, on_unmatched=lambda i, phrase: unmatched.append((i, phrase)))
    asked = resolver.stats - before  # every phrase goes to the encoder's cache once: asked, or answered from it
    cache = resolver.embed_cache
    for i, phrase in unmatched:
        tally.add(phrase, texts[i], cache.get(phrase.strip().casefold()))
    tally.captions_with_gaps += len({i for i, _ in unmatched})
    return asked.encoded + asked.embed_cache_hits


def _uncovered(resolver: Resolver, text: str, tally: GapTally) -> int:
    """The lexical resolver never looks at the words no label covers; read them as its embedding stage would."""
    text = nfc(text)
    phrases = resolver.uncovered_phrases(text)
    for phrase in phrases:
        tally.add(phrase, text)
    tally.captions_with_gaps += bool(phrases)
    return len(phrases)


__all__ = ["TSV_COLUMNS", "GapMining", "GapTally", "PhraseGap", "gap_key", "lemma", "mine_files", "mine_gaps"]
