"""The broader/narrower graph of concepts, as a networkx DiGraph with edges broader -> narrower."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from uts.ontology.model import Concept

if TYPE_CHECKING:
    import networkx as nx


def build_graph(concepts: Iterable[Concept]) -> nx.DiGraph:
    """Nodes are concept IDs; an edge ``a -> b`` means ``a`` is broader than ``b``."""
    import networkx as nx

    graph: nx.DiGraph = nx.DiGraph()
    concepts = list(concepts)
    graph.add_nodes_from(c.id for c in concepts)
    graph.add_edges_from((parent, c.id) for c in concepts for parent in c.broader if parent in graph)
    return graph


def find_cycles(concepts: Iterable[Concept], limit: int = 20) -> list[list[str]]:
    """Up to ``limit`` cycles of broader links, each as the IDs along it (each broader than the next).

    Plain Kahn peeling, so that loading never has to import networkx.
    """
    parents = {c.id: list(c.broader) for c in concepts}
    children: dict[str, list[str]] = {k: [] for k in parents}
    pending = dict.fromkeys(parents, 0)
    for child, ps in parents.items():
        for parent in ps:
            if parent in children:
                children[parent].append(child)
                pending[child] += 1
    queue = [k for k, n in pending.items() if n == 0]
    while queue:
        node = queue.pop()
        for child in children[node]:
            pending[child] -= 1
            if pending[child] == 0:
                queue.append(child)
    stuck = {k for k, n in pending.items() if n > 0}
    # Every stuck node has a stuck parent, so walking up from one always closes a cycle.
    cycles: list[list[str]] = []
    on_a_cycle: set[str] = set()
    for start in sorted(stuck):
        if len(cycles) >= limit:
            break
        if start in on_a_cycle:
            continue
        path: list[str] = []
        seen: dict[str, int] = {}
        node = start
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = min(p for p in parents[node] if p in stuck)
        cycle = path[seen[node] :]
        if not on_a_cycle.intersection(cycle):
            cycles.append(cycle[::-1])
            on_a_cycle.update(cycle)
    return cycles


def ancestors(graph: nx.DiGraph, concept_id: str) -> set[str]:
    """Every concept broader than this one, transitively."""
    import networkx as nx

    return set(nx.ancestors(graph, concept_id))


def descendants(graph: nx.DiGraph, concept_id: str) -> set[str]:
    """Every concept narrower than this one, transitively."""
    import networkx as nx

    return set(nx.descendants(graph, concept_id))


def depth(graph: nx.DiGraph, concept_id: str) -> int:
    """Length of the longest broader chain above the concept (0 for a root)."""
    best = 0
    frontier = {concept_id}
    seen: set[str] = set()
    while frontier:
        parents = {p for n in frontier for p in graph.predecessors(n)} - seen
        if not parents:
            break
        best += 1
        seen |= parents
        frontier = parents
    return best
