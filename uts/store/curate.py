"""Apply a curation sheet to a store: read the sheet, reserve IDs, plan the edits, save them as one change."""

from __future__ import annotations

from pathlib import Path

from uts.errors import where
from uts.ontology.curate import CurationReport, SheetPlan, count_new, plan_sheet, read_sheet
from uts.ontology.edits import DEFAULT_AUTHOR, Edit
from uts.ontology.model import format_id, id_number
from uts.ontology.ontology import Ontology
from uts.store.base import OntologyStore
from uts.store.change import change


def apply_sheet(
    store: OntologyStore,
    sheet: Path | str,
    *,
    author: str = DEFAULT_AUTHOR,
    partial: bool = False,
    dry_run: bool = False,
    expected_revision: str | None = None,
) -> CurationReport:
    """Apply a curation sheet to ``store`` as one change, checking every row and every rule first.

    With any problem nothing is written (``CurationError`` lists them all); with ``partial`` the rows with a
    problem are skipped whole, counted and reported. ``expected_revision`` (default: the revision read here)
    turns a change made by someone else in the meantime into a ``ConflictError``.
    """
    sheet = Path(sheet)
    rows = read_sheet(sheet)
    plans: list[SheetPlan] = []

    def edits_for(ontology: Ontology) -> list[Edit]:
        needed = count_new(rows)
        if dry_run:  # a preview reserves nothing: the IDs it shows are the next free ones
            first = id_number(ontology.next_id())
            new_ids = [format_id(first + i) for i in range(needed)]
        else:
            new_ids = store.reserve_ids(needed)
        plans.append(plan_sheet(ontology, rows, new_ids, name=where(sheet), author=author, partial=partial))
        return plans[-1].edits

    done = change(store, edits_for, dry_run=dry_run, expected_revision=expected_revision)
    report = plans[-1].report
    if done.commit is not None:
        report.written = True
        report.revision = done.commit.revision
    return report


__all__ = ["apply_sheet"]
