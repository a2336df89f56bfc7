"""Canonical form of the source files: sorted rows, derived columns recomputed, UTF-8, LF.

Derived columns (a concept's rank and levels, the concept label beside each synonym, published tag and mapped
object) are recomputed here, so curators never maintain them by hand. The same texts are what a store writes,
so a source loaded and written back with no edits is byte-identical.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from uts.errors import Problem, where
from uts.ontology.model import LANGUAGE_PATTERN
from uts.ontology.ontology import Ontology
from uts.ontology.source import (
    SourceLayout,
    format_facets,
    format_labels,
    format_mapping_set,
    format_metadata,
    format_paper,
    format_paper_order,
    format_senses,
    format_terms,
    languages_of,
)


def canonical_texts(ontology: Ontology, layout: SourceLayout, languages: Collection[str] = ()) -> dict[Path, str]:
    """The text of every source file of ``ontology`` under ``layout``: a translation file for each language some
    concept has labels in, and for each of ``languages`` (files that exist, which lose their last row as a header)."""
    pref = {c.id: c.label for c in ontology.concepts.values()}
    version = ontology.metadata.version
    texts = {
        layout.metadata: format_metadata(ontology.metadata),
        layout.terms: format_terms(ontology.concepts.values()),
        layout.labels: format_labels(ontology.concepts.values()),
        # The paper mapping set is versioned with the ontology release it belongs to.
        layout.paper: format_paper({**ontology.paper_header, "mapping_set_version": version}, ontology.paper, pref),
        layout.paper_order: format_paper_order(ontology.reordered),
        layout.facets: format_facets(ontology.facets.values(), pref),
    }
    if ontology.senses:  # absent from sources made before senses were curated
        texts[layout.senses] = format_senses(ontology.senses, pref)
    for lang in sorted({*languages_of(ontology.concepts.values()), *languages}):
        texts[layout.translation_file(lang)] = format_labels(ontology.concepts.values(), lang)
    for name, mapping_set in sorted(ontology.mappings.items()):
        texts[layout.mapping_file(name)] = format_mapping_set(mapping_set, pref, version)
    return texts


def present_languages(layout: SourceLayout, texts: Mapping[Path, str]) -> list[str]:
    """The languages whose translation files are among ``texts`` (the files read)."""
    folder = layout.translations_dir
    stems = (p.name[: -len(".tsv")] for p in texts if p.parent == folder and p.name.endswith(".tsv"))
    return sorted(stem for stem in stems if LANGUAGE_PATTERN.match(stem))


def _first_difference(actual: str, expected: str) -> tuple[int, str, str]:
    a_lines, e_lines = actual.split("\n"), expected.split("\n")
    for number, (a, e) in enumerate(zip(a_lines, e_lines, strict=False), start=1):
        if a != e:
            return number, a, e
    n = min(len(a_lines), len(e_lines)) + 1
    return n, "" if len(a_lines) < n else a_lines[n - 1], "" if len(e_lines) < n else e_lines[n - 1]


def lint(ontology: Ontology, layout: SourceLayout, texts: Mapping[Path, str]) -> list[Problem]:
    """One problem per file whose text is not canonical, pointing at the first line that differs."""
    problems = []
    for path, expected in canonical_texts(ontology, layout, present_languages(layout, texts)).items():
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


def changed_texts(ontology: Ontology, layout: SourceLayout, texts: Mapping[Path, str]) -> dict[Path, str]:
    """The canonical text of every file whose current text (``texts``; missing means absent) differs from it."""
    canonical = canonical_texts(ontology, layout, present_languages(layout, texts))
    return {path: text for path, text in canonical.items() if texts.get(path) != text}
