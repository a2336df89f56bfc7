"""Vocabulary gaps: the raw tags and caption phrases a served resolver could not map, counted per release.

Counting happens in memory on the request path (a dictionary update) and reaches the database in batches, one
upsert per distinct text, so resolving never waits for a write lock. Counts from every process add up in the
database; reading the gaps flushes this process's pending counts first.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import desc, select
from sqlalchemy.dialects import postgresql, sqlite

from uts.errors import NotFoundError
from uts.ontology.edits import AddConcept, AddLabel, Edit
from uts.ontology.model import ENGLISH, Domain, LabelScope
from uts.store import proposals as proposing
from uts.store.access import Principal, Role
from uts.store.proposals import Proposal
from uts.store.schema import GAP
from uts.store.sql import SqlStore

GapKind = Literal["tag", "phrase"]
MAX_EXAMPLES = 3
MAX_KEY = 200  # characters of a gap's text that are kept: longer input is no tag anyone will add


class Gap(BaseModel):
    """Something the vocabulary lacks, by how often the resolver met it."""

    model_config = ConfigDict(frozen=True)

    release: str = Field(description="The release the resolver served when it met the text.")
    kind: GapKind = Field(description="tag: a raw tag; phrase: a content phrase of a caption.")
    key: str = Field(description="The text case-folded, spaces collapsed: what counts are grouped by.")
    text: str = Field(description="The text as first met.")
    count: int = Field(ge=1, description="How many times the resolver could not map it.")
    examples: list[str] = Field(description="Up to three inputs it came from (for a phrase: its caption).")
    reason: str = Field(description="Why the resolver abstained, the first time.")
    first_seen: dt.datetime
    last_seen: dt.datetime


def gap_key(text: str) -> str:
    return " ".join(text.casefold().split())[:MAX_KEY]


@dataclass
class _Pending:
    text: str
    reason: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    first_seen: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    last_seen: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


class GapCounter:
    """Counts gaps for one process and writes them in batches (``flush``)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self._pending: dict[tuple[str, str, str], _Pending] = {}
        self._lock = threading.Lock()
        # One flush at a time: a reader that flushes before it reads (GET /v1/gaps) waits for a background
        # flush already writing, instead of finding nothing pending and reading before that write commits.
        self._flushing = threading.Lock()

    def add(self, release: str, kind: GapKind, text: str, example: str, reason: str) -> None:
        key = gap_key(text)
        if not key:
            return
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            pending = self._pending.get((release, kind, key))
            if pending is None:
                pending = _Pending(text.strip()[:MAX_KEY], reason, first_seen=now, last_seen=now)
                self._pending[(release, kind, key)] = pending
            pending.count += 1
            pending.last_seen = now
            if len(pending.examples) < MAX_EXAMPLES and example[:500] not in pending.examples:
                pending.examples.append(example[:500])

    def __len__(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Add the pending counts to the database; the number of distinct texts written. When it returns,
        every count added before the call is in the database (written by this call or by one in flight)."""
        with self._flushing:
            return self._flush()

    def _flush(self) -> int:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        rows: list[dict[str, Any]] = [
            {
                "release": release,
                "kind": kind,
                "key": key,
                "text": p.text,
                "count": p.count,
                "examples_json": json.dumps(p.examples, ensure_ascii=False),
                "reason": p.reason,
                "first_seen": p.first_seen,
                "last_seen": p.last_seen,
            }
            for (release, kind, key), p in sorted(pending.items())
        ]
        dialect: Any = sqlite if self.store.is_sqlite else postgresql
        statement = dialect.insert(GAP)
        statement = statement.on_conflict_do_update(
            index_elements=[GAP.c.release, GAP.c.kind, GAP.c.key],
            set_={
                "count": GAP.c.count + statement.excluded.count,
                "last_seen": statement.excluded.last_seen,
                "examples_json": statement.excluded.examples_json,
            },
        )
        try:
            with self.store.transaction(write=True) as conn:
                # Examples already stored come first; new ones fill the free places. They are looked up by the whole
                # primary key: by release and key alone, the index leaves every gap of the release to scan, at each
                # flush (14 ms for 400 new tags over 60,000 gaps in SQLite, growing with the table).
                keys: dict[tuple[str, str], list[str]] = {}
                for row in rows:
                    keys.setdefault((row["release"], row["kind"]), []).append(row["key"])
                stored: dict[tuple[str, str, str], list[str]] = {}
                for (release, kind), group in keys.items():
                    for at in range(0, len(group), 500):  # bounded IN lists
                        query = select(GAP.c.key, GAP.c.examples_json).where(
                            GAP.c.release == release, GAP.c.kind == kind, GAP.c.key.in_(group[at : at + 500])
                        )
                        stored.update({(release, kind, key): json.loads(ex) for key, ex in conn.execute(query)})
                for row in rows:
                    old = stored.get((row["release"], row["kind"], row["key"]))
                    if old is not None:
                        merged = old + [e for e in json.loads(row["examples_json"]) if e not in old]
                        row["examples_json"] = json.dumps(merged[:MAX_EXAMPLES], ensure_ascii=False)
                conn.execute(statement, rows)
        except Exception:
            with self._lock:  # not lost: counted again with the next flush
                for (release, kind, key), p in pending.items():
                    kept = self._pending.setdefault((release, kind, key), _Pending(p.text, p.reason, 0))
                    kept.count += p.count
                    kept.examples = (kept.examples + p.examples)[:MAX_EXAMPLES]
            raise
        return len(rows)


def top_gaps(
    store: SqlStore,
    release: str,
    *,
    kind: GapKind | None = None,
    limit: int = 50,
    min_count: int = 1,
    key: str | None = None,
) -> list[Gap]:
    """The most frequent gaps of a release, most frequent first (then by text)."""
    query = select(GAP).where(GAP.c.release == release, GAP.c.count >= min_count)
    if kind is not None:
        query = query.where(GAP.c.kind == kind)
    if key is not None:
        query = query.where(GAP.c.key == gap_key(key))
    query = query.order_by(desc(GAP.c.count), GAP.c.key, GAP.c.kind).limit(limit)
    with store.transaction() as conn:
        rows = conn.execute(query).all()
    return [
        Gap(
            release=r.release,
            kind=r.kind,
            key=r.key,
            text=r.text,
            count=r._mapping["count"],
            examples=json.loads(r.examples_json),
            reason=r.reason,
            first_seen=r.first_seen,
            last_seen=r.last_seen,
        )
        for r in rows
    ]


def find_gap(store: SqlStore, release: str, kind: GapKind, key: str) -> Gap | None:
    found = top_gaps(store, release, kind=kind, key=key, limit=1)
    return found[0] if found else None


def propose_gap(
    store: SqlStore,
    author: Principal,
    release: str,
    kind: GapKind,
    text: str,
    *,
    concept_id: str | None = None,
    scope: LabelScope = LabelScope.ALT,
    label: str | None = None,
    lang: str = ENGLISH,
    broader: Sequence[str] = (),
    facets: Sequence[str] = (),
    domains: Sequence[Domain] = (),
    definition: str = "",
    reason: str = "",
) -> Proposal:
    """A gap made into a proposal: a label of ``concept_id`` (in language ``lang``: a German tag the resolver met is
    a German label) when one is named, else a new concept (its ID reserved here). The reason says how often the
    resolver met it, unless one is given."""
    author.require(Role.ANNOTATOR)
    gap = find_gap(store, release, kind, text)
    if gap is None:
        raise NotFoundError(f"no {kind} gap {text!r} in release {release}; GET /v1/gaps (or the Gaps page) lists them")
    chosen = (label or gap.text).strip()
    reason = reason or f"met {gap.count} times by the resolver on release {release} (gap mining)"
    edit: Edit
    if concept_id is not None:
        edit = AddLabel(concept_id=concept_id, label=chosen, scope=scope, lang=lang, source="gap-mining",
                        author=author.curie, reason=reason)  # fmt: skip
    else:
        (new_id,) = store.reserve_ids(1)
        edit = AddConcept(
            concept_id=new_id, label=chosen, broader=tuple(broader), facets=tuple(facets), domains=tuple(domains),
            definition=definition, author=author.curie, reason=reason,
        )  # fmt: skip
    return proposing.propose(store, author, [edit], reason=reason)


__all__ = ["Gap", "GapCounter", "GapKind", "find_gap", "gap_key", "propose_gap", "top_gaps"]
