"""From the matches of one input to its :class:`Resolution`: one entry per concept, best first.

Asserted beats hedged, then score, then how often the input names the concept, then where it first does; a
concept only ever negated goes to ``negated``, one only ever imitated (and not negated) to ``imitated``, never to
``tags``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from uts.resolve.model import Abstention, Match, Resolution

HEDGE_FACTOR = 0.6  # a hedged mention ranks below an asserted one of the same method


def rank(
    matches: Iterable[Match], abstained: Sequence[Abstention], top_k: int | None = None, min_score: float = 0.0
) -> Resolution:
    """The matches of one input merged per concept and ranked, cut at ``min_score`` and ``top_k`` (and counted).

    >>> dog = Match("UTS:1", "dog", 1.0, "exact", (0, 3), "dog")
    >>> cat = Match("UTS:2", "cat", 0.6, "exact", (4, 7), "cat", hedged=True)
    >>> rank([cat, dog, dog], [], top_k=1).to_json()["tags"][0]["count"]
    2
    """
    asserted: dict[str, Match] = {}
    denied: dict[str, list[Match]] = {}
    imitations: dict[str, list[Match]] = {}
    repeated: dict[str, list[Match]] = {}
    for m in matches:
        if m.negated:
            denied.setdefault(m.id, []).append(m)
        elif m.imitated:
            imitations.setdefault(m.id, []).append(m)
        else:
            first = asserted.get(m.id)
            if first is None:
                asserted[m.id] = m
            else:  # the same object may come twice: a tag repeated in one batch
                repeated.setdefault(m.id, [first]).append(m)
    if repeated:
        tags = [merge(repeated[i]) if i in repeated else m for i, m in asserted.items()]
    else:
        tags = list(asserted.values())
    if len(tags) > 1:
        tags.sort(key=_order)
    negated: list[Match] = []
    if denied:
        negated = [merge(ms) for i, ms in denied.items() if i not in asserted]
        negated.sort(key=_start)
    imitated: list[Match] = []
    if imitations:
        imitated = [merge(ms) for i, ms in imitations.items() if i not in asserted and i not in denied]
        imitated.sort(key=_start)
    below = beyond = 0
    if min_score > 0:
        kept = [m for m in tags if m.score >= min_score]
        below = len(tags) - len(kept)
        tags = kept
    if top_k is not None and len(tags) > top_k:
        beyond = len(tags) - top_k
        tags = tags[:top_k]
    return Resolution(tuple(tags), tuple(negated), tuple(abstained), below, beyond, tuple(imitated))


def merge(mentions: Sequence[Match]) -> Match:
    """The matches of one concept as one: the best asserted one (else the best hedged one) stands for all."""
    if len(mentions) == 1:
        return mentions[0]
    sure = [m for m in mentions if not m.hedged]
    best = max(sure or mentions, key=lambda m: (m.score, -m.span[0]))
    return Match(
        best.id,
        best.label,
        best.score,
        best.method,
        best.span,
        best.text,
        best.negated,
        best.hedged,
        best.rolled_up_from,
        len(mentions),
        best.imitated,
        best.modifies,
        best.lang,
    )


def with_flags(m: Match, *, negated: bool, hedged: bool, imitated: bool | None = None) -> Match:
    """The match as said under a negation, hedging or imitation cue (``None``: as it was); hedging lowers the
    score once."""
    score = m.score * HEDGE_FACTOR if hedged and not m.hedged else m.score
    imitated = m.imitated if imitated is None else imitated
    return Match(
        m.id,
        m.label,
        score,
        m.method,
        m.span,
        m.text,
        negated,
        hedged,
        m.rolled_up_from,
        m.count,
        imitated,
        m.modifies,
        m.lang,
    )


def _order(m: Match) -> tuple[float, int, int]:
    return (-m.score, -m.count, m.span[0])


def _start(m: Match) -> int:
    return m.span[0]


__all__ = ["HEDGE_FACTOR", "merge", "rank", "with_flags"]
