"""One settings object for the whole package: folders, the encoder backend and the store, from ``UTS_*``
environment variables or arguments. Nothing reads the environment at import: call :func:`get_settings`.

>>> get_settings(encoder="onnx").encoder
'onnx'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_cache() -> Path:
    return Path.home() / ".cache" / "uts"


class Settings(BaseSettings):
    """Where uts reads and writes, and how it encodes; each field is also read from ``UTS_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="UTS_", frozen=True, extra="forbid")

    data_dir: Path = Field(
        default=Path("../shared/data"),
        description="The shared public data (AudioSet, ESC-50, ... as laid out in shared/data/MANIFEST.md).",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache,
        description="Derived files made once and kept: the ONNX export of the model, concept vectors.",
    )
    encoder: Literal["auto", "onnx", "onnx-int8", "torch"] = Field(
        default="auto",
        description="Sentence encoder backend; auto prefers ONNX Runtime (fp32) when it can; onnx-int8 is the "
        "quantised model: faster, slightly less accurate.",
    )
    encoder_threads: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Threads of each ONNX Runtime run (encoder and nearest-concept search); default: up to 4 cores. "
        "`uts serve` sets 1 and runs one encoder worker per core instead.",
    )
    store_url: str | None = Field(
        default=None,
        description="Where the working copy lives: a source folder (file:DIR or a path) or a database URL; "
        "default the working directory.",
    )
    db_url: str = Field(
        default="sqlite:///uts.db",
        description="The database of the working copy, releases and history: sqlite:///FILE or "
        "postgresql://USER@HOST:PORT/DB (default uts.db in the working directory).",
    )


def get_settings(**overrides: object) -> Settings:
    """The settings now: environment variables, then ``overrides``."""
    return Settings(**overrides)  # type: ignore[arg-type]


__all__ = ["Settings", "get_settings"]
