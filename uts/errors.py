"""Typed errors. Every message names the bad value, where it came from and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One defect found in a source file; ``line`` is 1-based, 0 means the whole file."""

    file: str
    line: int
    message: str
    fix: str
    kind: str = ""  # a stable code for programs, e.g. "cycle"; empty for most problems

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}. Fix: {self.fix}"


class UTSError(Exception):
    """Base of every error ``uts`` raises on purpose."""


class SourceError(UTSError):
    """A curated source file cannot be read as written (bad format, bad value)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class OntologyValidationError(UTSError):
    """The ontology sources break one or more rules; ``problems`` lists every one of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in the UTS sources:"
        body = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{head}\n{body}{more}")


class OntologyCycleError(OntologyValidationError):
    """The broader graph has a cycle; the message lists the concepts on it."""


class UnknownConceptError(UTSError, KeyError):
    """No concept has this ID."""

    def __init__(self, concept_id: str) -> None:
        self.concept_id = concept_id
        UTSError.__init__(
            self,
            f"no UTS concept has the ID {concept_id!r}; IDs look like 'UTS:0000001' "
            "(run `uts show TAG` to find a concept by label)",
        )

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownTagError(UTSError, KeyError):
    """No concept has this label, even after normalisation."""

    def __init__(self, tag: str, suggestions: Sequence[str] = ()) -> None:
        self.tag = tag
        self.suggestions = list(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if suggestions else ""
        UTSError.__init__(self, f"no UTS concept has the label {tag!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownFacetError(UTSError, KeyError):
    """No facet has this id."""

    def __init__(self, facet_id: str, choices: str) -> None:
        self.facet_id = facet_id
        UTSError.__init__(self, f"no facet is called {facet_id!r}; choose one of {choices}")

    def __str__(self) -> str:
        return str(self.args[0])


class VocabularyError(UTSError):
    """A published vocabulary file (e.g. the paper's label JSON) is not what it should be."""


class ExportError(UTSError):
    """An export was asked for with options that cannot be satisfied."""


def where(path: Path | str) -> str:
    """The name a problem reports for a file: relative to the working directory when possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
