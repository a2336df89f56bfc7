"""The legacy vocabulary readers: real published files (from ../shared/data) and malformed copies in tmp_path."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from uts.errors import VocabularyError
from uts.vocabularies import VOCABULARIES, Vocabulary, read_vocabulary
from uts.vocabularies._read import decode_name, encode_name, id_problem
from uts.vocabularies.discogs400 import published_name

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# name -> (number of classes, flag counts, number of classes with a parent)
EXPECTED: dict[str, tuple[int, dict[str, int], int]] = {
    "audioset": (632, {"label": 527, "abstract": 23, "blacklist": 67}, 625),
    "esc50": (50, {"esc10": 10}, 0),
    "urbansound8k": (10, {}, 0),
    "sonyc-ust": (8 + 29, {"uncertain": 6}, 29),
    "mtg-genre": (95, {}, 0),
    "mtg-instrument": (41, {}, 0),
    "mtg-moodtheme": (59, {}, 0),
    "discogs400": (400 + 15, {}, 400),
    "nsynth": (11, {}, 0),
    "gtzan": (10, {}, 0),
    "speech-commands": (30, {}, 0),
    "ucs": (82 + 752, {}, 752),
}

_cache: dict[str, Vocabulary] = {}


@pytest.fixture(scope="module")
def data_dir() -> Path:
    if not (DATA / "MANIFEST.md").exists():
        pytest.skip(f"the shared data is not beside the repository ({DATA} is missing)")
    return DATA


def vocab(data_dir: Path, name: str) -> Vocabulary:
    if name not in _cache:
        _cache[name] = read_vocabulary(name, data_dir)
    return _cache[name]


def error(name: str, root: Path) -> str:
    """The message of the VocabularyError that reading ``name`` from the data folder ``root`` raises."""
    with pytest.raises(VocabularyError) as info:
        read_vocabulary(name, root)
    return str(info.value)


def put(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------------
# The registry


def test_registry_names_and_specs() -> None:
    assert list(VOCABULARIES) == list(EXPECTED)
    for name, spec in VOCABULARIES.items():
        assert spec.name == name
        assert spec.iri_prefix.startswith("https://")
        assert spec.default_paths


def test_import_is_light() -> None:
    code = "import sys, uts.vocabularies; print(sorted(m for m in ('pandas', 'torch', 'sssom') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unknown_vocabulary_names_the_choices(tmp_path: Path) -> None:
    message = error("audioset2", tmp_path)
    assert "'audioset2'" in message
    assert "esc50" in message
    assert "speech-commands" in message


def test_missing_file_names_file_and_data_folder(tmp_path: Path) -> None:
    message = error("esc50", tmp_path)
    assert "esc50/esc50.csv" in message
    assert str(tmp_path) in message


def test_missing_second_file(tmp_path: Path) -> None:
    put(tmp_path, "audioset/ontology.json", "[]")
    assert "class_labels_indices.csv" in error("audioset", tmp_path)


def test_explicit_paths(data_dir: Path, tmp_path: Path) -> None:
    voc = read_vocabulary("gtzan", tmp_path, [data_dir / "gtzan" / "features_30_sec.csv"])
    assert len(voc.classes) == 10
    with pytest.raises(VocabularyError, match="2 file"):
        read_vocabulary("audioset", tmp_path, [data_dir / "audioset" / "ontology.json"])
    with pytest.raises(VocabularyError, match=r"nowhere\.csv"):
        read_vocabulary("gtzan", tmp_path, [tmp_path / "nowhere.csv"])


# ---------------------------------------------------------------------------------------------------------
# Every vocabulary, from the real published files


@pytest.mark.parametrize("name", list(EXPECTED))
def test_counts(data_dir: Path, name: str) -> None:
    voc = vocab(data_dir, name)
    total, flags, with_parents = EXPECTED[name]
    assert len(voc.classes) == total
    assert dict(Counter(flag for cls in voc.classes for flag in cls.flags)) == flags
    assert sum(1 for cls in voc.classes if cls.parents) == with_parents


@pytest.mark.parametrize("name", list(EXPECTED))
def test_ids_unique_valid_and_parents_known(data_dir: Path, name: str) -> None:
    voc = vocab(data_dir, name)
    spec = VOCABULARIES[name]
    assert (voc.name, voc.prefix, voc.iri_prefix, voc.title) == (spec.name, spec.prefix, spec.iri_prefix, spec.title)
    assert len(set(voc.ids)) == len(voc.ids)
    ids = set(voc.ids)
    for cls in voc.classes:
        prefix, _, local = cls.id.partition(":")
        assert prefix == spec.prefix
        assert id_problem(local) is None, cls.id
        assert cls.label
        assert cls.label == cls.label.strip()
        assert set(cls.parents) <= ids
        assert cls.id not in cls.parents
        assert len(set(cls.synonyms)) == len(cls.synonyms)
        assert cls.label not in cls.synonyms


def test_audioset(data_dir: Path) -> None:
    voc = vocab(data_dir, "audioset")
    speech = voc.get("AudioSet:/m/09x0r")
    assert speech.label == "Speech"
    assert speech.parents == ("AudioSet:/m/09l8g",)
    assert voc.get("AudioSet:/m/09l8g").label == "Human voice"
    assert voc.get("AudioSet:/m/09l8g").flags == ("abstract",)
    assert speech.flags == ("label",)
    assert speech.description.startswith("Speech is the vocalized form of human communication")
    assert voc.get("AudioSet:/m/074ft").flags == ("blacklist", "label")  # Song: a label class yet blacklisted
    assert voc.get("AudioSet:/m/0l14jd").parents == ("AudioSet:/m/015lz1", "AudioSet:/m/04szw")  # Choir
    assert voc.get("AudioSet:/t/dd00012").label == "Human group actions"
    roots = [cls.label for cls in voc.classes if not cls.parents]
    assert roots[:3] == ["Human sounds", "Animal", "Music"]
    assert len(roots) == 7


def test_esc50(data_dir: Path) -> None:
    voc = vocab(data_dir, "esc50")
    assert voc.classes[0].id == "ESC50:dog"  # target 0
    assert voc.get("ESC50:dog").label == "dog"
    assert voc.get("ESC50:dog").flags == ("esc10",)
    assert voc.get("ESC50:chirping_birds").label == "chirping birds"
    assert voc.get("ESC50:chirping_birds").flags == ()
    esc10 = {cls.id.split(":")[1] for cls in voc.classes if "esc10" in cls.flags}
    assert esc10 == {
        "dog",
        "rooster",
        "rain",
        "sea_waves",
        "crackling_fire",
        "crying_baby",
        "sneezing",
        "clock_tick",
        "helicopter",
        "chainsaw",
    }


def test_urbansound8k(data_dir: Path) -> None:
    voc = vocab(data_dir, "urbansound8k")
    assert voc.ids[0] == "US8K:air_conditioner"  # classID 0
    assert voc.ids[-1] == "US8K:street_music"  # classID 9
    assert voc.get("US8K:car_horn").label == "car horn"


def test_sonyc_ust(data_dir: Path) -> None:
    voc = vocab(data_dir, "sonyc-ust")
    assert voc.ids[:2] == ["SONYCUST:1_engine", "SONYCUST:1-1_small-sounding-engine"]
    small = voc.get("SONYCUST:1-1_small-sounding-engine")
    assert small.label == "small sounding engine"
    assert small.parents == ("SONYCUST:1_engine",)
    uncertain = voc.get("SONYCUST:1-X_engine-of-uncertain-size")
    assert uncertain.flags == ("uncertain",)
    assert uncertain.parents == ("SONYCUST:1_engine",)
    assert voc.get("SONYCUST:3-1_non-machinery-impact").parents == ("SONYCUST:3_non-machinery-impact",)
    assert voc.get("SONYCUST:8-1_dog-barking-whining").parents == ("SONYCUST:8_dog",)
    assert sum(1 for cls in voc.classes if not cls.parents) == 8


def test_mtg_jamendo(data_dir: Path) -> None:
    genre = vocab(data_dir, "mtg-genre")
    assert genre.ids[:2] == ["MTGJamendo:genre---electronic", "MTGJamendo:genre---rock"]
    assert genre.get("MTGJamendo:genre---rock").label == "rock"
    assert genre.get("MTGJamendo:genre---electronica").synonyms == ("eletronica", "electronika")
    assert "MTGJamendo:genre---electrohouse" not in genre.ids  # a merged tag too rare for the autotagging set
    instrument = vocab(data_dir, "mtg-instrument")
    assert instrument.get("MTGJamendo:instrument---piano").synonyms == ("pianosolo", "pianoforte", "pianos")
    assert instrument.get("MTGJamendo:instrument---guitar").synonyms == (
        "guitars",
        "guitare",
        "guitares",
        "guitarra",
        "chitarra",
    )
    mood = vocab(data_dir, "mtg-moodtheme")
    assert mood.get("MTGJamendo:mood/theme---happy").synonyms == ("happiness",)
    assert mood.get("MTGJamendo:mood/theme---happy").label == "happy"
    # The mood/theme ids are those of the dataset's own tag list.
    listed = (data_dir / "mtg_jamendo" / "tags" / "moodtheme.txt").read_text(encoding="utf-8").split()
    assert sorted(mood.ids) == sorted(f"MTGJamendo:{tag}" for tag in listed)


def test_discogs400(data_dir: Path) -> None:
    voc = vocab(data_dir, "discogs400")
    assert voc.ids[:2] == ["Discogs400:Blues", "Discogs400:Blues---Boogie_Woogie"]
    style = voc.get("Discogs400:Blues---Chicago_Blues")
    assert style.label == "Chicago Blues"
    assert style.parents == ("Discogs400:Blues",)
    assert voc.get("Discogs400:Folk,_World,_&_Country").label == "Folk, World, & Country"
    assert voc.get("Discogs400:Funk_/_Soul---P.Funk").parents == ("Discogs400:Funk_/_Soul",)
    assert voc.get("Discogs400:Latin---Forr%C3%B3").label == "Forró"
    assert voc.get("Discogs400:Children's---Story").parents == ("Discogs400:Children's",)
    # Gospel is a style of two genres: two classes, one label.
    assert [cls.id for cls in voc.classes if cls.label == "Gospel"] == [
        "Discogs400:Folk,_World,_&_Country---Gospel",
        "Discogs400:Funk_/_Soul---Gospel",
    ]
    published = json.loads((data_dir / VOCABULARIES["discogs400"].default_paths[0]).read_text(encoding="utf-8"))
    styles = [cls for cls in voc.classes if cls.parents]
    assert [published_name(cls.id) for cls in styles] == published["classes"]
    genres = [cls for cls in voc.classes if not cls.parents]
    assert all(published_name(cls.id) == cls.label for cls in genres)


def test_nsynth(data_dir: Path) -> None:
    voc = vocab(data_dir, "nsynth")
    assert voc.ids[0] == "NSynth:mallet"
    assert voc.get("NSynth:synth_lead").label == "synth lead"
    assert [cls.label for cls in voc.classes][-3:] == ["keyboard", "brass", "organ"]


def test_gtzan(data_dir: Path) -> None:
    voc = vocab(data_dir, "gtzan")
    assert voc.ids == [
        f"GTZAN:{g}"
        for g in ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"]
    ]


def test_speech_commands(data_dir: Path) -> None:
    words = [
        "bed",
        "bird",
        "cat",
        "dog",
        "down",
        "eight",
        "five",
        "four",
        "go",
        "happy",
        "house",
        "left",
        "marvin",
        "nine",
        "no",
        "off",
        "on",
        "one",
        "right",
        "seven",
        "sheila",
        "six",
        "stop",
        "three",
        "tree",
        "two",
        "up",
        "wow",
        "yes",
        "zero",
    ]
    voc = vocab(data_dir, "speech-commands")
    assert voc.ids == [f"SpeechCommands:{w}" for w in words]
    assert voc.get("SpeechCommands:yes").label == "yes"


def test_ucs(data_dir: Path) -> None:
    voc = vocab(data_dir, "ucs")
    burst = voc.get("UCS:AIRBrst")
    assert burst.label == "AIR-BURST"
    assert burst.parents == ("UCS:category/AIR",)
    assert burst.description.startswith("Sharp air releases")
    assert "airgun" in burst.synonyms
    assert voc.get("UCS:category/AIR").label == "AIR"
    assert voc.get("UCS:category/DIRT_&_SAND").label == "DIRT & SAND"
    # "RAIN" is both a category and a CatID: the category/ part keeps the ids apart.
    assert voc.get("UCS:RAIN").parents == ("UCS:category/RAIN",)
    assert voc.get("UCS:AEROInt").synonyms.count("flight") == 1  # listed twice in the published file
    assert "v8.2.1" in voc.source


# ---------------------------------------------------------------------------------------------------------
# The id encoding


@pytest.mark.parametrize(
    "name", ["Blues---Rhythm & Blues", "Folk, World, & Country---Laïkó", "Pop---Kayōkyoku", "a_b 100% c", "x:y?#|"]
)
def test_encode_name_round_trips_to_a_valid_local_id(name: str) -> None:
    local = encode_name(name)
    assert id_problem(local) is None
    assert decode_name(local) == name


def test_id_problem() -> None:
    assert id_problem("/m/09x0r") is None
    assert id_problem("mood/theme---happy") is None
    assert "unencoded" in (id_problem("Forró") or "")
    assert "' '" in (id_problem("a b") or "")
    assert "'|'" in (id_problem("a|b") or "")
    assert "%XX" in (id_problem("100%") or "")
    assert id_problem("") == "it is empty"


# ---------------------------------------------------------------------------------------------------------
# Malformed input: every error names the file and the line (or JSON key / YAML line)

ONTOLOGY = [
    {"id": "/m/0a", "name": "Root", "description": "The root.", "child_ids": ["/m/0b"], "restrictions": ["abstract"]},
    {"id": "/m/0b", "name": "Leaf", "description": "", "child_ids": [], "restrictions": []},
]
LABELS = 'index,mid,display_name\n0,/m/0b,"Leaf"\n'


def audioset_files(root: Path, ontology: object = None, labels: str = LABELS, raw: str | None = None) -> None:
    text = raw if raw is not None else json.dumps(ONTOLOGY if ontology is None else ontology, indent=2)
    put(root, "audioset/ontology.json", text)
    put(root, "audioset/class_labels_indices.csv", labels)


def test_audioset_minimal(tmp_path: Path) -> None:
    audioset_files(tmp_path)
    voc = read_vocabulary("audioset", tmp_path)
    assert voc.ids == ["AudioSet:/m/0a", "AudioSet:/m/0b"]
    assert voc.get("AudioSet:/m/0b").parents == ("AudioSet:/m/0a",)
    assert voc.get("AudioSet:/m/0b").flags == ("label",)


def test_audioset_malformed_json(tmp_path: Path) -> None:
    audioset_files(tmp_path, raw='[\n  {"id": "/m/0a",\n  "name": }\n]')
    message = error("audioset", tmp_path)
    assert "ontology.json:3:" in message
    assert "not valid JSON" in message


def test_audioset_label_mid_not_in_ontology(tmp_path: Path) -> None:
    audioset_files(tmp_path, labels=LABELS + '1,/m/0zzz,"Ghost"\n')
    message = error("audioset", tmp_path)
    assert "class_labels_indices.csv:3:" in message
    assert "'/m/0zzz'" in message
    assert "Fix:" in message


def test_audioset_label_file_lacks_mid_column(tmp_path: Path) -> None:
    audioset_files(tmp_path, labels="index,machine,display_name\n0,/m/0b,Leaf\n")
    message = error("audioset", tmp_path)
    assert "class_labels_indices.csv:1:" in message
    assert "'mid'" in message


def test_audioset_duplicate_label_mid(tmp_path: Path) -> None:
    audioset_files(tmp_path, labels=LABELS + '1,/m/0b,"Leaf"\n')
    assert "class_labels_indices.csv:3:" in error("audioset", tmp_path)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": ""}, "$[1] (id '/m/0b'): key 'name'"),
        ({"name": 3}, "key 'name' is a int"),
        ({"child_ids": ["/m/0nope"]}, "key 'child_ids' names '/m/0nope'"),
        ({"child_ids": "oops"}, "key 'child_ids' is not a list"),
        ({"restrictions": ["hidden"]}, "key 'restrictions' holds 'hidden'"),
        ({"id": "/m/0a"}, "$[1] (id '/m/0a'): the id is also the id of $[0]"),
        ({"id": "/m/0 b"}, "cannot be a class id"),
        ({"id": "m0b"}, "not a machine id"),
    ],
)
def test_audioset_bad_entry(tmp_path: Path, change: dict[str, object], expected: str) -> None:
    ontology = [dict(ONTOLOGY[0]), {**ONTOLOGY[1], **change}]
    audioset_files(tmp_path, ontology, labels="index,mid,display_name\n0,/m/0a,Root\n")
    message = error("audioset", tmp_path)
    assert "ontology.json" in message
    assert expected in message


def test_audioset_top_level_not_a_list(tmp_path: Path) -> None:
    audioset_files(tmp_path, raw='{"id": "/m/0a"}')
    assert "ontology.json: the top level is not a JSON list" in error("audioset", tmp_path)


ESC_HEADER = "filename,fold,target,category,esc10,src_file,take\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            ESC_HEADER + "1-1-A-0.wav,1,0,dog,True,1,A\n1-2-A-1.wav,1,1,,False,2,A\n",
            "esc50.csv:3: column 'category' is empty",
        ),
        (
            "filename,fold,target,category,src_file,take\n1-1-A-0.wav,1,0,dog,1,A\n",
            "esc50.csv:1: the header lacks column(s) 'esc10'",
        ),
        (
            ESC_HEADER + "1-1-A-0.wav,1,0,dog,True,1,A\n1-2-A-0.wav,1,3,dog,True,2,A\n",
            "esc50.csv:3: class 'dog' has target 3",
        ),
        (ESC_HEADER + "1-1-A-0.wav,1,0,dog,yes,1,A\n", "esc50.csv:2: column 'esc10' is 'yes'"),
        (ESC_HEADER + "1-1-A-0.wav,1,zero,dog,True,1,A\n", "esc50.csv:2: column 'target' is 'zero'"),
        (ESC_HEADER + "1-1-A-0.wav,1,0,dog,True,1\n", "esc50.csv:2: the row has 6 cells"),
        (
            ESC_HEADER + "1-1-A-0.wav,1,0,dog,True,1,A\n1-2-A-0.wav,1,0,cat,True,2,A\n",
            "esc50.csv:3: target 0 is already",
        ),
        (ESC_HEADER + "1-1-A-0.wav,1,0,hot dog,True,1,A\n", "esc50.csv:2: 'hot dog' cannot be a class id"),
        (ESC_HEADER + '1-1-A-0.wav,1,0,"dog,True,1,A\n', "esc50.csv:2: not valid delimited text"),
        ("", "esc50.csv:1: the file has no header line"),
    ],
)
def test_esc50_bad_input(tmp_path: Path, text: str, expected: str) -> None:
    put(tmp_path, "esc50/esc50.csv", text)
    assert expected in error("esc50", tmp_path)


def test_esc50_accepts_excel_booleans_and_crlf(tmp_path: Path) -> None:
    put(
        tmp_path,
        "esc50/esc50.csv",
        (ESC_HEADER + "1-1-A-1.wav,1,1,rooster,TRUE,1,A\n1-2-A-0.wav,1,0,dog,FALSE,2,A\n").replace("\n", "\r\n"),
    )
    voc = read_vocabulary("esc50", tmp_path)
    assert voc.ids == ["ESC50:dog", "ESC50:rooster"]
    assert voc.get("ESC50:rooster").flags == ("esc10",)


US8K_HEADER = "slice_file_name,fsID,start,end,salience,fold,classID,class\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            US8K_HEADER + "a.wav,1,0,1,1,1,1,car_horn\nb.wav,2,0,1,1,1,2,\n",
            "UrbanSound8K.csv:3: column 'class' is empty",
        ),
        (
            "slice_file_name,fsID,start,end,salience,fold,class\na.wav,1,0,1,1,1,car_horn\n",
            "UrbanSound8K.csv:1: the header lacks column(s) 'classID'",
        ),
        (
            US8K_HEADER + "a.wav,1,0,1,1,1,1,car_horn\nb.wav,2,0,1,1,1,2,car_horn\n",
            "UrbanSound8K.csv:3: class 'car_horn' has classID 2",
        ),
    ],
)
def test_urbansound8k_bad_input(tmp_path: Path, text: str, expected: str) -> None:
    put(tmp_path, "urbansound8k/UrbanSound8K.csv", text)
    assert expected in error("urbansound8k", tmp_path)


SONYC = "fine:\n    1:\n        1: small-engine\n        X: engine-of-uncertain-size\ncoarse:\n    1: engine\n"


def test_sonyc_minimal(tmp_path: Path) -> None:
    put(tmp_path, "sonyc_ust/dcase-ust-taxonomy.yaml", SONYC)
    voc = read_vocabulary("sonyc-ust", tmp_path)
    assert voc.ids == ["SONYCUST:1_engine", "SONYCUST:1-1_small-engine", "SONYCUST:1-X_engine-of-uncertain-size"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SONYC.replace("1: small-engine", "1: small: engine"), "dcase-ust-taxonomy.yaml:3: not valid YAML"),
        (SONYC + "    1: motor\n", "dcase-ust-taxonomy.yaml:7: coarse repeats the key '1' (first on line 6)"),
        (SONYC.replace("    1:\n", "    2:\n"), "dcase-ust-taxonomy.yaml:2: fine group '2' is not a coarse class"),
        (SONYC.replace("X: engine", "Y: engine"), "dcase-ust-taxonomy.yaml:4: fine key 1.Y is neither a number nor X"),
        (SONYC.replace("1: small-engine", "1:"), "dcase-ust-taxonomy.yaml:3: fine.1.1 has no class name"),
        (
            SONYC.replace("1: small-engine", "1: small engine"),
            "dcase-ust-taxonomy.yaml:3: 'small engine' cannot be a class id",
        ),
        (
            SONYC.replace("    1: engine", "    one: engine"),
            "dcase-ust-taxonomy.yaml:6: coarse key 'one' is not a number",
        ),
        (SONYC.replace("coarse:", "coarser:"), "dcase-ust-taxonomy.yaml: there is no top-level key 'coarse'"),
        ("- a\n- b\n", "dcase-ust-taxonomy.yaml:1: the top level is not a mapping"),
        ("", "dcase-ust-taxonomy.yaml: the file is empty"),
    ],
)
def test_sonyc_bad_input(tmp_path: Path, text: str, expected: str) -> None:
    put(tmp_path, "sonyc_ust/dcase-ust-taxonomy.yaml", text)
    assert expected in error("sonyc-ust", tmp_path)


TAG_MAP = {"genre": {"eletronica": "electronica"}, "instrument": {}, "mood/theme": {"happiness": "happy"}}


def mtg_files(root: Path, genre: str, tag_map: str | None = None) -> None:
    put(root, "mtg_jamendo/stats/genre.tsv", genre)
    put(root, "mtg_jamendo/tag_map.json", json.dumps(TAG_MAP, indent=2) if tag_map is None else tag_map)


def test_mtg_minimal(tmp_path: Path) -> None:
    mtg_files(tmp_path, "tag\tartists\talbums\ttracks\nelectronica\t1\t1\t1\nrock\t1\t1\t1\n")
    voc = read_vocabulary("mtg-genre", tmp_path)
    assert voc.ids == ["MTGJamendo:genre---electronica", "MTGJamendo:genre---rock"]
    assert voc.get("MTGJamendo:genre---electronica").synonyms == ("eletronica",)


@pytest.mark.parametrize(
    ("genre", "tag_map", "expected"),
    [
        ("tag\tartists\talbums\ttracks\nrock\t1\t1\t1\n\t2\t2\t2\n", None, "genre.tsv:3: column 'tag' is empty"),
        ("name\tartists\nrock\t1\n", None, "genre.tsv:1: the header lacks column(s) 'tag'"),
        ("tag\tartists\nrock\t1\nrock\t2\n", None, "genre.tsv:3: the tag 'rock' is also on line 2"),
        ("tag\tartists\nhard rock\t1\n", None, "genre.tsv:2: 'hard rock' cannot be a class id"),
        ("tag\tartists\ngenre---rock\t1\n", None, "genre.tsv:2: the tag 'genre---rock' holds '---'"),
        ("tag\tartists\nrock\t1\t5\n", None, "genre.tsv:2: the row has 3 cells"),
        ("tag\tartists\nrock\t1\n", '{\n  "genre": {\n    "punk": punkrock\n  }\n}', "tag_map.json:3: not valid JSON"),
        ("tag\tartists\nrock\t1\n", '{"instrument": {}}', "tag_map.json: there is no key 'genre'"),
        ("tag\tartists\nrock\t1\n", '{"genre": ["rock"]}', "tag_map.json: key 'genre' is not a JSON object"),
        ("tag\tartists\nrock\t1\n", '{"genre": {"punk": 3}}', "tag_map.json: key 'genre' -> 'punk' does not map"),
    ],
)
def test_mtg_bad_input(tmp_path: Path, genre: str, tag_map: str | None, expected: str) -> None:
    mtg_files(tmp_path, genre, tag_map)
    assert expected in error("mtg-genre", tmp_path)


DISCOGS = "essentia_models/genre_discogs400-discogs-effnet-1.json"


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        (["Blues---Chicago Blues", "Jazz"], "key 'classes'[1] ('Jazz') is not of the form 'Genre---Style'"),
        (["Blues---Chicago Blues", "Blues---"], "key 'classes'[1] ('Blues---') is not of the form"),
        (["Blues --- Chicago Blues"], "key 'classes'[0] ('Blues --- Chicago Blues') has spaces around '---'"),
        (["Blues---Chicago Blues", "Blues---Chicago Blues"], "key 'classes'[1] repeats 'Blues---Chicago Blues'"),
        (["Blues---Chicago Blues", ""], "key 'classes'[1] is '', not a class name"),
        ([], "key 'classes' is not a non-empty list"),
    ],
)
def test_discogs400_bad_input(tmp_path: Path, classes: list[str], expected: str) -> None:
    put(tmp_path, DISCOGS, json.dumps({"classes": classes}))
    message = error("discogs400", tmp_path)
    assert "genre_discogs400-discogs-effnet-1.json" in message
    assert expected in message


def test_discogs400_malformed_json_and_missing_key(tmp_path: Path) -> None:
    put(tmp_path, DISCOGS, '{\n  "classes": [\n    "Blues---Chicago Blues",\n  ]\n}')
    assert "genre_discogs400-discogs-effnet-1.json:4: not valid JSON" in error("discogs400", tmp_path)
    put(tmp_path, DISCOGS, '{"labels": []}')
    assert "genre_discogs400-discogs-effnet-1.json: there is no top-level key 'classes'" in error(
        "discogs400", tmp_path
    )


def test_discogs400_underscore_and_percent_stay_reversible(tmp_path: Path) -> None:
    put(tmp_path, DISCOGS, json.dumps({"classes": ["Odd_Genre---100% Pure"]}))
    voc = read_vocabulary("discogs400", tmp_path)
    assert voc.ids == ["Discogs400:Odd%5FGenre", "Discogs400:Odd%5FGenre---100%25_Pure"]
    assert published_name(voc.ids[1]) == "Odd_Genre---100% Pure"


NSYNTH = "essentia_models/nsynth_instrument-discogs-effnet-1.json"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"classes": ["mallet", "synth lead"]}, "'synth lead' cannot be a class id"),
        ({"classes": ["mallet", None]}, "key 'classes'[1] is None, not a class name"),
        ({"classes": "mallet"}, "key 'classes' is not a non-empty list"),
        (["mallet"], "there is no top-level key 'classes'"),
    ],
)
def test_nsynth_bad_input(tmp_path: Path, document: object, expected: str) -> None:
    put(tmp_path, NSYNTH, json.dumps(document))
    message = error("nsynth", tmp_path)
    assert "nsynth_instrument-discogs-effnet-1.json" in message
    assert expected in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "filename,length,label\nblues.00000.wav,1,blues\nrock.00000.wav,1,\n",
            "features_30_sec.csv:3: column 'label' is empty",
        ),
        (
            "filename,length,genre\nblues.00000.wav,1,blues\n",
            "features_30_sec.csv:1: the header lacks column(s) 'label'",
        ),
        (
            "filename,length,label\nblues.00000.wav,1,blues\nx.wav,1,hip hop\n",
            "features_30_sec.csv:3: 'hip hop' cannot be a class id",
        ),
    ],
)
def test_gtzan_bad_input(tmp_path: Path, text: str, expected: str) -> None:
    put(tmp_path, "gtzan/features_30_sec.csv", text)
    assert expected in error("gtzan", tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes/a_nohash_0.wav\n\nno_nohash_0.wav\n", "validation_list.txt:3: 'no_nohash_0.wav' has no folder part"),
        ("yes/a_nohash_0.wav\n/b_nohash_0.wav\n", "validation_list.txt:2: '/b_nohash_0.wav' has an empty folder part"),
        ("go home/a_nohash_0.wav\n", "validation_list.txt:1: 'go home' cannot be a class id"),
    ],
)
def test_speech_commands_bad_input(tmp_path: Path, text: str, expected: str) -> None:
    put(tmp_path, "speech_commands/testing_list.txt", "yes/a_nohash_0.wav\nno/b_nohash_0.wav\n")
    put(tmp_path, "speech_commands/validation_list.txt", text)
    assert expected in error("speech-commands", tmp_path)


def test_speech_commands_rejects_non_utf8(tmp_path: Path) -> None:
    put(tmp_path, "speech_commands/testing_list.txt", "yes/a_nohash_0.wav\n")
    (tmp_path / "speech_commands" / "validation_list.txt").write_bytes(b"yes/a.wav\nno/\xff.wav\n")
    assert "validation_list.txt:2: bytes are not UTF-8" in error("speech-commands", tmp_path)


UCS_ENTRY = {
    "version": "8.2.1",
    "Category": "AIR",
    "CatID": "AIRBrst",
    "SubCategory": "BURST",
    "CatShort": "AIR",
    "Explanations": "Sharp air releases.",
    "Synonyms": ["blast", "pop", "blast"],
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"CatID": ""}, "$[1]: key 'CatID' is empty"),
        ({"Category": None}, "$[1]: key 'Category' is missing or not a string"),
        ({"CatID": "AIRBrst"}, "$[1]: the CatID 'AIRBrst' is also the CatID of $[0]"),
        ({"Synonyms": "blast"}, "$[1] (CatID 'AIRHiss'): key 'Synonyms' is not a list of strings"),
        ({"CatID": "AIR Hiss"}, "'AIR Hiss' cannot be a class id"),
    ],
)
def test_ucs_bad_input(tmp_path: Path, change: dict[str, object], expected: str) -> None:
    second = {**UCS_ENTRY, "CatID": "AIRHiss", "SubCategory": "HISS", **change}
    put(tmp_path, "ucs/ucs_v8.2.1_en.json", json.dumps([UCS_ENTRY, second]))
    message = error("ucs", tmp_path)
    assert "ucs_v8.2.1_en.json" in message
    assert expected in message


def test_ucs_minimal_and_malformed(tmp_path: Path) -> None:
    put(
        tmp_path,
        "ucs/ucs_v8.2.1_en.json",
        json.dumps([UCS_ENTRY, {**UCS_ENTRY, "Category": "DIRT & SAND", "CatID": "DIRTSand"}]),
    )
    voc = read_vocabulary("ucs", tmp_path)
    assert voc.ids == ["UCS:category/AIR", "UCS:AIRBrst", "UCS:category/DIRT_&_SAND", "UCS:DIRTSand"]
    assert voc.get("UCS:AIRBrst").synonyms == ("blast", "pop")
    put(tmp_path, "ucs/ucs_v8.2.1_en.json", '[\n  {"Category": "AIR"\n  "CatID": "x"}\n]')
    assert "ucs_v8.2.1_en.json:3: not valid JSON" in error("ucs", tmp_path)
    put(tmp_path, "ucs/ucs_v8.2.1_en.json", "[1]")
    assert "ucs_v8.2.1_en.json: $[0] is not a JSON object" in error("ucs", tmp_path)


def test_audioset_segments(data_dir: Path) -> None:
    from uts.vocabularies.audioset import read_segments

    clips = read_segments(data_dir / "audioset" / "eval_segments.csv")
    assert len(clips) == 20371  # the file's own header says num_ytids=20371
    assert clips["--4gqARaEJE"] == ("/m/068hy", "/m/07q6cd_", "/m/0bt9lr", "/m/0jbk")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("abc, 0.000, 10.000\n", ":3: the row has 3 cells, not 4"),
        ('abc, 0.000, 10.000, "dog"\n', ":3: clip 'abc' has no valid label mids"),
    ],
)
def test_audioset_segments_malformed(tmp_path: Path, row: str, expected: str) -> None:
    from uts.vocabularies.audioset import read_segments

    path = tmp_path / "segments.csv"
    path.write_text("# comment\nYTID, start_seconds, end_seconds, positive_labels\n" + row)
    with pytest.raises(VocabularyError, match=expected):
        read_segments(path)
