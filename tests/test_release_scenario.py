"""A scripted release of the real UTS: merge, split, relabel, move and deprecate in the database working copy,
release 1.2.0, then check the diff, a labelled JSONL migrated across, and the 1.1.1 class indices mapped to 1.2.0.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from uts.convert.heads import carry_head
from uts.convert.migrate_labels import Outcome as LabelOutcome
from uts.convert.migrate_labels import migrate_labels, report_file
from uts.export.release import write_release
from uts.ontology import diff as diffs
from uts.ontology.edits import AddConcept, AddLabel, Deprecate, Merge, Move, RemoveMapping, SetField, Split
from uts.ontology.layouts import Outcome, SlotState, layout_ids, migration_table, paper_ids
from uts.ontology.model import Level
from uts.ontology.source import bundled_root
from uts.store.releases import release_layout
from uts.store.sql import SqlStore

A = "utsteam:release-manager"
MOTOR, ENGINE = "UTS:0000459", "UTS:0000040"
CHATTER, SPEECH = "UTS:0001120", "UTS:0000003"
DOG, CHIRP, BIRD = "UTS:0000360", "UTS:0000546", "UTS:0000326"
YAWN, VOCAL = "UTS:0002700", "UTS:0000445"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[SqlStore, Path, list[str]]:
    folder = tmp_path_factory.mktemp("scenario")
    path = folder / "uts.db"
    path.write_bytes(sqlite_template.read_bytes())
    store = SqlStore(f"sqlite:///{path}")
    store.load_source(bundled_root())
    crowd, background = store.reserve_ids(2)
    start = store.load()
    store.apply([Merge(concept_id=MOTOR, into=ENGINE, author=A, reason="same sound source")])
    store.apply(
        [
            AddConcept(concept_id=crowd, label="crowd chatter", facets=start.get(CHATTER).facets, broader=(SPEECH,),
                       author=A),
            AddConcept(concept_id=background, label="background chatter", facets=start.get(CHATTER).facets,
                       broader=(SPEECH,), author=A),
            Split(concept_id=CHATTER, into=(crowd, background), author=A),
        ]
    )  # fmt: skip
    store.apply(
        [
            SetField(concept_id=DOG, field="label", value="domestic dog", author=A),
            AddLabel(concept_id=DOG, label="hond", scope="pref", lang="nl", author=A),  # a language new to UTS
        ]
    )
    store.apply([Move(concept_id=CHIRP, broader=(BIRD,), author=A)])
    store.apply(
        [
            RemoveMapping(vocabulary="audioset", subject_id="AudioSet:/m/01j423", predicate_id="skos:exactMatch",
                          object_id=YAWN, author=A),
            Deprecate(concept_id=YAWN, consider=(VOCAL,), author=A),
        ]
    )  # fmt: skip
    output = folder / "releases" / "1.2.0"
    info, created = store.release("1.2.0", notes="the scenario", publish=lambda _, t: write_release(t, "1.2.0", output))
    assert created
    assert info.version == "1.2.0"
    return store, output, [crowd, background]


def test_the_release_is_immutable_and_a_repeat_is_a_no_op(released: tuple[SqlStore, Path, list[str]]) -> None:
    store, output, _ = released
    # 1.0.0 and 1.1.0 are the earlier releases the bundled source records (releases/*/release.toml)
    assert [r.version for r in store.releases()] == ["1.0.0", "1.1.0", "1.1.1", "1.2.0"]
    info, created = store.release("1.3.0", notes="again")
    assert not created
    assert info.version == "1.2.0"
    with pytest.raises(Exception, match="exists and never changes"):
        store.release("1.2.0", notes="rewrite")
    assert store.load("1.2.0").metadata.version == "1.2.0"
    assert store.load("1.1.1").get(MOTOR).is_active
    for name in ("uts.ttl", "uts.owl", "uts.jsonld", "uts.json", "ontology/terms.tsv", "mappings/audioset.sssom.tsv",
                 "ontology/layouts/label_3k.tsv", "labels/label_3k.json", "labels/label_3k.mask.json",
                 "ontology/translations/nl.tsv"):  # fmt: skip
        assert (output / name).is_file(), name
    assert "hond" in (output / "ontology/translations/nl.tsv").read_text(encoding="utf-8")
    assert '"hond"@nl' in (output / "uts.ttl").read_text(encoding="utf-8")
    assert (
        "<https://w3id.org/uts/releases/1.2.0>" in (output / "uts.ttl").read_text()
        or "releases/1.2.0" in (output / "uts.ttl").read_text()
    )


def test_the_diff_names_every_change(released: tuple[SqlStore, Path, list[str]]) -> None:
    store, _, (crowd, background) = released
    result = diffs.diff(store.load("1.1.1"), store.load("1.2.0"))
    assert [c.id for c in result.of(diffs.Kind.ADDED)] == [crowd, background]
    merged = result.of(diffs.Kind.MERGED)
    assert [(c.id, c.targets) for c in merged] == [(MOTOR, (ENGINE,))]
    split = result.of(diffs.Kind.SPLIT)
    assert [(c.id, c.targets) for c in split] == [(CHATTER, (crowd, background))]
    assert [(c.id, c.old, c.new) for c in result.of(diffs.Kind.RELABELLED)] == [(DOG, "dog", "domestic dog")]
    (dog_labels,) = [c for c in result.labels if c.id == DOG]
    assert dog_labels.added == ("dog (alt)", "hond@nl (pref)")
    old = store.load("1.1.1")
    carried_along = {c.id for c in old.narrower(MOTOR)} | {c.id for c in old.narrower(CHATTER)}  # moved with them
    assert {c.id for c in result.of(diffs.Kind.MOVED)} == {CHIRP} | carried_along
    assert [(c.id, c.targets) for c in result.of(diffs.Kind.DEPRECATED)] == [(YAWN, (VOCAL,))]
    motor_tags = {t.index for t in old.paper_tags_of(MOTOR)}
    assert {t.index for t in result.tags if t.new == ENGINE} == motor_tags
    audioset = next(m for m in result.mappings if m.mapping_set == "audioset")
    assert audioset.removed >= 1
    counts = result.counts()
    assert counts["merged"] == 1
    assert counts["split"] == 1
    assert counts["added"] == 2
    text = diffs.to_text(result)
    assert text.startswith(
        f"UTS 1.1.1 -> 1.2.0: 2 added, 1 deprecated, 1 merged, 1 split, 1 relabelled, {1 + len(carried_along)} moved"
    )
    assert f"{MOTOR} motor -> {ENGINE} (engine)" in text
    markdown = diffs.to_markdown(result)
    assert "## UTS 1.2.0 (changes since 1.1.1)" in markdown
    assert "| merged | 1 |" in markdown
    assert json.loads(diffs.to_json(result))["summary"]["split"] == 1


def test_a_labelled_jsonl_migrates(released: tuple[SqlStore, Path, list[str]], tmp_path: Path) -> None:
    store, _, (crowd, background) = released
    source = tmp_path / "clips.jsonl"
    rows = [
        {"clip": "a", "labels": ["motor", "engine", "rain"]},
        {"clip": "b", "labels": ["dog", "bark"]},
        {"clip": "c", "labels": ["chatter", "speech"]},
        {"clip": "d", "labels": ["yawn", "not a uts tag"]},
        {"clip": "e", "labels": [MOTOR, DOG]},
    ]
    lines = [json.dumps(r) for r in rows]
    lines.insert(3, "{not json")
    source.write_text("\n".join(lines) + "\n")
    output = tmp_path / "clips.1.2.0.jsonl"
    report = migrate_labels(store.load("1.1.1"), store.load("1.2.0"), source, output)
    got = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["labels"] for r in got] == [
        ["engine", "rain"],  # merged into engine, which the row already had: once
        ["dog", "bark"],  # relabelled, but 'dog' still names the same concept: kept as written
        ["speech"],  # split: kept out, reported with the parts to consider
        [],  # deprecated and unknown: kept out, reported
        [ENGINE, DOG],  # IDs stay IDs
    ]
    assert output.read_text().splitlines()[1] == lines[1]  # unchanged rows are copied byte for byte
    assert (report.rows, report.written, report.changed, report.malformed) == (6, 5, 4, 1)
    assert [(m.line, m.problem.startswith("not JSON")) for m in report.malformed_rows] == [(4, True)]
    kept = {k.label: k for k in report.kept_out}
    assert kept["chatter"].outcome is LabelOutcome.SPLIT
    assert kept["chatter"].consider == [f"{crowd} crowd chatter", f"{background} background chatter"]
    assert kept["yawn"].outcome is LabelOutcome.DEPRECATED
    assert kept["yawn"].consider[0].startswith(VOCAL)
    assert kept["not a uts tag"].outcome is LabelOutcome.UNKNOWN
    assert {(r.label, r.to) for r in report.rewritten} == {("motor", "engine"), (MOTOR, ENGINE)}
    assert report.labels[LabelOutcome.SAME] == 6
    assert json.loads(report_file(output).read_text())["kept_out"]


def test_class_indices_map_from_1_0_0_and_from_the_paper(released: tuple[SqlStore, Path, list[str]]) -> None:
    store, _, (crowd, background) = released
    old, new = release_layout(store, "1.1.1", Level.L3K), release_layout(store, "1.2.0", Level.L3K)
    # Old slots never move; the concept the split's heir is appends; nothing else is added to the level.
    assert [s.concept_id for s in new.slots[: len(old)]] == layout_ids(old)
    assert [s.concept_id for s in new.slots[len(old) :]] == [crowd]
    motor, engine, chatter = (new.index_of(c) for c in (MOTOR, ENGINE, CHATTER))
    assert motor is not None
    assert engine is not None
    assert chatter is not None
    assert new.slots[motor].state is SlotState.ALIAS
    assert new.slots[motor].target == engine
    assert new.slots[chatter].state is SlotState.MASKED
    assert new.slots[new.index_of(DOG) or 0].label == "domestic dog"
    moves = migration_table(layout_ids(old), new, store.load("1.2.0"))
    by_concept = {m.concept_id: m for m in moves}
    assert by_concept[MOTOR].new_index == engine
    assert by_concept[MOTOR].outcome is Outcome.MERGED
    assert by_concept[CHATTER].new_index is None
    assert by_concept[CHATTER].outcome is Outcome.SPLIT
    assert by_concept[CHATTER].consider == (crowd, background)
    assert by_concept[DOG].outcome is Outcome.SAME
    assert by_concept[DOG].new_index == old.index_of(DOG)
    active = sum(s.state is SlotState.ACTIVE for s in old.slots)  # aliases and masked slots of earlier releases aside
    assert sum(m.outcome is Outcome.SAME for m in moves) == active - 2
    # The paper's own indices: 3,000 published tags, several per concept.
    paper = migration_table(paper_ids(store.load("1.1.1"), Level.L3K), new, store.load("1.2.0"))
    assert len(paper) == 3000
    motor_tags = [t.index for t in store.load("1.1.1").level_tags(Level.L3K) if t.concept_id == MOTOR]
    assert motor_tags
    assert all(paper[i].new_index == engine for i in motor_tags)
    # A classifier head follows: merged rows are averaged, new classes start at zero and are flagged.
    rng = np.random.default_rng(0)
    weight, bias = rng.normal(size=(len(old), 4)), rng.normal(size=len(old))
    head = carry_head(weight, moves, new, bias=bias)
    assert head.weight.shape == (len(new), 4)
    old_engine, old_motor = old.index_of(ENGINE), old.index_of(MOTOR)
    # Every old row that lands on engine is averaged: motor, merged now, and any alias slot of engine from before.
    into_engine = [m.old_index for m in moves if m.new_index == engine]
    assert {old_engine, old_motor} <= set(into_engine)
    assert np.allclose(head.weight[engine], weight[into_engine].mean(axis=0))
    assert np.allclose(head.weight[old.index_of(DOG)], weight[old.index_of(DOG)])
    assert head.bias is not None
    assert np.isclose(head.bias[engine], bias[into_engine].mean())
    assert not head.carried[len(old)]
    assert not head.carried[chatter]
    assert head.carried[engine]
    assert np.all(head.weight[len(old)] == 0)


def test_release_label_files_follow_the_layout(released: tuple[SqlStore, Path, list[str]]) -> None:
    store, output, (_crowd, _) = released
    layout = release_layout(store, "1.2.0", Level.L800)
    labels = json.loads((output / "labels" / "label_800.json").read_text())
    ids = json.loads((output / "labels" / "label_800.concepts.json").read_text())
    mask = json.loads((output / "labels" / "label_800.mask.json").read_text())
    assert len(labels) == len(ids) == len(mask) == len(layout)
    assert [ids[str(i)] for i in range(len(ids))] == layout_ids(layout)
    assert mask[str(layout.index_of(MOTOR))] is False
    assert mask[str(layout.index_of(ENGINE))] is True
