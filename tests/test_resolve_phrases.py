"""Multiword raw tags (every concept they name, the head first) and the resolver's guards: typo correction never
rewrites a dictionary word or audio jargon, and an embedding answer sharing no word with the tag needs more."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from uts.lexical import normalise
from uts.lexical.words import AUDIO_JARGON_FILE, dictionary_words, is_dictionary_word, read_jargon, stems
from uts.matching.fuzzy import is_known_word
from uts.ontology import Ontology, load_ontology
from uts.resolve import Abstention, Calibration, Match, Resolver
from uts.resolve import evaluate as ev
from uts.resolve.model import json_schema
from uts.resolve.resolver import MODIFIER_FACTOR, concepts
from uts.resolve.stream import stream_jsonl
from uts.resolve.text import load_lexicon

from .conftest import needs_embed


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="module")
def lexical(ontology: Ontology) -> Resolver:
    return Resolver(ontology, embed=False)


def labels(answer: object) -> list[str]:
    return [m.label for m in concepts(answer)]  # type: ignore[arg-type]


def spanned(tag: str, m: Match) -> str:
    return tag[m.span[0] : m.span[1]]


# ---- curated word lists ---------------------------------------------------------------------------


def test_jargon_file_is_canonical_and_adds_only_what_dictionaries_lack(ontology: Ontology) -> None:
    words = read_jargon()
    assert words == sorted(set(words)), f"{AUDIO_JARGON_FILE}: keep one word a line, sorted, no repeats"
    assert [w for w in words if not re.fullmatch(r"[a-z]+", w)] == []
    assert [w for w in words if w in dictionary_words()] == []  # redundant: the dictionaries know it
    assert [w for w in words if normalise(w) in ontology.labels] == []  # a label resolves before typo correction


def test_weak_heads_are_labels(ontology: Ontology) -> None:
    assert sorted(w for w in load_lexicon().weak_heads if w not in ontology.labels) == []


def test_typo_variants_are_no_words_and_near_misses_are(ontology: Ontology, lexical: Resolver) -> None:
    """The variant set's typos must stay correctable, its near-miss words (nonsense) must not be corrected."""
    variants = ev.read_variants(ontology)
    index = lexical.lexical_index  # typos that are labels, or forms of labels, never reach typo correction
    typos = [v.input for v in variants if v.kind == "typo" and index.lookup(normalise(v.input)) is None]
    assert len(typos) >= 50
    assert [t for t in typos if all(is_known_word(w.casefold()) for w in t.split())] == []
    near_misses = [v.input for v in variants if v.kind == "nonsense" and v.note.startswith("near-miss")]
    assert len(near_misses) >= 10
    assert [w for w in near_misses if not is_known_word(w)] == []


@pytest.mark.parametrize("word", ["lilting", "boomy", "plucky", "thumpy", "plinky", "grasped", "Revert"])
def test_dictionary_words_and_jargon_are_known(word: str) -> None:
    assert is_dictionary_word(word)


@pytest.mark.parametrize("word", ["gutiar", "accordian", "agressive", "", "x" * 50])
def test_misspellings_are_not_words(word: str) -> None:
    assert not is_dictionary_word(word)


def test_stems_meet_only_through_a_shared_base() -> None:
    assert stems("louder") & stems("loud")
    assert stems("jangly") & stems("jangle")
    assert stems("limiter") & stems("limiting")
    assert not stems("grim") & stems("grime")
    assert not stems("bow") & stems("bow-wow".replace("-", ""))


# ---- typo guard -----------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["lilting", "thumpy", "plucky", "plinky"])
def test_typo_correction_never_rewrites_words_or_jargon(lexical: Resolver, tag: str) -> None:
    """'lilting' was corrected to 'limiting' (compression), 'thumpy' to 'thump'."""
    result = lexical.resolve_tag(tag)
    assert not (isinstance(result, Match) and result.method == "fuzzy"), result


# ---- the phrase stage -----------------------------------------------------------------------------


def test_a_multiword_tag_names_every_concept_head_first(lexical: Resolver) -> None:
    tag = "soft female vocal"
    answer = lexical.resolve_tag_concepts(tag)
    assert isinstance(answer, tuple)
    assert labels(answer) == ["vocal", "female", "quiet"]
    assert [spanned(tag, m) for m in answer] == ["vocal", "female", "soft"]  # the words; soft names quiet in 1.1.0
    vocal, female, soft = answer
    assert vocal.modifies is None
    assert female.modifies == soft.modifies == vocal.id
    assert {m.method for m in answer} == {"phrase"}
    assert all(m.text == tag for m in answer)
    assert female.score == pytest.approx(vocal.score * MODIFIER_FACTOR)
    assert vocal.score > female.score > soft.score
    head = lexical.resolve_tag(tag)
    assert isinstance(head, Match)
    assert head.label == "vocal"  # callers of resolve_tag get the head, as before
    result = lexical.resolve_tags([tag])
    assert [m.label for m in result.tags] == ["vocal", "female", "quiet"]
    assert result.tags[1].to_json()["modifies"] == vocal.id
    assert "modifies" not in result.tags[0].to_json()


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("metallic guitar", ["guitar", "metallic"]),
        ("distorted electric guitar solo", ["solo", "electric-guitar", "distortion"]),
        ("birds in forest", ["bird", "forest"]),  # the head comes before a preposition
        ("sound of rain", ["rain"]),  # a framing word is no head
        ("engine noise", ["engine", "noise"]),  # a generic sound noun gives way to what qualifies it
        ("guitar and piano", ["guitar", "piano"]),  # coordinated: each its own head
        ("women talking", ["speech", "woman"]),  # one concept per word: 'talking' alone is talking
    ],
)
def test_heads_of_english_noun_phrases(lexical: Resolver, tag: str, expected: list[str]) -> None:
    assert labels(lexical.resolve_tag_concepts(tag)) == expected


def test_coordinated_parts_are_heads_of_their_own(lexical: Resolver) -> None:
    answer = concepts(lexical.resolve_tag_concepts("guitar and piano"))
    assert [m.modifies for m in answer] == [None, None]


@pytest.mark.parametrize(("tag", "likened"), [("accordion-like", "accordion"), ("jazz-like", "jazz"),
                                               ("piano like", "piano"), ("organ-ish", "organ")])  # fmt: skip
def test_x_like_names_x_hedged(lexical: Resolver, tag: str, likened: str) -> None:
    result = lexical.resolve_tag(tag)
    assert isinstance(result, Match)
    assert result.label == likened
    assert result.hedged
    assert spanned(tag, result) == tag[: len(likened)]
    assert result.score < 0.6  # hedged as a hedge cue hedges


def test_x_like_inside_a_phrase_and_labels_that_are_x_like(lexical: Resolver) -> None:
    pad = concepts(lexical.resolve_tag_concepts("accordion-like pad"))
    assert [(m.label, m.hedged) for m in pad] == [("pad", False), ("accordion", True)]
    bell = lexical.resolve_tag("bell like")  # a label of its own
    assert isinstance(bell, Match)
    assert (bell.label, bell.method, bell.hedged) == ("bell-like", "exact", False)


def test_typos_are_corrected_inside_multiword_tags(lexical: Resolver) -> None:
    tag = "slightly agressive"
    result = lexical.resolve_tag(tag)
    assert isinstance(result, Match)
    assert (result.label, spanned(tag, result)) == ("aggressive", "agressive")  # corrected inside the tag
    # the same guard: a real word next to a label is left alone ('petal' is no typo of 'metal')
    assert labels(lexical.resolve_tag_concepts("soft petal")) == ["quiet"]


def test_cues_around_and_inside_a_phrase(lexical: Resolver) -> None:
    result = lexical.resolve_tags(["no soft vocals"])
    assert result.tags == ()
    assert sorted(m.label for m in result.negated) == ["quiet", "vocal"]
    hedged = concepts(lexical.resolve_tag_concepts("possibly female vocal"))
    assert [(m.label, m.hedged) for m in hedged] == [("vocal", True), ("female", True)]
    inside = lexical.resolve_tags(["guitar without distortion"])
    assert [m.label for m in inside.tags] == ["guitar"]
    assert [(m.label, m.modifies) for m in inside.negated] == [("distortion", inside.tags[0].id)]


def test_levels_roll_modifiers_up_and_a_head_outside_abstains(ontology: Ontology) -> None:
    rolled = Resolver(ontology, "800", embed=False).resolve_tag_concepts("soft electro-funk")
    assert "electronic" in labels(rolled)  # electro-funk rolls up to its parent inside the level
    paper = Resolver(ontology, "800", rollup=False, embed=False)
    outside = paper.resolve_tag("soft electro-funk")
    assert isinstance(outside, Abstention)
    assert "outside level 800" in outside.reason


def test_the_json_schema_and_the_stream_carry_modifiers(lexical: Resolver) -> None:
    schema = json_schema(Match)
    assert "head concept" in schema["properties"]["modifies"]["description"]
    sink = io.BytesIO()
    source = io.BytesIO(b'{"id": 1, "tags": ["soft female vocal", "dog"]}\n')
    stream_jsonl(lexical, source, sink, name="<test>")
    record = json.loads(sink.getvalue())
    assert [(t["label"], "modifies" in t) for t in record["tags"]] == [
        ("dog", False), ("vocal", False), ("female", True), ("quiet", True)
    ]  # fmt: skip


# ---- the embedding guard --------------------------------------------------------------------------


def test_calibration_without_an_unrelated_threshold_uses_the_tag_threshold(tmp_path: Path) -> None:
    old = tmp_path / "calibration.toml"
    old.write_text("[tags]\nthreshold = 0.7\n\n[phrases]\nthreshold = 0.8\n")
    assert Calibration.load(old).unrelated_threshold == 0.7
    assert Calibration(0.8, 0.8, 0.5).unrelated_threshold == 0.8  # never below the tag threshold
    assert Calibration.load().unrelated_threshold > Calibration.load().tag_threshold


@pytest.fixture(scope="module")
def embedded(ontology: Ontology, uts_cache: Path) -> Resolver:
    return Resolver(ontology, backend="onnx")


@needs_embed
@pytest.mark.parametrize(("tag", "false_friend"), [("grim", "grime"), ("bow", "bark"), ("harpoon", "harp")])
def test_false_friends_no_longer_pass(ontology: Ontology, embedded: Resolver, tag: str, false_friend: str) -> None:
    result = embedded.resolve_tag(tag)
    assert isinstance(result, Abstention), result
    assert result.best == ontology.find(false_friend).id  # type: ignore[union-attr]
    assert (result.best_score or 0) >= embedded.calibration.tag_threshold  # it would have passed before
    assert "shares no word" in result.reason


@needs_embed
@pytest.mark.parametrize(
    ("tag", "expected"), [("limiter", "compressed"), ("louder", "loud"), ("quieter", "quiet"), ("jangly", "jingling")]
)
def test_true_synonyms_with_a_shared_stem_still_pass(embedded: Resolver, tag: str, expected: str) -> None:
    result = embedded.resolve_tag(tag)
    assert isinstance(result, Match), result
    assert (result.label, result.method) == (expected, "embedding")
