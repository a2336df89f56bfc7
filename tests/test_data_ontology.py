"""The committed UTS release, checked record by record on every run."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from uts.lexical import normalise
from uts.ontology import Level, Ontology, Status, load_ontology
from uts.ontology.load import validate_root
from uts.ontology.stats import compute_stats


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


def test_release_validates_and_is_canonical(repo_root: Path) -> None:
    _, problems = validate_root(repo_root)
    assert problems == [], "\n".join(str(p) for p in problems[:20])


def test_every_published_string_resolves_to_exactly_one_concept(ontology: Ontology, paper_dir: Path) -> None:
    by_index = {t.index: t for t in ontology.paper}
    owners_of: dict[str, set[str]] = {}
    for c in ontology.active():
        for label in c.all_labels:
            owners_of.setdefault(normalise(label), set()).add(c.id)
    for level in Level:
        published = json.loads((paper_dir / f"label_{level.value}.json").read_text(encoding="utf-8"))
        for index, tag in published.items():
            owners = owners_of.get(normalise(tag), set())
            assert len(owners) == 1, f"{level.value}[{index}] {tag!r} is a label of {sorted(owners)}"
            concept = ontology.lookup(tag)
            assert concept.id in owners
            assert level in concept.levels, f"{tag!r} is in the {level.value} file but its concept is not in that level"
            if level is Level.L3K:
                assert by_index[int(index)].tag == tag
                assert by_index[int(index)].concept_id == concept.id


def test_distinct_concepts_per_level(ontology: Ontology, paper_dir: Path) -> None:
    stats = compute_stats(ontology)
    for row in stats.levels:
        published = json.loads((paper_dir / f"label_{row.level}.json").read_text(encoding="utf-8"))
        concepts = {ontology.lookup(tag).id for tag in published.values()}
        assert row.concepts == len(concepts)
        assert row.concepts < len(set(published.values())), "every level has surface duplicates to merge"


def test_every_concept_has_a_published_tag_or_is_curated(ontology: Ontology) -> None:
    published = {normalise(t.tag) for t in ontology.paper}
    for concept in ontology.active():
        tags = ontology.paper_tags_of(concept.id)
        if concept.origin.value == "paper":
            assert tags, concept.id
            assert concept.rank == min(t.index for t in tags), concept.id
            # Every published tag is a label of its concept; the preferred label is one of them, unless curators
            # named the concept (a grouping concept or facet root that absorbed published tags in a merge, UTS
            # 1.1.0: 'section' into 'song section', 'environment' into 'acoustic scene').
            keys = {normalise(t.tag) for t in tags}
            assert keys <= {normalise(label) for label in concept.all_labels}, concept.id
            assert normalise(concept.label) in keys or normalise(concept.label) not in published, concept.id


def test_paper_duplicates_and_merges(ontology: Ontology) -> None:
    instructional = [t for t in ontology.paper if t.tag == "instructional"]
    assert [t.index for t in instructional] == [89, 1348]
    assert len({t.concept_id for t in instructional}) == 1
    assert ontology.lookup("high_fidelity") is ontology.lookup("highfidelity") is ontology.lookup("high-fidelity")
    assert ontology.lookup("drum").id == ontology.lookup("drums").id
    assert ontology.lookup("reverberation").id == ontology.lookup("reverb").id
    assert ontology.lookup("reverberant").id == ontology.lookup("reverb").id  # merged in 1.1.0: one quality
    assert "hisss" in ontology.lookup("hiss").hidden_labels
    assert ontology.lookup("Southern").label == "southern"
    # Curated keep-apart decisions hold.
    for plural, singular in [
        ("electronics", "electronic"),
        ("keys", "key"),
        ("pops", "pop"),
        ("acoustics", "acoustic"),
    ]:
        assert ontology.lookup(plural).id != ontology.lookup(singular).id, plural


def test_ids_are_unique_in_the_source_and_never_reused(repo_root: Path, ontology: Ontology) -> None:
    lines = (repo_root / "ontology" / "terms.tsv").read_text(encoding="utf-8").splitlines()[1:]
    ids = [line.split("\t", 1)[0] for line in lines]
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert repeated == [], f"IDs used by more than one row of terms.tsv: {repeated}"
    assert ids == sorted(ids)
    numbers = [int(i.split(":")[1]) for i in ids]
    assert numbers[0] == 1
    assert ontology.next_id() == f"UTS:{max(numbers) + 1:07d}", "the next ID follows every ID ever used"


def test_deprecated_concepts_lead_to_an_active_successor(ontology: Ontology) -> None:
    deprecated = [c for c in ontology if c.status is Status.DEPRECATED]
    assert deprecated
    for concept in deprecated:
        assert concept.replaced_by, f"{concept.id} has no replaced_by (split concepts would list consider)"
        successor = ontology.current(concept.id)
        assert successor is not None, concept.id
        assert successor.status is Status.ACTIVE, concept.id
        assert ontology.lookup(concept.label).id == successor.id, f"{concept.label!r} must resolve to the successor"


def test_level_order_follows_each_published_file(ontology: Ontology, paper_dir: Path) -> None:
    for level in Level:
        published = json.loads((paper_dir / f"label_{level.value}.json").read_text(encoding="utf-8"))
        assert [t.tag for t in ontology.level_tags(level)] == [published[str(i)] for i in range(len(published))]
    assert ontology.reordered[Level.L2K] == {1840: "crowd_murmur", 1841: "club_music"}


def test_labels_do_not_repeat_within_a_concept(ontology: Ontology) -> None:
    for concept in ontology:
        counts = Counter(concept.all_labels)
        assert max(counts.values()) == 1, concept.id


def test_every_facet_is_documented(repo_root: Path, ontology: Ontology) -> None:
    readme = (repo_root / "ontology" / "README.md").read_text(encoding="utf-8")
    for facet in ontology.facets.values():
        assert f"`{facet.id}`" in readme, f"document facet {facet.id} in ontology/README.md"


def test_package_and_ontology_are_versioned_together(ontology: Ontology) -> None:
    import uts

    assert uts.__version__ == ontology.metadata.version
    assert ontology.paper_header["mapping_set_version"] == ontology.metadata.version
