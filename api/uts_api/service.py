"""What one API process keeps loaded: the working copy and releases it reads (by revision), their search indices,
the resolvers with the encoder behind one micro-batcher, key checks and gap counts.

Nothing here is global: ``create_app`` makes one ``Service`` per app. Several processes on one database behave as
one service because each asks the database for its revision (every read of the working copy) and for the newest
release (at most every ``release_check_seconds``), and reloads what changed.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections import OrderedDict
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from uts.errors import NotFoundError, UsageError
from uts.ontology.mapping import MappingRow
from uts.ontology.model import Level
from uts.ontology.ontology import Ontology
from uts.ontology.search import LabelSearch
from uts.store.access import KeyVerifier
from uts.store.gaps import GapCounter
from uts.store.sql import SqlStore
from uts_api.settings import ApiSettings

if TYPE_CHECKING:
    from uts.matching.batching import MicroBatcher
    from uts.resolve.cache import EmbeddingCache
    from uts.resolve.resolver import Resolver

WORKING = "working"


class View:
    """One version of the ontology as the API reads it: the working copy at a revision, or a release."""

    def __init__(self, name: str, revision: str, ontology: Ontology) -> None:
        self.name = name  # "working" or a release version
        self.revision = revision  # the working copy's revision, or the release version
        self.ontology = ontology

    @cached_property
    def search(self) -> LabelSearch:
        """The label search index, built on first use (most reads of a new revision never search)."""
        found = LabelSearch(self.ontology)
        _settle()
        return found

    @cached_property
    def mappings_of(self) -> dict[str, list[tuple[str, MappingRow]]]:
        """Concept ID -> the (vocabulary, row) pairs that map a legacy class to it."""
        return self._rows_by("object_id")

    @cached_property
    def legacy(self) -> dict[str, list[tuple[str, MappingRow]]]:
        """Legacy class CURIE (``AudioSet:/m/09x0r``) -> the (vocabulary, row) pairs that map it."""
        return self._rows_by("subject_id")

    def _rows_by(self, column: str) -> dict[str, list[tuple[str, MappingRow]]]:
        out: dict[str, list[tuple[str, MappingRow]]] = {}
        for name, mapping_set in sorted(self.ontology.mappings.items()):
            for row in mapping_set.rows:
                out.setdefault(getattr(row, column), []).append((name, row))
        return out


def _settle() -> None:
    """Move what was just loaded (an ontology and its indices: ~100,000 objects that live for long) out of the
    cycle collector's way; else every full collection scans them again, a pause of tens of milliseconds in the
    middle of some request."""
    gc.freeze()


class Service:
    """The state one API process serves from; thread-safe, loaded lazily, refreshed from the database."""

    def __init__(self, store: SqlStore, settings: ApiSettings) -> None:
        self.store = store
        self.settings = settings
        self.keys = KeyVerifier(store)
        self.gaps = GapCounter(store)
        self.ready = threading.Event()
        self.load_error: str | None = None
        self._lock = threading.Lock()
        self._working: View | None = None
        self._releases: OrderedDict[str, View] = OrderedDict()
        self._latest: tuple[float, str | None] = (0.0, None)
        self._resolvers: dict[tuple[str, Level | None, bool, bool], Resolver] = {}
        self._embed_caches: dict[str, EmbeddingCache] = {}
        self._batcher: MicroBatcher | None = None
        self._artefacts: dict[str, Path] = {}

    # ---- versions -----------------------------------------------------------------------------------

    def working(self) -> View:
        """The working copy as it is now (one small query when nothing changed)."""
        revision = self.store.revision()
        view = self._working
        if view is not None and view.revision == revision:
            return view
        with self._lock:
            view = self._working
            if view is not None and view.revision == revision:
                return view
            ontology = self.store.load()
            # Should a write land while loading, the view is newer than ``revision``: the next read reloads.
            view = View(WORKING, revision, ontology)
            self._working = view
            _settle()
            return view

    def latest_release(self) -> str:
        """The newest release's version, asked of the database at most every ``release_check_seconds``."""
        checked, version = self._latest
        if version is None or time.monotonic() - checked >= self.settings.release_check_seconds:
            releases = self.store.releases()
            if not releases:
                raise NotFoundError("the database holds no release yet; make one with `uts release VERSION`")
            version = releases[-1].version
            self._latest = (time.monotonic(), version)
        return version

    def release(self, version: str) -> View:
        """A release (immutable: loaded once, the last few kept)."""
        view = self._releases.get(version)
        if view is not None:
            return view
        with self._lock:
            view = self._releases.get(version)
            if view is None:
                ontology = self.store.load(version)
                view = View(version, version, ontology)
                self._releases[version] = view
                while len(self._releases) > 4:
                    self._releases.popitem(last=False)
                _settle()
            return view

    def view(self, name: str | None) -> View:
        """``working`` (or nothing): the working copy; ``latest``: the newest release; else a release version."""
        if name is None or name == WORKING:
            return self.working()
        if name == "latest":
            return self.release(self.latest_release())
        return self.release(name)

    # ---- resolving ----------------------------------------------------------------------------------

    def resolver(self, release: str | None, level: Level | None, rollup: bool, embed: bool) -> Resolver:
        """The resolver of a release (default: the newest) for a level; made once, kept loaded."""
        from uts.resolve.cache import EmbeddingCache
        from uts.resolve.resolver import Resolver

        version = self.latest_release() if release in (None, "latest") else str(release)
        if version == WORKING:
            raise UsageError("resolve against a release (or 'latest'), not the working copy")
        embed = embed and self.settings.embed
        key = (version, level, rollup, embed)
        found = self._resolvers.get(key)
        if found is not None:
            return found
        view = self.release(version)
        with self._lock:
            found = self._resolvers.get(key)
            if found is None:
                # Resolvers of at most two releases stay loaded (the newest and one being moved away from).
                kept = list(dict.fromkeys([*(k[0] for k in self._resolvers), version]))[-2:]
                for stale in [k for k in self._resolvers if k[0] not in kept]:
                    del self._resolvers[stale]
                for dropped in [v for v in self._embed_caches if v not in kept]:
                    del self._embed_caches[dropped]
                cache = self._embed_caches.setdefault(version, EmbeddingCache(200_000))
                found = Resolver(
                    view.ontology, level=level, rollup=rollup, embed=embed, embed_cache=cache,
                    encoder=self.batcher() if embed else None,
                )  # fmt: skip
                self._resolvers[key] = found
        if embed:
            found.embedding_index  # noqa: B018  (concept vectors loaded before the first request needs them)
        return found

    def batcher(self) -> MicroBatcher:
        if self._batcher is None:
            from uts.matching.batching import MicroBatcher
            from uts.matching.encoders import get_encoder

            encoder = get_encoder()
            # The nearest-neighbour products run in the batcher, between model runs; BLAS threads that spin after
            # each one take the cores the encoder needs (bench_api.py, 10 unseen tags a request at 8-64 clients,
            # products still in each request: 52-69% of the bare encoder's throughput with them, 65-78% without).
            # One BLAS thread, then (ONNX Runtime searches when it is installed; numpy only without it).
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=1, user_api="blas")
            # One worker per core when each model run takes one (`uts serve` sets UTS_ENCODER_THREADS=1).
            cores = os.cpu_count() or 1
            workers = self.settings.encoder_workers or max(1, cores // getattr(encoder, "threads", cores))
            self._batcher = MicroBatcher(encoder, max_wait=self.settings.batch_wait_ms / 1000, workers=workers)
        return self._batcher

    def warm(self) -> None:
        """Load the newest release's resolver (and the encoder) now; ``/readyz`` answers 200 once done."""
        try:
            resolver = self.resolver(None, None, True, self.settings.embed)
            resolver.warm()
            resolver.fuzzy  # noqa: B018  (the typo matcher and word frequencies, loaded before the first typo)
            self.working().search  # noqa: B018  (built now rather than by the first search)
            _settle()
        except Exception as exc:  # readyz reports it; the process keeps serving what it can
            self.load_error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.ready.set()

    # ---- release artefacts --------------------------------------------------------------------------

    def artefacts(self, version: str) -> Path:
        """The folder of a release's artefacts (SKOS, JSON-LD, OWL, JSON, label files, sources), rendered once
        per release and content hash, and kept: releases never change."""
        from uts.errors import StorageError
        from uts.export.release import write_release
        from uts.settings import get_settings

        found = self._artefacts.get(version)
        if found is not None and found.is_dir():
            return found
        notes, content_hash, _ = self.store.release_notes(version)
        date = next((r.date for r in self.store.releases() if r.version == version), None)
        base = Path(self.settings.artefact_dir) if self.settings.artefact_dir else get_settings().cache_dir / "releases"
        folder = base / f"{version}-{content_hash[:16]}"
        with self._lock:
            if not folder.is_dir():
                try:
                    write_release(self.store.release_texts(version), version, folder, notes=notes, date=date)
                except (UsageError, StorageError):
                    if not folder.is_dir():  # else another process wrote the same release first
                        raise
            self._artefacts[version] = folder
        return folder


__all__ = ["WORKING", "Service", "View"]
