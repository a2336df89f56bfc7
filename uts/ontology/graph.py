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


def depth(graph: nx.DiGraph, concept_id: str, memo: dict[str, int] | None = None) -> int:
    """Length of the longest broader chain above the concept (0 for a root).

    In a polyhierarchy the chains above a concept differ in length; this is the longest, by a memoised walk up
    (pass one ``memo`` dict to share the work across many concepts). The graph must be acyclic.
    """
    memo = {} if memo is None else memo
    stack = [concept_id]
    expanded: set[str] = set()  # nodes whose parents are on the stack above them: the current path
    while stack:
        node = stack[-1]
        if node in memo:
            stack.pop()
            continue
        parents = list(graph.predecessors(node))
        pending = [p for p in parents if p not in memo]
        if pending and node not in expanded:
            if any(p in expanded for p in pending):
                raise ValueError(f"the broader links above {concept_id} form a cycle; `uts validate` names it")
            expanded.add(node)
            stack.extend(pending)
            continue
        memo[node] = 1 + max((memo[p] for p in parents), default=-1)
        expanded.discard(node)
        stack.pop()
    return memo[concept_id]
