"""Regression: rolling up to a level picks the best-ranked parent, and rank 0 is the best rank, not a missing one.

At level 800, ``electro-funk`` (parents electronic, rank 0, and funk, rank 144) rolled up to funk, because the
parents were sorted by ``rank or 1 << 30``.
"""

from __future__ import annotations

import pytest

from uts.ontology import Concept, Level, Ontology, OntologyMetadata, load_ontology
from uts.resolve import Abstention, Match, Resolver


def test_electro_funk_rolls_up_to_electronic_at_800() -> None:
    uts = load_ontology()
    electro_funk, electronic, funk = (uts.lookup(t) for t in ("electro-funk", "electronic", "funk"))
    assert set(electro_funk.broader) == {electronic.id, funk.id}
    assert electronic.rank == 0
    result = Resolver(uts, "800", embed=False).resolve_tag("electro-funk")
    assert isinstance(result, Match)
    assert (result.id, result.label, result.rolled_up_from) == (electronic.id, "electronic", electro_funk.id)


def concept(number: int, label: str, rank: int | None = None, broader: tuple[int, ...] = ()) -> Concept:
    return Concept(
        id=f"UTS:{number:07d}",
        label=label,
        rank=rank,
        levels=Level.containing(rank) if rank is not None else (),
        broader=tuple(f"UTS:{b:07d}" for b in broader),
    )


@pytest.fixture(scope="module")
def family() -> Ontology:
    """Two in-level parents of one child, the better-ranked one with the higher ID (so ID order alone would lose),
    and a grandchild whose nearest in-level ancestor is nearer than a better-ranked one."""
    concepts = [
        concept(1, "pop", rank=5),
        concept(2, "music", rank=0),
        concept(3, "synthpop", broader=(1, 2)),  # both parents inside 800: music (rank 0) wins
        concept(4, "electropop", broader=(3,)),  # two steps up: the same answer
        concept(5, "style", rank=2000, broader=(2,)),  # outside 800 (in 3k), its parent music is inside
        concept(6, "chiptune pop", broader=(1, 5)),  # pop is one step up; music only two: pop wins
    ]
    metadata = OntologyMetadata(title="family", version="0", base_iri="https://example.org/", license="CC0-1.0")
    return Ontology(metadata=metadata, concepts={c.id: c for c in concepts})


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("synthpop", "music"), ("electropop", "music"), ("chiptune pop", "pop"), ("style", "music"), ("pop", "pop")],
)
def test_rollup_picks_the_nearest_then_best_ranked_parent(family: Ontology, tag: str, expected: str) -> None:
    result = Resolver(family, "800", embed=False).resolve_tag(tag)
    assert isinstance(result, Match)
    assert result.label == expected
    assert result.rolled_up_from == (None if tag == expected else family.lookup(tag).id)


def test_target_api_and_the_paper_rule(family: Ontology) -> None:
    resolver = Resolver(family, "800", embed=False)
    assert resolver.target("UTS:0000003") == ("UTS:0000002", "UTS:0000003")
    assert resolver.target("UTS:0000001") == ("UTS:0000001", None)
    assert Resolver(family, embed=False).target("UTS:0000003") == ("UTS:0000003", None)  # no level: itself
    paper = Resolver(family, "800", rollup=False, embed=False)
    assert paper.target("UTS:0000003") is None
    dropped = paper.resolve_tag("synthpop")
    assert isinstance(dropped, Abstention)
    assert dropped.reason == "synthpop is outside level 800"
