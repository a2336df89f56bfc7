"""Discogs400: the 400 music styles of Essentia's ``genre_discogs400-discogs-effnet-1.json``, as a 2-level taxonomy.

Each published class is ``Genre---Style`` (e.g. "Blues---Chicago Blues"). The reader makes a class for
every genre (15 of them, e.g. "Blues") and one for every style, whose parent is its genre.

Id rule (reversible and stable): ``Discogs400:`` followed by the published string with every space
written "_" and every other character that a CURIE cannot hold unencoded (non-ASCII letters; "_" and "%"
themselves) percent-encoded as UTF-8; letters, digits and ``-.~!$&'()*+,;=@/`` stay as they are.
:func:`published_name` turns an id back into the published string:

* style "Blues---Chicago Blues" -> ``Discogs400:Blues---Chicago_Blues``, label "Chicago Blues";
* genre "Folk, World, & Country" -> ``Discogs400:Folk,_World,_&_Country``, label "Folk, World, & Country";
* style "Latin---Forró" -> ``Discogs400:Latin---Forr%C3%B3``, label "Forró".

Percent-encoding is needed: sssom-py's parser silently drops every mapping whose CURIE holds a non-ASCII
character. Styles keep the model's output order, and each genre comes just before its first style.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from uts.vocabularies._read import (
    build,
    check_id,
    decode_name,
    encode_name,
    expect_paths,
    fail,
    model_classes,
    source_of,
)
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "Discogs400"
SEPARATOR = "---"
UPSTREAM = (
    "https://essentia.upf.edu/models/classification-heads/genre_discogs400/genre_discogs400-discogs-effnet-1.json"
)


def class_id(published: str) -> str:
    """The CURIE of a published genre or ``Genre---Style`` string.

    >>> class_id("Funk / Soul---P.Funk")
    'Discogs400:Funk_/_Soul---P.Funk'
    """
    return f"{PREFIX}:{encode_name(published)}"


def published_name(curie: str) -> str:
    """The published string a Discogs400 CURIE stands for (the inverse of :func:`class_id`).

    >>> published_name("Discogs400:Blues---Rhythm_&_Blues")
    'Blues---Rhythm & Blues'
    >>> published_name("Discogs400:Latin---Forr%C3%B3")
    'Latin---Forró'
    """
    prefix, colon, local = curie.partition(":")
    if prefix != PREFIX or not colon:
        raise ValueError(f"{curie!r} is not a {PREFIX} CURIE")
    return decode_name(local)


def read(paths: Sequence[Path]) -> Vocabulary:
    """Read the model metadata JSON."""
    (path,) = expect_paths(paths, SPEC)
    classes: list[VocabularyClass] = []
    genres: set[str] = set()
    for index, published in enumerate(model_classes(path)):
        where = f"key 'classes'[{index}] ({published!r})"
        genre, separator, style = published.partition(SEPARATOR)
        genre, style = genre.strip(), style.strip()
        if not separator or not genre or not style or SEPARATOR in style:
            fail(path, 0, f"{where} is not of the form 'Genre---Style'", "write every class as 'Genre---Style'")
        if published != f"{genre}{SEPARATOR}{style}":
            fail(path, 0, f"{where} has spaces around '---' or at its ends", "write 'Genre---Style' without them")
        check_id(path, 0, encode_name(published), f"fix {where}")
        if genre not in genres:
            genres.add(genre)
            classes.append(VocabularyClass(id=class_id(genre), label=genre))
        classes.append(VocabularyClass(id=class_id(published), label=style, parents=(class_id(genre),)))
    return build(SPEC, source_of(UPSTREAM, [path]), classes)


SPEC = VocabularySpec(
    name="discogs400",
    prefix=PREFIX,
    iri_prefix=f"{UPSTREAM}#",
    title="Discogs400 music styles (Essentia genre_discogs400 model)",
    default_paths=("essentia_models/genre_discogs400-discogs-effnet-1.json",),
    read=read,
)
