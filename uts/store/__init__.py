"""Where a working copy of UTS lives: the ``OntologyStore`` protocol and its implementations, picked by URL.

>>> get_store("file:tests/resources/tiny").load().lookup("barks").label
'bark'
"""

from __future__ import annotations

from pathlib import Path

from uts.errors import UsageError
from uts.settings import get_settings
from uts.store.base import ChangeRecord, Commit, OntologyStore, ReleaseInfo
from uts.store.file import FileStore

SCHEMES = ("file", "sqlite", "postgresql")


def get_store(url: str | Path | None = None) -> OntologyStore:
    """The store a URL names: ``file:DIR`` (or a plain path) is a source folder, ``sqlite:///FILE`` and
    ``postgresql://USER@HOST:PORT/DB`` a database (its schema checked); default: the settings' store URL, else
    the working directory."""
    if url is None:
        url = get_settings().store_url or "."
    if isinstance(url, Path):
        return FileStore(url)
    scheme, sep, rest = url.partition(":")
    if not sep or len(scheme) == 1 or "/" in scheme or "\\" in scheme:  # a plain path (or a Windows drive)
        return FileStore(Path(url))
    if scheme == "file":
        return FileStore(Path(rest.removeprefix("//") or "."))
    if scheme.split("+")[0] in ("sqlite", "postgresql", "postgres"):
        from uts.store.sql import SqlStore

        return SqlStore.open(url)
    raise UsageError(
        f"unknown store URL {url!r}; use file:DIR or a path to a source folder, sqlite:///FILE.db or "
        "postgresql://USER@HOST:PORT/DB "
        f"(supported schemes: {', '.join(SCHEMES)})"
    )


__all__ = ["ChangeRecord", "Commit", "FileStore", "OntologyStore", "ReleaseInfo", "get_store"]
