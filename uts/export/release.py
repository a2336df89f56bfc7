"""A release's artefacts on disk: its canonical source, SKOS (Turtle, JSON-LD), OWL, JSON, SSSOM, and the label
files of every level in the release's stable class indices (with their layouts), written as one folder that
appears whole or not at all.

The folder is built under a hidden name beside its final place and renamed into it in one step; a build that
fails or is stopped leaves only the hidden folder, which the next release removes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from uts.errors import StorageError, UsageError, where
from uts.ontology.layouts import LAYOUT_DIR, Layout, SlotState, layout_path_level
from uts.store.releases import RECORD_FILE, ReleaseRecord, content_hash, ontology_from_texts

ARTEFACTS = ("uts.ttl", "uts.jsonld", "uts.owl", "uts.json")


def _partial_prefix(output: Path) -> str:
    return f".{output.name}.partial-"


def remove_leftovers(output: Path) -> list[Path]:
    """Hidden folders that releases stopped midway left beside ``output``; call it holding the write lock."""
    removed = []
    if output.parent.is_dir():
        for path in output.parent.glob(_partial_prefix(output) + "*"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def check_output(output: Path) -> None:
    """Refuse, before any work, to write a release over a folder that holds anything."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise UsageError(f"{where(output)} exists and is not empty; releases are never overwritten: pick --output")


def write_release(
    texts: Mapping[str, str], version: str, output: Path, *, notes: str | None = None, date: dt.date | None = None
) -> list[Path]:
    """Write the release whose source files are ``texts`` into the folder ``output``, whole or not at all; with
    ``notes``, also its record (``release.toml``), which keeps the release in the project's history."""
    from uts.export import ExportFormat, write_export
    from uts.export.skos import to_skos_texts

    output = Path(output)
    check_output(output)
    ontology = ontology_from_texts(texts, name=f"release {version}")
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.parent / f"{_partial_prefix(output)}{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for path, text in texts.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        turtle, jsonld = to_skos_texts(ontology)  # one SKOS graph for both
        for name, text in zip(ARTEFACTS[:2], (turtle, jsonld), strict=True):
            (staging / name).write_text(text, encoding="utf-8")
        for name, fmt in zip(ARTEFACTS[2:], (ExportFormat.OWL, ExportFormat.JSON), strict=True):
            write_export(ontology, fmt, staging / name)
        _write_label_files(texts, version, staging / "labels")
        if notes is not None:
            record = ReleaseRecord(
                version=version, date=date or dt.date.today(), notes=notes, content_hash=content_hash(ontology)
            )
            (staging / RECORD_FILE).write_text(record.to_toml(), encoding="utf-8")
        for written in staging.rglob("*"):
            if written.is_file():
                with open(written, "rb") as handle:
                    os.fsync(handle.fileno())
        if output.is_dir():
            output.rmdir()  # empty (checked above): rename cannot replace a folder otherwise
        os.rename(staging, output)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageError(f"cannot write release {version} to {where(output)}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with contextlib.suppress(OSError):
        fd = os.open(output.parent, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    return sorted(p for p in output.rglob("*") if p.is_file())


def _write_label_files(texts: Mapping[str, str], version: str, folder: Path) -> None:
    """The paper's label-file format in the release's stable class indices: index -> label, index -> concept
    ID, and which indices to train (masked and alias slots are ``false``)."""
    from uts.export.labels import paper_json

    folder.mkdir(parents=True, exist_ok=True)
    for path, text in texts.items():
        if not path.startswith(LAYOUT_DIR):
            continue
        level = layout_path_level(path)
        layout = Layout.from_text(text, level=level, version=version, name=path)
        stem = f"label_{level.value}"
        (folder / f"{stem}.json").write_text(paper_json([s.label for s in layout.slots]), encoding="utf-8")
        (folder / f"{stem}.concepts.json").write_text(
            paper_json([s.concept_id for s in layout.slots]), encoding="utf-8"
        )
        mask = json.dumps({str(s.index): s.state is SlotState.ACTIVE for s in layout.slots}, indent=2)
        (folder / f"{stem}.mask.json").write_text(mask, encoding="utf-8")


__all__ = ["ARTEFACTS", "check_output", "remove_leftovers", "write_release"]
