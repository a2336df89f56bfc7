"""Training label files for one level in the paper's exact format, plus a table reading old models in UTS concepts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from uts.io.atomic import write_all_atomic
from uts.ontology.model import Concept, Level, Origin

if TYPE_CHECKING:
    from uts.ontology import Ontology

COMPAT_HEADER = ("paper_index", "paper_tag", "concept_id", "concept_label", "index")


def level_concepts(
    ontology: Ontology, level: Level, *, facet: str | None = None, include_curated: bool = False
) -> list[Concept]:
    """The classes of the new label file: active concepts of the level, best rank first.

    With ``facet``, only concepts in that facet (or its sub-facets): a training head for one facet.
    Curated additions (grouping concepts, which the paper never published) are left out unless asked for;
    they come after the paper's concepts, in ID order.
    """
    concepts = [c for c in ontology.in_level(level) if c.origin is not Origin.CURATED]
    if include_curated:
        concepts += sorted((c for c in ontology.active() if c.origin is Origin.CURATED), key=lambda c: c.id)
    if facet is not None:
        wanted = ontology.facet_and_subfacets(facet)
        concepts = [c for c in concepts if wanted.intersection(c.facets)]
    return concepts


def paper_json(values: list[str]) -> str:
    """The paper's format: ``json.dumps`` of ``{"0": ..., "1": ...}`` with indent 2 and no trailing newline."""
    return json.dumps({str(i): value for i, value in enumerate(values)}, indent=2)


def compat_table(ontology: Ontology, level: Level, concepts: list[Concept]) -> str:
    """One row per index of the level's published file: its tag, UTS concept and index in the new file."""
    position = {c.id: i for i, c in enumerate(concepts)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(COMPAT_HEADER)
    for tag in ontology.level_tags(level):
        concept = ontology.current(tag.concept_id)
        if concept is None:
            writer.writerow((tag.index, tag.tag, tag.concept_id, "", ""))
            continue
        writer.writerow((tag.index, tag.tag, concept.id, concept.label, position.get(concept.id, "")))
    return buffer.getvalue()


def sidecar_paths(output: Path) -> tuple[Path, Path]:
    """``labels.json`` -> ``labels.concepts.json`` (index -> ID) and ``labels.compat.tsv``."""
    return output.with_name(f"{output.stem}.concepts.json"), output.with_name(f"{output.stem}.compat.tsv")


def write_labels(
    ontology: Ontology, level: Level, output: Path, *, facet: str | None = None, include_curated: bool = False
) -> list[Path]:
    """Write the label file, its concept-ID sidecar and the compatibility table; return the three paths."""
    concepts = level_concepts(ontology, level, facet=facet, include_curated=include_curated)
    ids_path, compat_path = sidecar_paths(output)
    write_all_atomic(
        {
            output: paper_json([c.label for c in concepts]).encode("ascii"),
            ids_path: paper_json([c.id for c in concepts]).encode("ascii"),
            compat_path: compat_table(ontology, level, concepts).encode("utf-8"),
        }
    )
    return [output, ids_path, compat_path]
