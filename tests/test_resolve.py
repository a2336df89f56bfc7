"""The resolver on the real UTS release: raw tags, captions, negation and hedging, levels, embeddings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from uts.errors import SourceError, UsageError
from uts.lexical import normalise
from uts.ontology import Ontology, load_ontology
from uts.resolve import Abstention, Calibration, CalibrationError, Match, Resolver, ResolverError
from uts.resolve import evaluate as ev
from uts.resolve.text import load_lexicon, tokenize

from .conftest import REPO, needs_embed, needs_torch


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="module")
def lexical(ontology: Ontology) -> Resolver:
    return Resolver(ontology, embed=False)


def match(result: Match | Abstention) -> Match:
    assert isinstance(result, Match), result
    return result


def label(ontology: Ontology, result: Match | Abstention) -> str:
    return ontology.get(match(result).id).label


# ---- curated inputs -------------------------------------------------------------------------------


def test_caption_framing_words_are_labels(ontology: Ontology) -> None:
    """A framing word that is not a label would suppress nothing: the list must follow the ontology."""
    lexicon = load_lexicon()
    missing = sorted(w for w in lexicon.caption_framing if w not in ontology.labels)
    assert missing == []


def test_cue_words_are_not_labels(ontology: Ontology) -> None:
    lexicon = load_lexicon()
    clashes = sorted(w for w in lexicon.negation | lexicon.hedge if w in ontology.labels)
    assert clashes == []


def test_variant_set_is_valid_and_covers_every_kind(ontology: Ontology) -> None:
    variants = ev.read_variants(ontology)
    for kind in ev.KINDS:
        for split in ev.SPLITS:
            assert sum(1 for v in variants if v.kind == kind and v.split == split) >= 20, (kind, split)


def test_variant_set_errors_name_the_line(ontology: Ontology, tmp_path: Path) -> None:
    bad = tmp_path / "variants.tsv"
    bad.write_text("kind\tinput\texpected\tsplit\tnote\ntypo\tgutiar\tguitarr\tdev\t\nnonsense\tx\tdog\tdev\t\n")
    with pytest.raises(ev.EvaluationDataError) as caught:
        ev.read_variants(ontology, bad)
    assert [p.line for p in caught.value.problems] == [2, 3]
    message = str(caught.value)
    assert ":2:" in message
    assert "guitarr" in message
    assert ":3:" in message
    assert "abstain" in message


def test_calibration_file_loads_and_bad_file_explains(tmp_path: Path) -> None:
    calibration = Calibration.load()
    assert 0.5 < calibration.tag_threshold < 1
    assert 0.5 < calibration.phrase_threshold < 1
    broken = tmp_path / "calibration.toml"
    broken.write_text("[tags]\n")
    with pytest.raises(CalibrationError, match="--calibrate --write") as caught:
        Calibration.load(broken)
    assert isinstance(caught.value, SourceError)
    assert caught.value.problems[0].file == str(broken)


# ---- raw tags, lexical stages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected", "method"),
    [
        ("Hi-Fi", "high-fidelity", "exact"),
        ("HIGH_FIDELITY", "high-fidelity", "exact"),
        ("lofi", "lo-fi", "exact"),
        ("reverbs", "reverb", "inflection"),
        ("automobile", "car", "exact"),
        ("gutiar", "guitar", "fuzzy"),
        ("saxaphone", "saxophone", "fuzzy"),  # ("saxophonne" is a French stem of the label: inflection)
        ("808", "808", "exact"),
    ],
)
def test_raw_tags_resolve(ontology: Ontology, lexical: Resolver, tag: str, expected: str, method: str) -> None:
    result = match(lexical.resolve_tag(tag))
    assert ontology.get(result.id).label == expected
    assert result.method == method
    assert result.text == tag  # a raw tag's evidence is the tag itself
    assert tag[result.span[0] : result.span[1]] == tag.strip()  # and here all of it matched


@pytest.mark.parametrize("tag", ["revert", "spare", "thistle", "###", "", "   "])
def test_near_miss_words_and_junk_are_not_matched(lexical: Resolver, tag: str) -> None:
    """'revert' is one edit from 'reverb' but an English word: no typo correction."""
    assert isinstance(lexical.resolve_tag(tag), Abstention)


def test_deprecated_label_resolves_to_its_replacement(ontology: Ontology, lexical: Resolver) -> None:
    deprecated = next(c for c in ontology.concepts.values() if c.replaced_by and ontology.find(c.label) is not None)
    result = match(lexical.resolve_tag(deprecated.label))
    assert result.id == ontology.find(deprecated.label).id  # type: ignore[union-attr]
    assert ontology.get(result.id).status.value == "active"


def test_negated_and_hedged_raw_tags(ontology: Ontology, lexical: Resolver) -> None:
    negated = match(lexical.resolve_tag("without drums"))
    assert negated.negated
    assert ontology.get(negated.id).label == "drums"
    assert negated.text == "without drums"
    assert negated.span == (8, 13)
    hedged = match(lexical.resolve_tag("possibly dog"))
    assert hedged.hedged
    assert not hedged.negated
    assert hedged.score < 1.0
    result = lexical.resolve_tags(["without drums", "dog", "dogs", "zzqx"])
    assert [ontology.get(i).label for i in result.ids] == ["dog"]
    assert result.tags[0].count == 2
    assert [ontology.get(m.id).label for m in result.negated] == ["drums"]
    assert [a.text for a in result.abstained] == ["zzqx"]


def test_every_published_string_is_lossless(ontology: Ontology) -> None:
    for score in ev.score_lossless(ontology):
        assert score.kept == score.total, (score.level, score.failures[:5])


# ---- levels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "level", "expected"),
    [
        ("church bells", "800", "bell"),  # the one broader concept, inside the level
        ("electro-funk", "800", "electronic"),  # two parents inside: electronic has the best rank (0)
        ("happy hardcore", "1k", "electronic"),
    ],
)
def test_level_rolls_up_to_the_best_ranked_nearest_ancestor(
    ontology: Ontology, tag: str, level: str, expected: str
) -> None:
    concept = ontology.lookup(tag)
    result = match(Resolver(ontology, level, embed=False).resolve_tag(tag))
    assert result.label == expected
    assert result.id == ontology.lookup(expected).id
    assert result.rolled_up_from == concept.id


def test_level_without_rollup_drops_as_the_paper(ontology: Ontology) -> None:
    concept = ontology.lookup("church bell")
    paper = Resolver(ontology, "800", rollup=False, embed=False).resolve_tag("church bells")
    assert isinstance(paper, Abstention)
    assert paper.reason == "church bell is outside level 800"
    assert paper.best == concept.id


def test_unknown_level_is_a_clear_error(ontology: Ontology) -> None:
    with pytest.raises(ResolverError, match="choose one of 800, 1k") as caught:
        Resolver(ontology, "900", embed=False)
    assert isinstance(caught.value, UsageError)


# ---- captions ---------------------------------------------------------------------------------------


def test_tokens_keep_offsets() -> None:
    text = "No hi-fi drums, possibly a dog's bark."
    tokens = tokenize(text)
    assert len(tokens) == 9
    for word, start, end in zip(tokens.texts, tokens.starts, tokens.ends, strict=True):
        assert text[start:end] == word


def test_caption_tags_negation_and_hedging(ontology: Ontology, lexical: Resolver) -> None:
    text = "A dog barks twice, no music. Possibly a siren in the distance; vocals are absent."
    result = lexical.resolve_text(text)
    labels = [ontology.get(i).label for i in result.ids]
    assert labels[:2] == ["dog", "bark"]
    assert "siren" in labels
    assert "music" not in labels
    assert "vocal" not in labels
    siren = next(m for m in result.tags if ontology.get(m.id).label == "siren")
    assert siren.hedged
    assert siren.score < 1
    assert {ontology.get(m.id).label for m in result.negated} == {"music", "vocal"}
    for m in result.tags + result.negated:
        assert text[m.span[0] : m.span[1]] == m.text
    assert list(result.tags) == sorted(result.tags, key=lambda m: -m.score)


@pytest.mark.parametrize(
    ("text", "asserted", "negated"),
    [
        ("no music and a man speaks", {"man"}, {"music"}),
        ("no vocals, but a dog barks", {"dog", "bark"}, {"vocal"}),
        ("without any background noise or hum", set(), {"background-noise", "noise", "hum"}),
        ("the absence of speech; a guitar plays", {"guitar"}, {"speech"}),
        ("drums are not present while the piano plays", {"piano"}, {"drums"}),
        ("not only drums but also a guitar", {"drums", "guitar"}, set()),
        ("a dog barks and no other dog is heard", {"dog", "bark"}, set()),
    ],
)
def test_negation_scope(
    ontology: Ontology, lexical: Resolver, text: str, asserted: set[str], negated: set[str]
) -> None:
    result = lexical.resolve_text(text)
    assert {ontology.get(i).label for i in result.ids} >= asserted
    assert not {ontology.get(i).label for i in result.ids} & negated
    assert {ontology.get(m.id).label for m in result.negated} == negated


def test_longest_match_and_split_words(ontology: Ontology, lexical: Resolver) -> None:
    text = "Church bells ring over a bird song."
    longest = Resolver(ontology, embed=False, nested=False).resolve_text(text)
    labels = {ontology.get(i).label for i in longest.ids}
    assert "church bell" in labels
    assert "bell" not in labels
    assert "birdsong" in labels
    # By default the words inside a multiword label count too, as a one-word tagger would list them.
    nested = {ontology.get(i).label for i in lexical.resolve_text(text).ids}
    assert nested >= {"church bell", "bell", "birdsong"}


def test_caption_framing_is_not_evidence(lexical: Resolver) -> None:
    result = lexical.resolve_text("The audio depicts a setting with various sounds in the background.")
    assert result.tags == ()


def test_top_k_and_min_score_are_counted(lexical: Resolver) -> None:
    text = "A dog barks, a cat meows, possibly a siren, birds chirp and a car passes."
    full = lexical.resolve_text(text)
    cut = lexical.resolve_text(text, top_k=2)
    assert cut.tags == full.tags[:2]
    assert cut.beyond_top_k == len(full.tags) - 2
    sure = lexical.resolve_text(text, min_score=0.9)
    assert all(m.score >= 0.9 for m in sure.tags)
    assert sure.below_min_score == sum(1 for m in full.tags if m.score < 0.9) > 0


def test_lexical_path_never_imports_torch() -> None:
    code = (
        "import sys, uts\n"
        "from uts import load_ontology\n"
        "from uts.resolve import Resolver\n"
        "r = Resolver(load_ontology(), embed=False)\n"
        "r.resolve_text('a dog barks, no music'); r.resolve_tags(['Hi-Fi', 'gutiar', 'zzqx'])\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'onnxruntime') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


# ---- embeddings -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedded(ontology: Ontology, uts_cache: Path) -> Resolver:
    return Resolver(ontology, backend="onnx")


@needs_embed
def test_embedding_stage_answers_and_abstains(ontology: Ontology, embedded: Resolver) -> None:
    windy = match(embedded.resolve_tag("windy"))
    assert windy.method == "embedding"
    assert ontology.get(windy.id).label == "wind"
    assert windy.score >= embedded.calibration.tag_threshold
    nonsense = embedded.resolve_tag("xqzvt")
    assert isinstance(nonsense, Abstention)
    assert nonsense.best is not None
    assert (nonsense.best_score or 0) < embedded.calibration.tag_threshold
    before = embedded.stats
    embedded.resolve_tags(["windy", "xqzvt"])
    assert (embedded.stats - before).encoded == 0  # answered from the caches
    assert (embedded.stats - before).tag_cache_hits == 2


@needs_embed
@needs_torch
def test_onnx_and_torch_encoders_agree(uts_cache: Path) -> None:
    from uts.matching.encoders import get_encoder

    texts = ["dog", "a small dog barking in the distance", "hi fi stereo"]
    onnx = get_encoder("onnx").encode(texts)
    torch = get_encoder("torch").encode(texts)
    assert abs(onnx - torch).max() < 1e-4
    assert get_encoder("onnx") is get_encoder("onnx")  # the model loads once per process


@needs_embed
def test_onnx_path_never_imports_torch(embedded: Resolver, uts_cache: Path) -> None:
    """Once exported, the ONNX model runs without torch: a pipeline process never pays torch's import."""
    embedded.warm()
    code = (
        "import sys\n"
        "from uts import load_ontology\n"
        "from uts.resolve import Resolver\n"
        "r = Resolver(load_ontology(), backend='onnx')\n"
        "print(r.resolve_tag('windy').label, r.resolve_text('a windy day, a small yappy canine').ids != [])\n"
        "print('torch' in sys.modules)\n"
    )
    env = {"UTS_CACHE_DIR": str(uts_cache), "HOME": str(uts_cache), "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, check=True)
    assert out.stdout.split() == ["wind", "True", "False"]


@needs_embed
def test_variant_accuracy_floor(embedded: Resolver) -> None:
    """Regression floors at the measured figures (see the closing note); the issue's targets are higher."""
    scores = ev.score_variants(embedded, ev.read_variants(embedded.ontology))
    accuracy = {(s.kind, s.split): s.accuracy for s in scores}
    for kind in ("orthographic", "inflection"):
        assert accuracy[(kind, "test")] >= 0.95
    assert accuracy[("nonsense", "test")] >= 0.95
    assert accuracy[("negated", "test")] >= 0.85
    assert accuracy[("typo", "test")] >= 0.7


@needs_embed
def test_committed_tag_threshold_is_the_calibrated_one(embedded: Resolver) -> None:
    (threshold, unrelated), sweep = ev.calibrate_tags(embedded, ev.read_variants(embedded.ontology))
    assert threshold == pytest.approx(embedded.calibration.tag_threshold)
    assert unrelated == pytest.approx(embedded.calibration.unrelated_threshold)
    assert unrelated > threshold  # the dev split's false friends ("grim") need more than true synonyms
    assert len(sweep) > 10


@needs_embed
def test_captions_beat_both_baselines(ontology: Ontology, embedded: Resolver) -> None:
    data_dir = REPO.parent / "shared" / "data"
    if not (data_dir / "gama_audioset" / "captions_dev.json").exists():
        pytest.skip("the shared data is not beside the repository")
    data = ev.load_caption_data(ontology, data_dir, limit=800)
    assert len(data.gold) == 800
    assert all(data.gold.values())
    scores, check = ev.score_captions(embedded, data, k=5)
    by_name = {s.system.split(" (")[0]: s for s in scores}
    resolver = by_name["resolver"]
    assert resolver.f1 > by_name["paper filter on caption words"].f1
    assert resolver.f1 > by_name["whole-caption embedding top-5"].f1
    assert check.negated_as_tags == 0


def test_an_earlier_release_is_scored_on_this_release_s_yardstick(ontology: Ontology, lexical: Resolver) -> None:
    """uts eval resolver --compare: 1.0.0's tags are carried to 1.1.1 (talking, merged into speech, counts as
    speech), and a release carried to itself scores exactly as its own resolver."""
    data_dir = REPO.parent / "shared" / "data"
    if not (data_dir / "gama_audioset" / "captions_dev.json").exists():
        pytest.skip("the shared data is not beside the repository")
    data = ev.load_caption_data(ontology, data_dir, limit=300)
    itself, dropped = ev.score_carried(lexical, data, ontology)
    own = ev.score_predictions("own", data, {y: r.ids for y, r in zip(data.captions, lexical.resolve_texts(list(
        data.captions.values())), strict=True)}, ontology)  # fmt: skip
    assert (itself.tp, itself.fp, itself.fn, dropped) == (own.tp, own.fp, own.fn, 0)
    older = Resolver(load_ontology(REPO / "releases" / "1.0.0"), embed=False)
    talking = older.resolve_text("a man talking").ids
    assert talking != ["UTS:0000003"]  # in 1.0.0 talking was a concept of its own
    carried, dropped = ev.score_carried(older, data, ontology)
    assert dropped == 0  # every 1.0.0 concept still stands for one of 1.1.1 (IDs are never removed)
    assert carried.system == "resolver of UTS 1.0.0, tags carried to 1.1.1"
    assert carried.tp + carried.fn == own.tp + own.fn  # the same gold


def test_normalised_keys_of_published_tags_are_unique_targets(ontology: Ontology, lexical: Resolver) -> None:
    """No published string is shadowed by another concept's label: the resolver and the paper agree."""
    words = lexical.lexical_index.words
    for tag in ontology.paper:
        current = ontology.current(tag.concept_id)
        assert current is not None
        assert words[normalise(tag.tag)] == current.id


@needs_embed
def test_small_caches_never_lose_answers(ontology: Ontology, embedded: Resolver) -> None:
    """A batch larger than the caches still gets every answer (the caches forget the least recently used)."""
    tiny = Resolver(ontology, backend="onnx", cache_size=2)
    tags = ["windy", "breezy afternoon", "xqzvt", "qwrtp zzkv", "windy"]
    results = [tiny.resolve_tag(t) for t in tags[:1]] + tiny.resolve_each(tags)
    assert all(isinstance(r, Match) or "nothing to embed" not in r.reason for r in results)
    assert match(results[1]).id == match(results[0]).id
    assert match(results[-1]) == match(results[1])
    info = tiny.cache_info()
    assert info["tags"].currsize <= 2
    assert info["embeddings"].currsize <= 2
    # The same answers as with roomy caches (scores as emitted: the encoder's last bits vary with the batch).
    assert [embedded.resolve_tag(t).to_json() for t in tags] == [r.to_json() for r in results[1:]]
