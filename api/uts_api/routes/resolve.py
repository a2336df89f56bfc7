"""Resolving captioner output: raw-tag lists and caption texts to UTS concepts, in batches, with the same result
models as the library. What the resolver could not map is counted as a vocabulary gap."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from starlette.exceptions import HTTPException

from uts.errors import UsageError
from uts.ontology.model import Level
from uts.resolve.model import Abstention, Resolution
from uts_api.auth import Svc
from uts_api.problems import errors

router = APIRouter(tags=["resolve"])

_RESULTS: TypeAdapter[list[Resolution]] = TypeAdapter(list[Resolution])
HARD_TEXT_LIMIT = 1_000_000  # characters; the configured max_text_chars (smaller) is what applies


class ResolveRequest(BaseModel):
    """Captioner output to resolve: raw-tag lists (one per clip) and/or caption texts."""

    model_config = ConfigDict(extra="forbid")

    tags: list[list[Annotated[str, Field(max_length=HARD_TEXT_LIMIT)]]] = Field(
        default_factory=list, description="Raw-tag lists, one per clip, as an LLM tagger emits them."
    )
    texts: list[Annotated[str, Field(max_length=HARD_TEXT_LIMIT)]] = Field(
        default_factory=list, description="Caption texts; negated ('no music') and hedged mentions are marked."
    )
    level: Level | None = Field(
        default=None, description="Paper level (800, 1k, 1.5k, 2k, 3k) to report; none: every active concept."
    )
    rollup: bool = Field(
        default=True, description="Report a concept outside the level as its nearest ancestor inside it; off: drop it."
    )
    top_k: int | None = Field(default=None, ge=1, le=1000, description="Keep at most this many tags per input.")
    threshold: float = Field(default=0.0, ge=0.0, le=1.0, description="Leave out tags scoring under this.")
    embed: bool = Field(default=True, description="Use the sentence encoder for what no label matches.")
    release: str | None = Field(
        default=None, max_length=32, description="The release to resolve against; default the newest."
    )
    lang: str | None = Field(
        default=None,
        max_length=8,
        description="The language the raw tags are written in (ISO 639-1: de, es, fr, it, ja, pt, ru, zh), when the "
        "tagger's language is known: a tag that is a label of that language takes its concept before any English "
        "reading (French 'chat' is the cat). None or 'en': tags of English or unknown language.",
    )


class ResolveResponse(BaseModel):
    release: str = Field(description="The release the concepts are from.")
    level: Level | None = Field(description="The level reported.")
    tags: list[Resolution] = Field(description="One result per raw-tag list, in order.")
    texts: list[Resolution] = Field(description="One result per caption, in order.")


def _check_bounds(body: ResolveRequest, svc: Svc) -> None:
    settings = svc.settings
    items = len(body.tags) + len(body.texts)
    if items == 0:
        raise UsageError("nothing to resolve: give 'tags' (lists of raw tags) and/or 'texts' (captions)")
    if items > settings.max_batch:
        raise HTTPException(
            413, f"{items} inputs in one request; send at most {settings.max_batch} tag lists and captions together"
        )
    longest_list = max((len(t) for t in body.tags), default=0)
    if longest_list > settings.max_tags:
        raise HTTPException(413, f"a tag list has {longest_list} tags; send at most {settings.max_tags} per list")
    longest = max([len(t) for t in body.texts] + [len(t) for tags in body.tags for t in tags] + [0])
    if longest > settings.max_text_chars:
        raise UsageError(
            f"an input is {longest} characters long; captions and tags may have at most {settings.max_text_chars}"
        )


@router.post(
    "/resolve",
    response_model=ResolveResponse,
    summary="Resolve raw tags and captions to UTS concepts",
    responses=errors(404, 413, 422),
)
def resolve(body: ResolveRequest, svc: Svc) -> Response:
    """Each raw-tag list and each caption to ranked concepts, with method, score and evidence span; negated and
    hedged mentions marked; what could not be mapped listed with the reason (and counted as a gap)."""
    _check_bounds(body, svc)
    resolver = svc.resolver(body.release, body.level, body.rollup, body.embed)
    version = resolver.ontology.metadata.version
    gaps = svc.gaps
    tag_results: list[Resolution] = []
    if body.tags:
        if len(body.tags) > 1:  # one encoder call (through the micro-batcher) for every tag that needs it
            resolver.prefetch_tags((t for tags in body.tags for t in tags), lang=body.lang)
        for tags in body.tags:
            result = resolver.resolve_tags(tags, top_k=body.top_k, min_score=body.threshold, lang=body.lang)
            tag_results.append(result)
            for a in result.abstained:
                if _is_gap(a):
                    gaps.add(version, "tag", a.text, ", ".join(tags), a.reason)
    text_results: list[Resolution] = []
    if body.texts:

        def unmatched(i: int, phrase: str) -> None:
            gaps.add(version, "phrase", phrase, body.texts[i], "no concept is near enough")

        text_results = resolver.resolve_texts(
            body.texts, top_k=body.top_k, min_score=body.threshold, on_unmatched=unmatched
        )
    # The answer is written straight from the result dataclasses (the schema is ResolveResponse's): building the
    # response model first would validate every match again, a cost paid on each request.
    head = json.dumps({"release": version, "level": resolver.level}, separators=(",", ":"))[:-1].encode()
    answer = b'%s,"tags":%s,"texts":%s}' % (head, _RESULTS.dump_json(tag_results), _RESULTS.dump_json(text_results))
    return Response(answer, media_type="application/json")


def _is_gap(abstention: Abstention) -> bool:
    """An abstention on a known concept outside the level is no gap in the vocabulary."""
    return " is outside level " not in abstention.reason
