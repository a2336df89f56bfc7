"""Event words: the verbs and phrases that name a sound event whose concept has no label of that word.

"A man speaks" names speech, "a bomb explodes" an explosion, "dropping water" a drip, though none of these words
is a label. The words and their concepts are curated in ``lexicon.toml`` (``[events]``); every form of each word
comes from the one inflection module (:func:`uts.lexical.inflections`), so that a caption's "spoke" and a raw
tag's "speaks" reach the concept by the same table. Labels always come first: a form that is a label keeps its
own concept, and says the event too only when the event is neither that concept nor one of its ancestors.
"""

from __future__ import annotations

from itertools import product

from uts.lexical import inflections, normalise
from uts.resolve.index import Hit, LexicalIndex
from uts.resolve.text import Lexicon

EVENT_SCORE = 0.95  # "speaks" surely names speech, but no label says so: a little under an inflected label


class EventWords:
    """The surface forms of a lexicon's event words, for one lexical index (built per resolver: a few thousand
    dictionary lookups).

    >>> from uts import load_ontology
    >>> from uts.resolve.index import lexical_index
    >>> from uts.resolve.text import load_lexicon
    >>> index = lexical_index(load_ontology())
    >>> events = EventWords(index, load_lexicon())
    >>> [index.label_of[events.words[w]] for w in ("speaks", "spoke", "said", "exploding")]
    ['speech', 'speech', 'speech', 'explosion']
    >>> index.label_of[events.phrases[("dropping", "water")]]
    'drip'
    >>> "talking" in events.also  # a label of speech itself since UTS 1.1.0: the label answers alone
    False
    """

    def __init__(self, index: LexicalIndex, lexicon: Lexicon) -> None:
        self.words: dict[str, str] = {}  # a form that is no label -> the event's concept
        self.also: dict[str, str] = {}  # a form that is a label of an unrelated concept -> the event, said too
        self.phrases: dict[tuple[str, ...], str] = {}  # several words, each in any form -> the event's concept
        self.first_len: dict[str, int] = {}  # the most words an event phrase starting with this word has
        self._broader = index.broader
        for words, label in lexicon.events:
            concept = index.words.get(normalise(label))
            if concept is None:  # an ontology without the concept (a test checks the bundled one has each)
                continue
            if len(words) == 1:
                for form in inflections(words[0]):
                    self._add_word(index, form, concept)
                continue
            forms = [(w,) if w in lexicon.stopwords else tuple(inflections(w)) for w in words]
            for phrase in product(*forms):
                self.phrases.setdefault(phrase, concept)
                self.first_len[phrase[0]] = max(self.first_len.get(phrase[0], 0), len(phrase))
                self._add_word(index, "".join(phrase), concept)  # a raw tag "dropping water" is one key

    def _add_word(self, index: LexicalIndex, form: str, concept: str) -> None:
        hit = index.lookup(form)
        if hit is None:
            self.words.setdefault(form, concept)
        elif hit[0] != concept and concept not in self._ancestors(hit[0]):
            self.also.setdefault(form, concept)

    def _ancestors(self, concept: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self._broader.get(concept, ()))
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(self._broader.get(c, ()))
        return seen

    def hit(self, key: str) -> Hit | None:
        """The event a normalised word or raw-tag key names, when no label does."""
        concept = self.words.get(key)
        return (concept, "inflection", EVENT_SCORE) if concept is not None else None


__all__ = ["EVENT_SCORE", "EventWords"]
