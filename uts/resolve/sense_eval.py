"""The word-sense set: real captions, each with an ambiguous word and the concepts it must and must not yield.

``sense_set.tsv`` names AudioCaps captions by ID (their text stays in ``../shared/data``) and, for the word of
each, the sense a reader gives it, the concepts the resolver must return (the right sense's) and must not (the
other senses'). A row is a control when the right sense is the one the word's label names: the resolver must not
lose the common reading while it learns the others. Rows are split dev/test; the senses in
``ontology/senses.tsv`` were tuned on dev only, and the test rows were drawn and annotated after that.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from uts.ontology.ontology import Ontology
from uts.resolve.evaluate import SPLITS, EvaluationDataError
from uts.resolve.resolver import Resolver
from uts.resolve.senses import sense_table
from uts.resolve.text import tokenize

SENSE_SET_FILE = Path(__file__).with_name("sense_set.tsv")
COLUMNS = ("caption", "form", "sense", "split", "must", "must_not", "control")


@dataclass(frozen=True)
class SenseCase:
    """One caption, its ambiguous word, and the concepts (IDs) the resolver must and must not return for it."""

    caption: str  # "audiocaps:<split file>:<audiocap_id>"
    form: str
    sense: str
    split: str
    must: tuple[str, ...]
    must_not: tuple[str, ...]
    control: bool
    line: int


def read_sense_set(ontology: Ontology, path: Path = SENSE_SET_FILE) -> list[SenseCase]:
    """The cases of the sense set; a row naming an unknown form, sense or label fails with its line."""
    senses = {(s.form, s.sense) for s in ontology.senses}
    cases: list[SenseCase] = []
    with path.open(encoding="utf-8", newline="") as f:
        lines = (line for line in f if not line.startswith("#"))
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise EvaluationDataError(f"{path}: the header must be {' '.join(COLUMNS)}")
        for row in reader:
            where = f"{path.name} line {reader.line_num}"
            if (row["form"], row["sense"]) not in senses:
                raise EvaluationDataError(f"{where}: {row['form']!r} has no sense {row['sense']!r} in senses.tsv")
            if row["split"] not in SPLITS:
                raise EvaluationDataError(f"{where}: split {row['split']!r} is not one of {', '.join(SPLITS)}")
            ids = {name: tuple(_concept(ontology, label, where) for label in row[name].split("|") if label)
                   for name in ("must", "must_not")}  # fmt: skip
            cases.append(SenseCase(row["caption"], row["form"], row["sense"], row["split"], ids["must"],
                                   ids["must_not"], row["control"] == "yes", reader.line_num))  # fmt: skip
    return cases


def _concept(ontology: Ontology, label: str, where: str) -> str:
    """The active concept a label names: a concept merged since the row was written answers as its target."""
    concept = ontology.find(label)
    current = ontology.current(concept.id) if concept is not None else None
    if current is None:
        raise EvaluationDataError(f"{where}: {label!r} is no label of an active concept")
    return current.id


def load_captions(data_dir: Path, files: Iterable[str] = ("train", "val")) -> dict[str, str]:
    """AudioCaps captions by the sense set's IDs (``audiocaps:train:97151``)."""
    out: dict[str, str] = {}
    for name in files:
        path = data_dir / "audiocaps" / f"{name}.csv"
        try:
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    out[f"audiocaps:{name}:{row['audiocap_id']}"] = row["caption"]
        except (OSError, KeyError, csv.Error) as exc:
            raise EvaluationDataError(f"{path}: cannot read the AudioCaps captions ({exc})") from None
    return out


@dataclass
class SenseScore:
    """One split: of the tags returned for its captions, how many are a wrong sense; which right ones are missing."""

    split: str
    cases: int = 0
    returned: int = 0  # tags returned for the split's captions
    wrong: int = 0  # ... that a case says must not be returned
    missed: int = 0  # concepts a case says must be returned that are not
    controls: int = 0
    controls_right: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.returned if self.returned else 0.0


def score_senses(resolver: Resolver, cases: Sequence[SenseCase], captions: dict[str, str]) -> list[SenseScore]:
    """Per split, the wrong-sense share of returned tags, misses, and controls answered right.

    Reported concepts are compared as the resolver reports them (rolled up at its level); a caption that two
    cases share counts its tags once per case.
    """
    missing = sorted({c.caption for c in cases} - captions.keys())
    if missing:
        raise EvaluationDataError(f"{len(missing)} captions of the sense set are not in the data, e.g. {missing[0]}")
    texts = [captions[c.caption] for c in cases]
    results = resolver.resolve_texts(texts)
    scores = {split: SenseScore(split) for split in SPLITS}
    for case, text, result in zip(cases, texts, results, strict=True):
        score = scores[case.split]
        got = {m.id for m in result.tags}
        wrong = [c for c in case.must_not if _reported(resolver, c) in got]
        missed = [c for c in case.must if _reported(resolver, c) not in got]
        score.cases += 1
        score.returned += len(got)
        score.wrong += len(wrong)
        score.missed += len(missed)
        if case.control:
            score.controls += 1
            score.controls_right += not wrong and not missed
        if wrong or missed:
            label = resolver.ontology.concepts
            said = ", ".join([*(f"-{label[c].label}" for c in wrong), *(f"+{label[c].label}" for c in missed)])
            score.errors.append(f"{case.form} ({case.sense}) in {text!r}: {said}")
    return [scores[s] for s in SPLITS]


def _reported(resolver: Resolver, concept_id: str) -> str | None:
    target = resolver.target(concept_id)
    return target[0] if target is not None else None


@dataclass(frozen=True)
class SurveyRow:
    """A one-word label as captions use it: how often, and whether its senses are curated."""

    word: str
    label: str
    facet: str
    count: int
    curated: bool
    example: str


def survey(resolver: Resolver, texts: Iterable[str], *, min_count: int = 5) -> list[SurveyRow]:
    """Every one-word label mention in ``texts`` by word and concept, most frequent first, with an example: the
    list a curator reads to find the words that mean something else in running text."""
    table = sense_table(resolver.ontology)
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for text in texts:
        for m in resolver.mentions(text):
            word = m.text.casefold()
            if " " in word:
                continue
            key = (word, m.concept)
            counts[key] += 1
            examples.setdefault(key, text)
    concepts = resolver.ontology.concepts
    rows = []
    for (word, concept_id), n in counts.most_common():
        if n < min_count:
            break
        concept = concepts[concept_id]
        facet = concept.facets[0] if concept.facets else ""
        curated = tokenize(word).keys[0] in table.forms if tokenize(word).keys else False
        rows.append(SurveyRow(word, concept.label, facet, n, curated, examples[(word, concept_id)]))
    return rows


__all__ = [
    "SENSE_SET_FILE",
    "SenseCase",
    "SenseScore",
    "SurveyRow",
    "load_captions",
    "read_sense_set",
    "score_senses",
    "survey",
]
