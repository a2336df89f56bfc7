"""Exports (SKOS Turtle/JSON-LD, OWL, JSON, training labels) round-trip, stay SKOS-consistent and match the paper."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef, plugin
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.serializer import Serializer

from uts.errors import ExportError
from uts.export import ExportFormat, write_export
from uts.export.labels import sidecar_paths
from uts.export.owl import to_owl_graph
from uts.export.skos import OBO_IN_OWL_NS, SCHEMA_NS, to_skos_graph
from uts.ontology import (
    Concept,
    Domain,
    LabelScope,
    Level,
    Ontology,
    Origin,
    PaperTag,
    Status,
    Synonym,
    load_ontology,
)

PAPER_DIR = Path(__file__).parents[1].parent / "shared/data/uts"
REPO = Path(__file__).parents[1]
UTSS = Namespace(SCHEMA_NS)
CONSIDER = URIRef(OBO_IN_OWL_NS + "consider")


@pytest.fixture(scope="module")
def uts() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="module")
def tiny(uts: Ontology) -> Ontology:
    """Five concepts: a broader chain animal > dog > puppy, a deprecated 'doggy' and a curated addition."""

    def concept(number: int, label: str, rank: int | None, **extra: Any) -> Concept:
        extra.setdefault("levels", Level.containing(rank) if rank is not None else ())
        return Concept(id=f"UTS:{number:07d}", label=label, rank=rank, **extra)

    concepts = [
        concept(1, "animal", 1, domains=(Domain.ENVIRONMENTAL,)),
        concept(
            2,
            "dog",
            0,
            broader=("UTS:0000001",),
            definition="A domesticated canine.",
            comment="barking is a separate concept",
            facets=("sound-source",),
            synonyms=(Synonym(label="hound", scope=LabelScope.ALT), Synonym(label="dgo", scope=LabelScope.HIDDEN)),
        ),
        concept(3, "puppy", 3, broader=("UTS:0000002",)),
        concept(4, "doggy", 2, status=Status.DEPRECATED, replaced_by="UTS:0000002", consider=("UTS:0000003",)),
        concept(5, "kennel", None, origin=Origin.CURATED, levels=(Level.L800,)),
    ]
    paper = [
        PaperTag(index=i, tag=tag, concept_id=cid, justification="semapv:LexicalMatching")
        for i, (tag, cid) in enumerate(
            [("dog", "UTS:0000002"), ("animal", "UTS:0000001"), ("doggy", "UTS:0000004"), ("puppy", "UTS:0000003")]
        )
    ]
    return Ontology(metadata=uts.metadata, concepts={c.id: c for c in concepts}, paper=paper)


def iri(ontology: Ontology, concept_id: str) -> URIRef:
    return URIRef(ontology.metadata.iri(concept_id))


def skos_problems(graph: Graph) -> list[str]:
    """SKOS integrity conditions (S14, S13, disjoint alt/hidden), acyclic broader, narrower = inverse of broader."""
    problems: list[str] = []
    for concept in sorted(graph.subjects(RDF.type, SKOS.Concept), key=str):
        per_lang: dict[str | None, int] = defaultdict(int)
        for label in graph.objects(concept, SKOS.prefLabel):
            assert isinstance(label, Literal)
            per_lang[label.language] += 1
        if not per_lang or any(n != 1 for n in per_lang.values()):
            problems.append(f"{concept}: prefLabels per language {dict(per_lang)}")
        pref = set(graph.objects(concept, SKOS.prefLabel))
        alt = set(graph.objects(concept, SKOS.altLabel))
        hidden = set(graph.objects(concept, SKOS.hiddenLabel))
        if pref & (alt | hidden) or alt & hidden:
            problems.append(
                f"{concept}: a label is in two of pref/alt/hidden: {(pref & (alt | hidden)) | (alt & hidden)}"
            )
    broader = {(s, o) for s, o in graph.subject_objects(SKOS.broader)}
    narrower = {(o, s) for s, o in graph.subject_objects(SKOS.narrower)}
    if broader != narrower:
        problems.append(f"narrower is not the inverse of broader: {broader ^ narrower}")
    if not nx.is_directed_acyclic_graph(nx.DiGraph(list(broader))):
        problems.append("skos:broader has a cycle")
    return problems


def triples(graph: Graph) -> set[tuple[Any, Any, Any]]:
    return set(graph)


# ---- formats and options --------------------------------------------------------------------------------


def test_format_parse_accepts_any_case_and_names_choices_when_unknown() -> None:
    assert ExportFormat.parse(" Turtle ") is ExportFormat.TURTLE
    assert ExportFormat.parse("jsonld") is ExportFormat.JSONLD
    with pytest.raises(ValueError, match=r"turtle, jsonld, owl, json, labels"):
        ExportFormat.parse("rdfxml")


def test_labels_need_a_level_and_other_formats_refuse_one(tiny: Ontology, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="--level"):
        write_export(tiny, ExportFormat.LABELS, tmp_path / "labels.json")
    with pytest.raises(ExportError, match="--format labels"):
        write_export(tiny, ExportFormat.TURTLE, tmp_path / "uts.ttl", level=Level.L800)
    assert list(tmp_path.iterdir()) == []


def test_write_export_creates_parent_folders(tiny: Ontology, tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "uts.json"
    assert write_export(tiny, ExportFormat.JSON, target) == [target]
    assert target.is_file()


def test_import_of_export_package_does_not_load_rdf_libraries() -> None:
    code = "import sys, uts, uts.export; print(sorted(m for m in ('rdflib', 'owlready2') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip() == "[]"


# ---- SKOS -----------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("which", ["uts", "tiny"])
@pytest.mark.parametrize(("fmt", "rdf_format"), [(ExportFormat.TURTLE, "turtle"), (ExportFormat.JSONLD, "json-ld")])
def test_skos_serialisations_parse_back_to_the_same_triples(
    which: str, fmt: ExportFormat, rdf_format: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    ontology: Ontology = request.getfixturevalue(which)
    expected = to_skos_graph(ontology)
    (path,) = write_export(ontology, fmt, tmp_path / f"uts.{fmt.value}")
    parsed = Graph().parse(data=path.read_text(encoding="utf-8"), format=rdf_format)
    assert len(parsed) == len(expected)
    assert not any(isinstance(node, BNode) for triple in expected for node in triple)  # so set equality is isomorphism
    assert triples(parsed) == triples(expected)
    assert len(set(parsed.subjects(RDF.type, SKOS.Concept))) == len(ontology.concepts)


class ObsoleteJsonLD(Serializer):
    """Stands in for the old rdflib-jsonld plugin, which the environment also has installed."""

    def serialize(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("the json-ld plugin registry was used instead of rdflib's own serializer")


def test_jsonld_uses_rdflibs_own_serializer_whatever_plugin_is_registered(
    tiny: Ontology, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hijack = plugin.Plugin("json-ld", Serializer, __name__, "ObsoleteJsonLD")
    monkeypatch.setitem(plugin._plugins, ("json-ld", Serializer), hijack)
    with pytest.raises(AssertionError, match="plugin registry"):
        Graph().serialize(format="json-ld")
    (path,) = write_export(tiny, ExportFormat.JSONLD, tmp_path / "uts.jsonld")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["@context"]["skos"] == str(SKOS)
    # JSON-LD 1.1 processors only expand "UTS:..." with a prefix whose IRI ends in '_' if it is flagged as one
    assert document["@context"]["UTS"] == {"@id": tiny.metadata.concept_namespace, "@prefix": True}
    assert len(document["@graph"]) == len(tiny.concepts) + 1


def test_skos_scheme_metadata(uts: Ontology) -> None:
    graph = to_skos_graph(uts)
    meta = uts.metadata
    scheme = URIRef(meta.base_iri)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert graph.value(scheme, DCTERMS.title) == Literal(meta.title, lang="en")
    assert graph.value(scheme, DCTERMS.license) == URIRef(meta.license)
    assert graph.value(scheme, OWL.versionInfo) == Literal(meta.version)
    assert graph.value(scheme, OWL.versionIRI) == URIRef(meta.version_iri)
    assert graph.value(scheme, DCTERMS.source) == URIRef(meta.paper)
    first = iri(uts, "UTS:0000001")
    assert str(first) == "https://w3id.org/uts/UTS_0000001"
    assert graph.value(first, SKOS.notation) == Literal("UTS:0000001")
    assert graph.value(first, SKOS.prefLabel) == Literal(uts.concepts["UTS:0000001"].label, lang="en")
    assert graph.value(first, UTSS.paperRank) == Literal(0)  # xsd:integer
    tops = set(graph.objects(scheme, SKOS.hasTopConcept))
    expected_tops = {iri(uts, c.id) for c in uts.active() if not c.broader}
    assert tops == expected_tops == set(graph.subjects(SKOS.topConceptOf, scheme))


def test_skos_concept_fields_broader_and_deprecation(tiny: Ontology) -> None:
    graph = to_skos_graph(tiny)
    animal, dog, puppy, doggy, kennel = (iri(tiny, f"UTS:{n:07d}") for n in range(1, 6))
    assert set(graph.objects(dog, SKOS.broader)) == {animal}
    assert set(graph.objects(animal, SKOS.narrower)) == {dog}
    assert set(graph.objects(dog, SKOS.narrower)) == {puppy}
    assert set(graph.objects(dog, SKOS.altLabel)) == {Literal("hound", lang="en")}
    assert set(graph.objects(dog, SKOS.hiddenLabel)) == {Literal("dgo", lang="en")}
    assert graph.value(dog, SKOS.definition) == Literal("A domesticated canine.", lang="en")
    assert graph.value(dog, SKOS.scopeNote) == Literal("barking is a separate concept", lang="en")
    assert graph.value(dog, UTSS.facet) == Literal("sound-source")
    assert graph.value(animal, UTSS.domain) == Literal("environmental")
    assert set(graph.objects(dog, UTSS.level)) == {Literal(lv.value) for lv in Level}
    assert graph.value(kennel, UTSS.origin) == Literal("curated")
    assert graph.value(kennel, UTSS.paperRank) is None
    # only active concepts without broader are top concepts
    assert set(graph.subjects(SKOS.topConceptOf, URIRef(tiny.metadata.base_iri))) == {animal, kennel}
    assert graph.value(doggy, OWL.deprecated) == Literal(True)  # xsd:boolean
    assert graph.value(doggy, DCTERMS.isReplacedBy) == dog
    assert graph.value(doggy, CONSIDER) == puppy
    assert graph.value(doggy, UTSS.status) == Literal("deprecated")
    assert graph.value(dog, OWL.deprecated) is None


@pytest.mark.parametrize("which", ["uts", "tiny"])
def test_skos_integrity(which: str, request: pytest.FixtureRequest) -> None:
    assert skos_problems(to_skos_graph(request.getfixturevalue(which))) == []


def test_skos_integrity_check_catches_each_violation(tiny: Ontology) -> None:
    graph = to_skos_graph(tiny)
    animal, dog = iri(tiny, "UTS:0000001"), iri(tiny, "UTS:0000002")
    broken = [
        (animal, SKOS.prefLabel, Literal("beast", lang="en")),
        (dog, SKOS.altLabel, Literal("dgo", lang="en")),
        (animal, SKOS.broader, dog),
    ]
    for triple in broken:
        graph.add(triple)
    problems = skos_problems(graph)
    assert any("prefLabels per language" in p for p in problems)
    assert any("two of pref/alt/hidden" in p for p in problems)
    assert any("narrower is not the inverse" in p for p in problems)
    assert "skos:broader has a cycle" in problems


@pytest.mark.slow
def test_rdf_exports_are_byte_identical_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        code = (
            "import sys; from pathlib import Path; from uts import load_ontology; from uts.export import ExportFormat, write_export\n"
            "o = load_ontology()\n"
            "for f in ('turtle', 'jsonld', 'owl', 'json'): write_export(o, ExportFormat(f), Path(sys.argv[1]) / f)\n"
        )
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env, cwd=REPO)
        outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert sorted(outputs[0]) == ["json", "jsonld", "owl", "turtle"]
    assert outputs[0] == outputs[1]


# ---- OWL ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["uts", "tiny"])
def test_owl_loads_in_owlready2_with_every_class_and_subclass_link(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    owlready2 = pytest.importorskip("owlready2", reason="checking the OWL export in owlready2 needs the 'dev' extra")

    ontology: Ontology = request.getfixturevalue(which)
    (path,) = write_export(ontology, ExportFormat.OWL, tmp_path / "uts.owl")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    assert onto.base_iri == ontology.metadata.base_iri
    classes = {cls.iri: cls for cls in onto.classes()}
    assert len(classes) == len(ontology.concepts)
    assert set(classes) == {ontology.metadata.iri(cid) for cid in ontology.concepts}
    links = {(cls.iri, parent.iri) for cls in classes.values() for parent in cls.is_a if parent is not owlready2.Thing}
    expected = {(ontology.metadata.iri(c.id), ontology.metadata.iri(b)) for c in ontology for b in c.broader}
    assert links == expected
    for concept in ontology:
        labels = {(str(label), label.lang) for label in classes[ontology.metadata.iri(concept.id)].label}
        # The English preferred label, and the preferred label in each other language it has one in.
        expected_labels = {(concept.label, "en")} | {(concept.pref_label(lang), lang) for lang in concept.languages}
        assert labels == expected_labels


def test_owl_graph_annotations_and_deprecation(tiny: Ontology, tmp_path: Path) -> None:
    (path,) = write_export(tiny, ExportFormat.OWL, tmp_path / "uts.owl")
    graph = Graph().parse(path, format="xml")
    assert isomorphic(graph, to_owl_graph(tiny))
    root = URIRef(tiny.metadata.base_iri)
    assert (root, RDF.type, OWL.Ontology) in graph
    assert graph.value(root, OWL.versionIRI) == URIRef(tiny.metadata.version_iri)
    assert graph.value(root, OWL.versionInfo) == Literal(tiny.metadata.version)
    dog, doggy = iri(tiny, "UTS:0000002"), iri(tiny, "UTS:0000004")
    assert graph.value(dog, RDFS.label) == Literal("dog", lang="en")
    assert graph.value(dog, RDFS.subClassOf) == iri(tiny, "UTS:0000001")
    assert graph.value(dog, SKOS.altLabel) == Literal("hound", lang="en")
    assert graph.value(doggy, OWL.deprecated) == Literal(True)  # xsd:boolean
    assert graph.value(doggy, DCTERMS.isReplacedBy) == dog
    for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.definition, DCTERMS.isReplacedBy, UTSS.level):
        assert (prop, RDF.type, OWL.AnnotationProperty) in graph, prop


# ---- JSON -----------------------------------------------------------------------------------------------


def test_json_export(uts: Ontology, tmp_path: Path) -> None:
    (path,) = write_export(uts, ExportFormat.JSON, tmp_path / "uts.json")
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    document = json.loads(text)
    assert document["metadata"]["version"] == uts.metadata.version
    ids = [c["id"] for c in document["concepts"]]
    assert ids == sorted(uts.concepts)
    assert len(ids) == len(uts.concepts)
    first = document["concepts"][0]
    assert first["iri"] == uts.metadata.iri(first["id"])
    assert Concept.model_validate({k: v for k, v in first.items() if k != "iri"}) == uts.concepts[first["id"]]


# ---- labels in other languages -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def multilingual() -> Ontology:
    """The tiny fixture of tests/resources, whose concepts have labels in German, Spanish and Chinese."""
    return load_ontology(REPO / "tests" / "resources" / "tiny")


@pytest.mark.parametrize(("fmt", "rdf_format"), [(ExportFormat.TURTLE, "turtle"), (ExportFormat.JSONLD, "json-ld")])
def test_rdf_labels_carry_their_language_tag(
    multilingual: Ontology, fmt: ExportFormat, rdf_format: str, tmp_path: Path
) -> None:
    (path,) = write_export(multilingual, fmt, tmp_path / "uts.rdf")
    graph = Graph().parse(path, format=rdf_format)
    dog, bark = iri(multilingual, "UTS:0000001"), iri(multilingual, "UTS:0000002")
    assert set(graph.objects(dog, SKOS.prefLabel)) == {
        Literal("dog", lang="en"),
        Literal("perro", lang="es"),
        Literal("Hund", lang="de"),
        Literal("狗", lang="zh"),
    }
    assert set(graph.objects(dog, SKOS.hiddenLabel)) == {Literal("perros", lang="es")}
    assert Literal("ladrar", lang="es") in set(graph.objects(bark, SKOS.altLabel))
    assert Literal("barks", lang="en") in set(graph.objects(bark, SKOS.altLabel))
    assert skos_problems(graph) == []  # one prefLabel per language; pref, alt and hidden disjoint


def test_owl_names_each_class_in_every_language_it_has_a_preferred_label_in(
    multilingual: Ontology, tmp_path: Path
) -> None:
    (path,) = write_export(multilingual, ExportFormat.OWL, tmp_path / "uts.owl")
    graph = Graph().parse(path, format="xml")
    names = set(graph.objects(iri(multilingual, "UTS:0000006"), RDFS.label))
    assert names == {Literal("drum", lang="en"), Literal("tambor", lang="es"), Literal("Trommel", lang="de"),
                     Literal("鼓", lang="zh")}  # fmt: skip


def test_json_export_names_the_language_of_labels_in_other_languages(multilingual: Ontology, tmp_path: Path) -> None:
    (path,) = write_export(multilingual, ExportFormat.JSON, tmp_path / "uts.json")
    concepts = {c["id"]: c for c in json.loads(path.read_text(encoding="utf-8"))["concepts"]}
    bark = concepts["UTS:0000002"]
    assert bark["synonyms"][0] == {"label": "barks", "scope": "alt", "source": "paper", "comment": ""}  # English
    assert {"label": "ladrido", "scope": "pref", "source": "uts-curators", "comment": "", "lang": "es"} in bark[
        "synonyms"
    ]
    for cid, data in concepts.items():
        assert Concept.model_validate({k: v for k, v in data.items() if k != "iri"}) == multilingual.concepts[cid]


def test_training_label_files_stay_english(multilingual: Ontology, tmp_path: Path) -> None:
    english = multilingual.replace(
        concepts={cid: c.model_copy(update={"synonyms": c.synonyms[: len(c.synonyms) - len(c.translations)]})
                  for cid, c in multilingual.concepts.items()}
    )  # fmt: skip
    assert all(not c.translations for c in english)
    with_translations = write_export(multilingual, ExportFormat.LABELS, tmp_path / "a" / "l.json", level=Level.L800)
    without = write_export(english, ExportFormat.LABELS, tmp_path / "b" / "l.json", level=Level.L800)
    assert [p.read_bytes() for p in with_translations] == [p.read_bytes() for p in without]
    assert json.loads(with_translations[0].read_text(encoding="utf-8")) == {
        "0": "dog",
        "1": "bark",
        "2": "high-fidelity",
        "3": "drum",
    }


# ---- training labels ------------------------------------------------------------------------------------


def read_labels(paths: list[Path]) -> tuple[dict[str, str], dict[str, str], list[dict[str, str]]]:
    labels_path, ids_path, compat_path = paths
    assert (ids_path, compat_path) == sidecar_paths(labels_path)
    labels = json.loads(labels_path.read_text(encoding="ascii"))
    ids = json.loads(ids_path.read_text(encoding="ascii"))
    for path, parsed in ((labels_path, labels), (ids_path, ids)):
        assert path.read_text(encoding="ascii") == json.dumps(parsed, indent=2)  # the paper's exact format
        assert list(parsed) == [str(i) for i in range(len(parsed))]
    with compat_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        assert reader.fieldnames == ["paper_index", "paper_tag", "concept_id", "concept_label", "index"]
        rows = list(reader)
    return labels, ids, rows


def paper_file(name: str) -> dict[str, str]:
    path = PAPER_DIR / name
    if not path.exists():
        pytest.skip(f"the paper's {name} is not at {PAPER_DIR}")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def check_compat(uts: Ontology, level: Level, published: dict[str, str], tmp_path: Path) -> list[dict[str, str]]:
    labels, ids, rows = read_labels(write_export(uts, ExportFormat.LABELS, tmp_path / "labels.json", level=level))
    assert len(rows) == level.size == len(published)
    for row in rows:
        tag = published[row["paper_index"]]
        assert row["paper_tag"] == tag
        found = uts.find(tag)
        assert found is not None, tag
        assert row["concept_id"] == found.id, row
        assert tag in found.all_labels
        # reading a model trained on the paper's file in the new file's classes
        assert ids[row["index"]] == found.id
        assert labels[row["index"]] == found.label == row["concept_label"]
    return rows


def test_labels_800_in_the_papers_format(uts: Ontology, tmp_path: Path) -> None:
    paths = write_export(uts, ExportFormat.LABELS, tmp_path / "out" / "label_800.json", level=Level.L800)
    assert [p.name for p in paths] == ["label_800.json", "label_800.concepts.json", "label_800.compat.tsv"]
    labels, ids, rows = read_labels(paths)
    members = uts.in_level(Level.L800)
    assert len(labels) == len(members) == len(ids)
    assert list(labels.values()) == [c.label for c in members]
    for index, concept_id in ids.items():
        assert uts.concepts[concept_id].label == labels[index]
    assert len(rows) == 800
    assert [int(r["paper_index"]) for r in rows] == list(range(800))


def test_labels_800_compat_table_matches_the_papers_file(uts: Ontology, tmp_path: Path) -> None:
    check_compat(uts, Level.L800, paper_file("label_800.json"), tmp_path)


def test_labels_2k_compat_table_follows_the_2k_files_own_order(uts: Ontology, tmp_path: Path) -> None:
    published = paper_file("label_2k.json")
    larger = paper_file("label_3k.json")
    assert (published["1840"], published["1841"]) == (larger["1841"], larger["1840"])
    rows = check_compat(uts, Level.L2K, published, tmp_path)
    assert rows[1840]["paper_tag"] == published["1840"] != larger["1840"]
    assert rows[1841]["paper_tag"] == published["1841"] != larger["1841"]
    assert rows[1840]["concept_id"] != rows[1841]["concept_id"]


def test_labels_skip_curated_and_map_deprecated_tags_to_their_replacement(tiny: Ontology, tmp_path: Path) -> None:
    labels, ids, rows = read_labels(write_export(tiny, ExportFormat.LABELS, tmp_path / "l.json", level=Level.L800))
    assert labels == {"0": "dog", "1": "animal", "2": "puppy"}
    assert ids == {"0": "UTS:0000002", "1": "UTS:0000001", "2": "UTS:0000003"}
    table = [(r["paper_index"], r["paper_tag"], r["concept_id"], r["concept_label"], r["index"]) for r in rows]
    assert table == [
        ("0", "dog", "UTS:0000002", "dog", "0"),
        ("1", "animal", "UTS:0000001", "animal", "1"),
        ("2", "doggy", "UTS:0000002", "dog", "0"),
        ("3", "puppy", "UTS:0000003", "puppy", "2"),
    ]


# ---- command line ---------------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "uts", "export", *args], capture_output=True, text=True, cwd=REPO)


def test_cli_exports_turtle(uts: Ontology, tmp_path: Path) -> None:
    target = tmp_path / "uts.ttl"
    result = run_cli("--format", "turtle", "--output", str(target))
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(target, format="turtle")
    assert len(set(graph.subjects(RDF.type, SKOS.Concept))) == len(uts.concepts)


def test_cli_labels_without_level_fails_naming_the_option(tmp_path: Path) -> None:
    result = run_cli("--format", "labels", "--output", str(tmp_path / "labels.json"))
    assert result.returncode == 2  # a usage error
    assert "--level" in result.stderr
    assert not (tmp_path / "labels.json").exists()


def test_cli_unknown_format_lists_the_choices(tmp_path: Path) -> None:
    result = run_cli("--format", "rdfxml", "--output", str(tmp_path / "x"))
    assert result.returncode != 0
    assert "rdfxml" in result.stderr
    assert "turtle, jsonld, owl, json, labels" in result.stderr
