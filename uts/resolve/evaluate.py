"""`uts eval resolver`: how well the resolver does, measured so that a reader can trust the figures.

Three parts, each against something the resolver was not tuned on:

- lossless: every string of the paper's published vocabularies resolves to its own concept;
- raw-tag variants: a labelled set (``variants.tsv``) written blind to the resolver, split into a dev half
  (thresholds are calibrated on it) and a test half (reported);
- captions: audio-LLM captions of AudioSet clips against the clips' human labels mapped to UTS through
  ``mappings/audioset.sssom.tsv``, beside two baselines run in the same report;
- event recall: of human captions (AudioCaps) that say an event happens ("a man speaks"), the share whose tags
  hold the event's concept;
- multilingual tags: raw tags in Spanish, French, German, Italian, Portuguese, Chinese, Japanese and Russian for
  level-800 concepts, written blind to the curated labels (``tests/data/multilingual_N.tsv`` of a checkout),
  scored per language.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from uts.errors import InvalidError, Problem
from uts.io.atomic import write_atomic
from uts.ontology.model import LANGUAGE_PATTERN, Level
from uts.ontology.ontology import Ontology
from uts.ontology.source import bundled_root
from uts.resolve.config import Calibration
from uts.resolve.model import Abstention, Match
from uts.resolve.resolver import Resolver
from uts.resolve.text import tokenize

VARIANTS_FILE = Path(__file__).with_name("variants.tsv")
# In a checkout only (the package does not ship its tests): the multilingual tag sets, each written blind to the
# curated labels for other level-800 concepts. Each was the test set until a curation pass read its misses; then it
# became a dev set and a fresh one was written (tests/data/multilingual_N.tsv, N = 1, 2, ...; the highest is the test).
MULTILINGUAL_DIR = bundled_root() / "tests" / "data"
MULTILINGUAL_FILE = MULTILINGUAL_DIR / "multilingual_1.tsv"
MULTILINGUAL_SETS = {
    "dev-1": MULTILINGUAL_FILE,
    "dev-2": MULTILINGUAL_DIR / "multilingual_2.tsv",
    "dev-3": MULTILINGUAL_DIR / "multilingual_3.tsv",
    "dev-4": MULTILINGUAL_DIR / "multilingual_4.tsv",
    "test": MULTILINGUAL_DIR / "multilingual_5.tsv",
}
MULTILINGUAL_TEST_FILE = MULTILINGUAL_SETS["test"]
MULTILINGUAL_COLUMNS = ("lang", "tag", "concept_id", "concept_label")
# A set may add a fifth column: the other concepts its writer judged the tag to name exactly as well, written blind
# with the tag ("voz" is the voice and the vocal alike). Scores count them apart from the strict top-1 figure.
MULTILINGUAL_ALSO = "also"
KINDS = ("orthographic", "inflection", "synonym", "typo", "hyponym", "negated", "nonsense")
SPLITS = ("dev", "test")
# Mapping predicates under which a clip labelled with the AudioSet class is also an instance of the UTS
# concept: the same, nearly the same, or a broader concept. narrowMatch and relatedMatch do not carry over.
CARRYING = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch")


class EvaluationDataError(InvalidError):
    """An evaluation input (variants file, captions, segments) is malformed."""

    head = "the evaluation data cannot be used"


# ---- raw-tag variants -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    line: int
    kind: str
    input: str
    expected: frozenset[str]  # concept IDs; empty for nonsense
    split: str
    note: str = ""


def read_variants(ontology: Ontology, path: Path = VARIANTS_FILE) -> list[Variant]:
    """The labelled raw-tag variants, checked: known kinds and splits, expected labels that exist."""
    problems: list[Problem] = []
    out: list[Variant] = []
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = {"kind", "input", "expected", "split"} - set(reader.fieldnames or ())
    if missing:
        lacks = f"the header lacks {', '.join(sorted(missing))}"
        raise EvaluationDataError([Problem(str(path), 1, lacks, "fix the header line")])
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        kind, raw, split = row["kind"].strip(), row["input"], row["split"].strip()
        expected_text = (row["expected"] or "").strip()

        def problem(message: str, fix: str, line: int = line) -> None:
            problems.append(Problem(str(path), line, message, fix))

        if kind not in KINDS:
            problem(f"kind {kind!r} is unknown", f"use one of {', '.join(KINDS)}")
            continue
        if split not in SPLITS:
            problem(f"split {split!r} is unknown", "use dev or test")
        if not raw.strip():
            problem("the input is empty", "write the raw tag")
        if raw in seen:
            problem(f"input {raw!r} is also on line {seen[raw]}", "keep one row per input")
        seen[raw] = line
        expected: set[str] = set()
        if kind == "nonsense":
            if expected_text:
                problem("a nonsense row expects a concept", "leave expected empty: the resolver must abstain")
        elif not expected_text:
            problem(f"a {kind} row has no expected concept", "write the preferred label of the right concept")
        for label in filter(None, (p.strip() for p in expected_text.split("|"))):
            concept = ontology.find(label)
            current = ontology.current(concept.id) if concept is not None else None
            if concept is None:
                problem(f"expected label {label!r} is not a UTS label", "use a preferred label from ontology/terms.tsv")
            elif current is None:
                problem(f"expected label {label!r} names a concept deprecated without replacement", "use a live label")
            else:
                expected.add(current.id)
        out.append(Variant(line, kind, raw, frozenset(expected), split, row.get("note") or ""))
    if problems:
        raise EvaluationDataError(problems, head=f"{len(problems)} problem(s) in the variant set {path}")
    return out


@dataclass
class KindScore:
    kind: str
    split: str
    total: int = 0
    correct: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def _judge(variant: Variant, result: Match | Abstention) -> bool:
    if variant.kind == "nonsense":
        return isinstance(result, Abstention)
    if not isinstance(result, Match):
        return False
    return result.id in variant.expected and result.negated == (variant.kind == "negated")


def _describe(result: Match | Abstention, ontology: Ontology) -> str:
    if isinstance(result, Match):
        flag = " (negated)" if result.negated else ""
        return f"{result.label}{flag} [{result.method} {result.score:.2f}]"
    best = f", best {ontology.concepts[result.best].label} {result.best_score:.2f}" if result.best else ""
    return f"abstained{best}"


def score_variants(resolver: Resolver, variants: Sequence[Variant]) -> list[KindScore]:
    scores: dict[tuple[str, str], KindScore] = {}
    for variant in variants:
        result = resolver.resolve_tag(variant.input)
        score = scores.setdefault((variant.kind, variant.split), KindScore(variant.kind, variant.split))
        score.total += 1
        if _judge(variant, result):
            score.correct += 1
        else:
            score.errors.append(f"{variant.input!r} -> {_describe(result, resolver.ontology)}")
    return sorted(scores.values(), key=lambda s: (KINDS.index(s.kind), s.split))


def calibrate_tags(
    resolver: Resolver, variants: Sequence[Variant]
) -> tuple[tuple[float, float], list[tuple[float, float, float, float]]]:
    """The tag thresholds that best balance answering and abstaining on the dev split: one for embedding
    answers that share a word stem with the tag, and one (never lower) for those that share none.

    Returns the thresholds and the sweep as ``(threshold, unrelated threshold, answer accuracy, abstention
    accuracy)``; the objective is the mean of the two accuracies, so that neither the 7 answerable kinds nor
    the nonsense kind dominates. Ties go to the stricter threshold, then to the middle of the range of unrelated
    thresholds that tie (as far from the errors on either side as the dev split allows).
    """
    probe = Resolver(
        resolver.ontology,
        resolver.config,
        embed=True,
        calibration=Calibration(1.01, resolver.calibration.phrase_threshold),
        embed_cache=resolver.embed_cache,  # the encoder's answers do not depend on the threshold
    )
    dev = [v for v in variants if v.split == "dev"]
    results = [probe.resolve_tag(v.input) for v in dev]
    # Per dev row: its fixed verdict when no embedding answer is in play, else (score, has a cue, right if kept).
    rows: list[tuple[Variant, bool, tuple[float, bool, bool] | None]] = []
    for variant, result in zip(dev, results, strict=True):
        embedded = None
        if isinstance(result, Abstention) and result.best and result.reason.startswith("nearest concept below"):
            negated = variant.kind == "negated"  # a negation prefix stays on an embedding answer
            kept = Match(result.best, "", result.best_score or 0, "embedding", result.span, result.text, negated)
            cue = probe.shares_meaning(result.text[result.span[0] : result.span[1]], result.best)
            embedded = (result.best_score or 0.0, cue, _judge(variant, kept))
        rows.append((variant, _judge(variant, result), embedded))
    sweep = []
    for step in range(40, 100):
        threshold = step / 100
        for unrelated_step in range(step, 100):
            unrelated = unrelated_step / 100
            answer = [0, 0]
            abstain = [0, 0]
            for variant, verdict, embedded in rows:
                if embedded is not None:
                    score, cue, right = embedded
                    verdict = right if score >= (threshold if cue else unrelated) else verdict
                tally = abstain if variant.kind == "nonsense" else answer
                tally[0] += verdict
                tally[1] += 1
            sweep.append((threshold, unrelated, answer[0] / max(1, answer[1]), abstain[0] / max(1, abstain[1])))
    objective = {s[:2]: round((s[2] + s[3]) / 2, 6) for s in sweep}
    best_value = max(objective.values())
    threshold = max(t for (t, _), v in objective.items() if v == best_value)
    tied = sorted(u for (t, u), v in objective.items() if t == threshold and v == best_value)
    unrelated = tied[len(tied) // 2]
    return (threshold, unrelated), sweep


# ---- multilingual tags ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageTag:
    """A raw tag in a language other than English and the concept it names."""

    line: int
    lang: str
    tag: str
    expected: str  # the active concept standing for concept_id
    also: tuple[str, ...] = ()  # concepts the tag names exactly as well, by its writer's judgement


def read_multilingual(ontology: Ontology, path: Path = MULTILINGUAL_FILE) -> list[LanguageTag]:
    """The multilingual tag set (``#`` lines are its notes), checked: language codes, known concepts, one row per
    tag and language, concept labels as the ontology has them, and the IDs of the optional ``also`` column."""
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationDataError(
            [Problem(str(path), 0, f"cannot be read ({exc})", "pass the path of the set")]
        ) from None
    rows = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip() and not line.startswith("#")]
    header = tuple(rows[0][1].split("\t")) if rows else ()
    if header not in (MULTILINGUAL_COLUMNS, (*MULTILINGUAL_COLUMNS, MULTILINGUAL_ALSO)):
        found = rows[0] if rows else (1, "")
        problems.append(
            Problem(
                str(path),
                found[0],
                f"the header is not {' '.join(MULTILINGUAL_COLUMNS)} (and, optionally, {MULTILINGUAL_ALSO})",
                "fix the header line",
            )
        )
        raise EvaluationDataError(problems)
    out: list[LanguageTag] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows[1:]:
        cells = row.split("\t")
        if len(cells) != len(header):
            problems.append(
                Problem(str(path), line, f"{len(cells)} cells, not {len(header)}", f"write {', '.join(header)}")
            )
            continue
        lang, tag, concept_id, concept_label = cells[:4]
        also = tuple(a for a in (cells[4].split("|") if len(cells) > 4 else ()) if a)
        for other in also:
            if other == concept_id or other not in ontology.concepts or ontology.current(other) is None:
                problems.append(
                    Problem(str(path), line, f"{other!r} in also is no other active concept",
                            "list IDs of active concepts other than concept_id, separated by |")
                )  # fmt: skip
        if not LANGUAGE_PATTERN.match(lang) or lang == "en":
            problems.append(
                Problem(str(path), line, f"{lang!r} is no language other than English", "write its ISO 639-1 code")
            )
        if not tag.strip():
            problems.append(Problem(str(path), line, "the tag is empty", "write the tag"))
        if (lang, tag) in seen:
            problems.append(
                Problem(str(path), line, f"{tag!r} ({lang}) is also on line {seen[(lang, tag)]}", "keep one row")
            )
        seen[(lang, tag)] = line
        concept = ontology.concepts.get(concept_id)
        current = ontology.current(concept_id) if concept is not None else None
        if concept is None or current is None:
            problems.append(Problem(str(path), line, f"{concept_id} is no concept (or was deprecated without successor)",
                                    "use the ID of an active concept"))  # fmt: skip
            continue
        if concept.label != concept_label:
            problems.append(Problem(str(path), line, f"{concept_id} is {concept.label!r}, not {concept_label!r}",
                                    f"write {concept.label!r} as its concept_label"))  # fmt: skip
        currents = tuple(c.id for a in also if a in ontology.concepts and (c := ontology.current(a)) is not None)
        out.append(LanguageTag(line, lang, tag, current.id, currents))
    if problems:
        raise EvaluationDataError(problems, head=f"{len(problems)} problem(s) in the multilingual set {path}")
    return out


@dataclass
class LanguageScore:
    lang: str
    total: int = 0
    correct: int = 0
    abstained: int = 0
    also: int = 0  # wrong by the strict figure, but a concept the writer judged the tag to name as well
    errors: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def accuracy_with_also(self) -> float:
        return (self.correct + self.also) / self.total if self.total else 0.0


def score_multilingual(resolver: Resolver, tags: Sequence[LanguageTag], *, hint: bool = False) -> list[LanguageScore]:
    """Top-1 accuracy per language: a tag is right when it resolves to its concept (the concept itself, or the
    ancestor the resolver's level rolls it up to). With ``hint`` each tag is resolved with its language given, as
    a pipeline that knows its tagger's language asks; without, as a tag of unknown language."""
    scores: dict[str, LanguageScore] = {}
    if hint:
        by_lang: dict[str, list[int]] = {}
        for n, t in enumerate(tags):
            by_lang.setdefault(t.lang, []).append(n)
        slots: list[Match | Abstention | None] = [None] * len(tags)
        for lang, ns in by_lang.items():
            for n, answer in zip(ns, resolver.resolve_each([tags[n].tag for n in ns], lang=lang), strict=True):
                slots[n] = answer
        results = cast("list[Match | Abstention]", slots)
    else:
        results = resolver.resolve_each([t.tag for t in tags])
    for tag, result in zip(tags, results, strict=True):
        score = scores.setdefault(tag.lang, LanguageScore(tag.lang))
        score.total += 1
        expected = resolver.target(tag.expected)
        if isinstance(result, Match) and expected is not None and result.id == expected[0] and not result.negated:
            score.correct += 1
            continue
        score.abstained += isinstance(result, Abstention)
        wanted = resolver.ontology.concepts[tag.expected].label
        also = {t[0] for t in map(resolver.target, tag.also) if t is not None}
        if isinstance(result, Match) and result.id in also and not result.negated:
            score.also += 1
            wanted += f"; its writer's also: {result.label}"
        score.errors.append(f"{tag.tag!r} ({wanted}) -> {_describe(result, resolver.ontology)}")
    return [scores[lang] for lang in sorted(scores)]


def overall(scores: Sequence[LanguageScore]) -> LanguageScore:
    """Every language's tags together."""
    total = LanguageScore("all")
    for s in scores:
        total.total += s.total
        total.correct += s.correct
        total.abstained += s.abstained
        total.also += s.also
    return total


# ---- lossless ---------------------------------------------------------------------------------------


@dataclass
class LosslessScore:
    level: str
    total: int
    kept: int
    failures: list[str] = field(default_factory=list)


def score_lossless(ontology: Ontology, *, backend: str = "auto") -> list[LosslessScore]:
    """Every published string of every level resolves, inside that level, to the concept it was curated into."""
    out = []
    for level in Level:
        resolver = Resolver(ontology, level, embed=False, backend=backend)
        score = LosslessScore(level.value, 0, 0)
        for tag in ontology.level_tags(level):
            expected = ontology.current(tag.concept_id)
            result = resolver.resolve_tag(tag.tag)
            score.total += 1
            if (
                isinstance(result, Match)
                and expected is not None
                and result.id == expected.id
                and result.method == "exact"
            ):
                score.kept += 1
            else:
                score.failures.append(f"{tag.index} {tag.tag!r} -> {_describe(result, ontology)}")
        out.append(score)
    return out


# ---- captions ---------------------------------------------------------------------------------------


@dataclass
class CaptionData:
    captions: dict[str, str]
    gold: dict[str, frozenset[str]]  # clip -> UTS concepts its AudioSet labels carry to
    expressible: frozenset[str]  # every UTS concept some AudioSet class carries to
    unmapped_labels: int  # AudioSet label occurrences with no carrying mapping row


def load_caption_data(ontology: Ontology, data_dir: Path, limit: int | None = None) -> CaptionData:
    from uts.vocabularies.audioset import read_segments

    captions_path = data_dir / "gama_audioset" / "captions_dev.json"
    try:
        captions = json.loads(captions_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EvaluationDataError(
            f"{captions_path}: cannot read the captions ({exc}); pass --data-dir pointing at the shared data folder"
        ) from None
    if not isinstance(captions, dict) or not all(isinstance(v, str) for v in captions.values()):
        raise EvaluationDataError(f"{captions_path}: expected a JSON object of YTID -> caption string")
    segments: dict[str, tuple[str, ...]] = {}
    for name in ("eval_segments.csv", "balanced_train_segments.csv"):
        segments.update(read_segments(data_dir / "audioset" / name))
    mapping_set = ontology.mappings.get("audioset")
    if mapping_set is None:
        raise EvaluationDataError("this UTS version has no AudioSet mapping set (mappings/audioset.sssom.tsv)")
    carries: dict[str, set[str]] = {}
    for row in mapping_set.rows:
        if row.predicate_modifier or row.predicate_id not in CARRYING or row.object_id not in ontology.concepts:
            continue
        concept = ontology.current(row.object_id)
        if concept is not None:
            carries.setdefault(row.subject_id.removeprefix("AudioSet:"), set()).add(concept.id)
    clips = sorted(y for y in captions if y in segments)
    if limit is not None:
        clips = clips[:limit]
    missing = [y for y in captions if y not in segments]
    if missing:
        raise EvaluationDataError(
            f"{len(missing)} captioned clips (e.g. {missing[0]}) have no row in the AudioSet segment CSVs; "
            "use the captions and segment files listed together in shared/data/MANIFEST.md"
        )
    gold = {}
    unmapped = 0
    for ytid in clips:
        concepts: set[str] = set()
        for mid in segments[ytid]:
            mapped = carries.get(mid)
            if mapped:
                concepts |= mapped
            else:
                unmapped += 1
        gold[ytid] = frozenset(concepts)
    expressible = frozenset(c for cs in carries.values() for c in cs)
    return CaptionData({y: captions[y] for y in clips}, gold, expressible, unmapped)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, predicted: set[str], gold: frozenset[str] | set[str]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)


@dataclass
class SystemScore(Counts):
    """Flat counts (a concept is right only if the clip's labels carry to it) and hierarchical ones, where
    predictions and gold both include their UTS ancestors, so "dog" earns "animal" when AudioSet says both."""

    system: str = ""
    hierarchical: Counts = field(default_factory=Counts)
    predicted_per_clip: float = 0.0


def score_predictions(
    system: str, data: CaptionData, predictions: Mapping[str, Iterable[str]], ontology: Ontology | None = None
) -> SystemScore:
    """Micro-averaged P/R/F1 over the concepts AudioSet can express (others are neither right nor wrong)."""
    score = SystemScore(system=system)
    kept_total = 0
    closure = _Ancestors(ontology) if ontology is not None else None
    for ytid, gold in data.gold.items():
        predicted = set(predictions.get(ytid, ())) & data.expressible
        kept_total += len(predicted)
        score.add(predicted, gold)
        if closure is not None:
            score.hierarchical.add(closure.expand(predicted, data.expressible), closure.expand(gold, data.expressible))
    score.predicted_per_clip = kept_total / max(1, len(data.gold))
    return score


class _Ancestors:
    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        self.cache: dict[str, frozenset[str]] = {}

    def of(self, concept_id: str) -> frozenset[str]:
        if concept_id not in self.cache:
            self.cache[concept_id] = frozenset(c.id for c in self.ontology.ancestors(concept_id))
        return self.cache[concept_id]

    def expand(self, concepts: Iterable[str], within: frozenset[str]) -> set[str]:
        out = set(concepts)
        for c in list(out):
            out |= self.of(c)
        return out & within


def paper_filter(ontology: Ontology, level: Level, texts: dict[str, str]) -> dict[str, set[str]]:
    """The paper's rule on caption words: keep a lower-cased word only if it is exactly a published tag."""
    tag_to_concept: dict[str, str] = {}
    for tag in ontology.level_tags(level):
        concept = ontology.current(tag.concept_id)
        if concept is not None:
            tag_to_concept.setdefault(tag.tag, concept.id)
    return {
        ytid: {tag_to_concept[w] for w in (w.lower() for w in tokenize(text).texts) if w in tag_to_concept}
        for ytid, text in texts.items()
    }


def whole_caption_embedding(resolver: Resolver, texts: dict[str, str], k: int) -> dict[str, set[str]]:
    """The ``k`` concepts nearest to the embedding of the whole caption."""
    from uts.matching.embedding import encode

    ids = list(texts)
    vectors = encode([texts[y] for y in ids], backend=resolver.backend)
    found = resolver.embedding_index.search_vectors(vectors, k=k)
    return {y: {c.concept_id for c in cands} for y, cands in zip(ids, found, strict=True)}


@dataclass
class NegationCheck:
    negated_mentions: int = 0  # negated concepts reported across clips
    negated_in_gold: int = 0  # ... of which the clip's human labels name (the cue was wrong, or the captioner)
    negated_as_tags: int = 0  # concepts both reported as tags and only negated: must stay 0


def score_captions(
    resolver: Resolver,
    data: CaptionData,
    *,
    k: int = 5,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[SystemScore], NegationCheck]:
    report = progress or (lambda _: None)
    texts = data.captions
    onto = resolver.ontology
    scores = []

    def add(system: str, predictions: Mapping[str, Iterable[str]]) -> None:
        scores.append(score_predictions(system, data, predictions, onto))

    level = resolver.level or Level.L3K
    report("baseline: paper filter on caption words")
    add(f"paper filter on caption words ({level.value})", paper_filter(onto, level, texts))
    lexical = Resolver(onto, resolver.config, embed=False)
    report("resolver, lexical stages only")
    results = dict(zip(texts, lexical.resolve_texts(list(texts.values())), strict=True))
    add("resolver, lexical only", {y: r.ids for y, r in results.items()})
    if resolver.embed:
        report("resolver, with embeddings for uncovered phrases")
        results = dict(zip(texts, resolver.resolve_texts(list(texts.values())), strict=True))
        add("resolver (lexical + phrase embeddings)", {y: r.ids for y, r in results.items()})
        add(
            "resolver, asserted tags only (no hedged)",
            {y: [m.id for m in r.tags if not m.hedged] for y, r in results.items()},
        )
        report(f"baseline: whole-caption embedding top-{k}")
        add(f"whole-caption embedding top-{k}", whole_caption_embedding(resolver, texts, k))
    check = NegationCheck()
    for ytid, result in results.items():
        tags = set(result.ids)
        for m in result.negated:
            check.negated_mentions += 1
            check.negated_in_gold += m.id in data.gold[ytid]
            check.negated_as_tags += m.id in tags
    return scores, check


def score_carried(other: Resolver, data: CaptionData, ontology: Ontology) -> tuple[SystemScore, int]:
    """Another release's resolver scored on this release's yardstick: its tags carried to ``ontology``'s concepts
    (merged and replaced ones to their target), then scored like this release's own. A merge changes what the
    AudioSet labels can call right or wrong (``talking`` merged into ``speech`` makes every caption that says
    someone talks count, in clips with no Speech label), so only this compares the two resolvers, not the two
    graphs. Returns the score and how many returned tags name no concept of ``ontology`` (left out)."""
    version = other.ontology.metadata.version
    results = other.resolve_texts(list(data.captions.values()))
    carried: dict[str, set[str]] = {}
    dropped = 0
    for ytid, result in zip(data.captions, results, strict=True):
        tags: set[str] = set()
        for concept_id in result.ids:
            concept = ontology.current(concept_id) if concept_id in ontology.concepts else None
            if concept is None:
                dropped += 1
            else:
                tags.add(concept.id)
        carried[ytid] = tags
    system = f"resolver of UTS {version}, tags carried to {ontology.metadata.version}"
    return score_predictions(system, data, carried, ontology), dropped


# ---- event recall ---------------------------------------------------------------------------------------


def load_audiocaps(data_dir: Path, split: str = "val") -> list[str]:
    """The captions of an AudioCaps split (``audiocaps/{split}.csv``; ``val`` is the dev split), in file order."""
    path = data_dir / "audiocaps" / f"{split}.csv"
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return [row["caption"] for row in csv.DictReader(f)]
    except (OSError, KeyError, csv.Error) as exc:
        raise EvaluationDataError(f"{path}: cannot read the AudioCaps captions ({exc})") from None


@dataclass
class EventRecall:
    concept: str
    total: int = 0  # captions that say the event happens
    found: int = 0  # ... whose tags hold the concept or a narrower one
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 0.0


def event_recall(resolver: Resolver, texts: Iterable[str], says: re.Pattern[str], concept_id: str) -> EventRecall:
    """Of the ``texts`` in which ``says`` finds the event ("speaks", "talked", "said"), the share whose tags (hedged
    ones too, never negated or imitated ones) hold ``concept_id`` or a concept narrower than it."""
    chosen = [t for t in texts if says.search(t)]
    closure = _Ancestors(resolver.ontology)
    score = EventRecall(concept_id, total=len(chosen))
    for text, result in zip(chosen, resolver.resolve_texts(chosen), strict=True):
        if any(m.id == concept_id or concept_id in closure.of(m.id) for m in result.tags):
            score.found += 1
        else:
            score.misses.append(text)
    return score


def calibrate_phrases(resolver: Resolver, data: CaptionData) -> tuple[float, list[tuple[float, SystemScore]]]:
    """The phrase threshold with the best caption F1 on the dev captions (ties: the stricter threshold)."""
    texts = list(data.captions.values())
    sweep = []
    for step in range(60, 100, 2):
        threshold = step / 100
        probe = Resolver(
            resolver.ontology,
            resolver.config,
            embed=True,
            calibration=Calibration(resolver.calibration.tag_threshold, threshold),
            embed_cache=resolver.embed_cache,  # the encoder answers are the same for every threshold
        )
        results = probe.resolve_texts(texts)
        predictions = {y: r.ids for y, r in zip(data.captions, results, strict=True)}
        sweep.append((threshold, score_predictions(f"phrases >= {threshold:.2f}", data, predictions)))
    best = max(sweep, key=lambda s: (round(s[1].f1, 4), s[0]))
    return best[0], sweep


def write_calibration(calibration: Calibration, path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    unrelated = f"unrelated_threshold = {calibration.unrelated_threshold:.2f}\n"
    text = (
        f"{header}[tags]\nthreshold = {calibration.tag_threshold:.2f}\n{unrelated}\n"
        f"[phrases]\nthreshold = {calibration.phrase_threshold:.2f}\n"
    )
    write_atomic(path, text.encode("utf-8"))
