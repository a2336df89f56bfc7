"""How a Resolver is set up: one frozen, validated value that a server can log, compare, hash and share.

>>> ResolverConfig(level="1k", embed=False).level
<Level.L1K: '1k'>
>>> ResolverConfig(level="900")
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for ResolverConfig
level
  Value error, unknown level '900'; choose one of 800, 1k, 1.5k, 2k, 3k [type=value_error, input_value='900', input_type=str]
    ...
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, InstanceOf, ValidationError, field_validator
from pydantic.dataclasses import dataclass

from uts.errors import Problem, SourceError, UsageError
from uts.ontology.model import Level
from uts.resolve.text import Lexicon, load_lexicon

CALIBRATION_FILE = Path(__file__).with_name("calibration.toml")
Backend = Literal["auto", "onnx", "onnx-int8", "torch"]


class ResolverError(UsageError):
    """The resolver was set up wrongly: an unknown level or backend, a cache of no entries."""


class CalibrationError(SourceError):
    """The calibration file cannot be read."""

    head = "the resolver's calibration cannot be read"


@dataclass(frozen=True)
class Calibration:
    """Cosine thresholds under which an embedding neighbour is not trusted (see ``uts eval resolver``)."""

    tag_threshold: Annotated[
        float, Field(ge=0.0, description="Raw tags: the least cosine an embedding answer needs (above 1: never).")
    ]
    phrase_threshold: Annotated[
        float,
        Field(ge=0.0, description="Caption phrases no label covers: the least cosine an embedding answer needs."),
    ]
    tag_unrelated_threshold: Annotated[
        float | None,
        Field(
            ge=0.0,
            description="Raw tags: the least cosine an embedding answer needs when its concept shares no word stem "
            "with the tag (labels, synonyms, definition): a false friend such as 'grim' for grime. None: the same "
            "as tag_threshold.",
        ),
    ] = None

    @property
    def unrelated_threshold(self) -> float:
        """The tag threshold for answers without a meaning cue (never below ``tag_threshold``)."""
        if self.tag_unrelated_threshold is None:
            return self.tag_threshold
        return max(self.tag_threshold, self.tag_unrelated_threshold)

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        """The thresholds written by ``uts eval resolver --calibrate --write``."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            unrelated = data["tags"].get("unrelated_threshold")
            return cls(
                float(data["tags"]["threshold"]),
                float(data["phrases"]["threshold"]),
                None if unrelated is None else float(unrelated),
            )
        except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
            fix = "restore it from git or rewrite it with `uts eval resolver --calibrate --write`"
            raise CalibrationError([Problem(str(path), 0, f"cannot read the calibration ({exc})", fix)]) from None

    @classmethod
    def bundled(cls) -> Calibration:
        """The calibration shipped with the package, read once per process."""
        return _bundled()


@cache
def _bundled() -> Calibration:
    return Calibration.load()


class ResolverConfig(BaseModel):
    """Everything that decides what a :class:`~uts.resolve.Resolver` answers and how much it keeps in memory."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: Level | None = Field(
        default=None,
        description="Paper level (800, 1k, 1.5k, 2k, 3k) whose concepts are reported; none: every active concept.",
    )
    rollup: bool = Field(
        default=True,
        description="A concept outside the level reports its best-ranked nearest ancestor inside it; "
        "off: it is dropped, as in the paper.",
    )
    embed: bool = Field(
        default=True, description="Use the sentence encoder for what no label matches; off: lexical stages only."
    )
    backend: Backend = Field(
        default="auto",
        description="Encoder backend: auto (the UTS_ENCODER setting, else ONNX when available), onnx, onnx-int8 "
        "(quantised: faster, slightly less accurate), torch.",
    )
    nested: bool = Field(
        default=True, description="The words inside a multiword label count too ('man speaking' also says man)."
    )
    sense_margin: float | None = Field(
        default=None,
        gt=0.0,
        description="When no cue decides an ambiguous word's sense, let the encoder pick the sense whose gloss is "
        "nearer the words around it by this cosine margin; none (the default): take the default sense. On the "
        "sense set's dev split every margin tried (0.05 to 0.3) returned more wrong senses than the default.",
    )
    cache_size: int = Field(
        default=200_000,
        ge=1,
        description="Entries each cache keeps (raw tags, words, rollup targets and, unless shared, encoder answers).",
    )
    calibration: Calibration = Field(
        default_factory=Calibration.bundled, description="Thresholds of the embedding stage."
    )
    lexicon: InstanceOf[Lexicon] = Field(
        default_factory=load_lexicon,
        description="Negation, hedging, stop and caption-framing words (uts/resolve/lexicon.toml).",
        exclude=True,
        repr=False,
    )

    @field_validator("level", mode="before")
    @classmethod
    def _parse_level(cls, value: object) -> object:
        return Level.parse(value) if isinstance(value, str) else value


class ResolverOptions(TypedDict, total=False):
    """The fields of :class:`ResolverConfig` as keyword arguments of ``Resolver(...)``."""

    level: Level | str | None
    rollup: bool
    embed: bool
    backend: Backend | str
    nested: bool
    sense_margin: float | None
    cache_size: int
    calibration: Calibration | None
    lexicon: Lexicon | None


def configure(config: ResolverConfig | Level | str | None, overrides: ResolverOptions) -> ResolverConfig:
    """The config a Resolver runs with: ``config`` (a level is short for ``ResolverConfig(level=...)``) with
    ``overrides`` on top; ``None`` for calibration or lexicon means the bundled one.

    >>> configure("800", {"rollup": False}).model_dump(include={"level", "rollup"})
    {'level': <Level.L800: '800'>, 'rollup': False}
    """
    if isinstance(config, str):  # a Level is a str too
        overrides = {"level": config, **overrides}
        config = None
    fields = {k: v for k, v in overrides.items() if not (k in ("calibration", "lexicon") and v is None)}
    if config is not None and not fields:
        return config
    try:
        if config is None:
            return ResolverConfig.model_validate(fields)
        return ResolverConfig.model_validate({**dict(config), **fields})
    except ValidationError as exc:
        raise ResolverError(explain(exc)) from None


def explain(exc: ValidationError) -> str:
    """A pydantic error as one line per bad field, in the words a person can act on."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


__all__ = [
    "CALIBRATION_FILE",
    "Backend",
    "Calibration",
    "CalibrationError",
    "ResolverConfig",
    "ResolverError",
    "ResolverOptions",
    "configure",
]
