"""Edits as data: every change to UTS is one of these typed operations, with who made it, when and why.

Sheets, the command line, the HTTP API and the web UI all produce these; one pure function
(``uts.ontology.apply.apply_edits``) applies them; a store records them as its change log. Names follow KGCL, the
change language of the Ontology Access Kit, where it has the operation (``NodeRename`` is ``SetField`` of the
label, ``NewSynonym`` is ``AddLabel``, ``NodeObsoletionWithDirectReplacement`` is ``Deprecate`` with
``replaced_by``, ``PlaceUnder``/``RemoveUnder`` are a ``Move``); ``uts.ontology.kgcl`` reads and writes KGCL text.

>>> edit = AddLabel(concept_id="UTS:0000002", label="woofing", scope="alt", author="utsteam:curators")
>>> EditAdapter.validate_json(edit.model_dump_json()) == edit
True
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from uts.ontology.mapping import MappingRow
from uts.ontology.model import ENGLISH, ID_PATTERN, LANGUAGE_PATTERN, Domain, LabelScope, Origin

# Who made an edit, as a CURIE (``utsteam:curators``, ``orcid:0000-0002-...``): SSSOM rows written by an edit
# carry it as their author_id, which SSSOM requires to be a CURIE.
AUTHOR_PATTERN = re.compile(r"^[A-Za-z_][\w.\-]*:\S+$")
DEFAULT_AUTHOR = "utsteam:curators"

SettableField = Literal["label", "definition", "comment", "facets", "domains"]
TEXT_FIELDS = ("label", "definition", "comment")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class EditBase(BaseModel):
    """What every edit carries: the author (a CURIE), the time and the reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    author: str = Field(description="Who made the edit, as a CURIE such as 'utsteam:curators' or 'orcid:0000-...'.")
    time: dt.datetime = Field(default_factory=_now, description="When the edit was made (UTC).")
    reason: str = Field(default="", description="Why: a sentence, an issue link, the sheet it came from.")

    @field_validator("author")
    @classmethod
    def _author(cls, value: str) -> str:
        if not AUTHOR_PATTERN.match(value):
            raise ValueError(f"author {value!r} is not a CURIE like 'utsteam:curators' or 'orcid:0000-0002-1825-0097'")
        return value

    @property
    def subject(self) -> str:
        """The concept (or vocabulary) the edit is about, for messages."""
        return str(getattr(self, "concept_id", "") or getattr(self, "vocabulary", ""))


ConceptId = Annotated[str, Field(pattern=ID_PATTERN.pattern, description="A UTS concept ID like 'UTS:0000001'.")]


class AddConcept(EditBase):
    """Create a concept (KGCL ``NodeCreation``). Its ID comes from the store, which never hands one out twice."""

    op: Literal["add_concept"] = "add_concept"
    concept_id: ConceptId
    label: str = Field(min_length=1)
    origin: Origin = Origin.CURATED
    facets: tuple[str, ...] = ()
    domains: tuple[Domain, ...] = ()
    broader: tuple[ConceptId, ...] = ()
    definition: str = ""
    comment: str = Field(default="", description="Scope note.")


class SetField(EditBase):
    """Set one field of a concept: its preferred label (KGCL ``NodeRename``), definition
    (``NodeTextDefinitionChange``), scope note (``comment``), facets or domains.

    Renaming keeps the old preferred label as an alternative label, so it still resolves. ``old``, when given,
    must be the current value: a precise check that nobody changed the field in between.
    """

    op: Literal["set_field"] = "set_field"
    concept_id: ConceptId
    field: SettableField
    value: str | tuple[str, ...]
    old: str | tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _value_shape(self) -> SetField:
        wants_text = self.field in TEXT_FIELDS
        if wants_text != isinstance(self.value, str):
            kind = "a string" if wants_text else "a list of strings"
            raise ValueError(f"field {self.field!r} takes {kind}")
        if self.field == "label" and not str(self.value).strip():
            raise ValueError("a preferred label cannot be empty")
        return self


Language = Annotated[
    str,
    Field(
        pattern=LANGUAGE_PATTERN.pattern,
        description="The label's language: a BCP 47 primary tag such as 'en' (default), 'es', 'zh'.",
    ),
]


class AddLabel(EditBase):
    """Add an alternative, hidden or narrower label, in English or another language, or the preferred label in
    another language (KGCL ``NewSynonym``, with its language tag)."""

    op: Literal["add_label"] = "add_label"
    concept_id: ConceptId
    label: str = Field(min_length=1)
    scope: LabelScope
    source: str = "uts-curators"
    comment: str = ""
    lang: Language = ENGLISH

    @model_validator(mode="after")
    def _pref_is_not_english(self) -> AddLabel:
        if self.scope is LabelScope.PREF and self.lang == ENGLISH:
            raise ValueError("scope 'pref' is for a label in another language (give lang); rename the concept instead")
        return self


class RemoveLabel(EditBase):
    """Remove a label other than the concept's English preferred one (KGCL ``RemoveSynonym``)."""

    op: Literal["remove_label"] = "remove_label"
    concept_id: ConceptId
    label: str = Field(min_length=1)
    lang: Language = ENGLISH


class Move(EditBase):
    """Give a concept new broader concepts (KGCL ``NodeMove``, ``PlaceUnder``, ``RemoveUnder``)."""

    op: Literal["move"] = "move"
    concept_id: ConceptId
    broader: tuple[ConceptId, ...]
    old: tuple[ConceptId, ...] | None = None


class Merge(EditBase):
    """Merge a concept into another of the same meaning: labels, published tags, narrower concepts and mapping
    rows move to the target, and the merged concept is deprecated with ``replaced_by`` the target."""

    op: Literal["merge"] = "merge"
    concept_id: ConceptId
    into: ConceptId


class Split(EditBase):
    """Split a concept into two or more existing concepts (add them first in the same batch).

    The split concept is deprecated with ``consider`` naming the parts; its labels, published tags and mapping
    rows go to ``heir`` (default: the first part), flagged for review; its narrower concepts move up to its
    own broader concepts.
    """

    op: Literal["split"] = "split"
    concept_id: ConceptId
    into: tuple[ConceptId, ...] = Field(min_length=2)
    heir: ConceptId | None = None

    @model_validator(mode="after")
    def _heir_is_a_part(self) -> Split:
        if self.heir is not None and self.heir not in self.into:
            raise ValueError(f"heir {self.heir} must be one of the parts {', '.join(self.into)}")
        return self


class Deprecate(EditBase):
    """Deprecate a concept (KGCL ``NodeObsoletion``), with a replacement (``...WithDirectReplacement``) or
    candidates to consider. A concept that published tags map to cannot just go: merge or split it."""

    op: Literal["deprecate"] = "deprecate"
    concept_id: ConceptId
    replaced_by: ConceptId | None = None
    consider: tuple[ConceptId, ...] = ()

    @model_validator(mode="after")
    def _successor(self) -> Deprecate:
        if self.replaced_by is None and not self.consider:
            raise ValueError("name a replacement (replaced_by) or candidates to consider")
        return self


class CreateMappingSet(EditBase):
    """Start the mapping set of a vocabulary that has none (its SSSOM header)."""

    op: Literal["create_mapping_set"] = "create_mapping_set"
    vocabulary: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    metadata: dict[str, object]


class AddMapping(EditBase):
    """Add one mapping row to a vocabulary's mapping set."""

    op: Literal["add_mapping"] = "add_mapping"
    vocabulary: str
    row: MappingRow


class RemoveMapping(EditBase):
    """Remove one mapping row, named by subject, predicate, modifier and object."""

    op: Literal["remove_mapping"] = "remove_mapping"
    vocabulary: str
    subject_id: str
    predicate_id: str
    predicate_modifier: Literal["", "Not"] = ""
    object_id: ConceptId


class ReviewMappings(EditBase):
    """A curator's verdict on one class: its reviewed rows replace every earlier row of that subject."""

    op: Literal["review_mappings"] = "review_mappings"
    vocabulary: str
    subject_id: str
    rows: tuple[MappingRow, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_subject(self) -> ReviewMappings:
        others = sorted({r.subject_id for r in self.rows} - {self.subject_id})
        if others:
            raise ValueError(f"every row must have subject {self.subject_id}, not {', '.join(others)}")
        return self


Edit = Annotated[
    AddConcept
    | SetField
    | AddLabel
    | RemoveLabel
    | Move
    | Merge
    | Split
    | Deprecate
    | CreateMappingSet
    | AddMapping
    | RemoveMapping
    | ReviewMappings,
    Field(discriminator="op"),
]
EditAdapter: TypeAdapter[Edit] = TypeAdapter(Edit)
EditListAdapter: TypeAdapter[list[Edit]] = TypeAdapter(list[Edit])

__all__ = [
    "DEFAULT_AUTHOR",
    "AddConcept",
    "AddLabel",
    "AddMapping",
    "CreateMappingSet",
    "Deprecate",
    "Edit",
    "EditAdapter",
    "EditBase",
    "EditListAdapter",
    "Merge",
    "Move",
    "RemoveLabel",
    "RemoveMapping",
    "ReviewMappings",
    "SetField",
    "Split",
]
