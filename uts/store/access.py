"""Who may change the working copy: annotators, their roles and their API keys.

A key is shown once, when it is made, and stored only as an Argon2id hash (the KDF OWASP recommends first); its
short public prefix finds the one row to verify against. Roles nest: a reviewer may also propose, an admin may do
everything. A revoked key stops working at once in every process, since each use reads its row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert, select, update

from uts.errors import NotFoundError, UsageError, UTSError
from uts.ontology.edits import AUTHOR_PATTERN
from uts.store.schema import ANNOTATOR, API_KEY
from uts.store.sql import SqlStore

KEY_PREFIX = "uts_"


class Role(StrEnum):
    """What a key may do; each role may do what the ones before it may."""

    ANNOTATOR = "annotator"  # propose changes, make proposals from gaps
    REVIEWER = "reviewer"  # accept or reject others' proposals
    ADMIN = "admin"  # releases and keys

    def allows(self, needed: Role) -> bool:
        order = list(Role)
        return order.index(self) >= order.index(needed)

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise UsageError(f"unknown role {text!r}; choose one of {', '.join(r.value for r in cls)}") from None


class AuthError(UTSError):
    """A request carries no key, an unknown or revoked one, or one whose role may not do what it asks."""

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        self.forbidden = forbidden  # True: the key is fine but may not do this (HTTP 403); else 401
        super().__init__(message)


class Principal(BaseModel):
    """The annotator a key belongs to, as requests see them."""

    model_config = ConfigDict(frozen=True)

    curie: str = Field(description="The annotator's CURIE: the author of their edits in the change log.")
    name: str = Field(default="", description="The annotator's name.")
    role: Role = Field(description="What the key may do: annotator, reviewer or admin.")
    key_prefix: str = Field(description="The public prefix of the key in use (safe to show and log).")

    def require(self, needed: Role) -> None:
        if not self.role.allows(needed):
            raise AuthError(
                f"{self.curie} holds a key with role {self.role.value}; this needs role {needed.value} or above",
                forbidden=True,
            )


class KeyInfo(BaseModel):
    """A key as listed: never the key itself."""

    prefix: str
    curie: str
    role: Role
    created: dt.datetime
    revoked: dt.datetime | None = None


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise UsageError("API keys need the 'serve' extra (argon2-cffi): pip install 'uts[serve]'") from None
    # OWASP's minimum Argon2id setting (19 MiB, 2 passes): keys are long random strings, the hash guards a leak.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def create_key(store: SqlStore, curie: str, role: Role | str, *, name: str = "") -> tuple[str, KeyInfo]:
    """A new key for ``curie`` (the annotator is created on first use) and what is stored of it. The key is
    returned here and never again."""
    if not AUTHOR_PATTERN.match(curie):
        raise UsageError(f"{curie!r} is not a CURIE like 'orcid:0000-0002-1825-0097' or 'utsteam:alice'")
    role = Role.parse(role) if isinstance(role, str) else role
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    digest = _hasher().hash(key)
    now = _now()
    with store.transaction(write=True) as conn:
        found = conn.execute(select(ANNOTATOR.c.id).where(ANNOTATOR.c.curie == curie)).scalar_one_or_none()
        if found is None:
            inserted = conn.execute(
                insert(ANNOTATOR).values(curie=curie, name=name, role=role.value, created=now)
            ).inserted_primary_key
            assert inserted is not None
            found = inserted[0]
        conn.execute(
            insert(API_KEY).values(annotator_id=found, prefix=prefix, key_hash=digest, role=role.value, created=now)
        )
    return key, KeyInfo(prefix=prefix, curie=curie, role=role, created=now)


def list_keys(store: SqlStore) -> list[KeyInfo]:
    query = (
        select(API_KEY.c.prefix, ANNOTATOR.c.curie, API_KEY.c.role, API_KEY.c.created, API_KEY.c.revoked)
        .join(ANNOTATOR, ANNOTATOR.c.id == API_KEY.c.annotator_id)
        .order_by(API_KEY.c.id)
    )
    with store.transaction() as conn:
        rows = conn.execute(query).all()
    return [KeyInfo(prefix=p, curie=c, role=Role(r), created=t, revoked=x) for p, c, r, t, x in rows]


def revoke_key(store: SqlStore, prefix: str) -> KeyInfo:
    """Revoke the key with this prefix; it stops working at once, in every process."""
    prefix = prefix.removeprefix(KEY_PREFIX).split("_")[0]
    with store.transaction(write=True) as conn:
        done = conn.execute(
            update(API_KEY).where(API_KEY.c.prefix == prefix, API_KEY.c.revoked.is_(None)).values(revoked=_now())
        ).rowcount
    if not done:
        known = {k.prefix for k in list_keys(store)}
        if prefix in known:
            raise UsageError(f"the key {prefix} is already revoked")
        raise NotFoundError(f"no API key has the prefix {prefix!r}; `uts keys list` shows them")
    return next(k for k in list_keys(store) if k.prefix == prefix)


class KeyVerifier:
    """Checks keys for one process. Argon2 costs tens of milliseconds on purpose, so a key that verified once is
    remembered (by its SHA-256, in memory only); its row is read on every use, so revoking it takes effect at once."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self._verified: dict[bytes, str] = {}
        self._lock = threading.Lock()

    def verify(self, key: str | None) -> Principal:
        if not key:
            raise AuthError("this needs an API key: send it as 'Authorization: Bearer KEY' (`uts keys create`)")
        parts = key.split("_")
        if len(parts) < 3 or not key.startswith(KEY_PREFIX) or len(key) > 200:
            raise AuthError("that is not a uts API key; keys look like 'uts_1a2b3c4d_...' (`uts keys create`)")
        prefix = parts[1]
        query = (
            select(API_KEY.c.key_hash, API_KEY.c.role, API_KEY.c.revoked, ANNOTATOR.c.curie, ANNOTATOR.c.name)
            .join(ANNOTATOR, ANNOTATOR.c.id == API_KEY.c.annotator_id)
            .where(API_KEY.c.prefix == prefix)
        )
        with self.store.transaction() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise AuthError("unknown API key; ask an admin for one (`uts keys create`)")
        key_hash, role, revoked, curie, name = row
        if revoked is not None:
            raise AuthError(f"the API key {prefix} was revoked on {revoked:%Y-%m-%d}; ask an admin for a new one")
        fingerprint = hashlib.sha256(key.encode()).digest()
        with self._lock:
            known = self._verified.get(fingerprint)
        if known != key_hash:
            from argon2.exceptions import VerificationError

            try:
                _hasher().verify(key_hash, key)
            except VerificationError:
                raise AuthError("unknown API key; ask an admin for one (`uts keys create`)") from None
            with self._lock:
                self._verified[fingerprint] = key_hash
        return Principal(curie=curie, name=name, role=Role(role), key_prefix=prefix)


__all__ = [
    "AuthError",
    "KeyInfo",
    "KeyVerifier",
    "Principal",
    "Role",
    "create_key",
    "list_keys",
    "revoke_key",
]
