"""Loading a source root: read, build, check (and lint). The orchestration lives here, not in the model.

>>> from uts.ontology import Level, load_ontology
>>> len(load_ontology().in_level(Level.L800))
621
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from uts.errors import OntologyCycleError, OntologyValidationError, Problem
from uts.ontology.build import Provenance, build
from uts.ontology.lint import lint
from uts.ontology.ontology import Ontology
from uts.ontology.source import Sources, bundled_root, read_sources
from uts.ontology.validate import check


@dataclass(frozen=True)
class Loaded:
    """An Ontology read from files, with where its records came from and every problem found."""

    ontology: Ontology
    provenance: Provenance
    sources: Sources
    problems: list[Problem]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while tens of thousands of records are built.

    The records hold no reference cycles, but each allocation counts towards the next collection, and the
    collections triggered mid-load (which walk every object built so far) cost about a third of the load time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_root(
    root: Path | str | None = None,
    *,
    rules: bool = True,
    canonical: bool = False,
    files: Mapping[Path, str] | None = None,
) -> Loaded:
    """Parse the sources below ``root`` (default: the bundled release) and collect problems, raising none.

    ``rules`` adds every validation rule; ``canonical`` adds the canonical-format lint, but only when nothing
    else is wrong (a file that does not parse has no canonical form to compare with). With ``files`` the
    sources are those texts (paths below ``root``), not the disk's.
    """
    with _collector_paused():
        sources = read_sources(Path(root) if root is not None else bundled_root(), files)
        built = build(sources)
        if sources.unreadable:
            # A file that could not be read at all leaves every record pointing into it dangling: report why it
            # could not be read, not the thousands of problems that follow from it.
            problems = list(sources.problems)
        else:
            problems = list(built.problems)
            if rules:
                problems += check(built.ontology, built.provenance)
            if canonical and not problems:
                problems += lint(built.ontology, sources.layout, sources.texts)
    return Loaded(built.ontology, built.provenance, sources, first_per_line(problems))


def first_per_line(problems: list[Problem]) -> list[Problem]:
    """The first problem of each file line: a row broken in one place often breaks checks after it too."""
    seen: set[tuple[str, int]] = set()
    out = []
    for problem in problems:
        if problem.line:
            where = (problem.file, problem.line)
            if where in seen:
                continue
            seen.add(where)
        out.append(problem)
    return out


def raise_for(problems: list[Problem]) -> None:
    """Raise the validation error these problems call for: a cycle is its own class."""
    if any(p.kind == "cycle" for p in problems):
        raise OntologyCycleError(problems)
    if problems:
        raise OntologyValidationError(problems)


def load_ontology(root: Path | str | None = None, *, strict: bool = True) -> Ontology:
    """Load the sources below ``root`` (default: the bundled release) and check them.

    With ``strict`` any rule violation raises ``OntologyValidationError`` listing every problem; without, the
    Ontology is returned as far as it could be built.
    """
    loaded = read_root(root, rules=strict)
    if strict:
        raise_for(loaded.problems)
    return loaded.ontology


def validate_root(root: Path | str | None = None) -> tuple[Ontology, list[Problem]]:
    """Parse, check and lint the sources below ``root``: every problem, none raised."""
    loaded = read_root(root, rules=True, canonical=True)
    return loaded.ontology, loaded.problems


__all__ = ["Loaded", "load_ontology", "raise_for", "read_root", "validate_root"]
