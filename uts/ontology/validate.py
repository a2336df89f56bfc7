"""The rules a UTS version must satisfy, whatever it was read from. Each returns problems that name the record
(file and line when a ``Provenance`` knows them) and the fix; none raises.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from uts.errors import Problem
from uts.lexical import base_forms, normalise, singulars
from uts.ontology import graph as graphs
from uts.ontology.build import FACET, LABEL, MAPPING, NO_PROVENANCE, ORDER, PAPER, SENSE, TERM, Provenance, label_key
from uts.ontology.mapping import RowKey, row_key
from uts.ontology.model import ENGLISH, LabelScope, Origin, Status, Synonym, WordSense
from uts.ontology.ontology import Ontology
from uts.ontology.source import PAPER_PREFIX


def check(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    """Every semantic rule; an empty list means the version is valid."""
    return [
        *check_labels(ontology, prov),
        *check_translations(ontology, prov),
        *check_references(ontology, prov),
        *check_deprecation(ontology, prov),
        *check_cycles(ontology, prov),
        *check_paper(ontology, prov),
        *check_paper_order(ontology, prov),
        *check_facets(ontology, prov),
        *check_mappings(ontology, prov),
        *check_senses(ontology, prov),
    ]


def _label_site(prov: Provenance, concept_id: str, label: str, lang: str = ENGLISH) -> tuple[str, int]:
    file, line = prov.of(LABEL, label_key(concept_id, label, lang))
    return (file, line) if line else prov.of(TERM, concept_id)


def check_labels(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    """Every English label (preferred, alternative, hidden) of an active concept normalises to that concept only.

    Surface variants of one concept may share a normalised key (``high-fidelity`` / ``high_fidelity``):
    they are recorded because the paper published both.
    """
    problems: list[Problem] = []
    holders: dict[str, tuple[str, str]] = {}
    for concept in ontology.concepts.values():
        seen_here: dict[str, str] = {}
        for label in concept.all_labels:
            key = normalise(label)
            if not key:
                file, line = _label_site(prov, concept.id, label)
                problems.append(
                    Problem(
                        file,
                        line,
                        f"label {label!r} of {concept.id} is empty after normalisation",
                        "use a label with letters or digits",
                    )
                )
                continue
            if label in seen_here:
                file, line = _label_site(prov, concept.id, label)
                problems.append(
                    Problem(file, line, f"{concept.id} has the label {label!r} twice", "delete the repeated label")
                )
                continue
            seen_here[label] = key
            if concept.status is not Status.ACTIVE:
                continue
            if key in holders and holders[key][0] != concept.id:
                other_id, other_label = holders[key]
                file, line = _label_site(prov, concept.id, label)
                problems.append(
                    Problem(
                        file,
                        line,
                        f"label {label!r} of {concept.id} ({concept.label}) is also the label {other_label!r} of "
                        f"{other_id} ({ontology.concepts[other_id].label}); a label must name one concept",
                        "merge the two concepts (deprecate one with replaced_by) or drop the label from one of them",
                    )
                )
            elif key not in holders:
                holders[key] = (concept.id, label)
    return problems


def check_translations(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    """Labels in other languages: only active concepts have them; in each language a concept has exactly one
    preferred label, never the same label twice, and a label names one concept.

    A label may name another concept in another language, or in English (French "chat" is a cat, English "chat"
    is talk): English wins lookups, and ``uts qc`` lists the labels so shadowed.
    """
    problems: list[Problem] = []
    holders: dict[tuple[str, str], tuple[str, str]] = {}  # (language, key) -> (concept, label)
    for concept in ontology.concepts.values():
        translations = concept.translations
        if not translations:
            continue
        if concept.status is not Status.ACTIVE:
            first = translations[0]
            heir = concept.replaced_by or "an active concept"
            problems.append(
                Problem(
                    *_label_site(prov, concept.id, first.label, first.lang),
                    f"{concept.id} ({concept.label}) is deprecated but has labels in {', '.join(concept.languages)}",
                    f"move them to {heir} (its successor) or delete them",
                )
            )
            continue
        seen: set[tuple[str, str]] = set()
        first_of: dict[str, Synonym] = {}
        prefs: dict[str, list[Synonym]] = defaultdict(list)
        for synonym in translations:
            label, lang = synonym.label, synonym.lang
            site = _label_site(prov, concept.id, label, lang)
            key = normalise(label)
            if not key:
                problems.append(
                    Problem(*site, f"label {label!r}@{lang} of {concept.id} is empty after normalisation",
                            "use a label with letters or digits")
                )  # fmt: skip
                continue
            if (lang, label) in seen:
                problems.append(
                    Problem(*site, f"{concept.id} has the label {label!r}@{lang} twice", "delete the repeated row")
                )
                continue
            seen.add((lang, label))
            first_of.setdefault(lang, synonym)
            if synonym.scope is LabelScope.PREF:
                prefs[lang].append(synonym)
            other = holders.setdefault((lang, key), (concept.id, label))
            if other[0] != concept.id:
                problems.append(
                    Problem(
                        *site,
                        f"label {label!r}@{lang} of {concept.id} ({concept.label}) is also the label {other[1]!r}@{lang} "
                        f"of {other[0]} ({ontology.concepts[other[0]].label}); in its language a label names one "
                        "concept",
                        "keep it on the concept it names (or make each more specific)",
                    )
                )
        for lang, first in first_of.items():
            found = prefs.get(lang, [])
            if not found:
                problems.append(
                    Problem(
                        *_label_site(prov, concept.id, first.label, lang),
                        f"{concept.id} ({concept.label}) has labels in {lang} but none is its preferred label there",
                        "mark the word a native speaker uses for it `pref` (one per concept and language)",
                    )
                )
            for extra in found[1:]:
                problems.append(
                    Problem(
                        *_label_site(prov, concept.id, extra.label, lang),
                        f"{concept.id} ({concept.label}) has a second preferred label in {lang}, {extra.label!r} "
                        f"(the first is {found[0].label!r})",
                        "keep one `pref` per concept and language; make the others alt",
                    )
                )
    return problems


def check_references(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    problems: list[Problem] = []
    concepts = ontology.concepts
    for concept in concepts.values():
        refs = [("broader", r) for r in concept.broader] + [("consider", r) for r in concept.consider]
        if concept.replaced_by:
            refs.append(("replaced_by", concept.replaced_by))
        for column, ref in refs:
            if ref == concept.id:
                problems.append(
                    Problem(
                        *prov.of(TERM, concept.id),
                        f"{concept.id} names itself in {column}",
                        f"remove {ref} from {column}",
                    )
                )
            elif ref not in concepts:
                problems.append(
                    Problem(
                        *prov.of(TERM, concept.id),
                        f"{column} of {concept.id} names unknown concept {ref}",
                        f"use an existing ID in {column}, or add concept {ref} to terms.tsv",
                    )
                )
            elif column != "consider" and concepts[ref].status is not Status.ACTIVE:
                target = concepts[ref]
                hint = f" (it is replaced by {target.replaced_by})" if target.replaced_by else ""
                problems.append(
                    Problem(
                        *prov.of(TERM, concept.id),
                        f"{column} of {concept.id} names deprecated concept {ref}{hint}",
                        f"point {column} at an active concept",
                    )
                )
    return problems


def check_deprecation(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    problems: list[Problem] = []
    for concept in ontology.concepts.values():
        if concept.status is Status.DEPRECATED and not (concept.replaced_by or concept.consider):
            problems.append(
                Problem(
                    *prov.of(TERM, concept.id),
                    f"deprecated concept {concept.id} ({concept.label}) has neither replaced_by nor consider",
                    "name its successor in replaced_by, or candidates in consider",
                )
            )
        if concept.status is Status.ACTIVE and concept.replaced_by:
            problems.append(
                Problem(
                    *prov.of(TERM, concept.id),
                    f"active concept {concept.id} has replaced_by {concept.replaced_by}",
                    "set status to deprecated, or clear replaced_by",
                )
            )
    return problems


def check_cycles(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    problems: list[Problem] = []
    for cycle in graphs.find_cycles(ontology.concepts.values()):
        file, line = prov.of(TERM, cycle[0])
        path = " -> ".join(f"{cid} ({ontology.concepts[cid].label})" for cid in [*cycle, cycle[0]])
        problems.append(
            Problem(
                file,
                line,
                f"the broader links form a cycle: {path} (each is broader than the next)",
                "remove one broader link on the cycle",
                kind="cycle",
            )
        )
    return problems


def check_paper(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    """Every published tag is a label of exactly the concept it maps to, no index is lost, and a concept's origin
    says whether published tags map to it."""
    problems, mapped = _check_paper_rows(ontology, prov)
    return problems + _check_paper_origins(ontology, prov, mapped)


def _row(prov: Provenance, position: int) -> str:
    file, line = prov.of(PAPER, str(position))
    return f"line {line}" if line else file


def _check_paper_rows(ontology: Ontology, prov: Provenance) -> tuple[list[Problem], dict[str, int]]:
    problems: list[Problem] = []
    seen: dict[int, int] = {}  # published index -> position of its first row
    mapped: dict[str, int] = defaultdict(int)
    for position, tag in enumerate(ontology.paper):
        if tag.index in seen:
            problems.append(
                Problem(
                    *prov.of(PAPER, str(position)),
                    f"{PAPER_PREFIX}:{tag.index} is mapped twice (also at {_row(prov, seen[tag.index])})",
                    "keep one row per published index",
                )
            )
            continue
        seen[tag.index] = position
        concept = ontology.concepts.get(tag.concept_id)
        if concept is None:
            problems.append(
                Problem(
                    *prov.of(PAPER, str(position)),
                    f"published tag {tag.tag!r} maps to unknown concept {tag.concept_id}",
                    "map it to an existing concept ID",
                )
            )
            continue
        mapped[concept.id] += 1
        if concept.status is not Status.ACTIVE:
            problems.append(
                Problem(
                    *prov.of(PAPER, str(position)),
                    f"published tag {tag.tag!r} maps to deprecated concept {concept.id}",
                    f"map it to {concept.replaced_by or 'the active successor'}",
                )
            )
        key = normalise(tag.tag)
        if all(normalise(label) != key for label in concept.all_labels):
            problems.append(
                Problem(
                    *prov.of(PAPER, str(position)),
                    f"published tag {tag.tag!r} is not a label of {concept.id} ({concept.label})",
                    f"add {tag.tag!r} as an alt or hidden label of {concept.id} in labels.tsv",
                )
            )
    missing = sorted(set(range(max(seen) + 1)) - set(seen)) if seen else []
    if missing:
        file, _ = prov.of(PAPER, "0")
        shown = ", ".join(str(i) for i in missing[:10])
        problems.append(
            Problem(
                file,
                0,
                f"published indices {shown} have no row ({len(missing)} missing)",
                "restore the rows (`uts import-vocab` rebuilds them)",
            )
        )
    return problems, mapped


def _check_paper_origins(ontology: Ontology, prov: Provenance, mapped: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    for concept in ontology.concepts.values():
        if concept.origin is Origin.PAPER and concept.status is Status.ACTIVE and not mapped.get(concept.id):
            problems.append(
                Problem(
                    *prov.of(TERM, concept.id),
                    f"{concept.id} ({concept.label}) has origin 'paper' but no published tag maps to it",
                    "set origin to 'curated', or map its published tag to it",
                )
            )
        if concept.origin is Origin.CURATED and mapped.get(concept.id):
            problems.append(
                Problem(
                    *prov.of(TERM, concept.id),
                    f"{concept.id} ({concept.label}) has origin 'curated' but published tags map to it",
                    "set origin to 'paper'",
                )
            )
    return problems


def check_paper_order(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    """A level's own order must hold exactly the tags of the 3k list's prefix, only reordered."""
    problems: list[Problem] = []
    by_index = {t.index: t.tag for t in ontology.paper}
    for level, moved in ontology.reordered.items():
        for index in moved:
            if index not in by_index:
                file, line = prov.of(ORDER, f"{level.value}\t{index}")
                problems.append(
                    Problem(file, line, f"index {index} of level {level.value} has no published tag", "delete the row")
                )
        prefix = [by_index.get(i, "") for i in range(level.size)]
        reordered = [moved.get(i, tag) for i, tag in enumerate(prefix)]
        if Counter(prefix) != Counter(reordered):
            file, line = prov.of(ORDER, f"{level.value}\t{min(moved)}")
            extra = sorted((Counter(reordered) - Counter(prefix)).elements())[:5]
            problems.append(
                Problem(
                    file,
                    line,
                    f"the order of level {level.value} is not a reordering of the first {level.size} published tags (extra {extra})",
                    "list each moved tag once, at its index in that level's file",
                )
            )
    return problems


def check_senses(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    """Each ambiguous form has one default sense, at most one sense per caption domain, cue words that point to
    one sense only, and senses that name active concepts (or say in a gloss what the word means instead)."""
    problems: list[Problem] = []
    by_form: dict[str, list[WordSense]] = defaultdict(list)
    for sense in ontology.senses:
        by_form[sense.form].append(sense)
    labels = ontology.labels
    for form, senses in by_form.items():
        first = prov.of(SENSE, f"{form}\t{senses[0].sense}")
        defaults = [s.sense for s in senses if s.default]
        if len(defaults) != 1:
            got = ", ".join(defaults) or "none"
            problems.append(Problem(*first, f"form {form!r} has {len(defaults)} default senses ({got})",
                                    "mark exactly one sense of the form default = yes"))  # fmt: skip
        domains = Counter(s.domain for s in senses if s.domain is not None)
        for domain, n in domains.items():
            if n > 1:
                problems.append(Problem(*first, f"form {form!r} has {n} senses for {domain.value} captions",
                                        "give the domain to one sense"))  # fmt: skip
        owner: dict[str, str] = {}
        for sense in senses:
            for cue in dict.fromkeys(sense.cues):
                other = owner.setdefault(cue, sense.sense)
                if other != sense.sense:
                    file, line = prov.of(SENSE, f"{form}\t{sense.sense}")
                    problems.append(Problem(file, line, f"cue {cue!r} of {form!r} selects both {other!r} and "
                                            f"{sense.sense!r}", "keep the cue in one sense"))  # fmt: skip
        if not any(k in labels for k in (form, *singulars(form), *base_forms(form))):
            problems.append(Problem(*first, f"form {form!r} is no label (nor an inflected form of one)",
                                    "senses are for words that name a concept; delete the rows or fix the form"))  # fmt: skip
        for sense in senses:
            file, line = prov.of(SENSE, f"{form}\t{sense.sense}")
            if sense.concept_id is None:
                if not sense.gloss:
                    problems.append(Problem(file, line, f"sense {sense.sense!r} of {form!r} names no concept and "
                                            "has no gloss", "say in the gloss what the word means there"))  # fmt: skip
                continue
            concept = ontology.concepts.get(sense.concept_id)
            if concept is None:
                problems.append(Problem(file, line, f"sense {sense.sense!r} of {form!r} names unknown concept "
                                        f"{sense.concept_id}", "use the ID of a concept in terms.tsv"))  # fmt: skip
            elif concept.status is not Status.ACTIVE:
                now = ontology.current(concept.id)
                fix = f"point it at {now.id} ({now.label})" if now is not None else "point it at an active concept"
                problems.append(Problem(file, line, f"sense {sense.sense!r} of {form!r} names deprecated concept "
                                        f"{concept.id} ({concept.label})", fix))  # fmt: skip
    return problems


def check_facets(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    """Facets form a two-level scheme (aspects, then sub-facets), each rooted at an active concept."""
    problems: list[Problem] = []
    facets = ontology.facets
    for facet in facets.values():
        file, line = prov.of(FACET, facet.id)
        if facet.parent is not None:
            parent = facets.get(facet.parent)
            if parent is None:
                problems.append(
                    Problem(
                        file,
                        line,
                        f"facet {facet.id!r} has unknown parent {facet.parent!r}",
                        "name an aspect facet as parent",
                    )
                )
            elif parent.parent is not None:
                problems.append(
                    Problem(
                        file,
                        line,
                        f"facet {facet.id!r} has parent {facet.parent!r}, which is itself a sub-facet",
                        "attach it to one of the five aspects",
                    )
                )
        root = ontology.concepts.get(facet.root)
        if root is None:
            problems.append(
                Problem(
                    file,
                    line,
                    f"facet {facet.id!r} has unknown root concept {facet.root}",
                    "name the concept at the top of this facet",
                )
            )
        elif root.status is not Status.ACTIVE:
            problems.append(
                Problem(
                    file,
                    line,
                    f"facet {facet.id!r} has deprecated root concept {facet.root}",
                    f"use {root.replaced_by or 'an active concept'}",
                )
            )
        elif facet.id not in root.facets:
            problems.append(
                Problem(
                    file,
                    line,
                    f"facet {facet.id!r} has root {facet.root} ({root.label}), which does not carry that facet",
                    f"add {facet.id} to the facets of {facet.root}",
                )
            )
    known = ", ".join(sorted(facets)) or "(no facets defined yet)"
    for concept in ontology.concepts.values():
        for facet_id in concept.facets:
            if facet_id not in facets:
                file, line = prov.of(TERM, concept.id)
                problems.append(
                    Problem(
                        file,
                        line,
                        f"{concept.id} ({concept.label}) has unknown facet {facet_id!r}",
                        f"use one of {known}, or add the facet to facets.tsv",
                    )
                )
    return problems


def check_mappings(ontology: Ontology, prov: Provenance = NO_PROVENANCE) -> list[Problem]:
    """Vocabulary mapping rows name active concepts, never repeat, and never both assert and deny one mapping."""
    problems: list[Problem] = []
    for name, mapping_set in sorted(ontology.mappings.items()):
        seen: dict[RowKey, int] = {}
        for position, row in enumerate(mapping_set.rows):
            concept = ontology.concepts.get(row.object_id)
            if concept is None:
                problems.append(
                    Problem(
                        *prov.of(MAPPING, f"{name}\t{position}"),
                        f"object {row.object_id} is not a UTS concept",
                        "use an existing concept ID (`uts show TAG`)",
                    )
                )
            elif concept.status is not Status.ACTIVE:
                problems.append(
                    Problem(
                        *prov.of(MAPPING, f"{name}\t{position}"),
                        f"object {row.object_id} ({concept.label}) is deprecated",
                        f"map to {concept.replaced_by or 'its successor'}",
                    )
                )
            key = row_key(row)
            if key in seen:
                first = prov.of(MAPPING, f"{name}\t{seen[key]}")[1] or seen[key] + 1
                problems.append(
                    Problem(
                        *prov.of(MAPPING, f"{name}\t{position}"),
                        f"the mapping {' '.join(k for k in key if k)} repeats the row at line {first}",
                        "delete one of the two rows",
                    )
                )
                continue
            seen[key] = position
            opposite = (row.subject_id, row.predicate_id, "" if row.negated else "Not", row.object_id)
            if opposite in seen:
                first = prov.of(MAPPING, f"{name}\t{seen[opposite]}")[1] or seen[opposite] + 1
                problems.append(
                    Problem(
                        *prov.of(MAPPING, f"{name}\t{position}"),
                        f"{row.subject_id} {'Not ' if row.negated else ''}{row.predicate_id} {row.object_id} "
                        f"contradicts the row at line {first}, which says the opposite",
                        "keep the one a curator confirmed and delete the other",
                    )
                )
    return problems
