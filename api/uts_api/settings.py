"""What a served API may take and do: limits, CORS, workers' shared settings. From ``UTS_API_*`` variables or
arguments, so every uvicorn worker of ``uts serve --workers N`` builds the same app."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """Settings of one API process; each field is also read from ``UTS_API_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="UTS_API_", frozen=True, extra="forbid")

    db_url: str = Field(default="sqlite:///uts.db", description="The database of the working copy and releases.")
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins browsers may call the API from (CORS); none by default."
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1024, description="The largest request body taken (413).")
    max_batch: int = Field(default=256, ge=1, description="The most tag lists plus captions in one resolve request.")
    max_tags: int = Field(default=64, ge=1, description="The most raw tags in one tag list.")
    max_text_chars: int = Field(default=20_000, ge=1, description="The longest caption or raw tag, in characters.")
    batch_wait_ms: float = Field(
        default=2.0, ge=0, description="How long the encoder waits to join concurrent requests into one batch."
    )
    encoder_workers: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Encoder runs made at once, each on its own batch; default: the cores over the threads of one "
        "run (UTS_ENCODER_THREADS, which `uts serve` sets to 1).",
    )
    embed: bool = Field(default=True, description="Load the sentence encoder; off: lexical resolving only.")
    threads: int = Field(
        default=128,
        ge=1,
        le=1024,
        description="Requests served at once by threads (resolve, writes); more than the clients that may wait "
        "on the encoder together, so their requests join one batch.",
    )
    ui: bool = Field(default=True, description="Serve the annotators' web UI at / beside the API under /v1.")
    warm: bool = Field(default=True, description="Load the resolver at start-up (readyz answers once it is).")
    gap_flush_seconds: float = Field(default=2.0, gt=0, description="How often counted gaps reach the database.")
    release_check_seconds: float = Field(
        default=1.0, ge=0, description="How often a process asks the database for a newer release."
    )
    artefact_dir: str = Field(
        default="", description="Where rendered release artefacts are kept (default: the uts cache folder)."
    )
