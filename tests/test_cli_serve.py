"""`uts keys` and `uts serve` as users run them, each a real subprocess on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from .conftest import RESOURCES
from .test_cli_db import ok, uts

TINY = str(RESOURCES / "tiny")


def test_keys_are_shown_once_listed_by_prefix_and_revoked(tmp_path: Path) -> None:
    ok(uts("db", "load", "--root", TINY, cwd=tmp_path))
    key = ok(uts("keys", "create", "orcid:0000-0002-1825-0097", "--role", "reviewer", cwd=tmp_path)).strip()
    assert key.startswith("uts_")
    prefix = key.split("_")[1]
    listed = ok(uts("keys", "list", cwd=tmp_path))
    assert prefix in listed
    assert "reviewer" in listed
    assert key not in listed
    assert key.split("_", 2)[2] not in listed
    assert key not in (tmp_path / "uts.db").read_bytes().decode("latin-1")  # stored hashed
    assert "revoked" in ok(uts("keys", "revoke", prefix, cwd=tmp_path))
    again = uts("keys", "revoke", prefix, cwd=tmp_path)
    assert again.returncode == 2
    assert "already revoked" in again.stderr
    unknown = uts("keys", "revoke", "ffffffff", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "uts keys list" in unknown.stderr
    bad_role = uts("keys", "create", "orcid:0000-0002-1825-0097", "--role", "boss", cwd=tmp_path)
    assert bad_role.returncode == 2
    assert "annotator, reviewer, admin" in bad_role.stderr
    bad_curie = uts("keys", "create", "alice", "--role", "admin", cwd=tmp_path)
    assert bad_curie.returncode == 2
    assert "CURIE" in bad_curie.stderr


def test_serve_refuses_a_database_it_cannot_serve(tmp_path: Path) -> None:
    missing = uts("serve", "--db", f"sqlite:///{tmp_path / 'none.db'}", cwd=tmp_path)
    assert missing.returncode == 2
    assert "uts db upgrade" in missing.stderr
    ok(uts("db", "upgrade", cwd=tmp_path))
    empty = uts("serve", cwd=tmp_path)
    assert empty.returncode == 2
    assert "uts db load" in empty.stderr
    bad_port = uts("serve", "--port", "70000", cwd=tmp_path)
    assert bad_port.returncode == 2
