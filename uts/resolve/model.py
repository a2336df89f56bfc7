"""What the resolver returns: matched concepts, abstentions, and the result of one input.

Plain frozen dataclasses, since they are built on hot paths (hundreds of thousands of tags a second), whose
fields carry descriptions that pydantic reads: an HTTP API declares them with :func:`type_adapter` or
:func:`json_schema`. ``to_json()`` is the compact form of the JSONL stream (rounded scores, defaults left out).

>>> schema = json_schema(Match)
>>> schema["properties"]["rolled_up_from"]["description"].split(";")[0]
'The concept that matched, when it lay outside the requested level and this ancestor stands for it'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, TypeAdapter

Method = Literal["exact", "inflection", "narrower", "fuzzy", "phrase", "embedding"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Match:
    """One UTS concept found in the input, and the evidence for it."""

    id: Annotated[str, Field(description="The concept's ID, e.g. UTS:0000001.")]
    label: Annotated[str, Field(description="The concept's preferred label.")]
    score: Annotated[
        float,
        Field(
            description="How sure the match is, 0 to 1: 1 for an exact label, lower for inflections, narrower "
            "terms, typos, phrases, embeddings and hedged mentions."
        ),
    ]
    method: Annotated[Method, Field(description="The stage that found the concept.")]
    span: Annotated[
        tuple[int, int],
        Field(description="Character range [start, end) of the evidence in the input text (for a raw tag: in it)."),
    ]
    text: Annotated[str, Field(description="The evidence: the raw tag, or the caption words that name the concept.")]
    negated: Annotated[bool, Field(description="Said to be absent ('no music', 'vocals: none').")] = False
    hedged: Annotated[bool, Field(description="Said with doubt ('possibly a siren'); the score is lowered.")] = False
    rolled_up_from: Annotated[
        str | None,
        Field(
            description="The concept that matched, when it lay outside the requested level and this ancestor "
            "stands for it; null otherwise."
        ),
    ] = None
    count: Annotated[int, Field(ge=1, description="How many mentions of the concept the input has.")] = 1
    imitated: Annotated[
        bool,
        Field(description="Said to be imitated, not heard itself ('a man mimics a goat': the goat); never a tag."),
    ] = False
    modifies: Annotated[
        str | None,
        Field(
            description="For a concept a multiword raw tag names besides its head, the ID of the head concept it "
            "qualifies ('soft female vocal': female and soft modify vocal); null for a head and in captions."
        ),
    ] = None
    lang: Annotated[
        str | None,
        Field(
            description="The language of the label that matched (BCP 47, e.g. 'es' for 'perro'), when it is not "
            "English; null for an English label and for embedding matches."
        ),
    ] = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "score": round(self.score, 4),
            "method": self.method,
            "span": list(self.span),
            "text": self.text,
            "negated": self.negated,
            "hedged": self.hedged,
        }
        if self.rolled_up_from:
            out["rolled_up_from"] = self.rolled_up_from
        if self.count > 1:
            out["count"] = self.count
        if self.imitated:
            out["imitated"] = True
        if self.modifies:
            out["modifies"] = self.modifies
        if self.lang is not None:
            out["lang"] = self.lang
        return out


@dataclass(frozen=True, slots=True)
class Abstention:
    """Input the resolver declined to map, with why and the best candidate it turned down."""

    text: Annotated[str, Field(description="The raw tag or caption phrase left unmapped.")]
    span: Annotated[tuple[int, int], Field(description="Character range [start, end) of it in the input.")]
    reason: Annotated[str, Field(description="Why nothing was reported, in words.")]
    best: Annotated[
        str | None, Field(description="The concept ID the resolver came closest to and turned down, if any.")
    ] = None
    best_score: Annotated[float | None, Field(description="The score of that candidate.")] = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "span": list(self.span), "reason": self.reason}
        if self.best is not None:
            out["best"] = self.best
            out["best_score"] = round(self.best_score or 0.0, 4)
        return out


@dataclass(frozen=True, slots=True)
class Resolution:
    """The resolved tags of one input, best first; negated and imitated concepts and abstentions kept apart, never
    lost."""

    tags: Annotated[
        tuple[Match, ...], Field(description="Concepts the input asserts, one per concept, best first.")
    ] = ()
    negated: Annotated[
        tuple[Match, ...], Field(description="Concepts the input says are absent (and never asserts), in text order.")
    ] = ()
    abstained: Annotated[tuple[Abstention, ...], Field(description="Parts of the input mapped to no concept.")] = ()
    below_min_score: Annotated[
        int, Field(ge=0, description="Concepts found but left out of tags for scoring under min_score.")
    ] = 0
    beyond_top_k: Annotated[int, Field(ge=0, description="Concepts found but left out of tags after the top_k.")] = 0
    imitated: Annotated[
        tuple[Match, ...],
        Field(
            description="Concepts the input says are imitated ('a man mimics a goat bleating': goat, bleat) and never "
            "asserts, in text order; the act of imitating is a tag."
        ),
    ] = ()

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.tags]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tags": [m.to_json() for m in self.tags]}
        if self.negated:
            out["negated"] = [m.to_json() for m in self.negated]
        if self.imitated:
            out["imitated"] = [m.to_json() for m in self.imitated]
        if self.abstained:
            out["abstained"] = [a.to_json() for a in self.abstained]
        if self.below_min_score:
            out["below_min_score"] = self.below_min_score
        if self.beyond_top_k:
            out["beyond_top_k"] = self.beyond_top_k
        return out


_adapters: dict[type[Any], TypeAdapter[Any]] = {}


def type_adapter(kind: type[T]) -> TypeAdapter[T]:
    """The pydantic ``TypeAdapter`` of a response type (``Match``, ``Abstention``, ``Resolution``), made once:
    validation, ``dump_json`` and the JSON schema of what an HTTP API returns."""
    adapter = _adapters.get(kind)
    if adapter is None:
        adapter = _adapters.setdefault(kind, TypeAdapter(kind))
    return adapter


def json_schema(kind: type[Any] = Resolution) -> dict[str, Any]:
    """The JSON schema of a response type as an API serialises it, every field described."""
    return type_adapter(kind).json_schema(mode="serialization")


__all__ = ["Abstention", "Match", "Method", "Resolution", "json_schema", "type_adapter"]
