"""The UTS data model: concepts, their labels and the paper's published tags, as pydantic models."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from uts.lexical.keys import normalise

ID_PREFIX = "UTS"
ID_PATTERN = re.compile(r"^UTS:\d{7}$")


def format_id(number: int) -> str:
    """``7`` -> ``'UTS:0000007'``; IDs are opaque, the number only orders their creation."""
    return f"{ID_PREFIX}:{number:07d}"


def id_number(concept_id: str) -> int:
    return int(concept_id.split(":", 1)[1])


# C0 and C1 control characters (tab and newline among them: no field may hold one) and the Unicode line and
# paragraph separators, which some readers split lines at. Any of them breaks the TSV sources or the XML of the
# OWL export.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def control_character(*texts: str) -> str | None:
    """The first control character in ``texts``, as ``U+XXXX``, or ``None``."""
    for text in texts:
        found = CONTROL.search(text)
        if found is not None:
            return f"U+{ord(found.group()):04X}"
    return None


def freeze(value: Any) -> Any:
    """A read-only copy of nested dicts and lists (an SSSOM header holds a ``curie_map`` dict)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain dicts and lists again, for writers (YAML, JSON) that want them."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def rank_key(concept: Concept) -> tuple[int, int, str]:
    """The one order of concepts by paper rank: best rank first, unranked (curated) concepts last, then by ID.

    Rank 0 is the best rank, not a missing one (``rank or big`` gets this wrong).

    >>> sorted([Concept(id="UTS:0000002", label="b"), Concept(id="UTS:0000001", label="a", rank=0)], key=rank_key)[0].id
    'UTS:0000001'
    """
    return (0, concept.rank, concept.id) if concept.rank is not None else (1, 0, concept.id)


class Level(StrEnum):
    """The paper's nested vocabulary sizes; a concept is in a level when its best rank is inside it."""

    L800 = "800"
    L1K = "1k"
    L1_5K = "1.5k"
    L2K = "2k"
    L3K = "3k"

    @property
    def size(self) -> int:
        return LEVEL_SIZES[self]

    @classmethod
    def parse(cls, text: str) -> Level:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(level.value for level in cls)
            raise ValueError(f"unknown level {text!r}; choose one of {choices}") from None

    @classmethod
    def containing(cls, rank: int) -> tuple[Level, ...]:
        """Every level whose vocabulary includes the tag at this 0-based paper index."""
        return tuple(level for level in cls if rank < level.size)


LEVEL_SIZES: dict[Level, int] = {
    Level.L800: 800,
    Level.L1K: 1000,
    Level.L1_5K: 1500,
    Level.L2K: 2000,
    Level.L3K: 3000,
}


class Status(StrEnum):
    ACTIVE = "active"
    DEPRECATED = "deprecated"


class Origin(StrEnum):
    """Where a concept comes from: the paper's published vocabulary, or our own curation."""

    PAPER = "paper"
    CURATED = "curated"


class Domain(StrEnum):
    SPEECH = "speech"
    MUSIC = "music"
    ENVIRONMENTAL = "environmental"


class LabelScope(StrEnum):
    """Label kinds beside the concept's (English) preferred label.

    ``pref``: the preferred label in another language (skos:prefLabel with that language tag); only for labels
    that are not English, one per concept and language. ``alt``: synonyms and variants (skos:altLabel).
    ``hidden``: typos, separator, inflected and unaccented variants (skos:hiddenLabel). ``narrower``: a specific
    kind that is not a concept of its own ("poodle" for dog), posted up to this concept as thesauri do (ISO 25964
    "upward posting"); exported as skos:hiddenLabel and utss:narrowerTerm.
    """

    PREF = "pref"
    ALT = "alt"
    HIDDEN = "hidden"
    NARROWER = "narrower"


SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ENGLISH = "en"
# A BCP 47 primary language subtag as UTS writes it: the ISO 639-1 code (639-2/3 where there is none), lower case.
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")


class Synonym(BaseModel):
    """A label other than the concept's English preferred label, in its language, and why it belongs there."""

    model_config = ConfigDict(frozen=True)

    label: str = Field(min_length=1, description="The label as written.")
    scope: LabelScope = Field(
        description="pref: the preferred label in a language other than English; alt: a synonym or variant; hidden: "
        "a typo, separator, inflected or unaccented variant; narrower: a specific kind that is no concept of its "
        "own, posted up to this one."
    )
    source: str = Field(default="", description="Where the label came from (a paper tag, a dataset, a curator).")
    comment: str = Field(default="", description="Why the label belongs to the concept.")
    lang: str = Field(
        default=ENGLISH,
        pattern=LANGUAGE_PATTERN.pattern,
        description="The label's language: a BCP 47 primary tag such as 'en', 'es', 'zh' (Simplified Chinese).",
    )

    @model_validator(mode="after")
    def _pref_is_not_english(self) -> Synonym:
        if self.scope is LabelScope.PREF and self.lang == ENGLISH:
            raise ValueError(
                "scope 'pref' is only for labels in other languages: a concept's English preferred label is its "
                "label in terms.tsv; use alt or hidden"
            )
        return self

    @property
    def is_english(self) -> bool:
        return self.lang == ENGLISH


_SCOPE_ORDER = {LabelScope.PREF: 0, LabelScope.ALT: 1, LabelScope.HIDDEN: 2, LabelScope.NARROWER: 3}


def synonym_order(synonym: Synonym) -> tuple[bool, str, int, str, str]:
    """The canonical order of a concept's labels beside its preferred one: English first, then by language, then
    by scope, then case-insensitively by label."""
    return (synonym.lang != ENGLISH, synonym.lang, _SCOPE_ORDER[synonym.scope], synonym.label.casefold(), synonym.label)


class Concept(BaseModel):
    """One UTS concept; ``rank`` and ``levels`` are derived from the paper alignment."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable ID, never reused: 'UTS:' and seven digits, e.g. 'UTS:0000001'.")
    label: str = Field(min_length=1, description="The preferred label, as the paper's vocabulary spells it.")
    status: Status = Field(default=Status.ACTIVE, description="active, or deprecated (see replaced_by).")
    origin: Origin = Field(
        default=Origin.PAPER, description="paper: from the published vocabulary; curated: added by the curators."
    )
    rank: int | None = Field(
        default=None, description="Best (lowest) TF-IDF index of the concept's paper tags; null for curated ones."
    )
    levels: tuple[Level, ...] = Field(default=(), description="The paper levels (800 ... 3k) the concept is in.")
    facets: tuple[str, ...] = Field(default=(), description="Facet ids: the aspects of sound the concept describes.")
    domains: tuple[Domain, ...] = Field(default=(), description="speech, music and/or environmental.")
    broader: tuple[str, ...] = Field(default=(), description="IDs of the broader concepts (skos:broader).")
    definition: str = Field(default="", description="What the concept means, in one or two sentences.")
    replaced_by: str | None = Field(
        default=None, description="For a deprecated concept: the active concept to use instead."
    )
    consider: tuple[str, ...] = Field(default=(), description="For a deprecated concept: concepts to consider instead.")
    comment: str = Field(default="", description="Scope note: when (not) to use the concept.")
    synonyms: tuple[Synonym, ...] = Field(
        default=(),
        description="Labels other than the English preferred one, each with its scope (pref, alt, hidden, narrower) "
        "and language; English ones first.",
    )

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError(f"concept ID {value!r} is not of the form 'UTS:0000001'")
        return value

    @field_validator("facets")
    @classmethod
    def _check_facets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for facet in value:
            if not SLUG_PATTERN.match(facet):
                raise ValueError(f"facet {facet!r} is not a lower-case slug like 'music-genre'")
        return value

    @property
    def is_active(self) -> bool:
        return self.status is Status.ACTIVE

    @property
    def alt_labels(self) -> list[str]:
        """The English alternative labels."""
        return [s.label for s in self.synonyms if s.scope is LabelScope.ALT and s.lang == ENGLISH]

    @property
    def hidden_labels(self) -> list[str]:
        """The English hidden labels."""
        return [s.label for s in self.synonyms if s.scope is LabelScope.HIDDEN and s.lang == ENGLISH]

    @property
    def narrower_terms(self) -> list[str]:
        """The English narrower terms."""
        return [s.label for s in self.synonyms if s.scope is LabelScope.NARROWER and s.lang == ENGLISH]

    @property
    def all_labels(self) -> list[str]:
        """Every English label, the preferred one first (labels in other languages: :attr:`translations`)."""
        return [self.label, *(s.label for s in self.synonyms if s.lang == ENGLISH)]

    def scoped_labels(self) -> list[tuple[str, LabelScope | None]]:
        """Every English label with its scope; the preferred label first, with scope ``None``."""
        return [(self.label, None), *((s.label, s.scope) for s in self.synonyms if s.lang == ENGLISH)]

    @property
    def translations(self) -> tuple[Synonym, ...]:
        """The labels in languages other than English, by language, then scope (pref first)."""
        return tuple(s for s in self.synonyms if s.lang != ENGLISH)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages other than English the concept has labels in, sorted."""
        return tuple(sorted({s.lang for s in self.synonyms if s.lang != ENGLISH}))

    def pref_label(self, lang: str = ENGLISH) -> str | None:
        """The preferred label in ``lang``: the concept's own label for English, else its ``pref`` label there.

        >>> Concept(id="UTS:0000001", label="dog", synonyms=(Synonym(label="perro", scope="pref", lang="es"),)).pref_label("es")
        'perro'
        """
        if lang == ENGLISH:
            return self.label
        return next((s.label for s in self.synonyms if s.lang == lang and s.scope is LabelScope.PREF), None)


class SenseDomain(StrEnum):
    """The kind of caption a sense belongs to when no cue word decides: one that speaks of music, or not."""

    MUSIC = "music"
    OTHER = "other"


class WordSense(BaseModel):
    """One sense of a word that means different things in running text, and the cues that select it.

    A caption's "metal clanging" is the material, "a metal band" the genre; "an engine running" names no UTS
    concept at all. Senses are curated data (``ontology/senses.tsv``), read by the resolver wherever a word of
    running text would name a concept: a cue word next to the form (``before``, ``after``) or in its clause
    (``context``) decides first, then whether the clause speaks of music (``domain``), then the sense marked
    ``default``. A word said twice in one caption keeps one sense unless a cue within three words of a mention
    says otherwise: a mention that refers back ("the hum returns") takes its earlier mention's sense, one decided
    only by a cue far off in its clause takes the sense the near cues of its other mentions agree on, and no sense
    of one ``domain`` crosses into a clause of the other (``uts.resolve.senses`` gives the rule and why). A sense
    without a concept yields no tag.
    """

    model_config = ConfigDict(frozen=True)

    form: str = Field(
        description="The ambiguous word, normalised (lower case, no separators); its inflected forms too."
    )
    sense: str = Field(description="A slug naming the sense, unique within its form: 'genre', 'material', 'none'.")
    concept_id: str | None = Field(default=None, description="The concept this sense names; empty for none.")
    default: bool = Field(default=False, description="Taken when no cue and no domain decides; one per form.")
    domain: SenseDomain | None = Field(default=None, description="Taken by captions of this kind when no cue decides.")
    before: tuple[str, ...] = Field(default=(), description="Words that select the sense up to three words before it.")
    after: tuple[str, ...] = Field(default=(), description="Words that select the sense up to three words after it.")
    context: tuple[str, ...] = Field(default=(), description="Words that select the sense anywhere in its clause.")
    gloss: str = Field(default="", description="What the sense means when it names no concept (else its definition).")
    comment: str = Field(default="", description="Why the sense and its cues are as they are.")

    @field_validator("form")
    @classmethod
    def _check_form(cls, value: str) -> str:
        if not value or normalise(value) != value:
            raise ValueError(f"form {value!r} is not a normalised word: write {normalise(value)!r}")
        return value

    @field_validator("sense")
    @classmethod
    def _check_sense(cls, value: str) -> str:
        if not SLUG_PATTERN.match(value):
            raise ValueError(f"sense {value!r} is not a lower-case slug like 'genre'")
        return value

    @field_validator("concept_id")
    @classmethod
    def _check_concept(cls, value: str | None) -> str | None:
        if value is not None and not ID_PATTERN.match(value):
            raise ValueError(f"concept ID {value!r} is not of the form 'UTS:0000001'")
        return value

    @field_validator("before", "after", "context")
    @classmethod
    def _check_cues(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for word in value:
            if not word or normalise(word) != word:
                raise ValueError(f"cue {word!r} is not a normalised word: write {normalise(word)!r}")
        return value

    @property
    def cues(self) -> tuple[str, ...]:
        return (*self.before, *self.after, *self.context)


class Facet(BaseModel):
    """A branch of the facet scheme: one of the paper's five aspects, or a sub-facet below one."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="A lower-case slug, e.g. 'music-genre'.")
    label: str = Field(min_length=1, description="The facet's name.")
    parent: str | None = Field(default=None, description="The facet it refines; null for one of the five aspects.")
    root: str = Field(description="The ID of the concept at the top of the facet's tree.")
    definition: str = Field(default="", description="What the facet covers.")

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not SLUG_PATTERN.match(value):
            raise ValueError(f"facet id {value!r} is not a lower-case slug like 'music-genre'")
        return value

    @property
    def is_aspect(self) -> bool:
        return self.parent is None


class PaperTag(BaseModel):
    """One entry of the paper's published vocabulary (index -> tag) and the concept it denotes."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0)
    tag: str = Field(min_length=1)
    concept_id: str
    justification: str
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    author: str = ""
    date: str = ""
    comment: str = ""

    @property
    def levels(self) -> tuple[Level, ...]:
        return Level.containing(self.index)


class OntologyMetadata(BaseModel):
    """Release metadata read from ``ontology/uts.toml``."""

    model_config = ConfigDict(frozen=True)

    id: str = "uts"
    title: str
    version: str
    base_iri: str
    license: str
    description: str = ""
    paper: str = ""
    paper_vocabulary: str = ""

    @property
    def version_iri(self) -> str:
        return f"{self.base_iri}releases/{self.version}"

    @property
    def concept_namespace(self) -> str:
        return f"{self.base_iri}{ID_PREFIX}_"

    def iri(self, concept_id: str) -> str:
        return self.concept_namespace + concept_id.split(":", 1)[1]
