"""Every SSSOM file in mappings/ is valid SSSOM according to sssom-py, the reference implementation."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import REPO

FILES = sorted((REPO / "mappings").glob("*.sssom.tsv"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_sssom_file_validates_with_sssom_py(path: Path) -> None:
    from sssom.parsers import parse_sssom_table
    from sssom.validators import SchemaValidationType, validate

    msdf = parse_sssom_table(path)
    report = validate(
        msdf,
        [
            SchemaValidationType.JsonSchema,
            SchemaValidationType.PrefixMapCompleteness,
            SchemaValidationType.StrictCurieFormat,
        ],
        fail_on_error=False,
    )
    failures = {kind.value: r.results for kind, r in report.items() if r.results}
    assert failures == {}
    rows = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")) - 1
    assert len(msdf.df) == rows, "sssom-py must read every row"
    for column in ("subject_id", "predicate_id", "object_id", "mapping_justification", "author_id", "mapping_date"):
        assert msdf.df[column].notna().all(), column
    assert msdf.metadata["license"].startswith("https://")


def test_paper_mapping_set_exists() -> None:
    assert REPO / "mappings" / "uts-paper.sssom.tsv" in FILES
