"""SONYC-UST: the 8 coarse and 29 fine urban sound classes of ``dcase-ust-taxonomy.yaml``.

The YAML maps ``coarse: {1: engine, ...}`` and ``fine: {1: {1: small-sounding-engine, ..., X:
engine-of-uncertain-size}, ...}``; integer keys mix with the string key ``X`` (the "other/unknown" class
of a coarse group). Ids follow the SONYC-UST annotation column names (without ``_presence``):

* coarse ``1: engine`` -> ``SONYCUST:1_engine``;
* fine ``1: {1: small-sounding-engine}`` -> ``SONYCUST:1-1_small-sounding-engine``, parent ``SONYCUST:1_engine``;
* fine ``1: {X: engine-of-uncertain-size}`` -> ``SONYCUST:1-X_engine-of-uncertain-size``, flag ``uncertain``.

Labels turn the hyphens of the published names into spaces ("small sounding engine"). Each coarse class
is followed by its fine classes, in the published order. The YAML is walked as a node tree, so keys are
read as written (``1`` and ``X`` alike) and errors name their line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from uts.vocabularies._read import build, check_id, expect_paths, fail, read_text, source_of
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "SONYCUST"
UNCERTAIN = "X"
UPSTREAM = "https://github.com/sonyc-project/urban-sound-tagging-baseline"


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _mapping(path: Path, node: yaml.Node, where: str) -> list[tuple[str, yaml.Node, int]]:
    """The (key as written, value node, key line) entries of a YAML mapping node; repeated keys are errors."""
    if not isinstance(node, yaml.MappingNode):
        fail(path, _line(node), f"{where} is not a mapping", f"write {where} as `key: value` lines")
    entries: list[tuple[str, yaml.Node, int]] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            fail(path, _line(key_node), f"{where} has a key that is not a plain value", "use numbers or X as keys")
        key = str(key_node.value).strip()
        if key in seen:
            fail(path, _line(key_node), f"{where} repeats the key {key!r} (first on line {seen[key]})", "keep one")
        seen[key] = _line(key_node)
        entries.append((key, value_node, _line(key_node)))
    return entries


def _name(path: Path, node: yaml.Node, where: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null" or not str(node.value).strip():
        fail(
            path, _line(node), f"{where} has no class name", "write a hyphenated name, e.g. `1: small-sounding-engine`"
        )
    return check_id(path, _line(node), str(node.value).strip(), "write the name with hyphens instead of spaces")


def read(paths: Sequence[Path]) -> Vocabulary:
    """Read the taxonomy YAML."""
    (path,) = expect_paths(paths, SPEC)
    text = read_text(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = int(mark.line) + 1 if mark is not None else 0
        fail(path, line, f"not valid YAML ({getattr(exc, 'problem', None) or exc})", "fix the YAML syntax there")
    if root is None:
        fail(path, 0, "the file is empty", "use the published dcase-ust-taxonomy.yaml")
    top = {key: (node, line) for key, node, line in _mapping(path, root, "the top level")}
    for key in ("coarse", "fine"):
        if key not in top:
            fail(path, 0, f"there is no top-level key {key!r}", "use the published layout with `coarse:` and `fine:`")

    coarse: dict[str, str] = {}
    for key, node, line in _mapping(path, top["coarse"][0], "coarse"):
        if not key.isdigit():
            fail(path, line, f"coarse key {key!r} is not a number", "number the coarse classes 1, 2, ...")
        coarse[key] = _name(path, node, f"coarse.{key}")

    fine: dict[str, list[tuple[str, str]]] = {key: [] for key in coarse}
    for group, node, line in _mapping(path, top["fine"][0], "fine"):
        if group not in coarse:
            fail(path, line, f"fine group {group!r} is not a coarse class", f"use one of {', '.join(coarse)}")
        for key, name_node, key_line in _mapping(path, node, f"fine.{group}"):
            if not key.isdigit() and key != UNCERTAIN:
                fail(path, key_line, f"fine key {group}.{key} is neither a number nor {UNCERTAIN}", "fix the key")
            fine[group].append((key, _name(path, name_node, f"fine.{group}.{key}")))

    classes: list[VocabularyClass] = []
    for group, coarse_name in coarse.items():
        coarse_id = f"{PREFIX}:{group}_{coarse_name}"
        classes.append(VocabularyClass(id=coarse_id, label=coarse_name.replace("-", " ")))
        for key, name in fine[group]:
            classes.append(
                VocabularyClass(
                    id=f"{PREFIX}:{group}-{key}_{name}",
                    label=name.replace("-", " "),
                    parents=(coarse_id,),
                    flags=("uncertain",) if key == UNCERTAIN else (),
                )
            )
    return build(SPEC, source_of(UPSTREAM, [path]), classes)


SPEC = VocabularySpec(
    name="sonyc-ust",
    prefix=PREFIX,
    iri_prefix="https://dcase.community/challenge2019/task-urban-sound-tagging#",
    title="SONYC Urban Sound Tagging (SONYC-UST) taxonomy",
    default_paths=("sonyc_ust/dcase-ust-taxonomy.yaml",),
    read=read,
)
