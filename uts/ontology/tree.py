"""Browsing views of the broader/narrower graph: the subtree below a facet root or any concept."""

from __future__ import annotations

from dataclasses import dataclass, field

from uts.ontology.model import Concept, Status, rank_key
from uts.ontology.ontology import Ontology


@dataclass
class TreeNode:
    concept: Concept
    children: list[TreeNode] = field(default_factory=list)
    repeated: bool = False  # shown in full elsewhere (polyhierarchy)

    def size(self) -> int:
        return 1 + sum(child.size() for child in self.children)


def subtree(ontology: Ontology, root_id: str, *, max_depth: int | None = None) -> TreeNode:
    """The active concepts narrower than ``root_id``, children by paper rank (unranked last), then label."""
    shown: set[str] = set()

    def grow(concept: Concept, depth: int) -> TreeNode:
        node = TreeNode(concept)
        if concept.id in shown:
            node.repeated = True
            return node
        shown.add(concept.id)
        if max_depth is not None and depth >= max_depth:
            return node
        children = [c for c in ontology.narrower(concept.id) if c.status is Status.ACTIVE]
        children.sort(key=lambda c: (rank_key(c)[:2], c.label))
        node.children = [grow(child, depth + 1) for child in children]
        return node

    return grow(ontology.get(root_id), 0)


def facet_tree(ontology: Ontology, facet_id: str, *, max_depth: int | None = None) -> TreeNode:
    return subtree(ontology, ontology.facet(facet_id).root, max_depth=max_depth)
