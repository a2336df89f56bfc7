"""The Resolver's public surface: its config, the shared index, its caches and the response types."""

from __future__ import annotations

import gc
import json
import weakref
from dataclasses import FrozenInstanceError
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from uts.errors import UsageError
from uts.ontology import Level, Ontology, load_ontology
from uts.resolve import (
    Abstention,
    Calibration,
    EmbeddingCache,
    Match,
    Resolution,
    Resolver,
    ResolverConfig,
    ResolverError,
    ResolverStats,
    json_schema,
    lexical_index,
    type_adapter,
)
from uts.resolve.cache import Counters, LRUCache
from uts.resolve.config import ResolverOptions

from .conftest import needs_embed


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


# ---- config and constructor -----------------------------------------------------------------------


def test_keyword_api_of_before_still_works(ontology: Ontology) -> None:
    r = Resolver(ontology, "800", rollup=False, embed=False, backend="onnx")
    assert (r.level, r.rollup, r.embed, r.backend) == (Level.L800, False, False, "onnx")
    assert r.config == ResolverConfig(level=Level.L800, rollup=False, embed=False, backend="onnx")
    assert Resolver(ontology, level="1k", embed=False).level is Level.L1K
    assert Resolver(ontology, Level.L3K, embed=False).level is Level.L3K
    assert Resolver(ontology, embed=False).level is None


def test_config_object_and_overrides(ontology: Ontology) -> None:
    config = ResolverConfig(level="1.5k", embed=False, calibration=Calibration(0.5, 0.6))
    r = Resolver(ontology, config)
    assert r.config is config
    assert r.calibration == Calibration(0.5, 0.6)
    assert Resolver(ontology, config, nested=False).config == config.model_copy(update={"nested": False})
    assert Resolver(ontology, config, calibration=None).calibration == Calibration(0.5, 0.6)  # None: unchanged


def test_ontology_none_or_a_path_loads_it(tiny_root: Path) -> None:
    assert len(Resolver(embed=False).ontology) == len(load_ontology())
    tiny = Resolver(tiny_root, embed=False)
    assert len(tiny.ontology) == len(load_ontology(tiny_root))


def test_config_is_frozen_hashable_and_lean() -> None:
    config = ResolverConfig(level="800")
    with pytest.raises(ValidationError):
        config.level = Level.L1K  # type: ignore[misc]
    assert hash(config) == hash(ResolverConfig(level=Level.L800))
    dumped = config.model_dump()
    assert "lexicon" not in dumped
    assert dumped["calibration"] == {"tag_threshold": 0.77, "phrase_threshold": 0.82, "tag_unrelated_threshold": 0.92}
    assert "lexicon" not in repr(config)


def test_keyword_overrides_name_every_config_field() -> None:
    assert set(ResolverOptions.__annotations__) == set(ResolverConfig.model_fields)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"level": "900"}, "level: unknown level '900'; choose one of 800, 1k"),
        ({"backend": "tpu"}, "backend: Input should be 'auto', 'onnx', 'onnx-int8' or 'torch'"),
        ({"cache_size": 0}, "cache_size: Input should be greater than or equal to 1"),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_bad_setup_is_a_usage_error(ontology: Ontology, overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ResolverError) as caught:
        Resolver(ontology, embed=False, **overrides)
    assert isinstance(caught.value, UsageError)
    assert message in str(caught.value)


# ---- the shared index -----------------------------------------------------------------------------


def test_one_lexical_index_per_ontology(ontology: Ontology) -> None:
    a = Resolver(ontology, "800", embed=False)
    b = Resolver(ontology, embed=False, nested=False, cache_size=10)
    assert a.lexical_index is b.lexical_index is lexical_index(ontology)
    other = ontology.replace()  # an equal but distinct version: its own index
    assert lexical_index(other) is not a.lexical_index
    assert lexical_index(other).words == a.lexical_index.words


def test_the_index_does_not_keep_its_ontology_alive(ontology: Ontology) -> None:
    other = ontology.replace()
    Resolver(other, embed=False).resolve_tag("dogs")
    gone = weakref.ref(other)
    del other
    gc.collect()
    assert gone() is None


def test_the_index_reads_the_one_label_index(ontology: Ontology) -> None:
    index = lexical_index(ontology)
    live = {key: hit.current for key, hit in ontology.labels.items() if hit.current is not None}
    assert index.words == live
    assert index.narrower == {key for key, hit in ontology.labels.items() if hit.is_narrower_term}
    for parts, (concept_id, _, _) in list(index.phrases.items())[:500]:
        assert ontology.get(concept_id).is_active, parts


# ---- caches and counters ----------------------------------------------------------------------------


def test_lru_cache_forgets_the_least_recently_used() -> None:
    cache: LRUCache[str, int] = LRUCache(3)
    cache.put_many([("a", 1), ("b", 2), ("c", 3)])
    assert cache.get("a") == 1  # a is now the most recently used
    cache.put("d", 4)
    assert cache.get_many(["a", "b", "c", "d"]) == ([1, None, 3, 4], 1)
    assert len(cache) == 3
    info = cache.info()
    assert (info.hits, info.misses, info.maxsize, info.currsize) == (4, 1, 3, 3)
    with pytest.raises(ValueError, match="at least one entry"):
        LRUCache(0)


def test_bounded_caches_give_the_same_answers(ontology: Ontology) -> None:
    tags = ["Dogs", "drums", "HI_FI", "gutiar", "zzqx", "church bells", "possibly a siren", "no vocals"] * 3
    captions = ["A dog barks twice, no music.", "Church bells ring over a bird song.", "Possibly a siren."] * 3
    roomy = Resolver(ontology, "800", embed=False)
    tiny = Resolver(ontology, "800", embed=False, cache_size=2)
    assert [tiny.resolve_tag(t) for t in tags] == [roomy.resolve_tag(t) for t in tags]
    assert tiny.resolve_texts(captions) == roomy.resolve_texts(captions)
    info = tiny.cache_info()
    assert set(info) == {"tags", "words", "targets", "embeddings"}
    assert all(i.currsize <= 2 and i.maxsize == 2 for i in info.values())
    assert info["tags"].misses > info["tags"].hits  # it had to forget


def test_stats_are_snapshots_that_subtract(ontology: Ontology) -> None:
    r = Resolver(ontology, embed=False)
    before = r.stats
    r.resolve_tags(["dogs", "dogs", "drums"])
    r.resolve_tags(["dogs"])
    assert r.stats - before == ResolverStats(tag_cache_hits=2)
    assert before == ResolverStats()


def test_counters_lose_no_increment_under_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    counters = Counters()

    def work(_: int) -> None:
        for _ in range(2000):
            counters.add(encoded=1, tag_cache_hits=2)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(work, range(16)))
    assert counters.snapshot() == ResolverStats(encoded=32_000, tag_cache_hits=64_000)


@needs_embed
def test_an_embedding_cache_can_be_shared(ontology: Ontology, uts_cache: Path) -> None:
    shared = EmbeddingCache(100)
    first = Resolver(ontology, backend="onnx", embed_cache=shared)
    answer = first.resolve_tag("windy")
    assert first.embed_cache is shared
    assert len(shared) == 1
    strict = Resolver(ontology, backend="onnx", embed_cache=shared, calibration=Calibration(1.01, 1.01))
    turned_down = strict.resolve_tag("windy")
    assert strict.stats.encoded == 0  # answered from the shared cache
    assert isinstance(turned_down, Abstention)
    assert isinstance(answer, Match)
    assert turned_down.best == answer.id


# ---- response types ---------------------------------------------------------------------------------

# Written by the resolver before it was split into modules: the JSONL stream must stay byte for byte the same.
BEFORE = {
    "caption": '{"tags": [{"id": "UTS:0000360", "label": "dog", "score": 1.0, "method": "exact", "span": [2, 5], '
    '"text": "dog", "negated": false, "hedged": false, "count": 2}, {"id": "UTS:0002735", "label": "church bell", '
    '"score": 1.0, "method": "exact", "span": [47, 59], "text": "church bells", "negated": false, "hedged": false}, '
    '{"id": "UTS:0000625", "label": "church", "score": 1.0, "method": "exact", "span": [47, 53], "text": "church", '
    '"negated": false, "hedged": false}, {"id": "UTS:0000314", "label": "bell", "score": 1.0, "method": "exact", '
    '"span": [54, 59], "text": "bells", "negated": false, "hedged": false}], "negated": [{"id": "UTS:0000007", '
    '"label": "music", "score": 1.0, "method": "exact", "span": [22, 27], "text": "music", "negated": true, '
    '"hedged": false}], "beyond_top_k": 2}',
    "tags": '{"tags": [{"id": "UTS:0000360", "label": "dog", "score": 1.0, "method": "exact", "span": [0, 4], '
    '"text": "dogs", "negated": false, "hedged": false, "count": 2}, {"id": "UTS:0000028", "label": "high-fidelity", '
    '"score": 1.0, "method": "exact", "span": [0, 5], "text": "Hi-Fi", "negated": false, "hedged": false}], '
    '"negated": [{"id": "UTS:0000023", "label": "drums", "score": 1.0, "method": "exact", "span": [8, 13], '
    '"text": "without drums", "negated": true, "hedged": false}], "abstained": [{"text": "zzqx", "span": [0, 4], '
    '"reason": "no label matches and embedding matching is off"}], "below_min_score": 1}',
    "rolled": '{"tags": [{"id": "UTS:0000314", "label": "bell", "score": 1.0, "method": "exact", "span": [0, 12], '
    '"text": "church bells", "negated": false, "hedged": false, "rolled_up_from": "UTS:0002735"}]}',
    "paper": '{"tags": [], "abstained": [{"text": "church bells", "span": [0, 12], "reason": "church bell is outside '
    'level 800", "best": "UTS:0002735", "best_score": 1.0}]}',
    "embedded": '{"tags": [{"id": "UTS:0000188", "label": "wind", "score": 0.878, "method": "embedding", "span": '
    '[0, 5], "text": "windy", "negated": false, "hedged": false}], "abstained": [{"text": "xqzvt", "span": [0, 5], '
    '"reason": "nearest concept below the threshold 0.77", "best": "UTS:0000932", "best_score": 0.4831}]}',
}


def dumped(result: Resolution) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False)


def test_to_json_is_byte_for_byte_as_before(ontology: Ontology) -> None:
    r = Resolver(ontology, embed=False)
    caption = "A dog barks twice, no music. Possibly a siren; church bells, a dog."
    assert dumped(r.resolve_text(caption, top_k=4)) == BEFORE["caption"]
    tags = ["Hi-Fi", "without drums", "dogs", "dog", "zzqx", "possibly gutiar"]
    assert dumped(r.resolve_tags(tags, min_score=0.5)) == BEFORE["tags"]
    assert dumped(Resolver(ontology, "800", embed=False).resolve_tags(["church bells"])) == BEFORE["rolled"]
    paper = Resolver(ontology, "800", rollup=False, embed=False)
    assert dumped(paper.resolve_tags(["church bells"])) == BEFORE["paper"]


@needs_embed
def test_to_json_of_embedding_answers_is_as_before(ontology: Ontology, uts_cache: Path) -> None:
    r = Resolver(ontology, backend="onnx")
    assert dumped(r.resolve_tags(["windy", "xqzvt", "no windy"])) == BEFORE["embedded"]


def test_results_are_immutable(ontology: Ontology) -> None:
    result = Resolver(ontology, embed=False).resolve_text("a dog barks, no music")
    with pytest.raises(FrozenInstanceError):
        result.tags = ()  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        result.tags[0].score = 0.0  # type: ignore[misc]
    assert isinstance(result.tags, tuple)
    assert hash(result) == hash(Resolver(ontology, embed=False).resolve_text("a dog barks, no music"))


def test_json_schema_describes_every_field() -> None:
    schema = json_schema(Resolution)
    objects = {"Resolution": schema, **schema["$defs"]}
    assert set(objects) == {"Resolution", "Match", "Abstention"}
    for name, obj in objects.items():
        assert obj.get("description"), name
        for field, spec in obj["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"
    config = ResolverConfig.model_json_schema()
    assert all(spec.get("description") for spec in config["properties"].values())
    methods = schema["$defs"]["Match"]["properties"]["method"]["enum"]
    assert methods == ["exact", "inflection", "narrower", "fuzzy", "phrase", "embedding"]
    assert json_schema(Match)["title"] == "Match"


def test_type_adapters_round_trip_what_the_resolver_returns(ontology: Ontology) -> None:
    result = Resolver(ontology, "800", embed=False).resolve_tags(["church bells", "no drums", "zzqx", "dogs"])
    adapter = type_adapter(Resolution)
    assert adapter is type_adapter(Resolution)
    assert adapter.validate_python(adapter.dump_python(result)) == result
    assert adapter.validate_json(adapter.dump_json(result)) == result
    data = json.loads(adapter.dump_json(result))
    assert data["tags"][0]["rolled_up_from"] == result.tags[0].rolled_up_from
    assert set(data["tags"][0]) >= set(result.tags[0].to_json())  # the API shows every field the stream does
    with pytest.raises(ValidationError):
        type_adapter(Match).validate_python({**adapter.dump_python(result)["tags"][0], "method": "guess"})
