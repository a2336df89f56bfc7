"""The broader/narrower graph of concepts, as a networkx DiGraph with edges broader -> narrower."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from uts.ontology.model import Concept


def build_graph(concepts: Iterable[Concept]) -> nx.DiGraph:
    """Nodes are concept IDs; an edge ``a -> b`` means ``a`` is broader than ``b``."""
    graph: nx.DiGraph = nx.DiGraph()
    concepts = list(concepts)
    graph.add_nodes_from(c.id for c in concepts)
    graph.add_edges_from((parent, c.id) for c in concepts for parent in c.broader if parent in graph)
    return graph


def find_cycles(graph: nx.DiGraph, limit: int = 20) -> list[list[str]]:
    """Up to ``limit`` distinct cycles, each as the list of IDs along it."""
    if nx.is_directed_acyclic_graph(graph):
        return []
    cycles: list[list[str]] = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1 or any(graph.has_edge(n, n) for n in component):
            sub = graph.subgraph(component)
            cycle = [edge[0] for edge in nx.find_cycle(sub)]
            cycles.append(cycle)
            if len(cycles) >= limit:
                break
    return cycles


def ancestors(graph: nx.DiGraph, concept_id: str) -> set[str]:
    """Every concept broader than this one, transitively."""
    return set(nx.ancestors(graph, concept_id))


def descendants(graph: nx.DiGraph, concept_id: str) -> set[str]:
    """Every concept narrower than this one, transitively."""
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
