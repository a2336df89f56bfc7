"""Writes that never leave a half-written file, and changes to several files that land together.

A reader (another process, a crash, a full disk) sees each file either as it was or as it is meant to be:
the new bytes go to a temporary file in the same folder, are flushed to disk, and replace the old file by
one rename. A change to several files stages every temporary file first and renames only when all are written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from uts.errors import StorageError


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _stage(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    if path.exists():
        os.chmod(name, path.stat().st_mode & 0o7777)
    else:
        os.chmod(name, 0o644)
    return Path(name)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step."""
    write_all_atomic({path: data})


def write_all_atomic(files: Mapping[Path, bytes]) -> None:
    """Write several files so that either every one changes or none does; ``StorageError`` names the file that
    could not be written."""
    try:
        _write_all(files)
    except OSError as exc:
        where = exc.filename or next(iter(files), "")
        raise StorageError(f"{where}: cannot be written ({exc.strerror or exc}); nothing was changed") from exc


def _write_all(files: Mapping[Path, bytes]) -> None:
    """Every new file is staged first; only then are they renamed into place, each old file kept aside until all
    renames are done, so a failure at any step (a full disk, a permission, an interruption) puts every file
    back as it was.
    """
    files = dict(files)
    for path in [p for p in files if Path(p).exists() and not Path(p).is_file()]:
        # A device or a pipe (/dev/stdout, a fifo) cannot be replaced by a rename: it is written as it is.
        data = files.pop(path)
        try:
            with open(path, "wb", buffering=0) as handle:
                handle.write(data)
        except OSError as exc:
            exc.filename = exc.filename or str(path)
            raise
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            try:
                staged[Path(path)] = _stage(Path(path), data)
            except OSError as exc:
                exc.filename = str(path)  # the file meant, not the temporary one
                raise
    except BaseException:
        _remove(staged.values())
        raise
    kept: dict[Path, Path] = {}  # target -> its old content, set aside
    done: list[Path] = []
    try:
        for path, tmp in staged.items():
            if path.exists():
                backup = tmp.with_suffix(".old")
                os.link(path, backup)
                kept[path] = backup
            os.replace(tmp, path)
            done.append(path)
    except BaseException:
        for path in reversed(done):
            if path in kept:
                os.replace(kept.pop(path), path)
            else:
                path.unlink(missing_ok=True)
        _remove([*staged.values(), *kept.values()])
        raise
    _remove(kept.values())
    for folder in {p.parent for p in staged}:
        _fsync_dir(folder)


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


@contextlib.contextmanager
def streamed_atomic(path: Path) -> Iterator[BinaryIO]:
    """A file to write bit by bit that appears at ``path`` whole when the block ends, and never otherwise: an
    error or an interrupt removes what was written (a hidden ``.NAME.*.tmp`` beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o644)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    _fsync_dir(path.parent)


class SyncBehind:
    """Sends a file's bytes to disk in a thread while its writer goes on: the ``fsync`` that makes the file
    durable at the end then waits only for the last bytes, the disk having worked while the CPU did.

    ``written()`` after each large write starts a sync of what is written so far (unless one is under way);
    ``finish()`` waits for it and syncs the rest. A failed sync is raised by ``finish()`` (a failure the kernel
    reports once must not be lost in the thread). Use it as a context manager around the writes: leaving the
    block waits for the thread, so it never syncs a descriptor that was closed."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def __enter__(self) -> SyncBehind:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wait()

    def written(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self.wait()
        self.handle.flush()  # what the writer buffered goes to the kernel; the thread sends it to disk
        self._thread = threading.Thread(target=self._sync, args=(self.handle.fileno(),), daemon=True)
        self._thread.start()

    def finish(self) -> None:
        """Every byte written is on disk (or the failure is raised)."""
        self.wait()
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def _sync(self, fd: int) -> None:
        try:
            (getattr(os, "fdatasync", None) or os.fsync)(fd)  # the size is made durable by finish()'s fsync
        except OSError as exc:
            self._error = exc

    def wait(self) -> None:
        """Waits for the sync under way, if any (raising its failure)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error


@contextlib.contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (created if missing) for the ``with`` block."""
    import fcntl

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
