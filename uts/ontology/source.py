"""The curated UTS source on disk: where each file lives, how it parses, and its canonical text.

A source root holds ``ontology/uts.toml`` (release metadata), ``ontology/terms.tsv`` (one row per concept),
``ontology/labels.tsv`` (alternative and hidden labels), ``ontology/translations/<lang>.tsv`` (the labels in one
other language, its ISO 639-1 code the file name), ``ontology/facets.tsv``, ``ontology/paper-order.tsv``,
``mappings/uts-paper.sssom.tsv`` (each index of the paper's published vocabulary and the concept it denotes) and
one ``mappings/<vocabulary>.sssom.tsv`` per legacy vocabulary mapped to UTS.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from uts.errors import Problem, where
from uts.io.sssom import format_sssom, read_sssom
from uts.io.tables import LIST_SEPARATOR, Row, format_table, parse_table, read_text, split_list
from uts.ontology.mapping import COLUMNS as MAPPING_COLUMNS
from uts.ontology.mapping import EXTENSIONS, MappingRow, MappingSet
from uts.ontology.model import (
    ENGLISH,
    LANGUAGE_PATTERN,
    Concept,
    Domain,
    Facet,
    LabelScope,
    Level,
    OntologyMetadata,
    PaperTag,
    Synonym,
    WordSense,
    synonym_order,
    thaw,
)

TERMS_COLUMNS = (
    "id",
    "label",
    "status",
    "origin",
    "rank",
    "levels",
    "facets",
    "domains",
    "broader",
    "definition",
    "replaced_by",
    "consider",
    "comment",
)
LABELS_COLUMNS = ("id", "concept_label", "label", "scope", "source", "comment")
TRANSLATION_COLUMNS = LABELS_COLUMNS  # the same columns; the language is the file's name
TRANSLATIONS_DIR = "translations"
PAPER_ORDER_COLUMNS = ("level", "index", "tag")
SENSES_COLUMNS = (
    "form", "sense", "id", "concept_label", "default", "domain", "before", "after", "context", "gloss", "comment",
)  # fmt: skip
FACETS_COLUMNS = ("id", "label", "parent", "root", "root_label", "definition")
PAPER_COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "author_id",
    "mapping_date",
    "comment",
)
PAPER_PREFIX = "UTSPAPER"
PAPER_PREDICATE = "skos:exactMatch"
JUSTIFICATIONS = ("semapv:LexicalMatching", "semapv:ManualMappingCuration")


@dataclass(frozen=True)
class SourceLayout:
    """Paths of the source files below one root (the repository, or a bundled release)."""

    root: Path

    @property
    def metadata(self) -> Path:
        return self.root / "ontology" / "uts.toml"

    @property
    def terms(self) -> Path:
        return self.root / "ontology" / "terms.tsv"

    @property
    def labels(self) -> Path:
        return self.root / "ontology" / "labels.tsv"

    @property
    def paper(self) -> Path:
        return self.root / "mappings" / "uts-paper.sssom.tsv"

    @property
    def paper_order(self) -> Path:
        return self.root / "ontology" / "paper-order.tsv"

    @property
    def facets(self) -> Path:
        return self.root / "ontology" / "facets.tsv"

    @property
    def senses(self) -> Path:
        return self.root / "ontology" / "senses.tsv"

    @property
    def tables(self) -> tuple[Path, Path, Path, Path, Path]:
        return (self.terms, self.labels, self.paper, self.paper_order, self.facets)

    @property
    def translations_dir(self) -> Path:
        return self.root / "ontology" / TRANSLATIONS_DIR

    def translation_file(self, lang: str) -> Path:
        """Where the labels in language ``lang`` live."""
        return self.translations_dir / f"{lang}.tsv"

    def translation_files(self) -> dict[str, Path]:
        """File name without ``.tsv`` -> path, for every translation file present (names are checked on reading)."""
        found = sorted(self.translations_dir.glob("*.tsv")) if self.translations_dir.is_dir() else []
        return {p.name[: -len(".tsv")]: p for p in found}

    @property
    def mappings_dir(self) -> Path:
        return self.root / "mappings"

    def mapping_file(self, name: str) -> Path:
        """Where the mapping set of vocabulary ``name`` lives."""
        return self.mappings_dir / f"{name}.sssom.tsv"

    def mapping_files(self) -> dict[str, Path]:
        """Vocabulary name -> mapping set file, for every vocabulary mapping set present (not the paper's)."""
        found = sorted(self.mappings_dir.glob("*" + MAPPING_SUFFIX)) if self.mappings_dir.is_dir() else []
        return {p.name[: -len(MAPPING_SUFFIX)]: p for p in found if p != self.paper}


MAPPING_SUFFIX = ".sssom.tsv"


def bundled_root() -> Path:
    """The source root shipped with the package (a wheel) or the repository (an editable install)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_bundled"
    if (packaged / "ontology" / "terms.tsv").exists():
        return packaged
    return here.parent


@dataclass
class ParsedMappingSet:
    """One vocabulary mapping set as read: header and rows, each row with its line."""

    name: str
    path: Path
    metadata: dict[str, Any]
    rows: list[tuple[int, MappingRow]]


@dataclass
class Sources:
    """Everything parsed from a source root, each record with the line it came from."""

    layout: SourceLayout
    metadata: OntologyMetadata | None = None
    terms: list[tuple[int, Concept]] = field(default_factory=list)
    labels: list[tuple[int, str, Synonym]] = field(default_factory=list)
    translations: list[tuple[Path, int, str, Synonym]] = field(default_factory=list)  # file, line, concept, label
    paper: list[tuple[int, PaperTag]] = field(default_factory=list)
    paper_header: dict[str, Any] = field(default_factory=dict)
    reordered: list[tuple[int, Level, int, str]] = field(default_factory=list)
    facets: list[tuple[int, Facet]] = field(default_factory=list)
    mappings: list[ParsedMappingSet] = field(default_factory=list)
    senses: list[tuple[int, WordSense]] = field(default_factory=list)
    texts: dict[Path, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)  # files read not at all (missing, not UTF-8, bad header)


T = TypeVar("T")


def _convert(path: Path, row: Row, problems: list[Problem], build: Callable[[Row], T]) -> T | None:
    """Run ``build`` on a row and turn a bad value into a problem that names the file, line and column."""
    try:
        return build(row)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "row"
            problems.append(
                Problem(
                    where(path), row.line, f"{loc}: {err['msg']} (got {err.get('input')!r})", f"correct the {loc} cell"
                )
            )
    except ValueError as exc:
        problems.append(Problem(where(path), row.line, str(exc), "correct the cell"))
    return None


def _term(row: Row) -> Concept:
    c = row.cells
    rank = c["rank"]
    if rank and not rank.isdigit():
        raise ValueError(f"rank: {rank!r} is not a whole number")
    # Plain strings in, so pydantic validates (and names the column of) every enum value once.
    return Concept.model_validate(
        {
            "id": c["id"],
            "label": c["label"],
            "status": c["status"],
            "origin": c["origin"],
            "rank": int(rank) if rank else None,
            "levels": split_list(c["levels"]),
            "facets": split_list(c["facets"]),
            "domains": split_list(c["domains"]),
            "broader": split_list(c["broader"]),
            "definition": c["definition"],
            "replaced_by": c["replaced_by"] or None,
            "consider": split_list(c["consider"]),
            "comment": c["comment"],
        }
    )


def _paper_index(subject_id: str) -> int:
    prefix, _, local = subject_id.partition(":")
    if prefix != PAPER_PREFIX or not local.isdigit():
        raise ValueError(f"subject_id {subject_id!r} is not of the form '{PAPER_PREFIX}:<index>'")
    return int(local)


def _paper(row: Row) -> PaperTag:
    c = row.cells
    if c["predicate_id"] != PAPER_PREDICATE:
        raise ValueError(
            f"predicate_id {c['predicate_id']!r} must be {PAPER_PREDICATE} (a published tag denotes its concept)"
        )
    if c["mapping_justification"] not in JUSTIFICATIONS:
        raise ValueError(
            f"mapping_justification {c['mapping_justification']!r} must be one of {', '.join(JUSTIFICATIONS)}"
        )
    try:
        confidence = float(c["confidence"])
    except ValueError:
        raise ValueError(f"confidence {c['confidence']!r} is not a number between 0 and 1") from None
    return PaperTag(
        index=_paper_index(c["subject_id"]),
        tag=c["subject_label"],
        concept_id=c["object_id"],
        justification=c["mapping_justification"],
        confidence=confidence,
        author=c["author_id"],
        date=c["mapping_date"],
        comment=c["comment"],
    )


Reader = Callable[[Path, list[Problem]], "str | None"]


def files_reader(files: Mapping[Path, str]) -> Reader:
    """Read sources from texts in memory (a release kept in a database) instead of the disk."""

    def read(path: Path, problems: list[Problem]) -> str | None:
        text = files.get(path)
        if text is None:
            problems.append(Problem(where(path), 0, "file is missing", "the release holds no such file"))
        return text

    return read


def _keeping(read: Reader, texts: dict[Path, str]) -> Reader:
    """``read`` that also keeps the text it read (for the canonical-format check)."""

    def keep(path: Path, problems: list[Problem]) -> str | None:
        text = read(path, problems)
        if text is not None:
            texts[path] = text
        return text

    return keep


def read_metadata(path: Path, problems: list[Problem], read: Reader = read_text) -> OntologyMetadata | None:
    """The release metadata (``ontology/uts.toml``), or None with a problem recorded."""
    text = read(path, problems)
    if text is None:
        return None
    try:
        return OntologyMetadata(**tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        problems.append(
            Problem(where(path), getattr(exc, "lineno", 0), f"not valid TOML ({exc})", "fix the TOML syntax")
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        problems.append(
            Problem(
                where(path),
                0,
                f"bad release metadata: {error['msg']} at {error['loc']}",
                "give title, version, base_iri and license",
            )
        )
    return None


def read_sources(root: Path, files: Mapping[Path, str] | None = None) -> Sources:
    """Parse every source file below ``root`` (or, given ``files``, those texts by path); format defects are
    collected, not raised."""
    layout = SourceLayout(Path(root))
    sources = Sources(layout=layout)
    problems = sources.problems
    read = files_reader(files) if files is not None else read_text

    sources.metadata = read_metadata(layout.metadata, problems, _keeping(read, sources.texts))

    terms_path, labels_path, paper_path, order_path, facets_path = layout.tables
    sources.terms = [(row.line, term) for row, term in _read_rows(sources, terms_path, TERMS_COLUMNS, _term, read)]
    sources.labels = [
        (row.line, row["id"], synonym)
        for row, synonym in _read_rows(sources, labels_path, LABELS_COLUMNS, _synonym, read)
    ]
    languages = layout.translation_files() if files is None else _translation_files_in(layout, files)
    for lang, path in languages.items():
        if not _check_language_file(lang, path, problems):
            continue
        rows = _read_rows(sources, path, TRANSLATION_COLUMNS, _translation(lang), read)
        sources.translations += [(path, row.line, row["id"], synonym) for row, synonym in rows]
    paper_text = read(paper_path, problems)
    mapping_set = read_sssom(paper_path, PAPER_COLUMNS, problems, text=paper_text) if paper_text is not None else None
    if mapping_set is None or not mapping_set.table.header_ok:
        sources.unreadable.append(paper_path)
    if mapping_set is not None:
        sources.texts[paper_path] = mapping_set.table.text
        control_problems(paper_path, mapping_set.table.text, problems)
        sources.paper_header = mapping_set.metadata
        for row in mapping_set.table.rows:
            tag = _convert(paper_path, row, problems, _paper)
            if tag is not None:
                sources.paper.append((row.line, tag))
    sources.reordered = [
        (row.line, *entry) for row, entry in _read_rows(sources, order_path, PAPER_ORDER_COLUMNS, _order, read)
    ]
    sources.facets = [
        (row.line, facet) for row, facet in _read_rows(sources, facets_path, FACETS_COLUMNS, _facet, read)
    ]
    # Optional: a source or release from before word senses were curated has none.
    if (layout.senses in files) if files is not None else layout.senses.exists():
        sources.senses = [
            (row.line, sense) for row, sense in _read_rows(sources, layout.senses, SENSES_COLUMNS, _sense, read)
        ]
    names = layout.mapping_files() if files is None else _mapping_files_in(layout, files)
    for name, path in names.items():
        text = read(path, problems)
        parsed = read_mapping_file(name, path, problems, sources.texts, text=text) if text is not None else None
        if parsed is None or path not in sources.texts:
            sources.unreadable.append(path)
        if parsed is not None:
            sources.mappings.append(parsed)
    return sources


def _translation_files_in(layout: SourceLayout, files: Mapping[Path, str]) -> dict[str, Path]:
    found = sorted(p for p in files if p.parent == layout.translations_dir and p.name.endswith(".tsv"))
    return {p.name[: -len(".tsv")]: p for p in found}


def _check_language_file(lang: str, path: Path, problems: list[Problem]) -> bool:
    """A translation file is named by its language's code; a bad name is a problem and the file is not read."""
    if lang == ENGLISH:
        problems.append(
            Problem(
                where(path),
                0,
                "English labels do not go in a translation file",
                "move its rows to ontology/labels.tsv (alt or hidden) and delete the file",
            )
        )
        return False
    if not LANGUAGE_PATTERN.match(lang):
        problems.append(
            Problem(
                where(path),
                0,
                f"the file name {path.name!r} is not a language code: a translation file is named by the ISO 639-1 "
                "code of its language in lower case",
                "rename it, e.g. es.tsv for Spanish, zh.tsv for (Simplified) Chinese",
            )
        )
        return False
    return True


def _mapping_files_in(layout: SourceLayout, files: Mapping[Path, str]) -> dict[str, Path]:
    found = sorted(p for p in files if p.parent == layout.mappings_dir and p.name.endswith(MAPPING_SUFFIX))
    return {p.name[: -len(MAPPING_SUFFIX)]: p for p in found if p != layout.paper}


def read_mapping_file(
    name: str, path: Path, problems: list[Problem], texts: dict[Path, str] | None = None, *, text: str | None = None
) -> ParsedMappingSet | None:
    """One vocabulary mapping set (from ``text`` when given); every malformed row becomes a problem naming its line."""
    raw = read_sssom(path, MAPPING_COLUMNS, problems, text=text)
    if raw is None:
        return None
    if texts is not None:
        texts[path] = raw.table.text
    control_problems(path, raw.table.text, problems)
    parsed = ParsedMappingSet(name, path, raw.metadata, [])
    for row in raw.table.rows:
        mapping = _convert(path, row, problems, _mapping_row)
        if mapping is not None:
            parsed.rows.append((row.line, mapping))
    return parsed


_NUMBER_COLUMNS = ("confidence", "similarity_score", "similarity_threshold")


def _mapping_row(row: Row) -> MappingRow:
    cells: dict[str, Any] = dict(row.cells)
    for column in _NUMBER_COLUMNS:
        value = cells[column]
        try:
            cells[column] = float(value) if value else None
        except ValueError:
            raise ValueError(f"{column} {value!r} is not a number; write it as a number between 0 and 1") from None
    return MappingRow.model_validate(cells)


# In a file, tabs and newlines are structure; any other control character (or a carriage return that does not
# end a line) is inside a cell.
_CONTROL_IN_FILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]|\r(?!\n)")
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")  # the fast first look


def control_problems(path: Path, text: str, problems: list[Problem]) -> None:
    """One problem per line holding a control character: it would make the exports ill-formed."""
    if not _CONTROL_CHARACTER.search(text) and "\r" not in text:
        return  # the common case, in one scan of the text
    for found in _CONTROL_IN_FILE.finditer(text):
        line = text.count("\n", 0, found.start()) + 1
        if problems and problems[-1].file == where(path) and problems[-1].line == line:
            continue
        problems.append(
            Problem(
                where(path),
                line,
                f"holds the control character U+{ord(found.group()):04X}",
                "remove it (a cell holds one line of text, without control characters)",
            )
        )


def _read_rows(
    sources: Sources, path: Path, columns: tuple[str, ...], build: Callable[[Row], T], read: Reader = read_text
) -> list[tuple[Row, T]]:
    """Every row of one TSV source that ``build`` accepts; the text is kept for linting, defects become problems."""
    text = read(path, sources.problems)
    if text is None:
        sources.unreadable.append(path)
        return []
    sources.texts[path] = text
    control_problems(path, text, sources.problems)
    out = []
    table = parse_table(path, text, columns, sources.problems)
    if not table.header_ok:
        sources.unreadable.append(path)
    for row in table.rows:
        value = _convert(path, row, sources.problems, build)
        if value is not None:
            out.append((row, value))
    return out


def _synonym(row: Row) -> Synonym:
    c = row.cells
    if c["scope"] == LabelScope.PREF.value:
        raise ValueError(
            "scope 'pref' is only for labels in other languages (ontology/translations/); the English preferred "
            "label is the concept's label in terms.tsv: use alt or hidden here"
        )
    return Synonym.model_validate(
        {"label": c["label"], "scope": c["scope"], "source": c["source"], "comment": c["comment"]}
    )


_YES_NO = {"yes": True, "": False}


def _sense(row: Row) -> WordSense:
    c = row.cells
    if c["default"] not in _YES_NO:
        raise ValueError(f"default: {c['default']!r} must be 'yes' or empty")
    return WordSense.model_validate(
        {
            "form": c["form"],
            "sense": c["sense"],
            "concept_id": c["id"] or None,
            "default": _YES_NO[c["default"]],
            "domain": c["domain"] or None,
            "before": split_list(c["before"]),
            "after": split_list(c["after"]),
            "context": split_list(c["context"]),
            "gloss": c["gloss"],
            "comment": c["comment"],
        }
    )


def _translation(lang: str) -> Callable[[Row], Synonym]:
    """The reader of one translation file's rows: labels in ``lang``."""

    def build(row: Row) -> Synonym:
        c = row.cells
        return Synonym.model_validate(
            {"label": c["label"], "scope": c["scope"], "source": c["source"], "comment": c["comment"], "lang": lang}
        )

    return build


def _facet(row: Row) -> Facet:
    return Facet.model_validate(
        {
            "id": row["id"],
            "label": row["label"],
            "parent": row["parent"] or None,
            "root": row["root"],
            "definition": row["definition"],
        }
    )


def _order(row: Row) -> tuple[Level, int, str]:
    level = Level.parse(row["level"])
    if not row["index"].isdigit() or int(row["index"]) >= level.size:
        raise ValueError(
            f"index {row['index']!r} is not a whole number below {level.size}, the size of level {level.value}"
        )
    if not row["tag"]:
        raise ValueError("tag is empty")
    return level, int(row["index"]), row["tag"]


# ---- canonical text -------------------------------------------------------------------------------


def format_metadata(meta: OntologyMetadata) -> str:
    """``ontology/uts.toml`` in its canonical form: one ``key = "value"`` line per field that has a value."""
    lines = []
    for key, value in meta.model_dump().items():
        if value != "" or key in ("title", "version", "base_iri", "license"):
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def format_terms(concepts: Iterable[Concept]) -> str:
    # Enum members are strings (StrEnum): joined as they are, without a lookup of .value per cell.
    domain_order = {d: i for i, d in enumerate(Domain)}
    rows = []
    for c in sorted(concepts, key=lambda c: c.id):
        domains: list[Domain] = sorted(c.domains, key=domain_order.__getitem__)
        rows.append(
            (
                c.id,
                c.label,
                c.status,
                c.origin,
                "" if c.rank is None else str(c.rank),
                LIST_SEPARATOR.join(c.levels),
                LIST_SEPARATOR.join(c.facets),
                LIST_SEPARATOR.join(domains),
                LIST_SEPARATOR.join(sorted(c.broader)),
                c.definition,
                c.replaced_by or "",
                LIST_SEPARATOR.join(sorted(c.consider)),
                c.comment,
            )
        )
    return format_table(TERMS_COLUMNS, rows)


def format_labels(concepts: Iterable[Concept], lang: str = ENGLISH) -> str:
    """``labels.tsv`` (English) or the translation file of ``lang``: rows by concept ID, then scope and label."""
    rows = []
    for c in sorted(concepts, key=lambda c: c.id):
        for s in sorted(c.synonyms, key=synonym_order):
            if s.lang == lang:
                rows.append((c.id, c.label, s.label, s.scope.value, s.source, s.comment))
    return format_table(LABELS_COLUMNS, rows)


def languages_of(concepts: Iterable[Concept]) -> list[str]:
    """Every language other than English that some concept has a label in, sorted."""
    return sorted({s.lang for c in concepts for s in c.synonyms if s.lang != ENGLISH})


def format_paper(header: Mapping[str, Any], tags: Iterable[PaperTag], pref_labels: Mapping[str, str]) -> str:
    rows = [
        (
            f"{PAPER_PREFIX}:{t.index}",
            t.tag,
            PAPER_PREDICATE,
            t.concept_id,
            pref_labels.get(t.concept_id, ""),
            t.justification,
            repr(t.confidence),
            t.author,
            t.date,
            t.comment,
        )
        for t in sorted(tags, key=lambda t: t.index)
    ]
    return format_sssom(header, PAPER_COLUMNS, rows)


def format_paper_order(reordered: Mapping[Level, Mapping[int, str]]) -> str:
    order = list(Level)
    rows = [
        (level.value, str(index), tag)
        for level in sorted(reordered, key=order.index)
        for index, tag in sorted(reordered[level].items())
    ]
    return format_table(PAPER_ORDER_COLUMNS, rows)


def format_senses(senses: Iterable[WordSense], pref_labels: Mapping[str, str]) -> str:
    """By form, then sense; cue lists sorted, so a diff shows the words added or dropped."""
    rows = [
        (
            s.form,
            s.sense,
            s.concept_id or "",
            pref_labels.get(s.concept_id, "") if s.concept_id else "",
            "yes" if s.default else "",
            s.domain or "",
            LIST_SEPARATOR.join(sorted(set(s.before))),
            LIST_SEPARATOR.join(sorted(set(s.after))),
            LIST_SEPARATOR.join(sorted(set(s.context))),
            s.gloss,
            s.comment,
        )
        for s in sorted(senses, key=lambda s: (s.form, s.sense))
    ]
    return format_table(SENSES_COLUMNS, rows)


def format_facets(facets: Iterable[Facet], pref_labels: dict[str, str]) -> str:
    """Aspects first in file order of their ids, each followed by its sub-facets sorted by id."""
    facets = list(facets)
    aspects = sorted((f for f in facets if f.parent is None), key=lambda f: f.id)
    rows = []
    for aspect in aspects:
        for facet in [aspect, *sorted((f for f in facets if f.parent == aspect.id), key=lambda f: f.id)]:
            rows.append(
                (
                    facet.id,
                    facet.label,
                    facet.parent or "",
                    facet.root,
                    pref_labels.get(facet.root, ""),
                    facet.definition,
                )
            )
    orphans = sorted(
        (f for f in facets if f.parent is not None and f.parent not in {a.id for a in aspects}), key=lambda f: f.id
    )
    rows += [(f.id, f.label, f.parent or "", f.root, pref_labels.get(f.root, ""), f.definition) for f in orphans]
    return format_table(FACETS_COLUMNS, rows)


def format_mapping_set(mapping_set: MappingSet, pref_labels: dict[str, str], version: str) -> str:
    """Canonical text of a vocabulary mapping set, rows in the order given, object labels from UTS."""
    metadata = {**thaw(mapping_set.metadata), "mapping_set_version": version, "extension_definitions": EXTENSIONS}
    rows = [r.cells(pref_labels.get(r.object_id, r.object_label)) for r in mapping_set.rows]
    return format_sssom(metadata, MAPPING_COLUMNS, rows)
