"""The matching machinery: exact, inflection, fuzzy (guarded) and embedding neighbours with a disk cache."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from uts.matching.candidate import exact_candidate
from uts.matching.fuzzy import FuzzyMatcher
from uts.ontology import Ontology, load_ontology


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


def test_exact_and_inflection(ontology: Ontology) -> None:
    hit = exact_candidate(ontology, "High_Fidelity")
    assert hit is not None
    assert hit.method == "exact"
    assert ontology.get(hit.concept_id).label == "high-fidelity"
    plural = exact_candidate(ontology, "glockenspiels")  # no curated plural: folded by the inflection rule
    assert plural is not None
    assert plural.method == "inflection"
    assert ontology.get(plural.concept_id).label == "glockenspiel"
    assert exact_candidate(ontology, "zzzz") is None


def test_a_label_of_a_merged_concept_names_its_successor(ontology: Ontology) -> None:
    merged = ontology.lookup("rock_music")
    hit = exact_candidate(ontology, "rock_music")
    assert hit is not None
    current = ontology.current(merged.id)
    assert current is not None
    assert hit.concept_id == current.id == ontology.lookup("rock").id


def test_fuzzy_catches_typos_but_not_near_miss_words(ontology: Ontology) -> None:
    fuzzy = FuzzyMatcher(ontology)
    hits = fuzzy.match("saxophonne")
    assert hits
    assert ontology.get(hits[0].concept_id).label == "saxophone"
    assert fuzzy.match("revert") == []  # one edit from 'reverb', but another word
    assert fuzzy.match("bark") == []  # short words never match fuzzily


def test_the_typo_screen_never_changes_an_answer(ontology: Ontology) -> None:
    """An ASCII word is first checked against the labels that could be its typo's (English ones, and those in other
    languages that share its first three letters); the answers are those of a scan of the whole pool."""
    import random

    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    screened = FuzzyMatcher(ontology)
    unscreened = FuzzyMatcher(ontology)
    unscreened._screen = lambda key, edits: unscreened._pool(key[:1], len(key), edits)  # type: ignore[method-assign]
    rng = random.Random(7)
    keys = sorted(screened._keys)
    words = ["saxophonne", "gutiar", "revert", "hunde", "chitarre", "perkussion", "bafokuti", "agressive"]
    for _ in range(3000):  # labels with one or two edits, and made-up words
        key = rng.choice(keys)
        for _ in range(rng.choice([1, 2])):
            at = rng.randrange(len(key))
            key = key[:at] + rng.choice("abcdeilnorstuäé") + key[at + 1 :]
        words += [key, "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(3, 6)))]
    assert [screened.typo(w) for w in words] == [unscreened.typo(w) for w in words]
    assert sum(screened.typo(w) is not None for w in words) > 500
    # the screen holds every key of the pool that can be a hit
    for word in words[:500]:
        pool = screened._pool(word[:1], len(word), 1)
        screen = set(screened._screen(word, 1))
        near = [hit for hit, _, _ in process.extract(word, pool, scorer=OSA.distance, score_cutoff=1, limit=None)]
        assert all(h in screen for h in near if h not in screened._lang or h[:3] == word[:3])


def test_frequent_english_reads_wordfreq_as_wordfreq_does() -> None:
    import random

    from wordfreq import get_frequency_dict, zipf_frequency

    from uts.matching.fuzzy import KNOWN_WORD_ZIPF, is_frequent_english

    rng = random.Random(3)
    listed = sorted(get_frequency_dict("en"))
    words = [*rng.sample(listed, 20000), "postcode", "Postcode", "gutiar", "rock'n'roll", "mp3", "naïve", "über"]
    words += ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 8))) for _ in range(20000)]
    assert [is_frequent_english(w) for w in words] == [zipf_frequency(w, "en") >= KNOWN_WORD_ZIPF for w in words]


def test_embedding_neighbours_and_cache(ontology: Ontology, tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers", reason="embedding matching needs the 'embed' extra")
    from uts.matching.embedding import EmbeddingIndex

    embeddings = EmbeddingIndex(ontology, cache=tmp_path)
    [hits] = embeddings.search(["an automobile engine revving"], k=5)
    labels = [ontology.get(h.concept_id).label for h in hits]
    assert {"revving", "engine", "car", "rev", "revs"} & set(labels), labels
    assert hits[0].score >= hits[-1].score
    cached = list(tmp_path.glob("concepts-*.npy"))
    assert len(cached) == 1
    again = EmbeddingIndex(ontology, cache=tmp_path)
    assert again.key == embeddings.key
    assert again.matrix.shape == embeddings.matrix.shape


def test_lexical_path_never_imports_torch() -> None:
    import subprocess

    code = (
        "import sys; from uts import load_ontology; from uts.matching.candidate import exact_candidate; "
        "from uts.matching.fuzzy import FuzzyMatcher; o = load_ontology(); "
        "FuzzyMatcher(o).match('saxophonne'); exact_candidate(o, 'drums'); "
        "bad = [m for m in ('torch', 'sentence_transformers') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
