"""SKOS export, so thesaurus tools (Skosmos, VocBench, rdflib) can browse and query UTS as a concept scheme."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from uts.ontology.model import Concept, LabelScope, OntologyMetadata

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from uts.ontology import Ontology

SCHEMA_NS = "https://w3id.org/uts/schema#"
OBO_IN_OWL_NS = "http://www.geneontology.org/formats/oboInOwl#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCT_NS = "http://purl.org/dc/terms/"
OWL_NS = "http://www.w3.org/2002/07/owl#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def prefixes(metadata: OntologyMetadata) -> dict[str, str]:
    """Prefix -> namespace bound in every RDF export (``UTS`` is the concept namespace)."""
    return {
        "rdf": RDF_NS,
        "rdfs": RDFS_NS,
        "xsd": XSD_NS,
        "owl": OWL_NS,
        "skos": SKOS_NS,
        "dct": DCT_NS,
        "oboInOwl": OBO_IN_OWL_NS,
        "utss": SCHEMA_NS,
        "UTS": metadata.concept_namespace,
    }


def new_graph(metadata: OntologyMetadata) -> Graph:
    """An empty graph with exactly our prefixes bound, in rdflib's SimpleMemory store: it fills in half the time of
    the default store (one index, not three) and every serializer writes the same bytes from it."""
    from rdflib import Graph

    graph = Graph(store="SimpleMemory", bind_namespaces="core")
    for prefix, namespace in prefixes(metadata).items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def ordered(graph: Graph) -> Graph:
    """A copy whose store iterates in sorted triple order, so every serializer writes the same bytes."""
    from rdflib import Graph

    copy = Graph(store="SimpleMemory", bind_namespaces="core")
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    keys: dict[Node, str] = {}  # a subject or predicate recurs in dozens of triples: its N3 form is made once

    def key(node: Node) -> str:
        found = keys.get(node)
        if found is None:
            found = keys[node] = node.n3()
        return found

    for triple in sorted(graph, key=lambda t: (key(t[0]), key(t[1]), key(t[2]))):
        copy.add(triple)
    return copy


def concept_annotations(concept: Concept, metadata: OntologyMetadata) -> list[tuple[Node, Node]]:
    """(predicate, object) pairs shared by the SKOS and the OWL export: labels, notes, UTS fields."""
    from rdflib import Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, OWL, SKOS, XSD

    utss = Namespace(SCHEMA_NS)
    scope = {
        LabelScope.PREF: SKOS.prefLabel,
        LabelScope.ALT: SKOS.altLabel,
        LabelScope.HIDDEN: SKOS.hiddenLabel,
        LabelScope.NARROWER: SKOS.hiddenLabel,
    }
    pairs: list[tuple[Node, Node]] = [
        (SKOS.notation, Literal(concept.id)),
        (SKOS.prefLabel, Literal(concept.label, lang="en")),
    ]
    # Every label with its own language tag: skos:prefLabel@es is the Spanish preferred label (one per language).
    pairs += [(scope[s.scope], Literal(s.label, lang=s.lang)) for s in concept.synonyms]
    pairs += [
        (utss.narrowerTerm, Literal(s.label, lang=s.lang)) for s in concept.synonyms if s.scope is LabelScope.NARROWER
    ]
    if concept.definition:
        pairs.append((SKOS.definition, Literal(concept.definition, lang="en")))
    pairs += [(utss.facet, Literal(facet)) for facet in concept.facets]
    pairs += [(utss.domain, Literal(domain.value)) for domain in concept.domains]
    pairs += [(utss.level, Literal(level.value)) for level in concept.levels]
    if concept.rank is not None:
        pairs.append((utss.paperRank, Literal(concept.rank, datatype=XSD.integer)))
    pairs += [(utss.status, Literal(concept.status.value)), (utss.origin, Literal(concept.origin.value))]
    if not concept.is_active:
        pairs.append((OWL.deprecated, Literal(True, datatype=XSD.boolean)))
    if concept.replaced_by:
        pairs.append((DCTERMS.isReplacedBy, URIRef(metadata.iri(concept.replaced_by))))
    pairs += [(URIRef(OBO_IN_OWL_NS + "consider"), URIRef(metadata.iri(c))) for c in concept.consider]
    return pairs


def to_skos_graph(ontology: Ontology) -> Graph:
    """The whole ontology as one skos:ConceptScheme."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

    meta = ontology.metadata
    graph = new_graph(meta)
    scheme = URIRef(meta.base_iri)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, Literal(meta.title, lang="en")))
    if meta.description:
        graph.add((scheme, DCTERMS.description, Literal(meta.description, lang="en")))
    if meta.license:
        graph.add((scheme, DCTERMS.license, URIRef(meta.license)))
    graph.add((scheme, OWL.versionInfo, Literal(meta.version)))
    graph.add((scheme, OWL.versionIRI, URIRef(meta.version_iri)))
    if meta.paper:
        graph.add((scheme, DCTERMS.source, URIRef(meta.paper)))
    for concept in ontology.concepts.values():
        node = URIRef(meta.iri(concept.id))
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, scheme))
        for predicate, value in concept_annotations(concept, meta):
            graph.add((node, predicate, value))
        if concept.comment:
            graph.add((node, SKOS.scopeNote, Literal(concept.comment, lang="en")))
        for parent in concept.broader:
            graph.add((node, SKOS.broader, URIRef(meta.iri(parent))))
            graph.add((URIRef(meta.iri(parent)), SKOS.narrower, node))
        if concept.is_active and not concept.broader:
            graph.add((node, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, node))
    return graph


def to_turtle(ontology: Ontology) -> str:
    return turtle_of(to_skos_graph(ontology))


def to_jsonld(ontology: Ontology) -> str:
    return jsonld_of(to_skos_graph(ontology), ontology.metadata)


def to_skos_texts(ontology: Ontology) -> tuple[str, str]:
    """Turtle and JSON-LD from one graph, as a release writes both (the graph of 60k labels takes seconds)."""
    graph = to_skos_graph(ontology)
    return turtle_of(graph), jsonld_of(graph, ontology.metadata)


def turtle_of(graph: Graph) -> str:
    """Turtle, whose serializer sorts subjects, predicates and objects itself."""
    return graph.serialize(format="turtle")


def jsonld_of(graph: Graph, metadata: OntologyMetadata) -> str:
    """JSON-LD through rdflib's own serializer (never the obsolete rdflib-jsonld plugin), in a stable order: every
    array sorted and every object's keys, so the graph's own order never reaches the bytes."""
    from rdflib.plugins.serializers.jsonld import JsonLDSerializer

    context: dict[str, Any] = dict(prefixes(metadata))
    # JSON-LD 1.1 only uses a term as a prefix if its IRI ends in ':', '/', '#'... or it is flagged as one.
    context["UTS"] = {"@id": metadata.concept_namespace, "@prefix": True}
    buffer = io.BytesIO()
    JsonLDSerializer(graph).serialize(buffer, context=context, auto_compact=True)
    return json.dumps(_canonical(json.loads(buffer.getvalue())), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _canonical(value: Any) -> Any:
    """Sort every JSON array (node lists and multi-valued properties are unordered in JSON-LD)."""
    if isinstance(value, dict):
        return {key: item if key == "@list" else _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value
