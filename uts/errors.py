"""Typed errors. Every message names the bad value, where it came from and how to fix it.

Three families, one per kind of answer a caller (a person, a pipeline, an HTTP client) can act on:

- ``NotFoundError``: the thing asked for does not exist (a concept ID, a label, a facet, a release);
- ``InvalidError``: the input breaks rules; ``problems`` lists every one, each with file or record, line and fix;
- ``ConflictError``: the input was valid against an older state than the current one (a stale revision).

>>> try:
...     raise OntologyValidationError([Problem("terms.tsv", 3, "label is empty", "write a label")])
... except InvalidError as exc:
...     print(exc.problems[0])
terms.tsv:3: label is empty. Fix: write a label
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    """One defect: in a file (``line`` is 1-based, 0 means the whole file) or in a record named by ``file``."""

    file: str
    line: int
    message: str
    fix: str
    kind: str = ""  # a stable code for programs, e.g. "cycle"; empty for most problems

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.message}. Fix: {self.fix}"


def format_problems(head: str, problems: Sequence[Problem], limit: int = MAX_SHOWN) -> str:
    """A heading and the first ``limit`` problems, one per line: the one way every error lists problems."""
    body = "".join(f"\n  {p}" for p in problems[:limit])
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{head}:{body}{more}" if problems else head


class UTSError(Exception):
    """Base of every error ``uts`` raises on purpose; never raised itself."""


# ---- not found --------------------------------------------------------------------------------------


class NotFoundError(UTSError, KeyError):
    """The thing asked for does not exist. A ``KeyError`` too, so dict-like lookups behave as expected."""

    def __init__(self, message: str) -> None:
        UTSError.__init__(self, message)

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class UnknownConceptError(NotFoundError):
    """No concept has this ID."""

    def __init__(self, concept_id: str) -> None:
        self.concept_id = concept_id
        super().__init__(
            f"no UTS concept has the ID {concept_id!r}; IDs look like 'UTS:0000001' "
            "(run `uts show TAG` to find a concept by label)"
        )


class UnknownTagError(NotFoundError):
    """No concept has this label, even after normalisation."""

    def __init__(self, tag: str, suggestions: Sequence[str] = ()) -> None:
        self.tag = tag
        self.suggestions = list(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if suggestions else ""
        super().__init__(f"no UTS concept has the label {tag!r}{hint}")


class UnknownFacetError(NotFoundError):
    """No facet has this id."""

    def __init__(self, facet_id: str, choices: str) -> None:
        self.facet_id = facet_id
        super().__init__(f"no facet is called {facet_id!r}; choose one of {choices}")


class UnknownReleaseError(NotFoundError):
    """A store holds no release of this version."""

    def __init__(self, version: str, choices: Sequence[str]) -> None:
        self.version = version
        listed = ", ".join(choices) or "(none yet)"
        super().__init__(f"no UTS release has the version {version!r}; the store holds {listed}")


# ---- invalid ----------------------------------------------------------------------------------------


class InvalidError(UTSError):
    """The input breaks one or more rules; ``problems`` lists every one of them (possibly none: then the
    message says what is wrong)."""

    head = "the input is not valid"

    def __init__(self, problems: Sequence[Problem] | str = (), head: str | None = None) -> None:
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
            return
        self.problems = list(problems)
        super().__init__(format_problems(head or self.head, self.problems))


class UsageError(InvalidError):
    """A command or function was called with options that cannot work together or a value it cannot use."""


class SourceError(InvalidError):
    """A curated source or an input file cannot be read as written (missing, not UTF-8, bad format)."""

    head = "the source cannot be read"


class OntologyValidationError(InvalidError):
    """The ontology breaks one or more rules."""

    def __init__(self, problems: Sequence[Problem], head: str | None = None) -> None:
        super().__init__(problems, head or f"{len(problems)} problem(s) in the UTS sources")


class OntologyCycleError(OntologyValidationError):
    """The broader graph has a cycle; the message lists the concepts on it."""


class VocabularyError(InvalidError):
    """A published vocabulary file (e.g. the paper's label JSON) is not what it should be."""


class ExportError(UsageError):
    """An export was asked for with options that cannot be satisfied."""


# ---- storage ----------------------------------------------------------------------------------------


class StorageError(UTSError):
    """A file (or a database) could not be written: a full disk, a permission, a path that is no file. What
    uts writes lands whole or not at all, so nothing was half-changed."""


# ---- conflict ---------------------------------------------------------------------------------------


class ConflictError(UTSError):
    """A write named a revision that is no longer current: someone else changed the state in between."""

    def __init__(self, expected: str, actual: str, what: str = "the working copy") -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{what} is at revision {actual}, not {expected}: it changed since you read it; "
            "load it again, re-apply your edits to the new state and retry"
        )


def where(path: Path | str) -> str:
    """The name a problem reports for a file: relative to the working directory when possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
