"""The behaviour every ``OntologyStore`` must have, whatever it keeps its data in.

A store's own test module subclasses :class:`StoreContract` and provides a ``store`` fixture: a fresh store holding
the tiny fixture ontology (``tests/resources/tiny``: six concepts, a deprecated one, a toy mapping set). Every
test here then runs against it, so files, SQLite and PostgreSQL are held to exactly the same rules.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from uts.errors import ConflictError, UnknownReleaseError
from uts.ontology.apply import EditError
from uts.ontology.edits import AddConcept, AddLabel, Deprecate, Edit, Merge, Move, RemoveLabel, SetField
from uts.ontology.model import ID_PATTERN, LabelScope, Status
from uts.store.base import OntologyStore

AUTHOR = "utsteam:contract-suite"
T0 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def label(concept_id: str, text: str, **extra: object) -> AddLabel:
    extra.setdefault("scope", "alt")
    return AddLabel(concept_id=concept_id, label=text, author=AUTHOR, time=T0, **extra)  # type: ignore[arg-type]


class StoreContract:
    """Subclass and provide a ``store`` fixture (function scope: each test gets a fresh store)."""

    def test_is_an_ontology_store(self, store: OntologyStore) -> None:
        assert isinstance(store, OntologyStore)

    def test_load_gives_the_working_state(self, store: OntologyStore) -> None:
        ontology = store.load()
        assert len(ontology) == 6
        assert ontology.lookup("barks").id == "UTS:0000002"
        assert ontology.get("UTS:0000004").status is Status.DEPRECATED
        assert [r.object_id for r in ontology.mappings["toy"].rows] == ["UTS:0000001", "UTS:0000002", "UTS:0000001"]

    def test_releases_list_what_load_accepts(self, store: OntologyStore) -> None:
        releases = store.releases()
        assert releases, "a store holds at least the release it was loaded from"
        for release in releases:
            assert store.load(release.version).metadata.version == release.version
        with pytest.raises(UnknownReleaseError, match=r"no UTS release has the version '9\.9\.9'"):
            store.load("9.9.9")

    def test_revision_is_stable_until_a_write(self, store: OntologyStore) -> None:
        first = store.revision()
        assert store.revision() == first
        store.load()
        assert store.revision() == first
        commit = store.apply([label("UTS:0000001", "hound")])
        assert commit.previous == first
        assert commit.revision == store.revision() != first

    def test_apply_persists_every_edit_of_a_batch(self, store: OntologyStore) -> None:
        [new_id] = store.reserve_ids(1)
        commit = store.apply(
            [
                AddConcept(concept_id=new_id, label="canine", facets=("sound-source",), domains=("environmental",),
                           broader=("UTS:0000005",), definition="A dog-like animal.", author=AUTHOR, time=T0),  # type: ignore[arg-type]
                Move(concept_id="UTS:0000001", broader=(new_id,), author=AUTHOR, time=T0),
                SetField(concept_id="UTS:0000006", field="definition", value="A struck drum.", author=AUTHOR, time=T0),
                label("UTS:0000002", "woofing"),
            ]
        )  # fmt: skip
        ontology = store.load()
        assert ontology.get(new_id).label == "canine"
        assert ontology.get("UTS:0000001").broader == (new_id,)
        assert ontology.get("UTS:0000006").definition == "A struck drum."
        assert ontology.lookup("woofing").id == "UTS:0000002"
        assert [c.edit.op for c in commit.changes] == ["add_concept", "move", "set_field", "add_label"]
        assert new_id in commit.concepts

    def test_a_bad_batch_changes_nothing(self, store: OntologyStore) -> None:
        before = store.revision()
        with pytest.raises(EditError) as info:
            store.apply(
                [
                    label("UTS:0000001", "hound"),  # fine on its own
                    Move(concept_id="UTS:0000005", broader=("UTS:0000002",), author=AUTHOR),  # a cycle
                ]
            )
        assert any("cycle" in p.message for p in info.value.problems)
        assert store.revision() == before
        assert store.load().find("hound") is None

    def test_stale_revision_is_a_conflict_not_an_overwrite(self, store: OntologyStore) -> None:
        read_at = store.revision()
        store.apply([label("UTS:0000001", "hound")], expected_revision=read_at)
        with pytest.raises(ConflictError) as info:
            store.apply([label("UTS:0000001", "pooch")], expected_revision=read_at)
        assert info.value.expected == read_at
        ontology = store.load()
        assert ontology.lookup("hound").id == "UTS:0000001"
        assert ontology.find("pooch") is None

    def test_concurrent_writers_of_one_revision_one_wins(self, store: OntologyStore) -> None:
        read_at = store.revision()
        outcomes: list[str] = []
        lock = threading.Lock()

        def writer(n: int) -> None:
            try:
                store.apply([label("UTS:0000001", f"dog name {n}")], expected_revision=read_at)
                result = "won"
            except ConflictError:
                result = "conflict"
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["conflict"] * 7 + ["won"]
        names = [s.label for s in store.load().get("UTS:0000001").synonyms if s.label.startswith("dog name")]
        assert len(names) == 1, names

    def test_history_records_who_when_why_and_what(self, store: OntologyStore) -> None:
        store.apply([label("UTS:0000002", "woofing", reason="heard in captions")])
        store.apply([SetField(concept_id="UTS:0000002", field="definition", value="A dog's cry.", author=AUTHOR)])
        history = store.history("UTS:0000002")
        assert [r.edit.op for r in history] == ["add_label", "set_field"]
        first = history[0]
        assert first.edit.author == AUTHOR
        assert first.edit.time == T0
        assert first.edit.reason == "heard in captions"
        before, after = first.before["UTS:0000002"], first.after["UTS:0000002"]
        assert before is not None
        assert after is not None
        assert "woofing" not in before.all_labels
        assert "woofing" in after.all_labels
        assert history[1].after["UTS:0000002"].definition == "A dog's cry."  # type: ignore[union-attr]
        assert store.history("UTS:0000006") == []

    def test_history_replays_to_the_final_state(self, store: OntologyStore) -> None:
        from uts.ontology.apply import apply_edits

        start = store.load()
        batches: list[list[Edit]] = [
            [label("UTS:0000001", "hound")],
            [SetField(concept_id="UTS:0000001", field="label", value="domestic dog", author=AUTHOR)],
            [Merge(concept_id="UTS:0000001", into="UTS:0000005", author=AUTHOR)],
        ]
        for batch in batches:
            store.apply(batch)
        replayed = start
        for batch in batches:
            replayed = apply_edits(replayed, batch).ontology
        final = store.load()
        assert dict(replayed.concepts) == dict(final.concepts)

    def test_reserved_ids_are_never_handed_out_twice(self, store: OntologyStore) -> None:
        existing = set(store.load().concepts)
        first = store.reserve_ids(3)
        second = store.reserve_ids(2)
        assert len(set(first + second)) == 5
        assert not existing & set(first + second)
        assert all(ID_PATTERN.match(i) for i in first + second)
        assert store.reserve_ids(0) == []

    def test_an_id_an_edit_names_itself_is_never_handed_out(self, store: OntologyStore) -> None:
        # An edits file may name the IDs of its new concepts (past any reserved so far): the store moves past them.
        highest = max(int(c.split(":")[1]) for c in store.load().concepts)
        named = f"UTS:{highest + 3:07d}"
        store.apply([AddConcept(concept_id=named, label="pup", author=AUTHOR, facets=("sound-source",))])
        assert named not in store.reserve_ids(5)

    def test_ids_are_never_reused_after_deprecation(self, store: OntologyStore) -> None:
        [new_id] = store.reserve_ids(1)
        store.apply([AddConcept(concept_id=new_id, label="pup", author=AUTHOR, facets=("sound-source",))])
        store.apply([Deprecate(concept_id=new_id, replaced_by="UTS:0000001", author=AUTHOR)])
        with pytest.raises(EditError, match="already used"):
            store.apply([AddConcept(concept_id=new_id, label="pup again", author=AUTHOR)])
        assert new_id not in store.reserve_ids(5)

    def test_merge_moves_everything_in_one_write(self, store: OntologyStore) -> None:
        store.apply([Merge(concept_id="UTS:0000001", into="UTS:0000005", author=AUTHOR)])
        ontology = store.load()
        dog = ontology.get("UTS:0000001")
        assert dog.status is Status.DEPRECATED
        assert dog.replaced_by == "UTS:0000005"
        assert ontology.lookup("dog").id == "UTS:0000005"
        assert ontology.get("UTS:0000002").broader == ("UTS:0000005",)
        assert {r.object_id for r in ontology.mappings["toy"].rows} == {"UTS:0000005", "UTS:0000002"}

    # ---- labels in other languages ------------------------------------------------------------------------------

    def test_labels_in_other_languages_round_trip(self, store: OntologyStore) -> None:
        ontology = store.load()
        dog = ontology.get("UTS:0000001")
        assert (dog.pref_label("es"), dog.pref_label("de"), dog.pref_label("zh")) == ("perro", "Hund", "狗")
        assert ontology.lookup("perros").id == ontology.lookup("狗").id == "UTS:0000001"
        store.apply(
            [
                label("UTS:0000001", "chien", scope="pref", lang="fr"),
                label("UTS:0000001", "toutou", lang="fr", comment="familiar"),
                RemoveLabel(concept_id="UTS:0000001", label="perros", lang="es", author=AUTHOR, time=T0),
            ]
        )
        dog = store.load().get("UTS:0000001")
        assert dog.pref_label("fr") == "chien"
        assert [(s.label, s.scope, s.comment) for s in dog.translations if s.lang == "fr"] == [
            ("chien", LabelScope.PREF, ""),
            ("toutou", LabelScope.ALT, "familiar"),
        ]
        assert "perros" not in [s.label for s in dog.translations]
        assert dog.alt_labels == []  # the English views hold English labels only
        assert dog.all_labels == ["dog"]
        history = store.history("UTS:0000001")
        assert [getattr(r.edit, "lang", None) for r in history] == ["fr", "fr", "es"]
        after = history[0].after["UTS:0000001"]
        assert after is not None
        assert ("chien", "fr") in {(s.label, s.lang) for s in after.synonyms}

    def test_a_second_preferred_label_in_a_language_is_refused(self, store: OntologyStore) -> None:
        before = store.revision()
        with pytest.raises(EditError, match=r"has the preferred label 'perro' in es already"):
            store.apply([label("UTS:0000001", "can", scope="pref", lang="es")])
        with pytest.raises(EditError, match=r"'tambor'@es of UTS:000000[16] .* is also the label 'tambor'@es"):
            store.apply([label("UTS:0000001", "tambor", lang="es")])
        assert store.revision() == before

    def test_merge_and_deprecation_carry_labels_in_other_languages(self, store: OntologyStore) -> None:
        store.apply(
            [
                label("UTS:0000005", "animal", scope="pref", lang="es"),
                Merge(concept_id="UTS:0000001", into="UTS:0000005", author=AUTHOR, time=T0),
            ]
        )
        target = store.load().get("UTS:0000005")
        es = {s.label: s.scope for s in target.translations if s.lang == "es"}
        assert es == {"animal": LabelScope.PREF, "perro": LabelScope.ALT, "perros": LabelScope.HIDDEN}
        assert target.pref_label("de") == "Hund"  # none there before: the merged one's pref is the pref
        [new_id] = store.reserve_ids(1)
        store.apply(
            [
                AddConcept(concept_id=new_id, label="pup", author=AUTHOR, facets=("sound-source",), time=T0),
                label(new_id, "cachorro", scope="pref", lang="es"),
                label(new_id, "Welpe", scope="pref", lang="de"),
            ]
        )
        store.apply([Deprecate(concept_id=new_id, replaced_by="UTS:0000005", author=AUTHOR, time=T0)])
        ontology = store.load()
        assert ontology.get(new_id).translations == ()
        dog = ontology.get("UTS:0000005")
        assert {(s.label, s.lang, s.scope) for s in dog.translations} >= {
            ("cachorro", "es", LabelScope.ALT),
            ("Welpe", "de", LabelScope.ALT),
        }
        assert ontology.lookup("Welpe").id == "UTS:0000005"
