"""The HTTP API under load, on loopback, beside the in-process cost of the same work.

A real `uts serve` (uvicorn, one worker) over a fresh SQLite copy of the bundled release; a small asyncio
HTTP/1.1 client in this process. Figures (throughput achieved, p50/p99 latency measured from each request's scheduled
start, so a stalled server cannot hide its queue; errors counted):

1. GET /v1/concepts/{id} (every concept in turn) at fixed offered rates. Target: p99 < 20 ms at 200 requests/s.
2. GET /v1/autocomplete?q= (2 to 5 first letters of labels) at fixed rates. Target: p99 < 20 ms at 200/s.
3. POST /v1/resolve of 10 raw tags (published tags with case/separator/plural variants) at fixed rates.
   Target: p99 < 30 ms at 100 requests/s.
4. POST /v1/resolve of one ~400-word caption (GAMA captions of AudioSet clips joined), closed loop at several
   concurrencies.
5. Encoder-bound: POST /v1/resolve of 10 distinct made-up two-word tags (each needs the encoder), closed loop at
   several concurrencies, in tags/s, beside the bare batch encoder (batch 256) on the same kind of strings in
   this process. Target: >= 80% of the bare encoder at the highest concurrency. Each row also gives the CPU
   seconds per 1,000 tags of the server process, of this client and of the bare encoder: other work on the machine
   moves them less than throughput, which follows whatever share of the cores is left (they still rise by up to
   a third when another process keeps the cores busy: every instruction runs slower then).
6. In-process cost of the same work (library calls, no HTTP): concept lookup, autocomplete, resolve of 10 tags,
   resolve of one caption.

The client shares the machine's cores with the server: on 2 cores it takes a share of the CPU the server would
otherwise have. Run: .venv/bin/python benchmarks/bench_api.py [--quick] [--only SECTION ...] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_DATA = Path(os.environ.get("UTS_DATA_DIR") or REPO.parent / "shared" / "data")
SEED = 1729
SECTIONS = ["reads", "tags", "captions", "encoder", "in-process"]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(name: str, load: str, done: int, seconds: float, latencies: list[float], errors: int, extra: str = "") -> None:
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    rate = done / seconds if seconds else 0.0
    print(f"{name:<34} {load:>10} {rate:>9.1f}/s {p50:>8.2f} {p99:>8.2f} {errors:>6}  {extra}", flush=True)


class Loopback:
    """A small HTTP/1.1 keep-alive client over asyncio streams, for loopback only: it reads the status line, the
    headers and a Content-Length body, nothing more. Its cost per request is tens of microseconds; a full client
    (httpx) spends about a millisecond, which on a 2-core box would be taken from the server it measures."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str, params: dict[str, str] | None = None) -> int:
        return await self.request("GET", path + (f"?{urlencode(params)}" if params else ""))

    async def post(self, path: str, body: Any) -> int:
        return await self.request("POST", path, json.dumps(body).encode())

    async def request(self, method: str, target: str, body: bytes | None = None) -> int:
        head = f"{method} {target} HTTP/1.1\r\nHost: {self.host}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        message = head.encode() + b"\r\n" + (body or b"")
        while True:
            reused = bool(self.idle)
            reader, writer = self.idle.pop() if reused else await asyncio.open_connection(self.host, self.port)
            writer.write(message)
            status_line = await reader.readline()
            if status_line or not reused:
                break
            writer.close()  # the server closed a connection that idled past its keep-alive: open a new one
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise ValueError("chunked answers are not read by this client")
        await reader.readexactly(length)
        if close:
            writer.close()
        else:
            self.idle.append((reader, writer))
        return status

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


FAILED = (OSError, ValueError, asyncio.IncompleteReadError)


async def settle() -> None:
    """A pause between figures, so one's backlog never lands in the next one's latencies."""
    await asyncio.sleep(1.0)


async def open_loop(
    make: Callable[[int], Coroutine[Any, Any, int]], rate: float, seconds: float
) -> tuple[int, float, list[float], int]:
    """Requests started at a fixed rate whatever the answers take; latency from each scheduled start."""
    await settle()
    latencies: list[float] = []
    errors = 0
    total = int(rate * seconds)
    start = time.perf_counter()

    async def one(n: int) -> None:
        nonlocal errors
        scheduled = start + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            if await make(n) >= 400:
                errors += 1
        except FAILED:
            errors += 1
        latencies.append(time.perf_counter() - scheduled)

    await asyncio.gather(*(one(n) for n in range(total)))
    return total, time.perf_counter() - start, latencies, errors


async def closed_loop(
    make: Callable[[int], Coroutine[Any, Any, int]], concurrency: int, count: int
) -> tuple[int, float, list[float], int]:
    """``concurrency`` clients, each sending its next request when the last is answered."""
    await settle()
    latencies: list[float] = []
    errors = 0
    counter = iter(range(count))
    start = time.perf_counter()

    async def client() -> None:
        nonlocal errors
        for n in counter:
            t0 = time.perf_counter()
            try:
                if await make(n) >= 400:
                    errors += 1
            except FAILED:
                errors += 1
            latencies.append(time.perf_counter() - t0)

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return count, time.perf_counter() - start, latencies, errors


def made_up_tags(count: int, rng: random.Random) -> list[str]:
    consonants, vowels = "bdfgklmnprstvz", "aeiou"

    def word() -> str:
        return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(3, 4)))

    return [f"{word()} {word()}" for _ in range(count)]


def tag_variants(tags: list[str], rng: random.Random, count: int) -> list[list[str]]:
    def vary(tag: str) -> str:
        choice = rng.random()
        if choice < 0.3:
            return tag.upper() if rng.random() < 0.5 else tag.title()
        if choice < 0.5:
            return tag.replace("-", " ").replace("_", " ")
        if choice < 0.6:
            return tag + "s"
        return tag

    return [[vary(rng.choice(tags)) for _ in range(10)] for _ in range(count)]


def long_captions(data_dir: Path, count: int, rng: random.Random) -> list[str]:
    path = data_dir / "gama_audioset" / "captions_dev.json"
    captions = list(json.loads(path.read_text()).values())
    out = []
    for _ in range(count):
        words: list[str] = []
        while len(words) < 400:
            words += rng.choice(captions).split()
        out.append(" ".join(words[:400]))
    return out


def start_server(db_url: str, log: Path) -> Any:
    from tests.api_server import serve

    return serve(db_url, log)


async def run_http(server_url: str, args: argparse.Namespace, inputs: dict[str, Any], server_pid: int) -> None:
    address = urlsplit(server_url)
    client = Loopback(address.hostname or "127.0.0.1", address.port or 80)
    try:
        ids, prefixes = inputs["ids"], inputs["prefixes"]
        tag_lists, captions, unseen = inputs["tag_lists"], inputs["captions"], inputs["unseen"]
        seconds = args.seconds

        def get_concept(n: int) -> Coroutine[Any, Any, int]:
            return client.get(f"/v1/concepts/{ids[n % len(ids)]}")

        def autocomplete(n: int) -> Coroutine[Any, Any, int]:
            return client.get("/v1/autocomplete", params={"q": prefixes[n % len(prefixes)]})

        def resolve_tags(n: int) -> Coroutine[Any, Any, int]:
            return client.post("/v1/resolve", {"tags": [tag_lists[n % len(tag_lists)]]})

        fresh = itertools.count()

        def resolve_caption(_: int) -> Coroutine[Any, Any, int]:
            return client.post("/v1/resolve", {"texts": [captions[next(fresh) % len(captions)]]})

        # Warm every path (first requests load views, indices and caches of the server and of this client).
        for make in (get_concept, autocomplete, resolve_tags):
            await open_loop(make, 50, 1.0)
        await resolve_caption(0)
        print(f"{'request':<34} {'load':>10} {'throughput':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
        for rate in args.read_rates if "reads" in args.only else []:
            row("GET /v1/concepts/{id}", f"{rate}/s", *await open_loop(get_concept, rate, seconds))
        for rate in args.read_rates if "reads" in args.only else []:
            row("GET /v1/autocomplete", f"{rate}/s", *await open_loop(autocomplete, rate, seconds))
        for rate in args.resolve_rates if "tags" in args.only else []:
            row("POST /v1/resolve (10 raw tags)", f"{rate}/s", *await open_loop(resolve_tags, rate, seconds))
        for concurrency in args.caption_concurrency if "captions" in args.only else []:
            count = max(8, int(args.caption_count * concurrency**0.5))
            row("POST /v1/resolve (400-word caption)", f"c={concurrency}",
                *await closed_loop(resolve_caption, concurrency, count))  # fmt: skip
        at = 0

        def resolve_unseen(_: int) -> Coroutine[Any, Any, int]:
            nonlocal at
            at += per_request
            return client.post("/v1/resolve", {"tags": [unseen[at - per_request : at]]})

        runs = [(c, 10, args.encoder_requests) for c in args.encoder_concurrency]
        runs.append((8, 60, args.encoder_requests // 6))  # a pipeline that sends 60 tags a request (64 at most)
        for concurrency, per_request, count in runs if "encoder" in args.only else []:
            # The bare encoder is measured right before each run (the CPUs of a shared machine drift).
            strings = made_up_tags(2048, random.Random(SEED + concurrency))
            bare_cpu = time.process_time()
            bare = bare_encoder_rate(strings)
            bare_cpu = (time.process_time() - bare_cpu) / len(strings) * 1000
            server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
            done, took, latencies, errors = await closed_loop(resolve_unseen, concurrency, count)
            tags = done * per_request
            server_cpu = (cpu_seconds(server_pid) - server_cpu) / tags * 1000
            client_cpu = (time.process_time() - client_cpu) / tags * 1000
            tags_per_s = tags / took
            share = tags_per_s / bare
            row(f"POST /v1/resolve ({per_request} unseen tags)", f"c={concurrency}", done, took, latencies, errors,
                f"{tags_per_s:,.0f} tags/s = {share:.0%} of the bare encoder ({bare:,.0f} tags/s); CPU s per 1,000 "
                f"tags: server {server_cpu:.2f}, client {client_cpu:.2f}, bare encoder {bare_cpu:.2f}")  # fmt: skip
    finally:
        await client.close()


def in_process(inputs: dict[str, Any]) -> None:
    from uts import load_ontology
    from uts.ontology.search import LabelSearch
    from uts.resolve import Resolver

    ontology = load_ontology()
    search = LabelSearch(ontology)
    resolver = Resolver(ontology)
    resolver.warm()

    def timed(name: str, calls: int, call: Callable[[int], object]) -> None:
        call(0)
        t0 = time.perf_counter()
        for n in range(calls):
            call(n)
        per = (time.perf_counter() - t0) / calls
        print(f"{name:<44} {per * 1e6:>10.1f} µs/call")

    ids, prefixes, tag_lists, captions = inputs["ids"], inputs["prefixes"], inputs["tag_lists"], inputs["captions"]
    print("\nin-process cost of the same work (no HTTP):")
    timed("concept by ID + ancestors + narrower", 2000,
          lambda n: (ontology.get(ids[n % len(ids)]), ontology.ancestors(ids[n % len(ids)]),
                     ontology.narrower(ids[n % len(ids)])))  # fmt: skip
    timed("autocomplete (LabelSearch.search, 10 hits)", 2000, lambda n: search.search(prefixes[n % len(prefixes)]))
    timed("resolve_tags (10 raw tags)", 2000, lambda n: resolver.resolve_tags(tag_lists[n % len(tag_lists)]))
    timed("resolve_text (400-word caption)", 50, lambda n: resolver.resolve_text(captions[n % len(captions)]))


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used (user and system, every thread), from /proc; NaN where there is none. CPU per
    request moves less than throughput when other work shares the cores."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bare_encoder_rate(strings: list[str]) -> float:
    from uts.matching.encoders import get_encoder

    encoder = get_encoder()
    encoder.encode(strings[:256])
    t0 = time.perf_counter()
    encoder.encode(strings, batch_size=256)
    return len(strings) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Fewer rates and shorter runs.")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS, help="Measure these sections only.")
    args = parser.parse_args()
    args.seconds = 3.0 if args.quick else 8.0
    args.read_rates = [100, 200] if args.quick else [100, 200, 400]
    args.resolve_rates = [50, 100] if args.quick else [50, 100, 200]
    args.caption_concurrency = [1, 4] if args.quick else [1, 4, 8]
    args.caption_count = 10 if args.quick else 20
    args.encoder_concurrency = [1, 16, 64] if args.quick else [1, 8, 32, 64]
    args.encoder_requests = 128 if args.quick else 640  # 10 rounds of 64 clients: the last, partial round is small

    from uts import load_ontology
    from uts.ontology.model import Status
    from uts.ontology.source import bundled_root
    from uts.store.migrate import upgrade
    from uts.store.sql import SqlStore

    rng = random.Random(SEED)
    ontology = load_ontology()
    active = [c for c in ontology.concepts.values() if c.status is Status.ACTIVE]
    published = sorted({t.tag for t in ontology.paper})
    encoder_tags = (len(args.encoder_concurrency) + 1) * args.encoder_requests * 10 + 60
    inputs: dict[str, Any] = {
        "ids": [c.id for c in rng.sample(active, len(active))],
        "prefixes": [c.label[: rng.randint(2, 5)] for c in rng.sample(active, 500)],
        "tag_lists": tag_variants(published, rng, 2000),
        "captions": long_captions(args.data_dir, 400, rng),  # a new caption for every request
        "unseen": made_up_tags(encoder_tags, rng),
    }
    print(f"bare batch encoder (batch 256, this process): {bare_encoder_rate(made_up_tags(2048, rng)):,.0f} tags/s")
    print(f"machine: {os.cpu_count()} CPUs; client and server share them\n")

    folder = Path(tempfile.mkdtemp(prefix="uts-bench-api-"))
    try:
        url = f"sqlite:///{folder / 'uts.db'}"
        upgrade(url)
        SqlStore.open(url).load_source(bundled_root())
        with start_server(url, folder / "server.log") as server:
            gc.collect()
            gc.freeze()  # the inputs live for the whole run: keep the client's collections short
            asyncio.run(run_http(server.url, args, inputs, server.process.pid))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if "in-process" in args.only:
        in_process(inputs)


if __name__ == "__main__":
    main()
