"""Word sense in running text (issue 15, item 1): the curated senses of ontology/senses.tsv, how the resolver
applies them, how they are validated and stored, and the sense set of real AudioCaps captions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from uts.errors import OntologyValidationError
from uts.ontology import Ontology, load_ontology
from uts.ontology.source import SourceLayout
from uts.resolve import Match, Resolver
from uts.resolve import sense_eval as se
from uts.resolve.senses import sense_table

from .conftest import REPO, SHARED_DATA


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="module")
def lexical(ontology: Ontology) -> Resolver:
    return Resolver(ontology, embed=False)


def labels(matches: tuple[Match, ...]) -> set[str]:
    return {m.label for m in matches}


# ---- the resolver -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caption", "present", "absent"),
    [
        # The wrong senses the issue lists, each with the reading that must replace it.
        ("Metal clanging in a workshop", {"metallic", "clang"}, {"metal"}),
        ("An engine running", {"engine"}, {"running"}),
        ("Music plays while a man talks", {"music", "speech"}, {"play"}),
        ("A large truck passes by", {"truck"}, {"large"}),
        ("A small dog barks", {"dog", "bark"}, {"small"}),
        ("Cars driving by on a wet road", {"car"}, {"driving"}),
        ("A train rattles over railroad tracks", {"train"}, {"track"}),
        ("Water drops on a tin roof", {"drip"}, {"drop"}),
        ("Rocks tumble down a slope", {"stone"}, {"rock"}),
        ("An engine humming", {"engine", "hum"}, {"humming"}),
        ("A woman in high heels walks on a wooden floor", {"woman"}, {"high"}),
        ("A fire engine siren wails", {"siren"}, {"fire"}),
        ("Someone types on a keyboard", {"typing"}, {"keyboard"}),
        ("An electronic beep repeats", {"electronic device", "beep"}, {"electronic"}),
        ("A door opens and closes", {"door"}, {"open", "close"}),
        ("Several guns fire", {"gunfire"}, {"fire"}),
        # Controls: where the word's label is meant, it stays.
        ("A heavy metal band plays loudly", {"metal", "band"}, {"metallic"}),
        ("Children play in a park", {"play", "child"}, set()),
        ("Reverb of a large hall", {"large", "hall"}, set()),
        ("A driving beat with distorted guitars", {"driving"}, set()),
        ("A dubstep drop with heavy bass", {"drop"}, set()),
        ("A rock song with electric guitars", {"rock"}, {"stone"}),
        ("A woman humming a tune", {"humming"}, {"hum"}),
        ("A crackling wood fire", {"fire"}, set()),
        ("A man running on gravel", {"running"}, set()),
        ("Pop music with a female singer", {"pop"}, {"popping"}),
    ],
)
def test_a_word_takes_the_sense_its_context_selects(
    lexical: Resolver, caption: str, present: set[str], absent: set[str]
) -> None:
    tags = labels(lexical.resolve_text(caption).tags)
    assert tags >= present, sorted(tags)
    assert not tags & absent, sorted(tags)


def test_cues_stop_at_the_clause_and_function_words_only_count_next_to_the_form(lexical: Resolver) -> None:
    # "music" is in another clause ("while ..."): the clock's rocking is no genre.
    assert "rock" not in labels(lexical.resolve_text("A clock ticks and rocks while music plays").tags)
    # "a" cues the noun "a beat" only right before it; three words off it says nothing.
    assert "beat" in labels(lexical.resolve_text("A beat is created by clapping").tags)
    assert "beat" not in labels(lexical.resolve_text("A machine is beating on something").tags)


def test_a_single_raw_tag_keeps_its_label_sense(lexical: Resolver) -> None:
    # A tagger's lone "metal" or "running" has no context: the label's own concept answers, as before.
    assert [m.label for m in lexical.resolve_tags(["metal", "running", "large"]).tags] == ["metal", "running", "large"]


def test_the_sense_table_covers_every_inflected_form_that_names_the_same_concept(ontology: Ontology) -> None:
    table = sense_table(ontology)
    assert table.forms["plays"].form == table.forms["playing"].form == "play"
    assert table.forms["rocks"].form == "rock"
    # "humming" is a label of its own concept: it has its own senses, not those of "hum".
    assert table.forms["humming"].form == "humming"
    assert len(table) == len({s.form for s in ontology.senses})


def test_the_encoder_reading_is_off_unless_a_margin_is_set(ontology: Ontology) -> None:
    assert Resolver(ontology, embed=True)._spotter.chooser is None
    assert Resolver(ontology, embed=False, sense_margin=0.2)._spotter.chooser is None  # no encoder, no reading
    assert Resolver(ontology, embed=True, sense_margin=0.2)._spotter.chooser is not None


# ---- one sense per caption ----------------------------------------------------------------------------------


def senses_said(resolver: Resolver, caption: str, *words: str) -> list[str]:
    """The label each mention of these words (as written) names, in caption order; a sense naming no concept
    says nothing."""
    concepts = resolver.ontology.concepts
    return [concepts[m.concept].label for m in resolver.mentions(caption) if m.text.lower() in words]


@pytest.mark.parametrize(
    ("caption", "words", "expected"),
    [
        # A mention that refers back takes its earlier mention's sense, whatever else its own clause holds: the man
        # talks, he does not hum; the first mention was decided by the default alone.
        ("A low hum plays followed by a man talking and the hum continues", ("hum",), ["hum", "hum"]),
        # ... and one decided by a near cue ("woman") gives its sense to "the humming" (a form with the same senses).
        ("A woman hums, then the humming stops", ("hums", "humming"), ["humming", "humming"]),
        # A mention decided only by a cue far off in its clause takes the sense a near cue gives the word elsewhere.
        ("Humming of an engine with a man speaking and distant humming", ("humming",), ["hum", "hum"]),
    ],
)
def test_a_repeated_word_takes_the_sense_of_its_strongly_decided_mention(
    lexical: Resolver, caption: str, words: tuple[str, ...], expected: list[str]
) -> None:
    assert senses_said(lexical, caption, *words) == expected


def test_the_tags_of_a_repeated_word_follow_its_one_sense(lexical: Resolver) -> None:
    # Alone, "the humming" (no cue) would be a machine's hum beside the woman's humming.
    tags = labels(lexical.resolve_text("A woman hums, then the humming stops").tags)
    assert "humming" in tags
    assert "hum" not in tags
    tags = labels(lexical.resolve_text("A low hum plays followed by a man talking and the hum continues").tags)
    assert "hum" in tags
    assert "humming" not in tags


@pytest.mark.parametrize(
    ("caption", "words", "expected"),
    [
        # Each mention has a near cue of its own: the genre, then the material.
        ("A metal band plays and metal clangs", ("metal",), ["metal", "metallic"]),
        ("People talk and hum as the hum of a distant engine fades", ("hum",), ["humming", "hum"]),
        # "the rock" refers back to the genre, but its clause speaks of no music: a stone.
        ("A rock band plays, a stone falls and the rock lands", ("rock",), ["rock", "stone"]),
        ("A rock band plays while rocks tumble", ("rock", "rocks"), ["rock", "stone"]),
        # The default is left alone without a back-reference: "high frequency" is no "high powered".
        ("Wind blowing with high powered and high frequency humming of an engine", ("high",), ["high-pitched"]),
    ],
)
def test_mentions_with_evidence_of_their_own_keep_their_own_senses(
    lexical: Resolver, caption: str, words: tuple[str, ...], expected: list[str]
) -> None:
    assert senses_said(lexical, caption, *words) == expected


def test_one_sense_per_caption_is_per_caption_in_many_threads(ontology: Ontology) -> None:
    from .test_resolve_threads import THREADS, Work, in_threads

    # Captions whose repeated words settle differently, interleaved: a sense carried over from another caption
    # (or from another thread's caption) would show.
    texts = [
        "A low hum plays followed by a man talking and the hum continues",
        "A woman hums, then the humming stops",
        "Humming of an engine with a man speaking and distant humming",
        "A metal band plays and metal clangs",
        "A rock band plays, a stone falls and the rock lands",
        "People talk and hum as the hum of a distant engine fades",
        "A hum plays",
        "A man hums",
    ]
    work: list[Work] = [("text", t) for t in texts * 6] + [("texts", texts[n:] + texts[:n]) for n in range(len(texts))]
    one = Resolver(ontology, embed=False)
    expected = [one.resolve_text(v) if kind == "text" else one.resolve_texts(v) for kind, v in work]
    answers = in_threads(Resolver(ontology, embed=False), work)
    assert len(answers) == THREADS
    for n, got in enumerate(answers):
        assert got == expected, f"thread {n} answered differently"


# ---- the curated file ---------------------------------------------------------------------------------------


def _copy_source(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "mappings", root / "mappings")
    return root


def _rewrite(root: Path, old: str, new: str) -> None:
    path = SourceLayout(root).senses
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("metal\tgenre\tUTS:0000095\tmetal\t\t", "metal\tgenre\tUTS:0000095\tmetal\tyes\t", "2 default senses"),
        ("metal\tgenre\tUTS:0000095", "metal\tgenre\tUTS:9999999", "unknown concept UTS:9999999"),
        (
            "metal\tgenre\tUTS:0000095\tmetal\t\tmusic",
            "metal\tgenre\tUTS:0000095\tmetal\t\tother",
            "2 senses for other",
        ),
        ("\tUTS:0000095\tmetal\t\tmusic\t", "\tUTS:0000095\tmetal\t\tmusic\tclanging|", "selects both"),
        ("running\toperating\t", "runing\toperating\t", "is no label"),
        (
            "Operating or flowing: an engine, machine or motor running, water running from a tap or in a stream.",
            "",
            None,
        ),
    ],
)
def test_validation_names_the_row_and_the_fix(tmp_path: Path, old: str, new: str, message: str | None) -> None:
    root = _copy_source(tmp_path)
    _rewrite(root, old, new)
    with pytest.raises(OntologyValidationError) as caught:
        load_ontology(root)
    text = str(caught.value)
    assert "ontology/senses.tsv:" in text
    assert (message or "has no gloss") in text


def test_a_source_without_senses_loads_and_resolves_as_before(tmp_path: Path) -> None:
    root = _copy_source(tmp_path)
    SourceLayout(root).senses.unlink()
    old = load_ontology(root)
    assert old.senses == ()
    tags = labels(Resolver(old, embed=False).resolve_text("Metal clanging").tags)
    assert "metal" in tags  # without curated senses, the label's own concept answers


def test_lint_writes_the_senses_file_in_canonical_form(tmp_path: Path, ontology: Ontology) -> None:
    from uts.ontology.lint import canonical_texts

    layout = SourceLayout(REPO)
    assert canonical_texts(ontology, layout)[layout.senses] == layout.senses.read_text(encoding="utf-8")


def test_a_sql_store_keeps_the_senses(tmp_path: Path, ontology: Ontology) -> None:
    from uts.store.sql import SqlStore

    store = SqlStore.create(f"sqlite:///{tmp_path / 'uts.db'}")
    store.load_source(ontology)
    assert store.load().senses == ontology.senses  # the working copy
    assert store.load(ontology.metadata.version).senses == ontology.senses  # the release it was loaded as


# ---- the sense set ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sense_scores(lexical: Resolver) -> dict[str, se.SenseScore]:
    if not (SHARED_DATA / "audiocaps").is_dir():
        pytest.skip("the shared AudioCaps captions are not beside the repository")
    cases = se.read_sense_set(lexical.ontology)
    scores = se.score_senses(lexical, cases, se.load_captions(SHARED_DATA))
    return {s.split: s for s in scores}


def test_the_sense_set_has_both_splits_and_controls(sense_scores: dict[str, se.SenseScore]) -> None:
    # The sixth draw (the test split) is smaller than the fifth: only 33 forms had captions left to draw.
    assert sense_scores["dev"].cases >= 1400
    assert sense_scores["test"].cases >= 150
    assert sense_scores["test"].controls >= 15


def test_wrong_sense_tags_are_at_most_two_percent_on_the_test_split(sense_scores: dict[str, se.SenseScore]) -> None:
    test = sense_scores["test"]
    assert test.wrong_share <= 0.02, test.errors


def test_controls_keep_their_common_sense(sense_scores: dict[str, se.SenseScore]) -> None:
    # The acceptance asks for every one, on both splits. Dev holds the fifth draw, whose two misses ("microphone
    # noise buzzes", "young men talk and there is a continuous hum") were fixed in the curated cues (microphone and
    # static for the electrical buzz; "there" opens a clause); the sixth draw was annotated after that, blind.
    for split in ("dev", "test"):
        score = sense_scores[split]
        assert score.controls_right == score.controls, score.errors


def test_a_merge_re_points_the_senses_that_named_the_merged_concept(tmp_path: Path, ontology: Ontology) -> None:
    from uts.ontology.apply import apply_edits
    from uts.ontology.edits import Merge
    from uts.store.sql import SqlStore

    # 'pops' (the artefact) names a sense of its own; merged into 'popping', that sense follows.
    pops, popping = ontology.lookup("pops").id, ontology.lookup("popping").id
    assert any(s.concept_id == pops for s in ontology.senses)
    edit = Merge(concept_id=pops, into=popping, author="utsteam:test", reason="a test of the re-pointing")
    merged = apply_edits(ontology, [edit]).ontology
    assert not any(s.concept_id == pops for s in merged.senses)
    assert ("pops", "artefact") in {(s.form, s.sense) for s in merged.senses if s.concept_id == popping}
    store = SqlStore.create(f"sqlite:///{tmp_path / 'uts.db'}")
    store.load_source(ontology)
    store.apply([edit], expected_revision=store.revision())
    assert store.load().senses == merged.senses
