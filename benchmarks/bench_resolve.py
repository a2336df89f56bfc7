"""Resolver throughput, latency and cold start, beside the paper's exact-match filter and the bare encoder.

Figures (one process, on whatever CPUs it was given; ratio = resolver figure / baseline figure):

1. Raw tags/s on a realistic LLM tag stream: ~300k tags drawn Zipf-like from the 3000 published tags, with
   variants (case, plural "s", hyphen/underscore/space swaps, typos) and ~2% made-up unseen words, fixed seed.
   ``resolve_tags`` over batches of 10 (one caption's tags), embed=False and embed=True, first pass (empty
   per-input caches) and repeat pass. Baseline: ``[t for t in tags if t in label_set]``. Target: >= 200,000 tags/s.
2. Cold raw tags/s that need the encoder: distinct two-word phrases of English non-label words (checked to abstain
   lexically), fresh Resolver, ``resolve_tags`` in batches of 256. Baselines: the bare encoder of the resolver's
   backend and the other backends (onnx, onnx-int8, torch) on the same strings, batch 256. Target: >= 90% of the
   bare encoder of the resolver's backend.
3. Captions/s, ``resolve_texts`` in batches of 64: short (the ~27-word gama captions) and long (~400 words, 15
   consecutive captions joined), first pass (cold phrase cache) and second pass. Baselines: the bare onnx encoder
   on the whole captions, and the exact-match filter on caption words. Target: long captions >= 200/s end to end.
4. Latency of one call, p50/p99: (a) a raw tag matching a label exactly (distinct case/separator spellings, so the
   per-tag cache does not answer), (b) a raw tag that needs the encoder (distinct unseen strings; every backend),
   (c) one short caption. Targets: p50 < 1 ms when a label matches; p99 < 10 ms when the encoder is needed (for
   the resolver's backend; the other backend is measured beside it).
5. Cold start: wall seconds of ``python -c "import uts"``, and of a process that loads the ontology, builds
   ``Resolver(embed=False)`` and resolves one tag (it prints whether torch got imported).

One-off loads (encoder, concept vectors, fuzzy index, word frequencies) happen before every timed pass; figure 5
covers loading. Run: .venv/bin/python benchmarks/bench_resolve.py [--quick] [--backend onnx|onnx-int8|torch]
[--only stream cold captions latency start] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from uts.lexical import normalise
from uts.matching.encoders import Encoder, OnnxEncoder, get_encoder
from uts.matching.fuzzy import is_known_word
from uts.ontology import Ontology, load_ontology
from uts.resolve import Abstention, Match, Resolver

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("UTS_DATA_DIR") or REPO.parent / "shared" / "data")
SEED = 1729
TAG_BATCH = 10
COLD_BATCH = 256
TEXT_BATCH = 64
LONG_JOIN = 15
UNSEEN_SHARE = 0.02
_WORD = re.compile(r"[\w'-]+")

TARGET_STREAM = 200_000.0  # tags/s
TARGET_COLD_SHARE = 0.9  # of the bare encoder
TARGET_LONG = 200.0  # long captions/s
TARGET_EXACT_P50 = 1e-3  # s
TARGET_ENCODER_P99 = 10e-3  # s
ENCODERS = ("onnx", "onnx-int8", "torch")
FIGURES = ["start", "stream", "cold", "captions", "latency"]


def others(backend: str) -> tuple[str, ...]:
    """The encoders measured beside the resolver's, nearest kin first (int8 beside its fp32 model)."""
    order = {"onnx": ("onnx-int8", "torch"), "onnx-int8": ("onnx", "torch"), "torch": ("onnx", "onnx-int8")}
    return order[backend]


@dataclass(frozen=True)
class Sizes:
    """How much work each figure does."""

    stream: int
    cold: int
    repeat: int  # figure 2: best of this many runs (resolver and bare encoder of its backend, interleaved)
    short: int
    long: int
    lat_tags: int
    lat_encoder: int  # the resolver's backend
    lat_other: int  # each other backend
    lat_captions: int
    lat_bare_captions: int
    cold_start_runs: int


FULL = Sizes(300_000, 3000, 2, 1 << 30, 1 << 30, 5000, 1000, 300, 2000, 500, 5)
QUICK = Sizes(10_000, 256, 1, 192, 12, 500, 50, 20, 100, 30, 1)


# ---- measuring ----------------------------------------------------------------------------------------


def seconds(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def latencies(fn: Callable[[str], object], inputs: Sequence[str]) -> tuple[float, float]:
    """p50 and p99 of one call per input."""
    gc.collect()
    times = []
    for item in inputs:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times), statistics.quantiles(times, n=100, method="inclusive")[98]


def exact_filter(label_set: set[str], chunks: Sequence[Sequence[str]]) -> None:
    """The paper's way: keep the tags that are published strings, drop the rest."""
    for chunk in chunks:
        [t for t in chunk if t in label_set]


def exact_words(label_set: set[str], text: str) -> list[str]:
    """The exact-match filter on a caption's words."""
    return [w for w in _WORD.findall(text.lower()) if w in label_set]


def exact_captions(label_set: set[str], texts: Sequence[str]) -> None:
    for text in texts:
        exact_words(label_set, text)


def resolve_tag_batches(resolver: Resolver, chunks: Sequence[Sequence[str]], abstained: list[int]) -> None:
    abstained[0] = sum(len(resolver.resolve_tags(chunk).abstained) for chunk in chunks)


def resolve_text_batches(resolver: Resolver, chunks: Sequence[Sequence[str]]) -> None:
    for chunk in chunks:
        resolver.resolve_texts(chunk)


def encode_one(encoder: Encoder, text: str) -> object:
    return encoder.encode([text])


def encode_chunks(encoder: Encoder, chunks: Sequence[Sequence[str]]) -> None:
    for chunk in chunks:
        encoder.encode(chunk, batch_size=len(chunk))


def batches(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def rate(x: float, unit: str) -> str:
    return f"{x:,.0f} {unit}/s" if x >= 100 else f"{x:,.1f} {unit}/s"


def ms(x: float) -> str:
    return f"{x * 1e3:.3f} ms"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.3g}x"


class Table:
    """Rows of what / resolver / baseline(s) / ratio, printed aligned at the end, with notes and targets."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []
        self.notes: list[str] = []
        self.targets: list[str] = []
        self.started = time.perf_counter()

    def section(self, title: str) -> None:
        """A heading row; it shows the 1-minute load average, since other work on the machine skews figures."""
        title = f"{title}  [load {os.getloadavg()[0]:.1f}]"
        self.rows.append((title, "", "", ""))
        print(f"[{time.perf_counter() - self.started:6.1f} s] {title}", file=sys.stderr, flush=True)

    def add(
        self,
        what: str,
        resolver: str,
        baselines: Sequence[tuple[str, str, str]] = (),
        target: tuple[str, bool] | None = None,
    ) -> None:
        """``baselines`` are (name, figure, ratio) triples; ``target`` is (goal, met)."""
        base = "; ".join(f"{name} {fig}" for name, fig, _ in baselines)
        ratios = "; ".join(f"{r} vs {name}" for name, _, r in baselines)
        self.rows.append(("  " + what, resolver, base, ratios))
        print(f"[{time.perf_counter() - self.started:6.1f} s]   {what}: {resolver}", file=sys.stderr, flush=True)
        if target is not None:
            section = next(r[0] for r in reversed(self.rows) if not r[1]).split(":")[0]
            self.targets.append(
                f"{'met    ' if target[1] else 'NOT met'}  {target[0]:28} {section}, {what}: {resolver}"
            )

    def print(self) -> None:
        head = ("what", "resolver", "baseline(s)", "ratio")
        body = [r for r in self.rows if r[1]]
        widths = [max(len(r[i]) for r in [*body, head]) for i in range(4)]
        for row in [head, *self.rows]:
            if row[1] or row is head:
                print(f"{row[0]:{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:{widths[2]}}  {row[3]}".rstrip())
            else:
                print(row[0])


# ---- inputs -------------------------------------------------------------------------------------------


def made_up_word(rng: random.Random) -> str:
    consonants, vowels = "bcdfghjklmnprstvzx", "aeiou"
    word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
    return word + rng.choice(["", "k", "n", "x", "th"])


def typos(tag: str) -> list[str]:
    """Up to three fixed misspellings of a tag (adjacent swaps, a dropped letter); none for short tags."""
    if len(tag) < 6 or not tag.isalpha():
        return []
    mid = len(tag) // 2
    return [
        tag[0] + tag[2] + tag[1] + tag[3:],
        tag[:mid] + tag[mid + 1] + tag[mid] + tag[mid + 2 :],
        tag[:mid] + tag[mid + 1 :],
    ]


def swap_separators(tag: str, rng: random.Random) -> str:
    for sep in ("-", "_", " "):
        if sep in tag:
            return tag.replace(sep, rng.choice([s for s in ("-", "_", " ") if s != sep]))
    return tag.capitalize()


def tag_stream(published: Sequence[str], n: int, rng: random.Random) -> list[str]:
    """Zipf-like draws over the published tags (file order as rank) with the variants an LLM tagger emits."""
    cum = list(itertools.accumulate(1.0 / r**1.05 for r in range(1, len(published) + 1)))
    draws = rng.choices(published, cum_weights=cum, k=n)
    unseen = list(dict.fromkeys(made_up_word(rng) for _ in range(3000)))
    unseen_cum = list(itertools.accumulate(1.0 / r for r in range(1, len(unseen) + 1)))
    out = []
    for tag in draws:
        roll = rng.random()
        if roll < UNSEEN_SHARE:
            out.append(rng.choices(unseen, cum_weights=unseen_cum)[0])
        elif roll < 0.72:
            out.append(tag)
        elif roll < 0.80:
            out.append(tag.upper() if rng.random() < 0.5 else tag.title())
        elif roll < 0.88:
            out.append(tag + "s")
        elif roll < 0.97:
            out.append(swap_separators(tag, rng))
        else:
            options = typos(tag)
            out.append(rng.choice(options) if options else tag)
    return out


def unseen_phrases(checker: Resolver, n: int, rng: random.Random) -> list[str]:
    """Distinct two-word phrases of English words, none a label, that the lexical stages abstain on."""
    from wordfreq import top_n_list

    words = [
        w
        for w in top_n_list("en", 40_000)[3000:]
        if w.isascii() and w.isalpha() and len(w) >= 4 and isinstance(checker.resolve_tag(w), Abstention)
    ]
    out: dict[str, None] = {}
    while len(out) < n:
        phrase = f"{rng.choice(words)} {rng.choice(words)}"
        if phrase not in out and isinstance(checker.resolve_tag(phrase), Abstention):
            out[phrase] = None
    return list(out)


def exact_spellings(checker: Resolver, published: Sequence[str], n: int, rng: random.Random) -> list[str]:
    """Distinct case/separator spellings of published tags that resolve by exact label match."""
    out: dict[str, None] = {}
    while len(out) < n:
        tag = rng.choice(published)
        text = "".join(c.upper() if rng.random() < 0.5 else c for c in tag)
        if rng.random() < 0.3:
            text = swap_separators(text, rng)
        if text in out:
            continue
        result = checker.resolve_tag(text)
        if isinstance(result, Match) and result.method == "exact":
            out[text] = None
    return list(out)


def fresh_resolver(ontology: Ontology, *, embed: bool, backend: str) -> Resolver:
    """A new Resolver with its one-off loads done and every cache empty: its own, the process-wide ones, and the
    tables shared by the resolvers of one Ontology (it gets a copy of the ontology of its own)."""
    resolver = Resolver(ontology.replace(), embed=embed, backend=backend)
    resolver.warm()  # encoder and concept vectors
    _ = resolver.fuzzy  # the typo index
    is_known_word("warm")  # loads wordfreq's tables
    normalise.cache_clear()
    is_known_word.cache_clear()
    return resolver


# ---- figures ------------------------------------------------------------------------------------------


def figure_stream(table: Table, ontology: Ontology, sizes: Sizes, backend: str, rng: random.Random) -> None:
    published = [t.tag for t in ontology.paper]
    label_set = set(published)
    stream = tag_stream(published, sizes.stream, rng)
    chunks = batches(stream, TAG_BATCH)
    table.section(
        f"1. raw tag stream: {len(stream):,} tags, {len(set(stream)):,} distinct, batches of {TAG_BATCH}; "
        f"exact-match keeps {sum(t in label_set for t in stream) / len(stream):.1%} of them"
    )
    base = len(stream) / min(seconds(partial(exact_filter, label_set, chunks)) for _ in range(3))
    baseline = ("exact-match", rate(base, "tags"))
    for embed in (False, True):
        resolver = fresh_resolver(ontology, embed=embed, backend=backend)
        abstained = [0]
        name = f"embed=True ({backend}), after warm()" if embed else "embed=False (lexical)"
        for label in ("1st pass, empty caches", "repeat pass"):
            tps = len(stream) / seconds(partial(resolve_tag_batches, resolver, chunks, abstained))
            goal = (">= 200,000 tags/s", tps >= TARGET_STREAM)
            table.add(f"{name}, {label}", rate(tps, "tags"), [(*baseline, ratio(tps, base))], goal)
        table.notes.append(
            f"1. {name}: {1 - abstained[0] / len(stream):.1%} of stream tags got a concept; "
            f"{resolver.stats.encoded:,} distinct strings went to the encoder"
        )


def figure_cold(table: Table, ontology: Ontology, sizes: Sizes, backend: str, phrases: list[str]) -> None:
    table.section(
        f"2. cold tags needing the encoder: {len(phrases):,} distinct unseen phrases, batches of {COLD_BATCH}"
    )
    chunks = batches(phrases, COLD_BATCH)
    best, encoded = 0.0, 0
    bare: dict[str, float] = {}
    for _ in range(sizes.repeat):
        resolver = fresh_resolver(ontology, embed=True, backend=backend)
        best = max(best, len(phrases) / seconds(partial(resolve_tag_batches, resolver, chunks, [0])))
        encoded = resolver.stats.encoded
        run = partial(get_encoder(backend).encode, phrases, batch_size=COLD_BATCH)
        bare[backend] = max(bare.get(backend, 0.0), len(phrases) / seconds(run))
        chunked = partial(encode_chunks, get_encoder(backend), chunks)
        bare["chunked"] = max(bare.get("chunked", 0.0), len(phrases) / seconds(chunked))
    for other in ENCODERS:
        if other != backend:
            bare[other] = len(phrases) / seconds(partial(get_encoder(other).encode, phrases, batch_size=COLD_BATCH))
    share = best / bare[backend]
    names = {n: f"bare {n}" for n in ENCODERS} | {"chunked": f"bare {backend} per resolver batch"}
    table.add(
        f"resolve_tags, fresh Resolver ({backend}), best of {sizes.repeat}",
        rate(best, "tags"),
        [(names[n], rate(bare[n], "tags"), ratio(best, bare[n])) for n in (backend, *others(backend), "chunked")],
        (f">= 90% of bare {backend} ({share:.0%})", share >= TARGET_COLD_SHARE),
    )
    table.notes.append(
        f"2. the fresh resolver sent {encoded:,} of {len(phrases):,} phrases to the encoder; 'bare onnx' is one "
        f"encode() call on all of them (it sorts them by length first), 'per resolver batch' one call per "
        f"{COLD_BATCH} strings as the resolver makes"
    )


def figure_captions(table: Table, ontology: Ontology, sizes: Sizes, backend: str, captions: list[str]) -> None:
    long = [" ".join(captions[i : i + LONG_JOIN]) for i in range(0, len(captions) - LONG_JOIN + 1, LONG_JOIN)]
    label_set = {t.tag for t in ontology.paper}
    onnx = get_encoder("onnx")
    for kind, texts in (("short", captions[: sizes.short]), ("long", long[: sizes.long])):
        words = sum(len(t.split()) for t in texts) / len(texts)
        table.section(
            f"3. {kind} captions: {len(texts):,} of ~{words:.0f} words, resolve_texts in batches of {TEXT_BATCH}"
        )
        chunks = batches(texts, TEXT_BATCH)
        bare = len(texts) / seconds(partial(onnx.encode, texts, batch_size=TEXT_BATCH))
        exact = len(texts) / seconds(partial(exact_captions, label_set, texts))
        baselines = (("bare onnx", bare), ("exact-match words", exact))
        for embed in (True, False):
            resolver = fresh_resolver(ontology, embed=embed, backend=backend)
            passes = ("1st pass, cold phrase cache", "2nd pass, warm") if embed else ("lexical only (embed=False)",)
            for label in passes:
                cps = len(texts) / seconds(partial(resolve_text_batches, resolver, chunks))
                table.add(
                    f"{label} ({backend})" if embed else label,
                    rate(cps, "capt"),
                    [(n, rate(v, "capt"), ratio(cps, v)) for n, v in baselines],
                    (">= 200 long captions/s", cps >= TARGET_LONG) if kind == "long" else None,
                )
            if embed:
                table.notes.append(
                    f"3. {kind}: {resolver.stats.encoded:,} distinct phrases encoded, "
                    f"{resolver.stats.embed_cache_hits:,} phrase-cache hits over both passes"
                )


def figure_latency(
    table: Table, ontology: Ontology, sizes: Sizes, backend: str, inputs: dict[str, list[str]], captions: list[str]
) -> None:
    table.section("4. latency of one call: perf_counter around it, distinct inputs, resolvers warmed first")
    label_set = {t.tag for t in ontology.paper}

    def add_pair(
        what: str,
        got: tuple[float, float],
        baselines: Sequence[tuple[str, tuple[float, float]]],
        goals: tuple[tuple[str, float] | None, tuple[str, float] | None] = (None, None),
    ) -> None:
        for i, p in enumerate(("p50", "p99")):
            limit = goals[i]
            table.add(
                f"{what} {p}",
                ms(got[i]),
                [(f"{n} {p}", ms(b[i]), ratio(got[i], b[i])) for n, b in baselines],
                None if limit is None else (limit[0], got[i] < limit[1]),
            )

    resolver = fresh_resolver(ontology, embed=True, backend=backend)
    for tag in inputs["exact_warm"]:
        resolver.resolve_tag(tag)
    exact = inputs["exact"]
    set_lookup = latencies(label_set.__contains__, exact)
    add_pair(
        f"(a) label matches, new spelling each call, {len(exact):,} ({backend})",
        latencies(resolver.resolve_tag, exact),
        [("set lookup", set_lookup)],
        (("p50 < 1 ms", TARGET_EXACT_P50), None),
    )
    add_pair("(a) the same spellings again (per-tag cache answers)", latencies(resolver.resolve_tag, exact), [])

    for name in (backend, *others(backend)):
        encoder = get_encoder(name)
        unseen = inputs["unseen" if name == backend else "unseen_other"]
        r = resolver if name == backend else fresh_resolver(ontology, embed=True, backend=name)
        for tag in inputs["unseen_warm"]:
            encoder.encode([tag])
            r.resolve_tag(tag)
        got = latencies(r.resolve_tag, unseen)
        bare = latencies(partial(encode_one, encoder), unseen)
        goals = (None, ("p99 < 10 ms", TARGET_ENCODER_P99)) if name == backend else (None, None)
        add_pair(f"(b) needs the encoder, {len(unseen):,} unseen ({name})", got, [(f"bare {name}", bare)], goals)

    texts = captions[-sizes.lat_captions :]
    resolver = fresh_resolver(ontology, embed=True, backend=backend)
    bare = latencies(partial(encode_one, get_encoder("onnx")), texts[: sizes.lat_bare_captions])
    words = latencies(partial(exact_words, label_set), texts)
    base = [("bare onnx", bare), ("exact-match words", words)]
    got = latencies(resolver.resolve_text, texts)
    add_pair(f"(c) short caption, 1st pass, {len(texts):,} ({backend})", got, base)
    add_pair("(c) short caption, 2nd pass (warm phrase cache)", latencies(resolver.resolve_text, texts), base)


COLD_RESOLVE = (
    "import sys, time; t = time.perf_counter(); from uts import load_ontology; "
    "from uts.resolve import Resolver; i = time.perf_counter(); o = load_ontology(); "
    "l = time.perf_counter(); r = Resolver(o, embed=False); b = time.perf_counter(); m = r.resolve_tag('Dogs'); "
    "e = time.perf_counter(); "
    "print(f'import {i - t:.3f} s, load_ontology() {l - i:.3f} s, Resolver() {b - l:.3f} s, '"
    "f'resolve_tag {(e - b) * 1e3:.2f} ms -> {m.label}; '"
    'f\'"torch" in sys.modules: {"torch" in sys.modules}; "numpy" in sys.modules: {"numpy" in sys.modules}\')'
)


def figure_cold_start(table: Table, sizes: Sizes, data_dir: Path) -> None:
    table.section(f"5. cold start: wall seconds of a new process (median of {sizes.cold_start_runs})")

    def wall(code: str) -> tuple[float, str]:
        times, out = [], ""
        for _ in range(sizes.cold_start_runs):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
            times.append(time.perf_counter() - start)
            out = done.stdout.strip()
        return statistics.median(times), out

    bare, _ = wall("pass")
    imp, _ = wall("import uts")
    table.add('python -c "import uts"', f"{imp:.3f} s", [("python -c pass", f"{bare:.3f} s", ratio(imp, bare))])
    labels = data_dir / "uts" / "label_3k.json"
    if labels.exists():
        paper = f"import json; s = set(json.load(open({str(labels)!r})).values()); 'dogs' in s"
        base, name = wall(paper)[0], "python + label_3k.json set"
    else:
        base, name = bare, "python -c pass"
    res, out = wall(COLD_RESOLVE)
    table.add("load + Resolver(embed=False) + one tag", f"{res:.3f} s", [(name, f"{base:.3f} s", ratio(res, base))])
    table.notes.append(f"5. inside that process: {out}")


# ---- main ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run")
    parser.add_argument("--backend", choices=ENCODERS, default="onnx", help="the resolver's encoder")
    parser.add_argument("--only", nargs="+", choices=FIGURES, default=FIGURES, help="measure these figures only")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help="shared data (default: env UTS_DATA_DIR)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    captions_file = args.data_dir / "gama_audioset" / "captions_dev.json"
    captions = list(json.loads(captions_file.read_text(encoding="utf-8")).values())
    table = Table()
    load = os.getloadavg()

    if "start" in args.only:
        figure_cold_start(table, sizes, args.data_dir)

    ontology = load_ontology()
    checker = Resolver(ontology, embed=False)
    published = [t.tag for t in ontology.paper]
    phrases = unseen_phrases(checker, sizes.cold + sizes.lat_encoder + sizes.lat_other + 20, random.Random(SEED + 1))
    spellings = exact_spellings(checker, published, sizes.lat_tags + 200, random.Random(SEED + 2))
    rest = phrases[sizes.cold :]
    inputs = {
        "exact_warm": spellings[:200],
        "exact": spellings[200:],
        "unseen_warm": rest[:20],
        "unseen": rest[20 : 20 + sizes.lat_encoder],
        "unseen_other": rest[20 + sizes.lat_encoder :],
    }
    onnx = get_encoder("onnx")
    onnx.encode(["warm up the encoder"] * 8)

    if "stream" in args.only:
        figure_stream(table, ontology, sizes, args.backend, random.Random(SEED))
    if "cold" in args.only:
        figure_cold(table, ontology, sizes, args.backend, phrases[: sizes.cold])
    if "captions" in args.only:
        figure_captions(table, ontology, sizes, args.backend, captions)
    if "latency" in args.only:
        figure_latency(table, ontology, sizes, args.backend, inputs, captions)

    threads = onnx.session.get_session_options().intra_op_num_threads if isinstance(onnx, OnnxEncoder) else "?"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    env = ", ".join(f"{k}={os.environ.get(k, 'unset')}" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"))
    print(
        f"UTS {ontology.metadata.version} resolver benchmark{' (--quick)' if args.quick else ''}: "
        f"{os.cpu_count()} CPUs on the machine, {usable} usable by this process; python {platform.python_version()}"
    )
    print(
        f"resolver backend: {args.backend}; baselines: exact-match set of the {len(set(published)):,} published tags, "
        f"bare onnx and onnx-int8 (ONNX Runtime, {threads} intra-op threads; int8: the dynamically quantised model), "
        f"bare torch (sentence-transformers); {env}; seed {SEED}"
    )
    print(f"load average when the run started: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min)")
    print("ratio = resolver figure / baseline figure (for latencies and seconds: how many times slower)")
    print()
    table.print()
    print()
    for note in table.notes:
        print(f"note {note}")
    print()
    print("targets:")
    for line in table.targets:
        print(f"  {line}")
    end = os.getloadavg()
    print(f"\nload average when the run ended: {end[0]:.2f} (1 min), {end[1]:.2f} (5 min)")
    print(f"total {time.perf_counter() - table.started:.1f} s")


if __name__ == "__main__":
    main()
