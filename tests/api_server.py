"""A real API server for the HTTP tests: `uts serve` in its own process (uvicorn), on a free loopback port, over a
real database; and the keys of one annotator, two reviewers and an admin."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

READY_TIMEOUT = 240.0  # seconds: the first start of a session may export the ONNX model


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, key: str | None = None, timeout: float = 60.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serve(db_url: str, log: Path, *, extra: Sequence[str] = (), env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start `uts serve` and wait until /readyz answers 200; stop it (SIGTERM, graceful) afterwards."""
    port = free_port()
    environment = {
        **os.environ,
        "UTS_API_RELEASE_CHECK_SECONDS": "0.2",
        "UTS_API_GAP_FLUSH_SECONDS": "0.5",
        **(env or {}),
    }
    command = [sys.executable, "-m", "uts", "serve", "--db", db_url, "--port", str(port), *extra]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uts serve exited with {process.returncode}:\n{server.output()[-3000:]}")
            try:
                if httpx.get(f"{server.url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"uts serve was not ready in {READY_TIMEOUT} s:\n{server.output()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass(frozen=True)
class Keys:
    annotator: str
    reviewer: str
    reviewer2: str
    admin: str


ANNOTATOR = "orcid:0000-0001-0000-0001"
REVIEWER = "orcid:0000-0001-0000-0002"
REVIEWER2 = "orcid:0000-0001-0000-0003"
ADMIN = "orcid:0000-0001-0000-0004"


def make_keys(db_url: str) -> Keys:
    from uts.store.access import create_key
    from uts.store.sql import SqlStore

    store = SqlStore.open(db_url)
    return Keys(
        annotator=create_key(store, ANNOTATOR, "annotator", name="Ann Otator")[0],
        reviewer=create_key(store, REVIEWER, "reviewer", name="Rev Iewer")[0],
        reviewer2=create_key(store, REVIEWER2, "reviewer", name="Sec Ond")[0],
        admin=create_key(store, ADMIN, "admin", name="Ad Min")[0],
    )
