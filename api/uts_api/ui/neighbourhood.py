"""A concept's neighbourhood laid out for an SVG drawing: its parents above, its children below and its siblings
(the other children of its first parent) beside it. Computed here, drawn by the template: no JavaScript, so the
drawing is there for readers without it, and each box is a link to that concept's page."""

from __future__ import annotations

from dataclasses import dataclass

from uts.ontology.model import Concept, Status
from uts.ontology.ontology import Ontology

WIDTH = 880
BOX_HEIGHT = 30
ROW_Y = {"parent": 20, "self": 110, "child": 200}
MOST_PER_ROW = 7  # more than this and the row says "+N more" (the lists on the page have them all)
MIN_GAP = 8.0
CHAR_WIDTH = 7.2  # px per character of the 13px sans-serif labels, near enough to size the boxes


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    role: str  # parent, self, sibling, child, more
    x: float
    y: float
    width: float
    deprecated: bool = False

    @property
    def text(self) -> str:
        """The label cut to what fits its box."""
        fits = max(3, int((self.width - 12) / CHAR_WIDTH))
        return self.label if len(self.label) <= fits else self.label[: fits - 1] + "…"

    @property
    def cx(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    faint: bool = False


@dataclass(frozen=True)
class Drawing:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int


def _row(concepts: list[Concept], role: str, y: float, left: float, right: float) -> list[Node]:
    shown = concepts[:MOST_PER_ROW]
    labels = [(c.id, c.label, role, c.status is not Status.ACTIVE) for c in shown]
    if len(concepts) > MOST_PER_ROW:
        labels.append(("", f"+{len(concepts) - MOST_PER_ROW} more", "more", False))
    if not labels:
        return []
    widths = [min(160.0, 24 + CHAR_WIDTH * len(label)) for _, label, _, _ in labels]
    room = right - left - MIN_GAP * (len(labels) + 1)
    if sum(widths) > room:  # too wide for its space: every box gets an equal share, labels cut to fit
        widths = [min(w, max(room, 0) / len(labels)) for w in widths]
    gap = max(MIN_GAP, (right - left - sum(widths)) / (len(labels) + 1))
    nodes, x = [], left + gap
    for (cid, label, kind, deprecated), width in zip(labels, widths, strict=True):
        nodes.append(Node(cid, label, kind, x, y, width, deprecated))
        x += width + gap
    return nodes


def neighbourhood(ontology: Ontology, concept_id: str) -> Drawing:
    concept = ontology.get(concept_id)
    parents = [ontology.concepts[b] for b in concept.broader if b in ontology.concepts]
    children = ontology.narrower(concept_id)
    siblings = [c for c in ontology.narrower(parents[0].id) if c.id != concept_id] if parents else []
    top = _row(parents, "parent", ROW_Y["parent"], 0, WIDTH)
    bottom = _row(children, "child", ROW_Y["child"], 0, WIDTH)
    width = min(200.0, 24 + CHAR_WIDTH * len(concept.label))
    middle = Node(concept.id, concept.label, "self", WIDTH / 2 - width / 2, ROW_Y["self"], width)
    # Siblings share the middle row: half on each side of the concept.
    half = siblings[: MOST_PER_ROW - 1]
    left = _row(half[: len(half) // 2], "sibling", ROW_Y["self"], 0, middle.x - 10)
    right = _row(half[len(half) // 2 :], "sibling", ROW_Y["self"], middle.x + width + 10, WIDTH)
    edges = [Edge(p.cx, p.y + BOX_HEIGHT, middle.cx, middle.y) for p in top if p.role == "parent"]
    edges += [Edge(middle.cx, middle.y + BOX_HEIGHT, c.cx, c.y) for c in bottom]
    if top:
        edges += [Edge(top[0].cx, top[0].y + BOX_HEIGHT, s.cx, s.y, faint=True) for s in left + right]
    nodes = [*top, *left, middle, *right, *bottom]
    height = int((ROW_Y["child"] if bottom else ROW_Y["self"]) + BOX_HEIGHT + 12)
    return Drawing(nodes, edges, WIDTH, height)


__all__ = ["Drawing", "Edge", "Node", "neighbourhood"]
