"""Time to write a release's RDF artefacts (Turtle, JSON-LD, OWL) of the bundled UTS, beside the way they were
written before (each format from its own graph in rdflib's default store, JSON-LD and OWL through a sorted copy),
in one run on the same machine. Both must give the same bytes; the benchmark checks that first.

Run: .venv/bin/python benchmarks/bench_export.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from rdflib import Graph

from uts.export import skos
from uts.export.owl import to_owl_graph, to_owl_xml
from uts.ontology import Ontology, load_ontology
from uts.ontology.model import OntologyMetadata


@contextmanager
def _default_store() -> Iterator[None]:
    """Graphs built in rdflib's default (three-index) store, as every export built them before."""
    from uts.export import owl

    def new_graph(metadata: OntologyMetadata) -> Graph:
        graph = Graph(bind_namespaces="core")
        for prefix, namespace in skos.prefixes(metadata).items():
            graph.bind(prefix, namespace, override=True, replace=True)
        return graph

    with mock.patch.object(skos, "new_graph", new_graph), mock.patch.object(owl, "new_graph", new_graph):
        yield


def _sorted_copy(graph: Graph) -> Graph:
    """The sorted copy as it was made before: N3 keys made for every node of every triple."""
    copy = Graph(store="SimpleMemory", bind_namespaces="core")
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    for triple in sorted(graph, key=lambda t: tuple(node.n3() for node in t)):
        copy.add(triple)
    return copy


def baseline(ontology: Ontology) -> tuple[str, str, str]:
    """The former path. Building the graph in the default store is timed in (it is what the exports did)."""
    with _default_store():
        return _baseline(ontology)


def _baseline(ontology: Ontology) -> tuple[str, str, str]:
    turtle = skos.to_skos_graph(ontology).serialize(format="turtle")
    jsonld = skos.jsonld_of(_sorted_copy(skos.to_skos_graph(ontology)), ontology.metadata)
    owl = _sorted_copy(to_owl_graph(ontology)).serialize(format="xml")
    return turtle, jsonld, owl


def now(ontology: Ontology) -> tuple[str, str, str]:
    turtle, jsonld = skos.to_skos_texts(ontology)
    return turtle, jsonld, to_owl_xml(ontology)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ontology = load_ontology()
    labels = sum(len(c.synonyms) + 1 for c in ontology.concepts.values())
    assert baseline(ontology) == now(ontology), "the two paths wrote different bytes"
    print(f"UTS {ontology.metadata.version} source: {len(ontology.concepts)} concepts, {labels} labels")
    print("Turtle + JSON-LD + OWL of one release, seconds (median, min-max):")
    for name, fn in (("before (a graph per format, default store)", baseline), ("now", now)):
        runs = timeit.repeat(lambda fn=fn: fn(ontology), number=1, repeat=args.repeat)  # type: ignore[misc]
        print(f"  {name:45} {statistics.median(runs):6.2f}  ({min(runs):.2f}-{max(runs):.2f})")


if __name__ == "__main__":
    main()
