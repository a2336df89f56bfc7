"""Property-based robustness: arbitrary bytes, JSON, Unicode and huge values fed to every reader of outside input.

Each property says: no exception but the typed ones, no good record lost, and output that is valid UTF-8 JSON.
Example counts are bounded so the suite stays a few seconds to a minute in CI.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="the robustness suite needs hypothesis (the 'dev' extra)")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from uts.errors import UTSError  # noqa: E402
from uts.ontology import load_ontology  # noqa: E402
from uts.ontology.load import read_root  # noqa: E402
from uts.resolve import Resolver  # noqa: E402
from uts.resolve.stream import StreamLimits, stream_jsonl  # noqa: E402
from uts.store import FileStore  # noqa: E402
from uts.store.curate import apply_sheet  # noqa: E402

from .conftest import RESOURCES  # noqa: E402

# UTS_HYPOTHESIS_EXAMPLES raises the count for a longer hunt by hand; CI keeps the default.
EXAMPLES = int(os.environ.get("UTS_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# What valid UTF-8 can carry: every code point but the surrogates.
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
WORDS = st.sampled_from(["dog", "barks", "no music", "Hi-Fi", "drums:none", "possibly a siren", "gutiar", "\u00e9"])


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_ontology(), embed=False)


good_records = st.builds(
    lambda n, tags, text, use_text: {"id": n, "text": text} if use_text else {"id": n, "tags": tags},
    st.integers(0, 10**9),
    st.lists(st.one_of(TEXT, WORDS), max_size=6),
    st.one_of(TEXT, st.lists(WORDS, max_size=8).map(" ".join)),
    st.booleans(),
)
bad_lines = st.one_of(
    st.binary(max_size=60).filter(lambda b: b"\n" not in b),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), TEXT),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=6,
    ).map(lambda v: json.dumps(v).encode()),
    st.just(b'{"id": 1, "tags": ["\\udcff"]}'),
    st.just(b'{"id": 1, "tags": ["x"], "n": NaN}'),
    st.just(b'{"id": 1, "text": "' + b"x" * 3000 + b'"}'),
)


@SETTINGS
@given(st.lists(st.tuples(st.booleans(), good_records, bad_lines), max_size=25))
def test_a_stream_never_dies_and_never_loses_a_good_record(resolver: Resolver, lines: list) -> None:  # type: ignore[type-arg]
    data = b""
    expected = []
    for is_good, record, bad in lines:
        if is_good:
            data += json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
            expected.append(record["id"])
        else:
            data += bad + b"\n"
    sink = io.BytesIO()
    problems = []
    end = stream_jsonl(
        resolver,
        io.BytesIO(data),
        sink,
        name="in",
        limits=StreamLimits(max_record_bytes=2000),
        batch=4,
        on_problem=problems.append,
    )
    out = [json.loads(line) for line in sink.getvalue().decode("utf-8").splitlines()]
    ids = [record["id"] for record in out]
    # Every good record comes out, in order (a bad line may happen to be a good record too: then it is extra).
    remaining = iter(ids)
    assert all(any(i == want for i in remaining) for want in expected), (expected, ids)
    assert end.summary.items == len(out)
    assert end.summary.items + end.summary.malformed + end.summary.blank == len(lines)
    assert len(problems) == end.summary.malformed
    assert all(p.line >= 1 for p in problems)


@SETTINGS
@given(st.lists(st.one_of(TEXT, WORDS), max_size=8), st.one_of(TEXT, st.text(max_size=300)))
def test_the_resolver_answers_any_text(resolver: Resolver, tags: list[str], caption: str) -> None:
    caption = caption.encode("utf-8", "replace").decode("utf-8")  # what a UTF-8 stream can hold
    for result in (resolver.resolve_tags(tags), resolver.resolve_text(caption)):
        encoded = json.dumps(result.to_json(), ensure_ascii=False, allow_nan=False).encode("utf-8")
        assert json.loads(encoded)["tags"] is not None
        assert not {m.id for m in result.negated} & {m.id for m in result.tags}


@pytest.fixture(scope="module")
def tiny_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("robust") / "tiny"
    shutil.copytree(RESOURCES / "tiny", root)
    return root


@SETTINGS
@given(st.binary(max_size=400))
def test_a_sheet_of_any_bytes_is_refused_or_planned_never_crashes(tiny_copy: Path, data: bytes) -> None:
    sheet = tiny_copy.parent / "sheet.tsv"
    sheet.write_bytes(b"id\tlabel\tdefinition\tbroader\tsynonyms\n" + data)
    before = (tiny_copy / "ontology" / "terms.tsv").read_bytes()
    with contextlib.suppress(UTSError):  # refused with a typed error, or planned: both fine, nothing else is
        apply_sheet(FileStore(tiny_copy), sheet, dry_run=True, partial=True)
    assert (tiny_copy / "ontology" / "terms.tsv").read_bytes() == before


@SETTINGS
@given(st.one_of(st.binary(max_size=300), TEXT.map(lambda t: t.encode("utf-8"))))
def test_a_mapping_file_of_any_bytes_is_reported_never_crashes(tiny_copy: Path, data: bytes) -> None:
    path = tiny_copy / "mappings" / "toy.sssom.tsv"
    original = path.read_bytes()
    try:
        header, _, body = original.partition(b"subject_id\t")
        path.write_bytes(header + b"subject_id\t" + body + data + b"\n")
        loaded = read_root(tiny_copy)
        assert all(p.message and p.fix for p in loaded.problems)
        path.write_bytes(data)
        loaded = read_root(tiny_copy)
        assert all(p.message and p.fix for p in loaded.problems)
    finally:
        path.write_bytes(original)
