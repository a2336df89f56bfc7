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
        # Planned first with the next free IDs, so that a row skipped for a problem uses up no ID; only the new
        # concepts that are kept take IDs from the store (and a store that hands out others gets a new plan).
        first = id_number(ontology.next_id())
        provisional = [format_id(first + i) for i in range(count_new(rows))]
        plan = plan_sheet(ontology, rows, provisional, name=where(sheet), author=author, partial=partial)
        if not dry_run:
            new_lines = [r.line for r in rows if r.is_new]
            kept_new = [provisional[new_lines.index(line)] for line in plan.kept if line in new_lines]
            reserved = store.reserve_ids(len(kept_new))
            if reserved != kept_new:
                kept_rows = [r for r in rows if r.line in plan.kept]
                again = plan_sheet(ontology, kept_rows, reserved, name=where(sheet), author=author, partial=partial)
                again.report.rows = len(rows)
                again.report.skipped = plan.report.skipped + again.report.skipped
                plan = again
        plans.append(plan)
        return plan.edits

    done = change(store, edits_for, dry_run=dry_run, expected_revision=expected_revision)
    report = plans[-1].report
    if done.commit is not None:
        report.written = True
        report.revision = done.commit.revision
    return report


__all__ = ["apply_sheet"]
