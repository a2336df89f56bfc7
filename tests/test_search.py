"""Label search and autocomplete (the library function the API and the UI call)."""

from __future__ import annotations

import time

import pytest

from uts import load_ontology
from uts.ontology.model import Level, Status
from uts.ontology.search import LabelSearch


@pytest.fixture(scope="module")
def search() -> LabelSearch:
    return LabelSearch(load_ontology())


def test_exact_labels_in_any_spelling_come_first(search: LabelSearch) -> None:
    for query in ("hi-fi", "Hi Fi", "HIFI", "high_fidelity"):
        hit = search.search(query)[0]
        assert hit.label == "high-fidelity"
        assert hit.how == "exact"
        assert hit.score == 1.0


def test_prefix_word_prefix_and_typos_say_which_label_matched(search: LabelSearch) -> None:
    prefix = search.search("guit", limit=5)
    assert prefix[0].label == "guitar"
    assert prefix[0].how == "prefix"
    word = search.search("fidel", limit=5)
    assert ("high-fidelity", "word") in {(h.matched, h.how) for h in word}  # by the start of its second word
    assert [h.how for h in word].index("word") < [h.how for h in word].index("fuzzy")
    typo = search.search("accordian")[0]
    assert (typo.label, typo.how) == ("accordion", "fuzzy")
    narrower = search.search("poodle")[0]
    assert (narrower.label, narrower.matched, narrower.scope) == ("dog", "poodle", "narrower")


def test_deprecated_hidden_unless_asked_and_filters(search: LabelSearch) -> None:
    ontology = search.ontology
    old = next(c for c in ontology.concepts.values() if c.status is Status.DEPRECATED and c.replaced_by)
    assert old.id not in {h.id for h in search.search(old.label, limit=50)}
    shown = [h for h in search.search(old.label, limit=50, include_deprecated=True) if h.id == old.id]
    assert shown[0].replaced_by == old.replaced_by
    genres = ontology.facet_and_subfacets("music-genre")
    assert all(genres.intersection(h.facets) for h in search.search("ro", facet="music-genre", limit=30))
    assert all(Level.L800 in h.levels for h in search.search("dr", level=Level.L800, limit=30))
    assert len({h.id for h in search.search("dog", limit=30)}) == len(search.search("dog", limit=30))  # one per concept


def test_nothing_for_nothing_and_bounded_work(search: LabelSearch) -> None:
    assert search.search("") == []
    assert search.search("   ") == []
    assert search.search("xq") == []  # too short for typo matching, no prefix
    started = time.perf_counter()
    search.search("z" * 100_000)  # cut to a bounded length before any matching
    assert time.perf_counter() - started < 5  # a hang guard, not a speed target


def test_the_typo_scan_of_one_length_band_finds_what_a_full_scan_finds(search: LabelSearch) -> None:
    """Only keys within [0.6, 5/3] of the query's length can reach fuzz.ratio 75, so scanning that band alone
    must give a full scan's answers, in its order (best first, ties in entry order)."""
    import random

    from rapidfuzz import fuzz, process

    from uts.ontology.search import FUZZY_CUTOFF

    rng = random.Random(7)
    for script in (True, False):
        band = search._scripts[script]
        pool = sorted(zip(band.positions, band.keys, strict=True))  # entry order, as a full scan reads them
        for key in rng.sample(band.keys, 150):
            at = rng.randrange(len(key))
            for query in (key[:at] + key[at + 1 :], key[:at] + "e" + key[at + 1 :], key[: max(2, at)]):
                full = process.extract(query, [k for _, k in pool], scorer=fuzz.ratio, limit=40,
                                       score_cutoff=FUZZY_CUTOFF)  # fmt: skip
                expected = [(score, pool[index][0]) for _, score, index in full]
                assert band.near(query, 40, FUZZY_CUTOFF) == expected, query
