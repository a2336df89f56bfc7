"""One Resolver shared by 16 threads answers exactly as a resolver used by one thread does.

Each thread runs the same mixed work (raw-tag batches, single tags, caption batches, single captions) in its own
order, with thread switches forced often and caches small enough to evict all the time.
"""

from __future__ import annotations

import json
import random
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from uts.ontology import Ontology, load_ontology
from uts.resolve import Abstention, Match, Resolution, Resolver

from .conftest import SHARED_DATA, needs_embed

THREADS = 16
Result = Resolution | Match | Abstention | list[Resolution] | list[Match | Abstention]
Work = tuple[str, Any]

FALLBACK_CAPTIONS = [
    "A dog barks twice, no music. Possibly a siren in the distance; vocals are absent.",
    "Church bells ring over a bird song while a man speaks softly.",
    "Heavy rain and thunder, without any background noise or hum.",
    "An electric guitar plays a funky riff over drums and a bass line.",
    "The audio depicts a setting with various sounds in the background.",
    "Birds chirp near a river, a car passes and a woman laughs.",
]


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


def captions(n: int) -> list[str]:
    path = SHARED_DATA / "gama_audioset" / "captions_dev.json"
    if path.exists():
        found = list(json.loads(path.read_text(encoding="utf-8")).values())[:n]
    else:
        found = FALLBACK_CAPTIONS * (n // len(FALLBACK_CAPTIONS) + 1)
    return [*found[:n], " ".join(found[:15])]  # and one long caption


def raw_tags(ontology: Ontology, n: int, rng: random.Random) -> list[str]:
    """Published tags as an LLM tagger varies them: case, plurals, separators, typos, cues, made-up words."""
    published = [t.tag for t in ontology.paper]
    out = []
    for tag in rng.choices(published, k=n):
        variant = rng.choice(("same", "upper", "plural", "separator", "typo", "negated", "hedged", "made-up"))
        if variant == "upper":
            tag = tag.upper()
        elif variant == "plural":
            tag += "s"
        elif variant == "separator":
            tag = tag.replace("-", " ").replace("_", "-")
        elif variant == "typo" and len(tag) > 6:
            tag = tag[0] + tag[2] + tag[1] + tag[3:]
        elif variant == "negated":
            tag = f"no {tag}"
        elif variant == "hedged":
            tag = f"possibly {tag}"
        elif variant == "made-up":
            tag = "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        out.append(tag)
    return out


def workload(tags: list[str], texts: list[str]) -> list[Work]:
    work: list[Work] = [("tags", tags[i : i + 10]) for i in range(0, len(tags), 10)]
    work += [("tag", t) for t in tags[::7]]
    work += [("texts", texts[i : i + 8]) for i in range(0, len(texts), 8)]
    work += [("text", t) for t in texts[::5]]
    return work


def run(resolver: Resolver, item: Work) -> Result:
    kind, value = item
    calls: dict[str, Callable[[Any], Result]] = {
        "tags": resolver.resolve_tags,
        "tag": resolver.resolve_tag,
        "texts": resolver.resolve_texts,
        "text": resolver.resolve_text,
    }
    return calls[kind](value)


def in_threads(resolver: Resolver, work: Sequence[Work]) -> list[list[Result]]:
    """Each thread's answers, in ``work`` order (each thread ran the work in its own shuffled order)."""
    answers: list[list[Result]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        order = list(range(len(work)))
        random.Random(n).shuffle(order)
        got: dict[int, Result] = {}
        try:
            start.wait()
            for i in order:
                got[i] = run(resolver, work[i])
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        answers[n] = [got[i] for i in sorted(got)]

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    with switching_often():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors[0]
    return answers


class switching_often:  # noqa: N801  (a context manager used like a function)
    """Switch threads every microsecond instead of every 5 ms, so that races get their chance."""

    def __enter__(self) -> None:
        self.before = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)

    def __exit__(self, *_: object) -> None:
        sys.setswitchinterval(self.before)


def test_one_lexical_resolver_in_16_threads(ontology: Ontology) -> None:
    work = workload(raw_tags(ontology, 3000, random.Random(7)), captions(240))
    expected = [run(Resolver(ontology, "1k", embed=False), item) for item in work]
    shared = Resolver(ontology, "1k", embed=False, cache_size=97)  # small: entries are evicted all the time
    for n, got in enumerate(in_threads(shared, work)):
        mismatches = [i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
        assert not mismatches, f"thread {n}: {work[mismatches[0]]!r} answered differently"
    # Every lookup of the raw-tag cache was counted: no increment was lost to a race.
    looked_up = sum(len(v) if kind == "tags" else 1 for kind, v in work if kind in ("tags", "tag"))
    info = shared.cache_info()["tags"]
    assert info.hits + info.misses == THREADS * looked_up
    assert info.currsize <= 97


def comparable(result: Result) -> Iterator[object]:
    """The parts of a result that must agree; scores to 1e-5, since the encoder's last bits vary with the batch
    a query was encoded in."""
    if isinstance(result, list):
        for r in result:
            yield from comparable(r)
    elif isinstance(result, Resolution):
        for part in (*result.tags, *result.negated, *result.abstained):
            yield from comparable(part)
        yield result.below_min_score, result.beyond_top_k
    elif isinstance(result, Match):
        yield result.id, result.method, result.span, result.text, result.negated, result.hedged, result.count
        yield result.rolled_up_from, pytest.approx(result.score, abs=1e-5)
    else:
        yield result.text, result.span, result.reason, result.best
        yield pytest.approx(result.best_score, abs=1e-5) if result.best_score is not None else None


@needs_embed
def test_one_embedding_resolver_in_16_threads(ontology: Ontology, uts_cache: Path) -> None:
    unseen = ["windy", "xqzvt", "yappy canine", "thunderous ovation", "zzkv qwrtp", "no windy", "possibly breezy"]
    work = workload([*unseen, *raw_tags(ontology, 60, random.Random(11))], captions(40))
    reference = Resolver(ontology, backend="onnx")
    reference.warm()
    expected = [list(comparable(run(reference, item))) for item in work]
    shared = Resolver(ontology, backend="onnx", cache_size=31)
    for n, got in enumerate(in_threads(shared, work)):
        for item, answer, want in zip(work, got, expected, strict=True):
            assert list(comparable(answer)) == want, f"thread {n}: {item!r} answered differently"
    assert shared.stats.encoded > 0
