"""Every SSSOM file in mappings/ is valid SSSOM according to sssom-py, the reference implementation."""

from __future__ import annotations

from pathlib import Path

import pytest

from uts.ontology import Ontology, load_ontology

from .conftest import REPO

FILES = sorted((REPO / "mappings").glob("*.sssom.tsv"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_sssom_file_validates_with_sssom_py(path: Path) -> None:
    pytest.importorskip("sssom", reason="validating with sssom-py needs the 'dev' extra")
    from sssom.parsers import parse_sssom_table
    from sssom.validators import SchemaValidationType, validate

    msdf = parse_sssom_table(path)
    report = validate(
        msdf,
        [
            SchemaValidationType.JsonSchema,
            SchemaValidationType.PrefixMapCompleteness,
            SchemaValidationType.StrictCurieFormat,
        ],
        fail_on_error=False,
    )
    failures = {kind.value: r.results for kind, r in report.items() if r.results}
    assert failures == {}
    rows = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")) - 1
    assert len(msdf.df) == rows, "sssom-py must read every row"
    for column in ("subject_id", "predicate_id", "object_id", "mapping_justification", "author_id", "mapping_date"):
        assert msdf.df[column].notna().all(), column
    assert msdf.metadata["license"].startswith("https://")


def test_paper_mapping_set_exists() -> None:
    assert REPO / "mappings" / "uts-paper.sssom.tsv" in FILES


# ---- the curated mapping sets of the legacy vocabularies ------------------------------------------------

VOCABULARY_NAMES = [
    "audioset", "esc50", "urbansound8k", "sonyc-ust", "mtg-genre", "mtg-instrument", "mtg-moodtheme",
    "discogs400", "nsynth", "gtzan", "speech-commands", "ucs",
]  # fmt: skip


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="module")
def data_dir() -> Path:
    path = REPO.parent / "shared" / "data"
    if not path.exists():
        pytest.skip("the shared data is not beside the repository")
    return path


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_every_class_has_a_reviewed_mapping(name: str, ontology: Ontology, data_dir: Path) -> None:
    from uts.mappings.coverage import coverage
    from uts.mappings.sets import canonical_text
    from uts.vocabularies import read_vocabulary

    path = REPO / "mappings" / f"{name}.sssom.tsv"
    assert path.exists(), f"mappings/{name}.sssom.tsv is missing"
    assert name in ontology.mappings
    vocabulary = read_vocabulary(name, data_dir)
    report = coverage(ontology, vocabulary)
    assert report.problems == []
    assert report.filled_gaps == []
    assert report.gaps == [], f"{len(report.gaps)} classes have no reviewed row, e.g. {report.gaps[:5]}"
    assert report.mapped == report.classes
    assert canonical_text(ontology.mappings[name], ontology, vocabulary) == path.read_text(encoding="utf-8"), (
        "run `uts mappings lint --fix`"
    )


def test_no_row_names_a_gap_that_a_concept_now_fills(ontology: Ontology) -> None:
    """A row mapped broad because UTS lacked concept X (its comment says ``gap: X``) is remapped once X exists,
    or kept with the reason in a ``kept broad: ...`` comment."""
    from uts.ontology.qc import filled_gaps

    found = [str(f) for f in filled_gaps(ontology)]
    assert found == [], "remap these rows, or keep them with a comment 'kept broad: why':\n" + "\n".join(found)


def _objects(name: str, subject: str, *, negated: bool = False) -> dict[str, str]:
    mapping_set = load_ontology().mappings[name]
    return {
        r.object_label: r.predicate_id
        for r in mapping_set.rows
        if r.subject_id == subject and r.reviewed and r.negated == negated
    }


def test_spot_checks() -> None:
    assert _objects("audioset", "AudioSet:/m/09x0r").get("speech") == "skos:exactMatch"
    assert "dog" in _objects("audioset", "AudioSet:/m/0bt9lr")  # Dog
    assert "bark" in _objects("audioset", "AudioSet:/m/05tny_")  # Bark
    assert _objects("mtg-genre", "MTGJamendo:genre---electronic").get("electronic") == "skos:exactMatch"
    dog_word = _objects("speech-commands", "SpeechCommands:dog")
    assert "dog" not in dog_word, "the spoken word 'dog' is not the animal"
    assert "dog" in _objects("speech-commands", "SpeechCommands:dog", negated=True)


def test_reviewed_senses_and_scopes() -> None:
    """Rows the mapping audit corrected: the predicate follows which side is broader, and homonyms stay out."""
    chicken = _objects("audioset", "AudioSet:/m/09b5t")  # Chicken, rooster: the domestic fowl
    assert (chicken["chicken"], chicken["rooster"]) == ("skos:exactMatch", "skos:narrowMatch")
    assert _objects("audioset", "AudioSet:/m/07y_7")["fiddle"] == "skos:narrowMatch"  # Violin, fiddle
    assert _objects("audioset", "AudioSet:/m/022c7z") == {"pulse": "skos:exactMatch"}  # Beat: the pulse
    assert "beat" in _objects("audioset", "AudioSet:/m/022c7z", negated=True)
    assert "hiss" not in _objects("audioset", "AudioSet:/m/07rjwbb")  # Hiss: a cat's or snake's, not tape hiss
    assert _objects("discogs400", "Discogs400:Funk_/_Soul---Contemporary_R&B")["rnb"] == "skos:broadMatch"
    assert "archive" in _objects("ucs", "UCS:REF")  # ARCHIVED-REFERENCE is archive material
    assert "reference" in _objects("ucs", "UCS:REF", negated=True)
