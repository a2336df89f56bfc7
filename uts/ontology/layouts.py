"""Class-index layouts that survive releases: a trained classifier's output ``i`` means the same concept forever.

In the paper a class index is a TF-IDF rank, so any rebuild renumbers every class and silently breaks every trained
head and labelled set. A UTS layout instead grows: the first release numbers the active concepts of a level best
rank first; each later release keeps every slot where it is and appends the level's new concepts. A concept that is
deprecated keeps a *masked* slot (train with it masked out), one that was merged or replaced is an *alias* of its
target's slot. A migration table maps the indices of any older layout, or of the paper's own label files, to a
newer layout (``uts.convert.heads`` carries a classifier head's weights across it).

Layouts are TSV, one row per slot, so a release's diff shows exactly which slots it added or masked::

    index  concept_id   state   target  since  label
    0      UTS:0000001  active          1.0.0  music
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from uts.errors import SourceError
from uts.ontology.model import ID_PATTERN, Level, rank_key
from uts.ontology.ontology import Ontology

LAYOUT_DIR = "ontology/layouts/"  # below a source root, beside the TSV sources
HEADER = ("index", "concept_id", "state", "target", "since", "label")


class SlotState(StrEnum):
    """``active``: a concept of the level. ``masked``: deprecated (or gone from the level): never predicted, its
    index never reused. ``alias``: merged into (or replaced by) the concept of slot ``target``."""

    ACTIVE = "active"
    MASKED = "masked"
    ALIAS = "alias"


class Slot(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0)
    concept_id: str
    state: SlotState
    target: int | None = Field(default=None, description="The slot an alias stands for.")
    since: str = Field(description="The release that added the slot.")
    label: str = Field(description="The concept's label when the layout was made (for people reading it).")


class Layout(BaseModel):
    """The class indices of one level in one release."""

    model_config = ConfigDict(frozen=True)

    level: Level
    version: str
    slots: tuple[Slot, ...]

    @property
    def path(self) -> str:
        """Where a source root or a release keeps this layout: ``ontology/layouts/label_3k.tsv``."""
        return f"{LAYOUT_DIR}label_{self.level.value}.tsv"

    def __len__(self) -> int:
        return len(self.slots)

    def index_of(self, concept_id: str) -> int | None:
        """The slot of a concept (its own slot, whatever its state), or ``None``."""
        return self._positions.get(concept_id)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {s.concept_id: s.index for s in self.slots}

    def mask(self) -> list[bool]:
        """``True`` for the slots a model should predict (active), ``False`` for masked and alias slots."""
        return [s.state is SlotState.ACTIVE for s in self.slots]

    def to_text(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
        writer.writerow(HEADER)
        for s in self.slots:
            writer.writerow(
                (s.index, s.concept_id, s.state.value, "" if s.target is None else s.target, s.since, s.label)
            )
        return buffer.getvalue()

    @classmethod
    def from_text(cls, text: str, *, level: Level, version: str, name: str = "layout") -> Layout:
        """Parse a layout file; every row is checked, with its line number in the error."""
        lines = text.splitlines()
        if not lines or tuple(lines[0].split("\t")) != HEADER:
            raise SourceError(f"{name}:1: a layout starts with the header {' '.join(HEADER)!r}")
        slots: list[Slot] = []
        for number, line in enumerate(lines[1:], start=2):
            cells = line.split("\t")
            if len(cells) != len(HEADER):
                raise SourceError(f"{name}:{number}: expected {len(HEADER)} tab-separated cells, found {len(cells)}")
            index, concept_id, state, target, since, label = cells
            try:
                slot = Slot(
                    index=int(index),
                    concept_id=concept_id,
                    state=SlotState(state),
                    target=int(target) if target else None,
                    since=since,
                    label=label,
                )
            except ValueError as exc:
                raise SourceError(f"{name}:{number}: {exc}".splitlines()[0]) from None
            if slot.index != len(slots) or not ID_PATTERN.match(concept_id):
                raise SourceError(f"{name}:{number}: slot {index} out of order or {concept_id!r} is not a UTS ID")
            slots.append(slot)
        return cls(level=level, version=version, slots=tuple(slots))


def layout_path_level(path: str) -> Level:
    """``ontology/layouts/label_1.5k.tsv`` -> ``Level.L1_5K``."""
    stem = path.removeprefix(LAYOUT_DIR).removeprefix("label_").removesuffix(".tsv")
    return Level.parse(stem)


def next_layout(ontology: Ontology, level: Level, previous: Layout | None) -> Layout:
    """The layout of ``level`` in the release ``ontology`` is, continuing ``previous`` (none: the first release).

    Old slots stay where they are; active concepts of the level without a slot are appended best rank first.
    """
    version = ontology.metadata.version
    members = ontology.in_level(level)
    member_ids = {c.id for c in members}
    old = list(previous.slots) if previous is not None else []
    position = {s.concept_id: s.index for s in old}
    since = {s.concept_id: s.since for s in old}
    order = [s.concept_id for s in old]
    for concept in sorted(members, key=rank_key):
        if concept.id not in position:
            position[concept.id] = len(order)
            since[concept.id] = version
            order.append(concept.id)
    slots = []
    for index, concept_id in enumerate(order):
        found = ontology.concepts.get(concept_id)
        state, target = SlotState.MASKED, None
        if found is None:
            raise SourceError(
                f"layout {level.value}: slot {index} holds {concept_id}, which release {version} does not have; "
                "concept IDs are never removed, so restore the concept (deprecated) instead"
            )
        concept = found
        if concept_id in member_ids:
            state = SlotState.ACTIVE
        else:
            current = ontology.current(concept_id)
            if current is not None and current.id != concept_id and current.id in member_ids:
                state, target = SlotState.ALIAS, position[current.id]
        slots.append(
            Slot(index=index, concept_id=concept_id, state=state, target=target, since=since[concept_id],
                 label=concept.label)
        )  # fmt: skip
    return Layout(level=level, version=version, slots=tuple(slots))


def layouts_from_texts(texts: Mapping[str, str], version: str) -> dict[Level, Layout]:
    """The layouts among a release's files by path (as a store keeps them: ``ontology/layouts/label_1k.tsv``)."""
    return {
        layout_path_level(path): Layout.from_text(text, level=layout_path_level(path), version=version, name=path)
        for path, text in texts.items()
        if path.startswith(LAYOUT_DIR)
    }


def read_layouts(root: Path, version: str) -> dict[Level, Layout]:
    """The layouts a source root holds (``ontology/layouts/``): the class indices of the release it is."""
    out = {}
    for level in Level:
        path = root / f"{LAYOUT_DIR}label_{level.value}.tsv"
        if path.exists():
            out[level] = Layout.from_text(
                path.read_text(encoding="utf-8"), level=level, version=version, name=str(path)
            )
    return out


def layouts_for(ontology: Ontology, previous: Mapping[Level, Layout]) -> dict[Level, Layout]:
    """Every level's layout for the release ``ontology`` is."""
    return {level: next_layout(ontology, level, previous.get(level)) for level in Level}


class Outcome(StrEnum):
    """What became of an old class index in a newer layout."""

    SAME = "same"  # the same concept, at (possibly) a new index
    MERGED = "merged"  # its concept was merged into, or replaced by, another: the target's index
    DEPRECATED = "deprecated"  # deprecated without a replacement: no new index (see ``consider``)
    SPLIT = "split"  # split into several concepts: no single new index (see ``consider``)
    LEFT_LEVEL = "left-level"  # still a concept, but no longer in this level


class IndexMove(BaseModel):
    """One row of a migration table: an old index, its concept, and where it went."""

    model_config = ConfigDict(frozen=True)

    old_index: int
    concept_id: str
    new_index: int | None
    new_concept_id: str | None
    outcome: Outcome
    consider: tuple[str, ...] = ()


def migration_table(old_ids: Sequence[str], new: Layout, ontology: Ontology) -> list[IndexMove]:
    """Where each old class index (``old_ids[i]``: the concept of index ``i``) goes in the layout ``new`` of the
    release ``ontology``. Works for an older UTS layout and for the paper's own label files alike."""
    out = []
    for old_index, concept_id in enumerate(old_ids):
        current = ontology.current(concept_id) if concept_id in ontology.concepts else None
        concept = ontology.concepts.get(concept_id)
        new_index = new.index_of(current.id) if current is not None else None
        if new_index is not None and new.slots[new_index].state is not SlotState.ACTIVE:
            new_index = None
        if new_index is not None and current is not None:
            outcome = Outcome.SAME if current.id == concept_id else Outcome.MERGED
            out.append(IndexMove(old_index=old_index, concept_id=concept_id, new_index=new_index,
                                 new_concept_id=current.id, outcome=outcome))  # fmt: skip
            continue
        consider = concept.consider if concept is not None else ()
        if current is not None:
            outcome = Outcome.LEFT_LEVEL
        elif len(consider) > 1:
            outcome = Outcome.SPLIT
        else:
            outcome = Outcome.DEPRECATED
        out.append(IndexMove(old_index=old_index, concept_id=concept_id, new_index=None,
                             new_concept_id=current.id if current is not None else None, outcome=outcome,
                             consider=consider))  # fmt: skip
    return out


def layout_ids(layout: Layout) -> list[str]:
    return [s.concept_id for s in layout.slots]


def paper_ids(ontology: Ontology, level: Level) -> list[str]:
    """The concept of each index of the paper's own label file of ``level`` (its original TF-IDF indices)."""
    return [tag.concept_id for tag in ontology.level_tags(level)]


def table_text(moves: Sequence[IndexMove]) -> str:
    """A migration table as TSV, for people and for other tools."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(("old_index", "concept_id", "new_index", "new_concept_id", "outcome", "consider"))
    for m in moves:
        writer.writerow(
            (m.old_index, m.concept_id, "" if m.new_index is None else m.new_index, m.new_concept_id or "",
             m.outcome.value, " ".join(m.consider))
        )  # fmt: skip
    return buffer.getvalue()


__all__ = [
    "LAYOUT_DIR",
    "IndexMove",
    "Layout",
    "Outcome",
    "Slot",
    "SlotState",
    "layout_ids",
    "layout_path_level",
    "layouts_for",
    "migration_table",
    "next_layout",
    "paper_ids",
    "read_layouts",
    "table_text",
]
