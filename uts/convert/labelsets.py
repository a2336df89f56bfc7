"""Label sets, numbered: every distinct set of legacy classes a run meets, and what the mapper makes of each,
worked out for many sets at once with numpy.

A large dataset repeats its label sets (the full AudioSet: millions of rows, tens of thousands of sets), but even
the published AudioSet files hold one new set per 3.6 rows: a step of Python per set costs as much as reading the
file. So a set is a run of class numbers, the mapper's answer is made once per class (a dataset has hundreds), and
each set's tags (its classes' tags in order, a concept given twice kept once, as it came first) are numpy arrays
that the formats join and the report counts.

numpy and pyarrow are imported where used: ``uts`` commands that never convert do not pay for them.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from uts.convert.mapper import LegacyMapper, Tag


class LabelSets:
    """Distinct label sets numbered in order of first sight (set IDs), each a run of class numbers (class IDs,
    numbered the same way), and how many rows carried each. Shared by a reader (which numbers what it reads) and
    the converter (which numbers label tuples from other readers, and counts); it only grows."""

    def __init__(self) -> None:
        import numpy as np

        self.classes: list[str] = []  # class CURIE by class ID
        self._class_ids: dict[str, int] = {}
        self._class_array: Any = None  # ``classes`` as an Arrow array, for index_in (None: out of date)
        self.offsets: Any = np.zeros(1, dtype=np.int64)  # set i holds members[offsets[i]:offsets[i + 1]]
        self.members: Any = np.zeros(0, dtype=np.int32)  # class IDs, set after set
        self.counts: Any = np.zeros(0, dtype=np.int64)  # rows by set ID
        self._by_tuple: dict[tuple[str, ...], int] = {}

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def class_ids(self, curies: Any) -> Any:
        """The class ID of each CURIE (an Arrow string array), numbering the new ones."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._class_array is None:
            self._class_array = pa.array(self.classes, pa.string())
        found = pc.index_in(curies, value_set=self._class_array)
        if found.null_count:
            for curie in pc.unique(pc.filter(curies, pc.is_null(found))).to_pylist():
                self._class_ids[curie] = len(self.classes)
                self.classes.append(curie)
            self._class_array = pa.array(self.classes, pa.string())
            found = pc.index_in(curies, value_set=self._class_array)
        return found.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)

    def add(self, lengths: Any, members: Any) -> Any:
        """New sets (``lengths[i]`` class IDs each, end to end in ``members``); their set IDs."""
        import numpy as np

        first = len(self)
        ends = self.offsets[-1] + np.cumsum(lengths, dtype=np.int64)
        self.offsets = np.concatenate([self.offsets, ends])
        self.members = np.concatenate([self.members, np.asarray(members, dtype=np.int32)])
        self.counts = np.concatenate([self.counts, np.zeros(len(lengths), dtype=np.int64)])
        return np.arange(first, len(self), dtype=np.int32)

    def ids(self, labels: Sequence[tuple[str, ...]]) -> Any:
        """The set ID of each label tuple (the rows of a reader without a column path), numbering the new ones."""
        import numpy as np
        import pyarrow as pa

        by_tuple = self._by_tuple
        new = list(dict.fromkeys(t for t in labels if t not in by_tuple))
        if new:
            flat = [label for labels_ in new for label in labels_]
            members = self.class_ids(pa.array(flat, pa.string())) if flat else np.zeros(0, dtype=np.int32)
            for labels_, at in zip(new, self.add(np.array([len(t) for t in new]), members).tolist(), strict=True):
                by_tuple[labels_] = at
        return np.fromiter(map(by_tuple.__getitem__, labels), dtype=np.int32, count=len(labels))

    def count(self, ids: Any) -> None:
        import numpy as np

        self.counts += np.bincount(ids, minlength=len(self.counts))

    def tuples(self, ids: Iterable[int]) -> list[tuple[str, ...]]:
        """The label tuples of these sets (for formats and engines that take Python rows)."""
        classes, offsets, members = self.classes, self.offsets.tolist(), self.members.tolist()
        return [tuple([classes[m] for m in members[offsets[i] : offsets[i + 1]]]) for i in ids]

    def counter(self) -> Counter[tuple[str, ...]]:
        """Rows by label tuple, of every set met (a saved state keeps these)."""
        counted = self.counts.nonzero()[0].tolist()
        found = Counter[tuple[str, ...]]()
        for labels, n in zip(self.tuples(counted), self.counts[counted].tolist(), strict=True):
            found[labels] += n
        return found

    def add_counts(self, counter: Counter[tuple[str, ...]]) -> None:
        """Rows counted before (a resumed run's saved state)."""
        import numpy as np

        labels = list(counter)
        ids = self.ids(labels)  # first: numbering new sets grows ``counts``
        np.add.at(self.counts, ids, np.array([counter[t] for t in labels], dtype=np.int64))


@dataclass(frozen=True, slots=True)
class SetTags:
    """What the mapper gives sets ``start`` to ``stop``, end to end: each set's classes and its tags (class and tag
    numbers of the mapper's :class:`ClassTags`; the tags in order, each concept once)."""

    start: int
    stop: int
    member_offsets: Any  # int32, stop - start + 1, from 0
    members: Any  # class numbers of the mapper's ClassTags
    tag_offsets: Any  # int32, stop - start + 1, from 0
    tags: Any  # tag numbers


class ClassTags:
    """A mapper's answers as numbered arrays, made once per mapper (a shared mapper: once for all the files of a
    dataset): legacy classes numbered as met, their tags end to end (tag numbers, class after class), each tag's
    concept numbered. It only grows (under a lock: runs in two threads may share the mapper)."""

    def __init__(self) -> None:
        import numpy as np

        self.classes: list[str] = []  # class CURIE by class number
        self._numbers: dict[str, int] = {}
        self.tags: list[Tag] = []  # by tag number
        self.tag_start: Any = np.zeros(0, dtype=np.int64)  # by class number: its first tag number
        self.tag_count: Any = np.zeros(0, dtype=np.int64)  # by class number: how many tags it gives
        self.tag_concept: Any = np.zeros(0, dtype=np.int64)  # by tag number: its concept, numbered
        self.concepts: dict[str, int] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, mapper: LegacyMapper) -> ClassTags:
        with _lock:
            found = mapper.derived.get(cls)
            if found is None:
                found = mapper.derived[cls] = cls()
        return found

    def number(self, curies: Sequence[str], mapper: LegacyMapper) -> list[int]:
        """The class number of each CURIE, mapping the classes not met before."""
        import numpy as np

        with self._lock:
            numbers = self._numbers
            new = [curie for curie in dict.fromkeys(curies) if curie not in numbers]
            if new:
                starts, counts, concepts = [], [], []
                for curie in new:
                    tags = mapper.map(curie).tags
                    numbers[curie] = len(self.classes)
                    self.classes.append(curie)
                    starts.append(len(self.tags))
                    counts.append(len(tags))
                    self.tags += tags
                    concepts += [self.concepts.setdefault(t.concept_id, len(self.concepts)) for t in tags]
                self.tag_concept = np.concatenate([self.tag_concept, np.array(concepts, dtype=np.int64)])
                self.tag_count = np.concatenate([self.tag_count, np.array(counts, dtype=np.int64)])
                self.tag_start = np.concatenate([self.tag_start, np.array(starts, dtype=np.int64)])
            return [numbers[curie] for curie in curies]


_lock = threading.Lock()


class MappedSets:
    """The mapper's tags of the sets of a :class:`LabelSets`, each set's worked out in numpy from the mapper's
    :class:`ClassTags` (its classes and tags numbered once per mapper, not per run); the tag count of every set
    worked out so far."""

    def __init__(self, sets: LabelSets, mapper: LegacyMapper) -> None:
        import numpy as np

        self.sets, self.mapper = sets, mapper
        self.table = ClassTags.of(mapper)
        self.class_map: Any = np.zeros(0, dtype=np.int64)  # by the run's class ID: the table's class number
        self.tags_per_set: Any = np.zeros(0, dtype=np.int64)  # by set ID, for sets before ``done``

    @property
    def tags(self) -> list[Tag]:
        """The tags by tag number (the table's)."""
        return self.table.tags

    @property
    def classes(self) -> list[str]:
        """The class CURIEs by class number (the table's, which :attr:`SetTags.members` hold)."""
        return self.table.classes

    @property
    def tag_count(self) -> Any:
        """How many tags each class gives, by class number."""
        return self.table.tag_count

    @property
    def done(self) -> int:
        return len(self.tags_per_set)

    def _grow(self) -> None:
        """Numbers (and maps) the classes the run met since the last call."""
        import numpy as np

        classes = self.sets.classes[len(self.class_map) :]
        if classes:
            numbers = np.array(self.table.number(classes, self.mapper), dtype=np.int64)
            self.class_map = np.concatenate([self.class_map, numbers])

    def expand(self, start: int, stop: int) -> SetTags:
        """The tags of sets ``start`` to ``stop``: their classes' tags end to end, a concept met again in a set
        dropped (the first class that gives it keeps it, as the row-by-row tail does)."""
        import numpy as np

        self._grow()
        sets, table = self.sets, self.table
        first, last = int(sets.offsets[start]), int(sets.offsets[stop])
        members = self.class_map[sets.members[first:last]]
        member_offsets = (sets.offsets[start : stop + 1] - first).astype(np.int32)
        lengths = np.diff(member_offsets)
        n_tags = table.tag_count[members]
        total = int(n_tags.sum())
        ends = np.cumsum(n_tags)
        # Each class's run of tag numbers, end to end: tag_start of its class plus the place in the run.
        items = np.repeat(table.tag_start[members] - (ends - n_tags), n_tags) + np.arange(total)
        item_set = np.repeat(np.repeat(np.arange(stop - start), lengths), n_tags)
        key = item_set * max(len(table.concepts), 1) + table.tag_concept[items]
        first_seen = np.unique(key, return_index=True)[1]
        if len(first_seen) < len(key):  # a concept given by two classes of one set: where it came first
            keep = np.zeros(len(key), dtype=bool)
            keep[first_seen] = True
            items, item_set = items[keep], item_set[keep]
        per_set = np.bincount(item_set, minlength=stop - start)
        tag_offsets = np.zeros(stop - start + 1, dtype=np.int32)
        np.cumsum(per_set, out=tag_offsets[1:])
        if start == self.done:
            self.tags_per_set = np.concatenate([self.tags_per_set, per_set.astype(np.int64)])
        return SetTags(start, stop, member_offsets, members, tag_offsets, items)

    def catch_up(self) -> None:
        """Maps every class met and works out the tag counts of the sets not yet expanded (the report needs every
        set's)."""
        self._grow()
        if self.done < len(self.sets):
            self.expand(self.done, len(self.sets))


__all__ = ["ClassTags", "LabelSets", "MappedSets", "SetTags"]
