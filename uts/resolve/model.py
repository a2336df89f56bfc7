"""What the resolver returns: matched concepts, abstentions, and the result of one input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Match:
    """One UTS concept found in the input, and the evidence for it.

    ``span`` is the character range of the evidence in the input text (for a raw tag: inside that tag), and
    ``text`` the evidence itself. ``rolled_up_from`` names the concept that matched when it lay outside the
    requested level and its nearest ancestor inside the level stands in for it.
    """

    id: str
    label: str
    score: float
    method: str  # exact | inflection | narrower | fuzzy | phrase | embedding
    span: tuple[int, int]
    text: str
    negated: bool = False
    hedged: bool = False
    rolled_up_from: str | None = None
    count: int = 1

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
        return out


@dataclass(frozen=True, slots=True)
class Abstention:
    """Input the resolver declined to map, with why and the best candidate it turned down."""

    text: str
    span: tuple[int, int]
    reason: str
    best: str | None = None
    best_score: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "span": list(self.span), "reason": self.reason}
        if self.best is not None:
            out["best"] = self.best
            out["best_score"] = round(self.best_score or 0.0, 4)
        return out


@dataclass
class Resolution:
    """The resolved tags of one input, best first; negated concepts and abstentions kept apart, never lost."""

    tags: list[Match] = field(default_factory=list)
    negated: list[Match] = field(default_factory=list)
    abstained: list[Abstention] = field(default_factory=list)
    below_min_score: int = 0  # concepts found but scored under ``min_score``
    beyond_top_k: int = 0  # concepts found but ranked after ``top_k``

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.tags]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tags": [m.to_json() for m in self.tags]}
        if self.negated:
            out["negated"] = [m.to_json() for m in self.negated]
        if self.abstained:
            out["abstained"] = [a.to_json() for a in self.abstained]
        if self.below_min_score:
            out["below_min_score"] = self.below_min_score
        if self.beyond_top_k:
            out["beyond_top_k"] = self.beyond_top_k
        return out
