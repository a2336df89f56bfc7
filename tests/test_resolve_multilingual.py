"""Labels in other languages through the resolver: raw tags and captions in Spanish, German, Chinese ... reach their
concepts, English keeps every key it has, the typo stage never turns a foreign word into an English look-alike,
and the blind multilingual tag set resolves (issue 15, item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from uts.errors import InvalidError
from uts.ontology import Ontology, load_ontology
from uts.ontology.apply import apply_edits
from uts.ontology.edits import AddLabel
from uts.ontology.qc import shadowed_labels
from uts.resolve import Resolver
from uts.resolve import evaluate as ev
from uts.resolve.model import Abstention, Match
from uts.resolve.text import tokenize

from .conftest import RESOURCES

A = "utsteam:tester"
DOG, BARK, HIFI, WOOF, ANIMAL, DRUM = (f"UTS:000000{i}" for i in range(1, 7))


@pytest.fixture(scope="module")
def tiny() -> Ontology:
    """The tiny fixture (labels in German, Spanish and Chinese) with a few more labels for these tests."""
    edits = [
        AddLabel(concept_id=HIFI, label="haute fidélité", scope="pref", lang="fr", author=A),
        AddLabel(concept_id=DOG, label="пес", scope="pref", lang="ru", author=A),
        AddLabel(concept_id=DRUM, label="pièce", scope="alt", lang="de", author=A),  # an English word, unaccented
        AddLabel(concept_id=HIFI, label="HQ", scope="alt", lang="zh", author=A),
        AddLabel(concept_id=DRUM, label="bark", scope="hidden", lang="de", author=A),  # English 'bark' keeps its key
        AddLabel(concept_id=DRUM, label="Dur", scope="hidden", lang="de", author=A),
    ]
    return apply_edits(load_ontology(RESOURCES / "tiny"), edits).ontology


@pytest.fixture(scope="module")
def resolver(tiny: Ontology) -> Resolver:
    return Resolver(tiny, embed=False)


def match(resolver: Resolver, tag: str) -> Match:
    result = resolver.resolve_tag(tag)
    assert isinstance(result, Match), f"{tag!r} -> {result}"
    return result


@pytest.mark.parametrize(
    ("tag", "label", "lang"),
    [
        ("perro", "dog", "es"),
        ("PERROS", "dog", "es"),
        ("Hund", "dog", "de"),
        ("ＨＵＮＤ", "dog", "de"),  # full-width letters (NFKC)
        ("狗", "dog", "zh"),
        ("alta-fidelidad", "high-fidelity", "es"),
        ("高保真", "high-fidelity", "zh"),
        ("Trommel", "drum", "de"),
    ],
)
def test_raw_tags_in_other_languages_match_their_labels_exactly(
    resolver: Resolver, tag: str, label: str, lang: str
) -> None:
    found = match(resolver, tag)
    assert (found.label, found.method, found.score, found.lang) == (label, "exact", 1.0, lang)
    assert found.to_json()["lang"] == lang


def test_english_matches_say_no_language(resolver: Resolver) -> None:
    found = match(resolver, "dog")
    assert found.lang is None
    assert "lang" not in found.to_json()  # the JSONL stream of English tags is what it was


def test_an_english_label_keeps_its_key(tiny: Ontology, resolver: Resolver) -> None:
    found = match(resolver, "bark")  # also a (German, hidden) label of drum here
    assert (found.id, found.lang) == (BARK, None)
    assert tiny.labels.find("bark").is_english
    assert any("'bark'@de (hidden) is 'bark' of UTS:0000002" in line for line in shadowed_labels(tiny))


def test_labels_written_without_their_accents_or_with_them(resolver: Resolver) -> None:
    unaccented = match(resolver, "haute fidelite")
    assert (unaccented.label, unaccented.method, unaccented.score, unaccented.lang) == (
        "high-fidelity",
        "fuzzy",
        0.97,
        "fr",
    )
    accented = match(resolver, "пёс")  # Russian written with ё; the label without
    assert (accented.label, accented.lang) == ("dog", "ru")


def test_the_typo_stage_corrects_inflections_but_never_into_an_english_look_alike(resolver: Resolver) -> None:
    plural = match(resolver, "Trommeln")  # German plural of a German label (its Snowball stem, before any typo)
    assert (plural.label, plural.method, plural.lang) == ("drum", "inflection", "de")
    assert isinstance(resolver.resolve_tag("Trommler"), Abstention)  # a drummer is another word
    assert isinstance(resolver.resolve_tag("drüms"), Abstention)  # no English 'drums' for a word with an umlaut
    english_typo = match(resolver, "drumss")
    assert (english_typo.label, english_typo.method, english_typo.lang) == ("drum", "fuzzy", None)


@pytest.mark.parametrize(
    ("tag", "label", "lang"),
    [
        ("ladrando", "bark", "es"),  # the gerund of the alt label 'ladrar'
        ("Hunde", "dog", "de"),  # a German plural English rules do not make
        ("Trommeln", "drum", "de"),
        ("狗叫声", "bark", "zh"),  # the sound of a dog's bark: the label and the suffix 声
        ("鼓声", "drum", "zh"),
    ],
)
def test_inflected_tags_in_other_languages_reach_their_labels_by_stem_or_suffix(
    resolver: Resolver, tag: str, label: str, lang: str
) -> None:
    found = match(resolver, tag)
    assert (found.label, found.method, found.score, found.lang) == (label, "inflection", 0.95, lang)


def test_the_stem_stage_never_reads_english_words_or_a_stem_two_concepts_share(tiny: Ontology) -> None:
    assert isinstance(Resolver(tiny, embed=False).resolve_tag("Trommler"), Abstention)  # a drummer: another stem
    # 'barking' is English: the stem stage leaves it to the English rules, whatever Spanish would make of it.
    assert match(Resolver(tiny, embed=False), "barking").lang is None
    edits = [
        AddLabel(concept_id=DOG, label="ladra", scope="alt", lang="es", author=A),  # stem "ladr", as "ladrar"
    ]
    shared = Resolver(apply_edits(tiny, edits).ontology, embed=False)
    assert "ladr" not in shared.lexical_index.stem_tables["es"]
    assert isinstance(shared.resolve_tag("ladrando"), Abstention)


def test_a_tag_with_its_language_given_reads_that_language_first(tiny: Ontology) -> None:
    edits = [AddLabel(concept_id=DOG, label="bark", scope="alt", lang="es", author=A)]  # English 'bark' is bark
    resolver = Resolver(apply_edits(tiny, edits).ontology, embed=False)
    assert resolver.resolve_tag("bark").id == BARK  # no language given: English wins
    given = resolver.resolve_tag("bark", lang="es")
    assert isinstance(given, Match)
    assert (given.id, given.method, given.lang) == (DOG, "exact", "es")
    assert resolver.resolve_tag("bark").id == BARK  # the hint leaves the shared cache as it was
    assert resolver.resolve_tag("ladrando", lang="es").label == "bark"  # by stem, within Spanish
    assert resolver.resolve_tag("dog", lang="es").id == DOG  # no Spanish label: read as without the hint
    assert [m.id for m in resolver.resolve_each(["bark", "Hund"], lang="es")] == [DOG, DOG]
    assert resolver.resolve_tags(["bark"], lang="EN").tags[0].id == BARK  # English is no hint
    with pytest.raises(InvalidError, match="no UTS label is in the language 'xx'; give one of de, es, fr, ru, zh"):
        resolver.resolve_tag("bark", lang="xx")


def test_an_english_word_in_a_tag_of_unknown_language_reads_as_english(tiny: Ontology) -> None:
    edits = [
        AddLabel(concept_id=DOG, label="can", scope="alt", lang="es", author=A),  # Catalan-ish Spanish: a dog
        AddLabel(concept_id=DRUM, label="ciudad", scope="alt", lang="es", author=A),  # in English dictionaries, rare
    ]
    resolver = Resolver(apply_edits(tiny, edits).ontology, embed=False)
    assert isinstance(resolver.resolve_tag("can"), Abstention)  # English uses "can" far more than Spanish does
    assert isinstance(resolver.resolve_tag("cans"), Abstention)
    assert resolver.resolve_tag("can", lang="es").id == DOG  # the tagger's language said: the Spanish label
    assert resolver.resolve_tag("ciudad").id == DRUM


def test_chinese_and_japanese_tags_name_what_sounds_and_whole_katakana_words(tiny: Ontology) -> None:
    edits = [
        AddLabel(concept_id=BARK, label="声", scope="alt", lang="zh", author=A),  # a sound, a voice
        AddLabel(concept_id=BARK, label="ワン", scope="pref", lang="ja", author=A),
        AddLabel(concept_id=HIFI, label="ピー", scope="pref", lang="ja", author=A),
    ]
    resolver = Resolver(apply_edits(tiny, edits).ontology, embed=False)
    assert resolver.resolve_tag_concepts("大鼓声").label == "drum"  # one concept, not 声: the drum makes it
    assert resolver.resolve_tag("ピー").label == "high-fidelity"
    assert isinstance(resolver.resolve_tag("ハッピー"), Abstention)  # no ピー inside a longer katakana word
    assert [m.label for m in resolver.resolve_text("ワンワン、ピー。").tags] == ["high-fidelity"]  # ワンワン is no ワン


def test_romance_phrases_put_their_head_first_and_elided_articles_split_off(tiny: Ontology) -> None:
    edits = [
        AddLabel(concept_id=HIFI, label="fuerte", scope="alt", lang="es", author=A),
        AddLabel(concept_id=DOG, label="chien", scope="pref", lang="fr", author=A),
        AddLabel(concept_id=BARK, label="aboiement", scope="pref", lang="fr", author=A),
    ]
    resolver = Resolver(apply_edits(tiny, edits).ontology, embed=False)
    answer = resolver.resolve_tag_concepts("tambor fuerte")
    assert isinstance(answer, tuple)
    assert [m.label for m in answer] == ["drum", "high-fidelity"]  # Spanish: the noun first
    english = resolver.resolve_tag_concepts("hi-fi drum")
    assert isinstance(english, tuple)
    assert [m.label for m in english] == ["drum", "high-fidelity"]  # English: the noun last
    elided = resolver.resolve_tag_concepts("aboiement d'animal")
    assert isinstance(elided, tuple)
    assert [m.label for m in elided] == ["bark", "animal"]  # d' split off: the noun reads as itself


def test_a_key_two_other_languages_give_different_concepts_goes_to_the_one_more_languages_give_it(
    tiny: Ontology,
) -> None:
    edits = [
        AddLabel(concept_id=DOG, label="tambo", scope="alt", lang="es", author=A),
        AddLabel(concept_id=DRUM, label="tamburo", scope="pref", lang="it", author=A),
        AddLabel(concept_id=DRUM, label="tambo", scope="alt", lang="it", author=A),
        AddLabel(concept_id=DRUM, label="tambor", scope="pref", lang="pt", author=A),
        AddLabel(concept_id=DRUM, label="tambo", scope="alt", lang="pt", author=A),
    ]
    hit = apply_edits(tiny, edits).ontology.labels.find("tambo")
    assert hit is not None
    assert hit.concept_id == DRUM  # two languages against one, though "es" sorts first
    alone = apply_edits(tiny, edits[:3]).ontology.labels.find("tambo")
    assert alone is not None
    assert (alone.concept_id, alone.lang) == (DOG, "es")  # a tie: the first language code


def test_english_inflection_reaches_labels_in_other_languages_only_as_plurals(resolver: Resolver) -> None:
    assert match(resolver, "Durs").label == "drum"  # a plural
    assert isinstance(resolver.resolve_tag("during"), Abstention)  # no -ing form of German 'Dur'
    assert match(resolver, "ladridos").method == "inflection"


def test_captions_in_chinese_and_japanese_are_read_character_by_character(resolver: Resolver) -> None:
    assert tokenize("狗在叫，高保真。").texts == ["狗", "在", "叫", "，", "高", "保", "真", "。"]
    result = resolver.resolve_text("狗在叫，高保真录音。")
    assert [(m.label, m.text, m.lang) for m in result.tags] == [("dog", "狗", "zh"), ("high-fidelity", "高保真", "zh")]
    phrase = match(resolver, "大鼓")  # a big drum: a tag that holds a label
    assert (phrase.label, phrase.method) == ("drum", "phrase")


def test_captions_in_other_languages_find_their_labels(resolver: Resolver) -> None:
    result = resolver.resolve_text("Un perro ladra; ladridos y un tambor.")
    assert [(m.label, m.lang) for m in result.tags] == [("dog", "es"), ("drum", "es"), ("bark", "es")]


def test_in_running_text_english_words_keep_their_english_reading(resolver: Resolver) -> None:
    # 'hq' reaches high-fidelity only through a Chinese label: as a raw tag it does, in a caption it is English;
    # 'piece' is an English word, never the German label 'pièce' without its accent.
    assert match(resolver, "HQ").label == "high-fidelity"
    assert match(resolver, "pièce").label == "drum"
    assert isinstance(resolver.resolve_tag("piece"), Abstention)
    result = resolver.resolve_text("A dog barks over a piece of music in HQ.")
    assert "drum" not in [m.label for m in result.tags]
    assert "high-fidelity" not in [m.label for m in result.tags]
    assert [m.label for m in result.tags][:1] == ["dog"]


# ---- the evaluation ---------------------------------------------------------------------------------------


def test_the_multilingual_set_is_scored_per_language(tiny: Ontology) -> None:
    tags = ev.read_multilingual(tiny, RESOURCES / "multilingual_tags.tsv")
    scores = ev.score_multilingual(Resolver(tiny, embed=False), tags)
    figures = {s.lang: (s.correct, s.total, s.abstained) for s in scores}
    assert figures == {"de": (2, 3, 1), "es": (2, 3, 1), "zh": (2, 2, 0)}
    assert ev.overall(scores).accuracy == 6 / 8
    spanish = next(s for s in scores if s.lang == "es")
    assert spanish.errors == ["'perritos' (dog) -> abstained"]


def test_the_multilingual_set_reader_names_each_bad_row(tiny: Ontology, tmp_path: Path) -> None:
    path = tmp_path / "tags.tsv"
    path.write_text(
        "# notes\n"
        "lang\ttag\tconcept_id\tconcept_label\n"
        "es\tperro\tUTS:0000001\tdog\n"
        "es\tperro\tUTS:0000001\tdog\n"
        "en\tdoggy\tUTS:0000001\tdog\n"
        "xx-YY\tfoo\tUTS:0000001\tdog\n"
        "de\tHund\tUTS:0000099\tdog\n"
        "de\tBellen\tUTS:0000002\tbarking\n"
        "de\tonly three\tUTS:0000002\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidError) as info:
        ev.read_multilingual(tiny, path)
    found = {(p.line, p.message.split(" ")[0]) for p in info.value.problems}
    assert {line for line, _ in found} == {4, 5, 6, 7, 8, 9}
    text = str(info.value)
    assert "'perro' (es) is also on line 3" in text
    assert "'en' is no language other than English" in text
    assert "UTS:0000099 is no concept" in text
    assert "UTS:0000002 is 'bark', not 'barking'" in text
    path.write_text("language\ttag\n", encoding="utf-8")
    with pytest.raises(InvalidError, match="the header is not lang tag concept_id concept_label"):
        ev.read_multilingual(tiny, path)


def test_a_set_may_name_concepts_a_tag_names_as_well_and_they_are_counted_apart(tiny: Ontology, tmp_path: Path) -> None:
    path = tmp_path / "tags.tsv"
    path.write_text(
        "lang\ttag\tconcept_id\tconcept_label\talso\n"
        f"es\tperro\t{ANIMAL}\tanimal\t{DOG}\n"  # written for animal; the writer says it names the dog as well
        f"es\tperros\t{DOG}\tdog\t\n"
        f"de\tHund\t{ANIMAL}\tanimal\t\n"  # no also: the dog is wrong
        f"de\tTrommel\t{DRUM}\tdrum\t{DOG}|{BARK}\n",
        encoding="utf-8",
    )
    tags = ev.read_multilingual(tiny, path)
    assert [t.also for t in tags] == [(DOG,), (), (), (DOG, BARK)]
    scores = {s.lang: s for s in ev.score_multilingual(Resolver(tiny, embed=False), tags)}
    assert (scores["es"].correct, scores["es"].also, scores["es"].accuracy_with_also) == (1, 1, 1.0)
    assert (scores["de"].correct, scores["de"].also, scores["de"].accuracy_with_also) == (1, 0, 0.5)
    assert scores["es"].errors == ["'perro' (animal; its writer's also: dog) -> dog [exact 1.00]"]
    total = ev.overall(list(scores.values()))
    assert (total.accuracy, total.accuracy_with_also) == (2 / 4, 3 / 4)
    path.write_text(
        f"lang\ttag\tconcept_id\tconcept_label\talso\nes\tperro\t{DOG}\tdog\t{DOG}|UTS:0000099\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidError) as info:
        ev.read_multilingual(tiny, path)
    assert [p.message for p in info.value.problems] == [
        f"'{DOG}' in also is no other active concept",
        "'UTS:0000099' in also is no other active concept",
    ]


@pytest.fixture(scope="module")
def bundled() -> Ontology:
    return load_ontology()


# Accuracy of each multilingual set, lexical stages only (the encoder reads English), and with each tag's language
# given. Issue 15, item 7 asks for 95% of a set written blind to the curated labels. Each set was the blind test
# until a curation pass read its misses; these floors hold the figures of the translations as they are. The test
# split (set 5: 1,696 tags for the 230 level-800 concepts no earlier set has, written blind and scored once, with the
# curation frozen) gets 95.4% with the language given and 93.8% without: there an English word that English uses more
# than the tag's language reads as English ("off", "can" and "rings" of English taggers must not become Spanish),
# and a key two languages give different concepts, one each, goes to the code that sorts first ("palestra": Italian).
# Counting as right, too, a concept the set's writer judged a tag to name exactly as well (its also column: "cocina"
# is the kitchen and the cooking), they are 98.3% and 97.1%. Set 4 (dev-4) was the test before: 91.1% and 92.1%.
FLOORS = {
    "dev-1": (0.975, 0.985),
    "dev-2": (0.965, 0.975),
    "dev-3": (0.95, 0.965),
    "dev-4": (0.905, 0.915),
    "test": (0.935, 0.95),
}
FLOORS_WITH_ALSO = {"test": (0.97, 0.98)}


@pytest.mark.parametrize("split", sorted(FLOORS))
def test_each_multilingual_set_keeps_its_accuracy(bundled: Ontology, split: str) -> None:
    tags = ev.read_multilingual(bundled, ev.MULTILINGUAL_SETS[split])
    assert {t.lang for t in tags} == {"de", "es", "fr", "it", "ja", "pt", "ru", "zh"}
    resolver = Resolver(bundled, embed=False)
    unknown = ev.overall(ev.score_multilingual(resolver, tags))
    given = ev.overall(ev.score_multilingual(resolver, tags, hint=True))
    floor, floor_given = FLOORS[split]
    assert unknown.accuracy >= floor, f"{unknown.correct}/{unknown.total} right"
    assert given.accuracy >= floor_given, f"{given.correct}/{given.total} right with the language given"
    if split in FLOORS_WITH_ALSO:
        assert any(t.also for t in tags)
        floor, floor_given = FLOORS_WITH_ALSO[split]
        assert unknown.accuracy_with_also >= floor
        assert given.accuracy_with_also >= floor_given
