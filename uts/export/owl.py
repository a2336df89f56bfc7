"""OWL 2 export (RDF/XML), so OWL tools (Protégé, owlready2, reasoners) can load UTS as a class hierarchy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uts.export.skos import concept_annotations, new_graph, ordered
from uts.ontology.model import LabelScope

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from uts.ontology import Ontology


def to_owl_graph(ontology: Ontology) -> Graph:
    """Each concept an owl:Class under its broader concepts; SKOS labels and UTS fields as annotations."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

    meta = ontology.metadata
    graph = new_graph(meta)
    root = URIRef(meta.base_iri)
    graph.add((root, RDF.type, OWL.Ontology))
    graph.add((root, OWL.versionIRI, URIRef(meta.version_iri)))
    graph.add((root, OWL.versionInfo, Literal(meta.version)))
    graph.add((root, DCTERMS.title, Literal(meta.title, lang="en")))
    if meta.description:
        graph.add((root, DCTERMS.description, Literal(meta.description, lang="en")))
    if meta.license:
        graph.add((root, DCTERMS.license, URIRef(meta.license)))
    if meta.paper:
        graph.add((root, DCTERMS.source, URIRef(meta.paper)))
    used: set[Node] = {DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.source}
    for concept in ontology.concepts.values():
        node = URIRef(meta.iri(concept.id))
        graph.add((node, RDF.type, OWL.Class))
        graph.add((node, RDFS.label, Literal(concept.label, lang="en")))
        for synonym in concept.translations:  # the class's name in other languages, as OWL tools show it
            if synonym.scope is LabelScope.PREF:
                graph.add((node, RDFS.label, Literal(synonym.label, lang=synonym.lang)))
        for parent in concept.broader:
            graph.add((node, RDFS.subClassOf, URIRef(meta.iri(parent))))
        if concept.comment:
            graph.add((node, RDFS.comment, Literal(concept.comment, lang="en")))
        for predicate, value in concept_annotations(concept, meta):
            graph.add((node, predicate, value))
            used.add(predicate)
    for predicate in used - {OWL.deprecated}:  # owl:deprecated is built into OWL 2
        graph.add((predicate, RDF.type, OWL.AnnotationProperty))
    return graph


def to_owl_xml(ontology: Ontology) -> str:
    return ordered(to_owl_graph(ontology)).serialize(format="xml")
