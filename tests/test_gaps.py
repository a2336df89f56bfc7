"""Gap mining (`uts.resolve.gaps`, `uts gaps mine`) on real captions, and the command on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from uts.errors import InvalidError, Problem
from uts.resolve import Resolver
from uts.resolve.corpus import read_captions
from uts.resolve.gaps import GapMining, gap_key, mine_files, mine_gaps

from .conftest import REPO, SHARED_DATA, needs_embed

AUDIOCAPS_VAL = SHARED_DATA / "audiocaps" / "val.csv"
GAMA = SHARED_DATA / "gama_audioset" / "captions_dev.json"
SAMPLE = 400


@pytest.fixture(scope="module")
def lexical() -> Resolver:
    return Resolver(embed=False)


@pytest.fixture(scope="module")
def val_sample() -> list[str]:
    if not AUDIOCAPS_VAL.exists():
        pytest.skip(f"the shared data is not beside the repository ({AUDIOCAPS_VAL} is missing)")
    return [c.text for _, c in zip(range(SAMPLE), read_captions(AUDIOCAPS_VAL), strict=False)]


def check_counts(mined: GapMining) -> None:
    """What every mining result must hold, whatever the corpus."""
    assert mined.unmatched == sum(g.count for g in mined.gaps), "with no cut, every unmatched phrase is in a gap"
    assert mined.distinct == len(mined.gaps)
    assert mined.unmatched <= mined.phrases
    assert mined.captions_with_gaps <= min(mined.captions, mined.unmatched)
    assert [(-g.count, g.key) for g in mined.gaps] == sorted((-g.count, g.key) for g in mined.gaps)
    for g in mined.gaps:
        assert sum(g.forms.values()) == g.count
        assert g.text == next(iter(g.forms))
        assert all(gap_key(form) == g.key for form in g.forms), g
        assert 1 <= len(g.examples) <= 3
        for example in g.examples:
            assert any(form in " ".join(example.casefold().split()) for form in g.forms), (g.key, example)


def test_lexical_mining_of_real_captions_counts_every_uncovered_phrase(
    lexical: Resolver, val_sample: list[str]
) -> None:
    mined = mine_gaps(lexical, val_sample)
    assert mined.captions == len(val_sample)
    assert not mined.embed
    assert mined.threshold is None
    assert mined.phrases == mined.unmatched > 0  # no encoder: every phrase no label covers is a gap
    check_counts(mined)
    assert all(g.nearest is None and g.cosine is None for g in mined.gaps)


def test_inflected_forms_count_as_one_gap(lexical: Resolver, val_sample: list[str]) -> None:
    """Real captions say one word in several forms ("blows", "blowing"): each is counted under one key."""
    mined = mine_gaps(lexical, val_sample)
    joined = [g for g in mined.gaps if len({form.split()[-1] for form in g.forms}) > 1]
    assert len(joined) >= 5, [g.forms for g in mined.gaps[:20]]
    for g in joined:
        assert g.count == sum(g.forms.values())
        assert g.count > max(g.forms.values())


@needs_embed
def test_mining_counts_what_the_resolver_reports_unmatched(val_sample: list[str]) -> None:
    """The gaps are exactly the resolver's ``on_unmatched`` phrases (what the API counts), with the encoder's
    nearest concept, always below the phrase threshold."""
    resolver = Resolver()
    heard: list[str] = []
    resolver.resolve_texts(val_sample, on_unmatched=lambda i, phrase: heard.append(phrase))
    mined = mine_gaps(Resolver(embed_cache=resolver.embed_cache), val_sample, batch=64)
    check_counts(mined)
    assert mined.unmatched == len(heard)
    assert mined.threshold is not None
    assert mined.phrases > mined.unmatched  # some phrases the encoder matched
    for g in mined.gaps:
        assert g.nearest is not None
        assert g.nearest_label is not None
        assert g.cosine is not None
        assert g.cosine < mined.threshold


def test_mine_files_reads_csv_and_json_as_one_corpus_and_counts_skipped_records(
    lexical: Resolver, tmp_path: Path
) -> None:
    if not GAMA.exists():
        pytest.skip(f"the shared data is not beside the repository ({GAMA} is missing)")
    gama = json.loads(GAMA.read_text(encoding="utf-8"))
    sample = dict(list(gama.items())[:50])
    sample["broken"] = 7  # not text
    sample["blank"] = "  "
    small = tmp_path / "gama.json"
    small.write_text(json.dumps(sample), encoding="utf-8")
    problems: list[Problem] = []
    mined = mine_files(lexical, [AUDIOCAPS_VAL, small], limit=None, on_problem=problems.append)
    assert mined.captions == 2475 + 50
    assert mined.skipped == len(problems) == 2
    assert {p.file.rsplit("[", 1)[1] for p in problems} == {"broken]", "blank]"}
    assert mined.sources[1].endswith("gama.json")
    check_counts(mined)
    limited = mine_files(lexical, [AUDIOCAPS_VAL, small], limit=100)
    assert limited.captions == 100


def test_mine_files_refuses_a_corpus_without_captions(lexical: Resolver, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"id": 1, "caption": "a dog barks"}\n', encoding="utf-8")
    with pytest.raises(InvalidError, match="no caption to mine"):
        mine_files(lexical, [empty])  # JSON lines read "text" unless told otherwise
    assert mine_files(lexical, [empty], column="caption").captions == 1


def test_tsv_has_one_row_per_gap(lexical: Resolver, val_sample: list[str]) -> None:
    mined = mine_gaps(lexical, val_sample, top=10)
    lines = mined.to_tsv().splitlines()
    assert lines[0].split("\t")[:4] == ["rank", "key", "text", "count"]
    assert len(lines) == 11
    assert all(len(line.split("\t")) == len(lines[0].split("\t")) for line in lines)
    assert [int(line.split("\t")[3]) for line in lines[1:]] == [g.count for g in mined.gaps]


# ---- the command ------------------------------------------------------------------------------------------------


def uts(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uts", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"COLUMNS": "200", "PATH": "", "HOME": str(cache), "UTS_CACHE_DIR": str(cache)},
        check=False,
    )


def test_command_writes_a_sheet_and_reports_skipped_lines(tmp_path: Path, uts_cache: Path) -> None:
    source = tmp_path / "caps.jsonl"
    lines = [
        json.dumps({"id": 1, "text": "A gazebo creaks while a dog barks"}),
        "not json",
        json.dumps({"id": 2, "text": 5}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": 3, "text": "Gazebos creak; a dog barks"}),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "gaps.tsv"
    result = uts("gaps", "mine", "-i", str(source), "--no-embed", "-o", str(out), cache=uts_cache)
    assert result.returncode == 0, result.stderr
    for line in (2, 3, 4):
        assert f"caps.jsonl:{line}:" in result.stderr
    assert "captions 2 (skipped 3)" in result.stderr
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    gazebo = next(r for r in rows[1:] if r[1] == "gazebo")
    assert gazebo[3] == "2"
    assert set(gazebo[4].split("|")) == {"gazebo:1", "gazebos:1"}


@pytest.mark.parametrize(
    ("name", "content", "args", "message"),
    [
        ("caps.csv", "id,text\n1,a dog\n", [], "no column 'caption'"),
        ("caps.json", '"just a string"', [], "the document is a JSON str"),
        ("caps.json", "{not json", [], "not JSON"),
        ("caps.xlsx", "x", [], "cannot tell the format"),
        ("caps.csv", "caption\n1\n", ["--format", "yaml"], "unknown caption format 'yaml'"),
        ("caps.jsonl", '{"text": ""}\n', [], "no caption to mine (1 records skipped)"),
        ("caps.csv", "caption\na dog\n", ["-o", "{tmp}/out.txt"], "name a .tsv or .json file"),
    ],
)
def test_command_on_bad_input_says_why(
    name: str, content: str, args: list[str], message: str, tmp_path: Path, uts_cache: Path
) -> None:
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    filled = [a.format(tmp=tmp_path) for a in args]
    result = uts("gaps", "mine", "-i", str(source), "--no-embed", *filled, cache=uts_cache)
    assert result.returncode in (1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert message in " ".join(result.stderr.split()), result.stderr


def test_command_checks_every_file_before_resolving(tmp_path: Path, uts_cache: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("caption\nA gazebo creaks\n", encoding="utf-8")
    result = uts("gaps", "mine", "-i", str(good), "-i", str(tmp_path / "missing.csv"), "--no-embed", cache=uts_cache)
    assert result.returncode == 1
    assert "missing.csv: file is missing" in result.stderr
    assert "captions" not in result.stderr  # nothing was mined


# ---- the gaps curated from AudioCaps and GAMA captions -----------------------------------------------------------

# A caption phrase, and the concept it names since the curation (a new concept, or an existing one by a new label).
CURATED = [
    ("Water trickling as female voices laugh", "trickle"),
    ("Water is gushing as goats are bleating", "gush"),
    ("The gurgling of water flushing down a drain", "draining"),
    ("A woman speaks as a fountain of water flows", "fountain"),
    ("Water from a faucet pouring into a sink", "sink"),
    ("A child in a bathtub speaks with a woman", "bathtub"),
    ("Dishes clank while a man speaks", "dishes"),
    ("Silverware clangs, and then a person talks nearby", "cutlery"),
    ("The sound of an electric shaver", "electric shaver"),
    ("People talk and a cash register rings", "cash register"),
    ("Dialing a telephone and ringing", "telephone dialing"),
    ("A train horn blaring in the distance", "blare"),
    ("A man is whistling and strumming a guitar", "strumming"),
    ("Ducks are quacking while turkeys are gobbling", "gobble"),
    ("Two adult males speak in the foreground", "foreground"),
    ("A man is speaking in a foreign language", "foreign language"),
    ("Walking on dry grass with small crunches", "grass"),
    ("Dog continuously barking", "continuous"),
    ("A dog whimpers quietly", "quiet"),
    ("Someone snores briefly", "brief"),
    ("A dog barks repeatedly", "repetitive"),
    ("Metal scrapping and scratching", "scraping"),
    ("An older man is giving a speech", "mature"),
    ("Horse hooves clip-clop", "hoofbeats"),
    ("Stormy rain and thunder noise", "storm"),
    ("A man speaking over an intercom", "public_address"),
    ("A civil defense siren blares", "siren"),
    ("Wind gusting in mid frequency", "midrange"),
]
# Multiword labels whose inner words must not name a curated concept (the labels left out for them).
NOT_CURATED = [
    ("A busy signal", "bustling"),
    ("A dial tone", "telephone dialing"),
    ("A man speaks with a foreign accent", "foreign language"),
    ("A lawn mower runs", "grass"),
    ("People splash in the swimming baths", "bathtub"),
]


@pytest.mark.parametrize(("caption", "label"), CURATED)
def test_curated_gaps_now_resolve(lexical: Resolver, caption: str, label: str) -> None:
    assert label in {m.label for m in lexical.resolve_text(caption).tags}


@pytest.mark.parametrize(("caption", "label"), NOT_CURATED)
def test_labels_left_out_where_they_would_mislead(lexical: Resolver, caption: str, label: str) -> None:
    assert label not in {m.label for m in lexical.resolve_text(caption).tags}


def test_curated_phrases_are_no_gaps_in_real_captions(lexical: Resolver) -> None:
    """Real AudioCaps captions that use the curated words: mined, none of those words is a gap any more."""
    if not AUDIOCAPS_VAL.exists():
        pytest.skip(f"the shared data is not beside the repository ({AUDIOCAPS_VAL} is missing)")
    train = AUDIOCAPS_VAL.with_name("train.csv")
    words = {"trickling", "continuously", "foreground", "foreign", "blaring", "quietly", "briefly", "dishes", "sink"}
    chosen = [c.text for c in read_captions(train) if words & set(c.text.casefold().split())][:300]
    assert len(chosen) == 300
    mined = mine_gaps(lexical, chosen)
    keys = {g.key for g in mined.gaps}
    assert not {gap_key(w) for w in words} & keys, sorted({gap_key(w) for w in words} & keys)
