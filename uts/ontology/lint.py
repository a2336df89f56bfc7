"""Canonical form of the source files: sorted rows, derived columns recomputed, UTF-8, LF.

Derived columns (a concept's rank and levels, the concept label beside each synonym and published tag)
are recomputed here, so curators never maintain them by hand.
"""

from __future__ import annotations

from pathlib import Path

from uts.errors import Problem, where
from uts.ontology.ontology import Ontology
from uts.ontology.source import format_facets, format_labels, format_paper, format_paper_order, format_terms


def canonical_texts(ontology: Ontology) -> dict[Path, str]:
    if ontology.layout is None:
        raise ValueError("this ontology was built in memory and has no source files to lint")
    layout = ontology.layout
    pref = {c.id: c.label for c in ontology.concepts.values()}
    return {
        layout.terms: format_terms(ontology.concepts.values()),
        layout.labels: format_labels(ontology.concepts.values()),
        # The paper mapping set is versioned with the ontology release it belongs to.
        layout.paper: format_paper(
            {**ontology.paper_header, "mapping_set_version": ontology.metadata.version}, ontology.paper, pref
        ),
        layout.paper_order: format_paper_order(ontology.reordered),
        layout.facets: format_facets(ontology.facets.values(), pref),
    }


def _first_difference(actual: str, expected: str) -> tuple[int, str, str]:
    a_lines, e_lines = actual.split("\n"), expected.split("\n")
    for number, (a, e) in enumerate(zip(a_lines, e_lines, strict=False), start=1):
        if a != e:
            return number, a, e
    n = min(len(a_lines), len(e_lines)) + 1
    return n, "" if len(a_lines) < n else a_lines[n - 1], "" if len(e_lines) < n else e_lines[n - 1]


def lint(ontology: Ontology, texts: dict[Path, str]) -> list[Problem]:
    """One problem per file whose text is not canonical, pointing at the first line that differs."""
    problems = []
    for path, expected in canonical_texts(ontology).items():
        actual = texts.get(path)
        if actual is None or actual == expected:
            continue
        line, got, want = _first_difference(actual, expected)
        problems.append(
            Problem(
                where(path),
                line,
                f"not in canonical form: line reads {got[:120]!r} but should read {want[:120]!r}",
                "run `uts lint --fix`",
            )
        )
    return problems


def fix(ontology: Ontology, texts: dict[Path, str]) -> list[Path]:
    """Rewrite every non-canonical file; returns the files it changed."""
    changed = []
    for path, expected in canonical_texts(ontology).items():
        if texts.get(path) != expected:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(expected.encode("utf-8"))
            changed.append(path)
    return changed
