"""Word sense in running text: which concept, if any, an ambiguous word of a caption names.

"metal clanging" is the material, "a metal band" the genre; "an engine running" names no UTS concept, "a man
running" the running footsteps. The senses and their cues are curated data (``ontology/senses.tsv``, read into
``Ontology.senses``); this module only applies them, in the order the data model documents: the nearest cue word
(up to three words before or after the form, or anywhere in its clause), then the clause's domain (does it
speak of music?), then, only when a resolver sets ``sense_margin``, the encoder's reading of the words around the
form against each sense's definition, then the default sense.

Each mention is read alone first (:meth:`SenseTable.choose`); then the mentions of one word in one caption are read
together (:func:`one_sense_per_caption`; "one sense per discourse", Gale, Church & Yarowsky 1992), because a
caption that says a word twice mostly means one thing by it: "a soft annoying hum plays followed by a kid talking
and the hum returns" is one hum, though a kid talks in the second one's clause. The rule, strongest evidence first:

1. A mention decided by a cue within ``NEAR`` words keeps its sense: a word's neighbours say more about it than its
   caption does ("one sense per collocation", Yarowsky 1993), and a caption may well use a word in two senses ("a
   metal band plays and metal clangs"). So does a mention followed by "of": "the hum of a distant engine" names
   its source in its own words, however far off they reach.
2. A mention that refers back takes the sense of the nearest earlier mention of the word: a determiner right
   before it ("the hum", "this", "another"; not "that", mostly a relative pronoun in captions: "a device that
   hums"), or a word of repetition up to ``NEAR`` words from it in its clause ("hums again", "the hum returns",
   "continues to hum").
3. A mention decided by a cue far off in its clause (more than ``NEAR`` words away), or by the encoder, takes the
   sense the near cues of the word's other mentions agree on: a far cue in a clause joined by "and" mostly belongs
   to another source of it ("humming of an engine with a man speaking and distant humming").

Neither 2 nor 3 carries a sense of one domain into a clause of the other ("a rock band plays, a stone falls and the
rock lands" keeps the stone). A mention decided by its clause's domain or by the default takes another's sense only
by referring back: captions pair music with other sources ("a rock band plays while rocks tumble"), and a word
repeated with no evidence of its own is as often a word about another source, an adjective taking its sense from
the noun it qualifies ("high powered and high frequency humming"). The word lists of 1 and 2 are in the resolver's
lexicon (``sense_own_source``, ``sense_back_reference``, ``sense_repetition``).

Two forms whose senses name the same concepts are one word here ("hum", "humming"). Everything a caption's reading
needs lives in the :class:`SenseMention` list its spotter builds and drops: the table and the spotter are read-only
once built, so one resolver serves many threads.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from uts.lexical import inflections
from uts.ontology.model import Domain, SenseDomain, WordSense
from uts.ontology.ontology import Ontology
from uts.resolve.index import LexicalIndex, lexical_index

NEAR = 3  # how many words before or after the form a ``before``/``after`` cue may stand
WINDOW = 4  # how many words on each side of the form the encoder reads
SENSE_MARGIN = 0.05  # how much nearer one gloss must be than the next for the encoder to decide

Chooser = Callable[["SenseForm", str], "int | None"]
"""What the encoder makes of a form in context: the index of the sense it picks, or ``None`` when unsure."""


@dataclass(frozen=True, slots=True)
class SenseForm:
    """The senses of one ambiguous word, with its cue words (every inflected form of each) to sense indices."""

    form: str
    senses: tuple[WordSense, ...]
    concepts: tuple[str | None, ...]  # each sense's concept, None where it names none
    glosses: tuple[str, ...]  # what each sense means: its gloss, else its concept's definition, else its label
    before: dict[str, int]
    after: dict[str, int]
    context: dict[str, int]
    domains: dict[SenseDomain, int]
    default: int
    word: frozenset[tuple[str, str | None]]  # its senses (slug, concept): forms with the same senses are one word

    def index(self, sense: str) -> int | None:
        """The index of the sense with this slug, if the form has one."""
        return next((n for n, s in enumerate(self.senses) if s.sense == sense), None)


@dataclass(frozen=True, slots=True)
class Choice:
    """The sense picked for one mention, and what picked it: ``cue`` (a cue within ``NEAR`` words), ``clause`` (a
    cue further off in its clause), ``domain``, ``embedding``, ``default``, or ``caption`` (another mention of the
    word in the caption, by :func:`one_sense_per_caption`)."""

    concept: str | None
    sense: str
    by: str


@dataclass(frozen=True, slots=True)
class SenseMention:
    """One mention of an ambiguous word in a caption: its token ``i``, its clause (tokens ``start`` to ``end``,
    exclusive), whether that clause speaks of music, and the sense its own context selects."""

    entry: SenseForm
    i: int
    start: int
    end: int
    music: bool
    choice: Choice


@dataclass(frozen=True, slots=True)
class SenseLinks:
    """The words that tie a repeated mention to the word's other mentions in a caption (from the resolver's lexicon):
    a word of ``own_source`` right after it unties it ("the hum of an engine"); a ``back_reference`` right before it
    ("the hum") or a word of ``repetition`` up to ``NEAR`` words from it in its clause ("hums again") makes it refer
    back to the word's earlier mention."""

    back_reference: frozenset[str] = frozenset()
    repetition: frozenset[str] = frozenset()
    own_source: frozenset[str] = frozenset()

    def own(self, keys: Sequence[str], m: SenseMention) -> bool:
        """Whether mention ``m`` of the caption whose tokens are ``keys`` names its source in its own words."""
        return m.i + 1 < m.end and keys[m.i + 1] in self.own_source

    def refers_back(self, keys: Sequence[str], m: SenseMention) -> bool:
        """Whether mention ``m`` of the caption whose tokens are ``keys`` refers back to an earlier one."""
        i = m.i
        if i - 1 >= m.start and keys[i - 1] in self.back_reference:
            return True
        return any(
            j != i and keys[j] in self.repetition for j in range(max(m.start, i - NEAR), min(m.end, i + NEAR + 1))
        )


class SenseTable:
    """The senses of an ontology by every surface form of every ambiguous word; read-only once built.

    >>> from uts import load_ontology
    >>> from uts.resolve.index import lexical_index
    >>> from uts.resolve.text import tokenize
    >>> onto = load_ontology()
    >>> table = SenseTable(onto, lexical_index(onto))
    >>> keys = tokenize("metal clanging").keys
    >>> table.choose(table.forms["metal"], keys, 0, 0, len(keys), music=False).sense
    'material'
    """

    def __init__(self, ontology: Ontology, index: LexicalIndex) -> None:
        by_form: dict[str, list[WordSense]] = {}
        for sense in ontology.senses:
            by_form.setdefault(sense.form, []).append(sense)
        self.forms: dict[str, SenseForm] = {}
        for form, senses in sorted(by_form.items()):
            entry = _entry(ontology, form, senses)
            hit = index.lookup(form)
            for surface in inflections(form):
                # Only the forms that name what the word names ("plays", not "player"); a form that is the
                # label of another concept keeps that concept ("rocking" is no stone).
                other = index.lookup(surface)
                if surface == form or (other is not None and hit is not None and other[0] == hit[0]):
                    self.forms.setdefault(surface, entry)
        # Concepts whose mention says a caption speaks of music (music their only domain): "a song", "guitar".
        self.music = frozenset(
            c.id for c in ontology.concepts.values() if c.is_active and tuple(c.domains) == (Domain.MUSIC,)
        )

    def __len__(self) -> int:
        return len({f.form for f in self.forms.values()})

    def choose(
        self,
        entry: SenseForm,
        keys: Sequence[str],
        i: int,
        start: int,
        end: int,
        *,
        music: bool,
        texts: Sequence[str] | None = None,
        chooser: Chooser | None = None,
        function_words: frozenset[str] = frozenset(),
    ) -> Choice:
        """The sense of the form at token ``i`` of a clause spanning tokens ``start`` to ``end`` (exclusive).

        ``music`` says whether the clause speaks of music elsewhere; ``chooser`` (with the tokens' ``texts``)
        reads the words around the form when no cue and no domain decides. A cue among ``function_words`` ("a
        beat", "the drop") counts only right next to the form.
        """
        # The nearest cue decides (a cue next to the form before one in its clause); cues of two senses at the
        # same distance decide nothing.
        found: dict[tuple[int, int], set[int]] = {}
        for d in range(1, NEAR + 1):
            left, right = i - d, i + d
            if left >= start and keys[left] in entry.before and (d == 1 or keys[left] not in function_words):
                found.setdefault((d, 0), set()).add(entry.before[keys[left]])
            if right < end and keys[right] in entry.after and (d == 1 or keys[right] not in function_words):
                found.setdefault((d, 0), set()).add(entry.after[keys[right]])
        if entry.context:
            for j in range(start, end):
                if j != i and keys[j] in entry.context:
                    found.setdefault((abs(j - i), 1), set()).add(entry.context[keys[j]])
        if found:
            nearest = min(found)
            senses = found[nearest]
            if len(senses) == 1:
                return self._choice(entry, next(iter(senses)), "cue" if nearest[0] <= NEAR else "clause")
        domain = entry.domains.get(SenseDomain.MUSIC if music else SenseDomain.OTHER)
        if domain is not None:
            return self._choice(entry, domain, "domain")
        if chooser is not None and texts is not None:
            window = " ".join(t for t in texts[max(start, i - WINDOW) : min(end, i + WINDOW + 1)])
            picked = chooser(entry, window)
            if picked is not None:
                return self._choice(entry, picked, "embedding")
        return self._choice(entry, entry.default, "default")

    @staticmethod
    def _choice(entry: SenseForm, index: int, by: str) -> Choice:
        return Choice(entry.concepts[index], entry.senses[index].sense, by)


def one_sense_per_caption(keys: Sequence[str], mentions: Sequence[SenseMention], links: SenseLinks) -> list[Choice]:
    """The sense of each mention (in the order given) once the mentions of one word in one caption, whose tokens
    are ``keys``, are read together; the module docstring gives the rule and why. A pure function of its arguments:
    the caller's list is the caption's whole state.

    >>> from uts import load_ontology
    >>> from uts.resolve.index import lexical_index
    >>> from uts.resolve.text import tokenize
    >>> onto = load_ontology()
    >>> table = SenseTable(onto, lexical_index(onto))
    >>> keys = tokenize("a woman hums, then the humming stops").keys
    >>> def alone(i: int) -> SenseMention:
    ...     entry, (start, end) = table.forms[keys[i]], sense_clause(keys, i, frozenset())
    ...     return SenseMention(entry, i, start, end, False, table.choose(entry, keys, i, start, end, music=False))
    >>> read = [alone(2), alone(6)]  # "hums", "humming"
    >>> [(m.choice.sense, m.choice.by) for m in read]
    [('vocal', 'cue'), ('machine', 'default')]
    >>> [c.sense for c in one_sense_per_caption(keys, read, SenseLinks(back_reference=frozenset({"the"})))]
    ['vocal', 'vocal']
    """
    out = [m.choice for m in mentions]
    words: dict[frozenset[tuple[str, str | None]], list[int]] = {}
    for n, m in enumerate(mentions):
        words.setdefault(m.entry.word, []).append(n)
    for group in words.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda n: mentions[n].i)
        near = {mentions[n].choice.sense for n in group if mentions[n].choice.by == "cue"}
        agreed = next(iter(near)) if len(near) == 1 else None
        for k, n in enumerate(group):
            m = mentions[n]
            if m.choice.by == "cue" or links.own(keys, m):
                continue
            if k > 0 and links.refers_back(keys, m):
                sense: str | None = out[group[k - 1]].sense  # the nearest earlier mention, as already settled
            elif m.choice.by in ("clause", "embedding"):
                sense = agreed
            else:
                continue
            index = m.entry.index(sense) if sense is not None and sense != m.choice.sense else None
            if index is not None and _fits(m.entry.senses[index], m.music):
                out[n] = SenseTable._choice(m.entry, index, "caption")
    return out


def _fits(sense: WordSense, music: bool) -> bool:
    """Whether a sense may be read in a clause that does (or does not) speak of music: a sense tied to one domain
    never crosses into a clause of the other."""
    return sense.domain is None or sense.domain == (SenseDomain.MUSIC if music else SenseDomain.OTHER)


def _entry(ontology: Ontology, form: str, senses: list[WordSense]) -> SenseForm:
    def cues(kind: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for n, sense in enumerate(senses):
            for word in getattr(sense, kind):
                for surface in inflections(word):
                    out.setdefault(surface, n)
        return out

    concepts: list[str | None] = []
    glosses: list[str] = []
    for sense in senses:
        current = ontology.current(sense.concept_id) if sense.concept_id is not None else None
        concepts.append(current.id if current is not None else None)
        glosses.append(sense.gloss or (current.definition or current.label if current is not None else sense.sense))
    default = next((n for n, s in enumerate(senses) if s.default), 0)
    domains = {s.domain: n for n, s in enumerate(senses) if s.domain is not None}
    word = frozenset((s.sense, c) for s, c in zip(senses, concepts, strict=True))
    return SenseForm(form, tuple(senses), tuple(concepts), tuple(glosses), cues("before"), cues("after"),
                     cues("context"), domains, default, word)  # fmt: skip


class EmbeddingChooser:
    """The encoder's reading of an ambiguous word: the words around it against each sense's gloss (its concept's
    definition, or what the row says the word means), taken only when one sense wins by ``margin``.

    Glosses are encoded once per form; the windows of recent mentions are kept (a caption stream repeats itself).
    """

    def __init__(self, encode: Callable[[list[str]], Any], *, margin: float = SENSE_MARGIN, cache_size: int = 4096):
        self._encode = encode
        self.margin = margin
        self._glosses: dict[str, Any] = {}
        self._windows: OrderedDict[str, Any] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    def __call__(self, entry: SenseForm, window: str) -> int | None:
        glosses = self._glosses.get(entry.form)
        if glosses is None:
            glosses = self._glosses[entry.form] = self._encode(list(entry.glosses))
        with self._lock:
            vector = self._windows.get(window)
        if vector is None:
            vector = self._encode([window])[0]
            with self._lock:
                self._windows[window] = vector
                if len(self._windows) > self._size:
                    self._windows.popitem(last=False)
        scores = sorted(((float(glosses[n] @ vector), n) for n in range(len(entry.senses))), reverse=True)
        if len(scores) > 1 and scores[0][0] - scores[1][0] < self.margin:
            return None
        return scores[0][1]


_tables: weakref.WeakKeyDictionary[Ontology, SenseTable] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def sense_table(ontology: Ontology) -> SenseTable:
    """The one :class:`SenseTable` of this Ontology object, built on first call (like its lexical index)."""
    table = _tables.get(ontology)
    if table is None:
        with _lock:
            table = _tables.get(ontology)
            if table is None:
                table = _tables[ontology] = SenseTable(ontology, lexical_index(ontology))
    return table


def sense_clause(keys: Sequence[str], i: int, boundaries: frozenset[str]) -> tuple[int, int]:
    """The tokens whose words may cue the sense of token ``i``: its clause, bounded by punctuation and by words
    that start another clause ("a clock rocks while music plays": the music says nothing of the rocking).

    >>> sense_clause(["a", "clock", "rocks", "while", "music", "plays", "", "a"], 2, frozenset({"while"}))
    (0, 3)
    """
    start = i
    while start > 0 and keys[start - 1] and keys[start - 1] not in boundaries:
        start -= 1
    end = i + 1
    while end < len(keys) and keys[end] and keys[end] not in boundaries:
        end += 1
    return start, end


__all__ = [
    "NEAR",
    "SENSE_MARGIN",
    "WINDOW",
    "Choice",
    "Chooser",
    "EmbeddingChooser",
    "SenseForm",
    "SenseLinks",
    "SenseMention",
    "SenseTable",
    "one_sense_per_caption",
    "sense_clause",
    "sense_table",
]
