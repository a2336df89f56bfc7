"""Export UTS to standard formats (SKOS, OWL, JSON) and to training label files; RDF libraries load lazily."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from uts.errors import ExportError
from uts.io.atomic import write_atomic
from uts.ontology.model import Level

if TYPE_CHECKING:
    from uts.ontology import Ontology


class ExportFormat(StrEnum):
    TURTLE = "turtle"
    JSONLD = "jsonld"
    OWL = "owl"
    JSON = "json"
    LABELS = "labels"

    @classmethod
    def parse(cls, text: str) -> ExportFormat:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(fmt.value for fmt in cls)
            raise ValueError(f"unknown export format {text!r}; choose one of {choices}") from None


def _renderers() -> dict[ExportFormat, Callable[[Ontology], str]]:
    from uts.export.json_export import to_json
    from uts.export.owl import to_owl_xml
    from uts.export.skos import to_jsonld, to_turtle

    return {
        ExportFormat.TURTLE: to_turtle,
        ExportFormat.JSONLD: to_jsonld,
        ExportFormat.OWL: to_owl_xml,
        ExportFormat.JSON: to_json,
    }


def check_options(fmt: ExportFormat, level: Level | None, *, facet: str | None = None) -> None:
    """Reject option combinations before any work is done."""
    levels = ", ".join(lv.value for lv in Level)
    if fmt is ExportFormat.LABELS and level is None:
        raise ExportError(f"the labels export is per level: pass --level (one of {levels}), or level= in Python")
    if fmt is not ExportFormat.LABELS and level is not None:
        raise ExportError(
            f"--level only applies to --format labels, not {fmt.value}; drop --level or use --format labels"
        )
    if fmt is not ExportFormat.LABELS and facet is not None:
        raise ExportError(f"--facet only applies to --format labels, not {fmt.value}; drop --facet")


def write_export(
    ontology: Ontology,
    fmt: ExportFormat,
    output: Path,
    *,
    level: Level | None = None,
    facet: str | None = None,
    include_curated: bool = False,
) -> list[Path]:
    """Write ``ontology`` as ``fmt`` to ``output`` (creating its folder); return every file written."""
    check_options(fmt, level, facet=facet)
    if facet is not None:
        ontology.facet(facet)  # fail before writing anything
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if level is not None:
        from uts.export.labels import write_labels

        return write_labels(ontology, level, output, facet=facet, include_curated=include_curated)
    write_atomic(output, _renderers()[fmt](ontology).encode("utf-8"))
    return [output]


__all__ = ["ExportFormat", "check_options", "write_export"]
