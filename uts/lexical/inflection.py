"""English inflection of normalised label keys: the one rule set the importer, the label index and the resolver use.

The rules are deliberately plain suffix rules: a candidate form is only ever *looked up* among real labels,
so a wrong candidate ("bus" -> "bu") costs a dictionary miss, never a wrong match. Irregular plurals
("mice") come from the ``inflect`` dictionary, which the importer asks for and the resolver's hot path does not.
Irregular verbs ("spoke", "said") come from ``irregular_verbs.toml``, curated beside this module, and serve both
directions: :func:`base_forms` offers their lemma, :func:`verb_forms` lists them.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

_VOWELS = frozenset("aeiou")
IRREGULAR_VERBS_FILE = Path(__file__).with_name("irregular_verbs.toml")


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
    >>> base_forms("spoke"), base_forms("said")
    (['speak'], ['say'])
    """
    out = singulars(key)
    lemma = _irregular()[1].get(key)
    if lemma is not None:
        out.append(lemma)
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


def verb_forms(lemma: str) -> list[str]:
    """Every form of a verb's normalised lemma, the lemma first: third person, ``-ing``, ``-ed`` and the
    irregular forms. Where a spelling rule is unsure (doubling a final consonant) both spellings are listed; the
    forms are only ever looked up, so a spelling no one writes costs nothing.

    >>> verb_forms("speak")
    ['speak', 'speaks', 'speaking', 'speaked', 'spoke', 'spoken']
    >>> verb_forms("explode"), verb_forms("fry")
    (['explode', 'explodes', 'exploding', 'exploded'], ['fry', 'frys', 'fries', 'frying', 'fryed', 'fried'])
    >>> verb_forms("drop")
    ['drop', 'drops', 'droping', 'dropping', 'droped', 'dropped']
    """
    out = [lemma, lemma + "s"]
    if lemma.endswith(("s", "x", "z", "ch", "sh", "o")):
        out.append(lemma + "es")
    consonant_y = len(lemma) > 2 and lemma.endswith("y") and lemma[-2] not in _VOWELS
    if consonant_y:
        out.append(lemma[:-1] + "ies")
    # A short final syllable may double its consonant ("drop" -> "dropped"; not "visit" -> "visited").
    last = lemma[-1:]
    double = len(lemma) >= 3 and last not in _VOWELS and last not in "wxy" and lemma[-2] in _VOWELS
    double = double and lemma[-3] not in _VOWELS
    if lemma.endswith("ie"):
        out.append(lemma[:-2] + "ying")
    elif lemma.endswith("e") and not lemma.endswith("ee") and len(lemma) > 2:
        out.append(lemma[:-1] + "ing")
    else:
        out.append(lemma + "ing")
    if double:
        out.append(lemma + last + "ing")
    if lemma.endswith("e"):
        out.append(lemma + "d")
    else:
        out.append(lemma[:-1] + "ied" if consonant_y else lemma + "ed")
        if consonant_y:
            out.insert(-1, lemma + "ed")
    if double:
        out.append(lemma + last + "ed")
    out += _irregular()[0].get(lemma, ())
    return list(dict.fromkeys(out))


def inflections(word: str) -> list[str]:
    """The word and every form it may take as a noun or a verb (plurals, then :func:`verb_forms`).

    >>> inflections("water")[:4]
    ['water', 'waters', 'wateres', 'watering']
    """
    return list(dict.fromkeys([word, *plurals(word), *verb_forms(word)]))


@cache
def _irregular(path: Path = IRREGULAR_VERBS_FILE) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The curated irregular verbs: lemma -> its irregular forms, and each form that is not also a lemma -> its
    lemma ("hit" stays "hit")."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    forms = {lemma: tuple(f for f in found if f != lemma) for lemma, found in data.items()}
    lemmas = {f: lemma for lemma, found in forms.items() for f in found if f not in forms}
    return forms, lemmas


@cache
def _inflect_engine() -> Any:
    import inflect

    return inflect.engine()
