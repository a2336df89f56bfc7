"""English inflection of normalised label keys: the one rule set the importer, the label index and the resolver use.

The rules are deliberately plain suffix rules: a candidate form is only ever *looked up* among real labels,
so a wrong candidate ("bus" -> "bu") costs a dictionary miss, never a wrong match. Irregular plurals
("mice") come from the ``inflect`` dictionary, which the importer asks for and the resolver's hot path does not.
"""

from __future__ import annotations

from functools import cache
from typing import Any

_VOWELS = frozenset("aeiou")


def singulars(key: str, *, dictionary: bool = False) -> list[str]:
    """Singular candidates of a normalised key, most specific rule first; never the key itself.

    With ``dictionary`` the irregular singular from ``inflect`` comes first (``mice`` -> ``mouse``).

    >>> singulars("sirens"), singulars("bodies"), singulars("boxes"), singulars("bass")
    (['siren'], ['body', 'bodi', 'bodie'], ['box', 'boxe'], [])
    >>> singulars("geese", dictionary=True)[0]
    'goose'
    """
    out: list[str] = []
    if dictionary:
        singular = _inflect_engine().singular_noun(key)
        if isinstance(singular, str) and singular != key:
            out.append(singular)
    if key.endswith("ies") and len(key) > 4:
        out.append(key[:-3] + "y")
    if key.endswith("es") and len(key) > 3:
        out.append(key[:-2])
    if key.endswith("s") and not key.endswith("ss") and len(key) > 3:
        out.append(key[:-1])
    # The suffix rules never repeat a form; only the dictionary's singular can equal one of them.
    return list(dict.fromkeys(out)) if dictionary else out


def base_forms(key: str) -> list[str]:
    """Singulars, then verb stems of ``-ing``/``-ed`` forms, of a normalised key that is not itself a label.

    >>> base_forms("barking"), base_forms("trotting"), base_forms("muffled")[:2], base_forms("sirens")
    (['bark', 'barke'], ['trott', 'trotte', 'trot'], ['muffl', 'muffle'], ['siren'])
    """
    out = singulars(key)
    for suffix in ("ing", "ed"):
        stem = key[: -len(suffix)]
        if key.endswith(suffix) and len(stem) >= 3 and any(ch in _VOWELS for ch in stem):
            out += [stem, stem + "e"]
            if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS and stem[-1] not in "sl":
                out.append(stem[:-1])
    return out


def plurals(word: str) -> list[str]:
    """Plural spellings of a word, for the last word of multiword labels ("church bell" -> "church bells").

    >>> plurals("bell"), plurals("body")
    (['bells', 'belles'], ['bodys', 'bodyes', 'bodies'])
    """
    out = [word + "s", word + "es"]
    if word.endswith("y") and len(word) > 2:
        out.append(word[:-1] + "ies")
    return out


@cache
def _inflect_engine() -> Any:
    import inflect

    return inflect.engine()
