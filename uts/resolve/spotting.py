"""Labels in a caption: one left-to-right pass over its words, longest label first, with negation, hedging and
imitation.

The words inside a multiword label count too ("man speaking" also says man and speaking, as a one-word tagger
would list them); event words name their concepts ("a man speaks": speech); an imitation cue says its act
("mimics": a vocalization) and makes what it governs imitated; the content words no label covers are what the
encoder sees, in runs of at most three.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from uts.lexical import normalise
from uts.lexical.stemming import SNOWBALL
from uts.resolve.events import EVENT_SCORE, EventWords
from uts.resolve.index import UNSPACED, Hit, LexicalIndex, reads_as_english
from uts.resolve.model import Method
from uts.resolve.senses import (
    Chooser,
    SenseForm,
    SenseLinks,
    SenseMention,
    SenseTable,
    one_sense_per_caption,
    sense_clause,
)
from uts.resolve.text import Lexicon, Scopes, Tokens, cue_scopes

HAS_LETTER = re.compile(r"[^\W\d_]")
MAX_PHRASE_WORDS = 3  # the longest run of uncovered words sent to the encoder as one phrase


@dataclass(slots=True)
class Mention:
    """One place a caption names a concept (before levels, merging and ranking)."""

    concept: str
    method: Method
    score: float
    start: int
    end: int
    text: str
    negated: bool
    hedged: bool
    imitated: bool = False


@dataclass(slots=True)
class Spotted:
    """The mentions of a caption, and per token whether a label or cue covers it, and whether it is negated,
    hedged or imitated (what the embedding stage needs for the rest)."""

    mentions: list[Mention]
    covered: list[bool]
    negated: list[bool]
    hedged: list[bool]
    imitated: list[bool]


def clause_ends(keys: list[str]) -> list[int]:
    """For each token, the index where its clause ends (the next punctuation token, whose key is empty), so that
    no label crosses punctuation.

    >>> clause_ends(["dog", "barks", "", "cat"])
    [2, 2, 2, 4]
    """
    n = len(keys)
    out = [n] * n
    end = n
    for j in range(n - 1, -1, -1):
        if not keys[j]:
            end = j
        out[j] = end
    return out


class Spotter:
    """Finds the labels of a lexical index, and the event words of a lexicon, in tokenized captions; ``lookup``
    answers single words (the resolver passes its cached lookup, which knows the event words)."""

    def __init__(
        self,
        index: LexicalIndex,
        lexicon: Lexicon,
        lookup: Callable[[str], Hit | None],
        *,
        nested: bool,
        events: EventWords | None = None,
        senses: SenseTable | None = None,
        chooser: Chooser | None = None,
    ) -> None:
        self.index = index
        self.lexicon = lexicon
        self.lookup = lookup
        self.nested = nested
        self.events = events if events is not None else EventWords(index, lexicon)
        self.senses = senses
        self.chooser = chooser  # the encoder's reading of an ambiguous word that no cue decides
        self.sense_bounds = lexicon.sense_clause_end  # words past which no cue counts
        # What ties a repeated ambiguous word to its other mentions ("the hum returns"), or unties it ("the hum of").
        self.sense_links = SenseLinks(lexicon.sense_back_reference, lexicon.sense_repetition, lexicon.sense_own_source)
        # Words that are never evidence on their own and never start an encoder phrase.
        self.skip = lexicon.stopwords | lexicon.cue_words | lexicon.caption_framing
        # Concepts a single caption word is no evidence of: the framing words ("the audio depicts a setting").
        self.framing = frozenset(index.words[k] for k in lexicon.caption_framing if k in index.words)
        self.not_evidence = self.framing
        self.act = index.words.get(normalise(lexicon.imitation_act))
        # Labels in other languages of three Latin letters or fewer ("SE", Japanese for a sound effect) are words of
        # some other language in running text ("se oye"): as a raw tag they count, in a caption they do not.
        self.short_foreign = frozenset(k for k in index.lang_of if len(k) <= 3 and k.isascii())
        # Whether a caption word names its concept through a label in another language while being an English word
        # itself ("piece" for French "pièce", "manner" for German "Männer"): there it is read as English only.
        self.lookalike: Callable[[str], bool] | None = (
            lru_cache(maxsize=65536)(self._english_lookalike) if index.lang_of else None
        )
        # What one word of running text names, those two rules applied (cached: captions repeat their words).
        self.in_text: Callable[[str], Hit | None] = lru_cache(maxsize=65536)(self._word_in_text)
        # The most words a label or event phrase starting with each word has.
        self.first_len = dict(index.first_len)
        for word, size in self.events.first_len.items():
            self.first_len[word] = max(size, self.first_len.get(word, 0))

    def _word_in_text(self, key: str) -> Hit | None:
        if key in self.short_foreign:
            return None
        hit = self.lookup(key)
        if hit is not None and self.lookalike is not None and self.lookalike(key):
            return self.index.lookup(key, english=True) or self.events.hit(key)
        return hit

    def _english_lookalike(self, key: str) -> bool:
        """A common English word ("piece"): frequency decides, not the dictionaries of the typo guard, which list
        rare loanwords too ("tambor" is in Webster's, yet a Spanish caption's drum); and a word the label's language
        uses clearly more than English does is that language's ("eau", "porte": :func:`reads_as_english`)."""
        lang = self.index.language(key) if key.isascii() else None
        if lang is None:
            return False
        from uts.matching.fuzzy import is_frequent_english

        return is_frequent_english(key) and (lang not in SNOWBALL or reads_as_english(key, lang))

    def spot(self, tokens: Tokens, text: str) -> Spotted:
        """Every label and event word in the tokens of ``text``, longest match first."""
        keys, starts, ends = tokens.keys, tokens.starts, tokens.ends
        n = len(keys)
        scopes = cue_scopes(keys, self.lexicon)
        negated, hedged, imitated, cues = scopes.negated, scopes.hedged, scopes.imitated, scopes.cues
        also = self.events.also
        covered = [False] * n
        mentions: list[Mention] = []
        seg_end = clause_ends(keys)
        sense_forms = self.senses.forms if self.senses is not None else None
        pending: list[tuple[int, int, SenseForm]] = []  # mentions of ambiguous words: (mention, token, senses)
        i = 0
        while i < n:
            if not keys[i] or i in cues:
                i += 1
                continue
            found = self._label_at(tokens, i, seg_end[i], negated)
            if found is None:
                i += 1
                continue
            hit, length, event_phrase = found
            if hit is None:  # a label in its caption-framing sense: no evidence, and nothing to embed
                covered[i] = True
                i += 1
                continue
            last = i + length - 1
            start, stop = starts[i], ends[last]
            if length == 1:
                neg, hed, imi = negated[i], hedged[i], imitated[i]
                if sense_forms:
                    entry = sense_forms.get(keys[i])
                    if entry is not None:
                        pending.append((len(mentions), i, entry))
                mentions.append(Mention(hit[0], hit[1], hit[2], start, stop, text[start:stop], neg, hed, imi))
                extra = also.get(keys[i]) if also else None
                if extra is not None:  # "talking" is talking, and speech
                    mentions.append(
                        Mention(extra, "inflection", EVENT_SCORE, start, stop, text[start:stop], neg, hed, imi)
                    )
                covered[i] = True
                i += 1
                continue
            neg, hed, imi = any(negated[i : last + 1]), any(hedged[i : last + 1]), any(imitated[i : last + 1])
            mentions.append(Mention(hit[0], hit[1], hit[2], start, stop, text[start:stop], neg, hed, imi))
            if self.nested:
                self._inner_mentions(
                    tokens, i, last, hit[0], scopes, mentions, event_phrase=event_phrase, pending=pending
                )
            covered[i : last + 1] = [True] * length
            i = last + 1
        for j in cues:
            covered[j] = True
        if scopes.acts and self.act is not None:
            for first, last in scopes.acts:  # "a man mimics a goat": the mimicking itself is heard
                start, stop = starts[first], ends[last]
                act = Mention(self.act, "inflection", EVENT_SCORE, start, stop, text[start:stop], negated[first],
                              hedged[first])  # fmt: skip
                mentions.append(act)
        if pending:
            mentions = self._senses(tokens, mentions, pending)
        return Spotted(mentions, covered, negated, hedged, imitated)

    def _senses(
        self, tokens: Tokens, mentions: list[Mention], pending: list[tuple[int, int, SenseForm]]
    ) -> list[Mention]:
        """Each ambiguous word's mention in the sense its context selects, then one sense per caption for a word
        said twice ("a hum plays ... and the hum returns"); those of a sense naming no concept go ("an engine
        running" names the engine alone).

        The caption's state is local to this call (the ``read`` list): the spotter is shared between threads."""
        assert self.senses is not None
        ambiguous = {m for m, _, _ in pending}
        music_ids = self.senses.music
        # Where the unambiguous mentions of music are ("Music plays, then metal clanks": none near the metal).
        music_at = [tokens.starts.index(m.start) for n, m in enumerate(mentions)
                    if n not in ambiguous and m.concept in music_ids]  # fmt: skip
        keys = tokens.keys
        read: list[SenseMention] = []  # each mention read alone, in the order of ``pending``
        for _, i, entry in pending:
            start, end = sense_clause(keys, i, self.sense_bounds)
            music = any(start <= j < end for j in music_at)
            choice = self.senses.choose(entry, keys, i, start, end, music=music, texts=tokens.texts,
                                        chooser=self.chooser, function_words=self.lexicon.stopwords)  # fmt: skip
            read.append(SenseMention(entry, i, start, end, music, choice))
        choices = one_sense_per_caption(keys, read, self.sense_links) if len(read) > 1 else [r.choice for r in read]
        dropped: set[int] = set()
        for (m, _, _), choice in zip(pending, choices, strict=True):
            if choice.concept is None:
                dropped.add(m)
            else:
                mentions[m].concept = choice.concept
        return [m for n, m in enumerate(mentions) if n not in dropped] if dropped else mentions

    def _label_at(
        self, tokens: Tokens, i: int, clause_end: int, negated: list[bool]
    ) -> tuple[Hit | None, int, bool] | None:
        """The longest label or event phrase starting at token ``i``, its length in tokens and whether it is an
        event phrase: a multiword label, an event phrase ("dropping water"), a one-word label written as two
        words ("bird song"), or one word ("non-" before it negates it). The hit is None for one word that is
        no evidence (a framing word); None for no label at all."""
        keys = tokens.keys
        key = keys[i]
        if _inside_katakana_word(keys, i, 1) and self.first_len.get(key, 0) < 2:
            return None  # no katakana label starts inside a katakana word ("ハッピー" holds no "ピー", beep)
        longest = min(self.first_len.get(key, 0), clause_end - i)
        if longest > 1:
            phrases, event_phrases = self.index.phrases, self.events.phrases
            for size in range(longest, 1, -1):
                words = tuple(keys[i : i + size])
                hit = phrases.get(words)
                if hit is not None and not _inside_katakana_word(keys, i, size):
                    return hit, size, False
                concept = event_phrases.get(words)
                if concept is not None:
                    return (concept, "inflection", EVENT_SCORE), size, True
        skip = self.skip
        if key in skip:
            return None
        lookalike = self.lookalike
        if i + 1 < clause_end and keys[i + 1] not in skip and not _inside_katakana_word(keys, i, 2):
            joined = key + keys[i + 1]
            concept_id = self.index.words.get(joined)
            if concept_id is not None and (lookalike is None or not lookalike(joined)):
                return (concept_id, "exact", 1.0), 2, False
        if _inside_katakana_word(keys, i, 1):
            return None
        hit = self.lookup(key) if lookalike is None else self.in_text(key)
        if hit is not None and hit[0] in self.not_evidence:
            return None, 1, False  # "sounds", "settings": framing words in another form
        if hit is None and key.startswith("non") and tokens.texts[i][3:4] == "-":
            hit = self.lookup(key[3:])
            if hit is not None:
                negated[i] = True
        return (hit, 1, False) if hit is not None else None

    def _inner_mentions(
        self,
        tokens: Tokens,
        first: int,
        last: int,
        concept_id: str,
        scopes: Scopes,
        out: list[Mention],
        *,
        event_phrase: bool = False,
        pending: list[tuple[int, int, SenseForm]] | None = None,
    ) -> None:
        """The words inside a multiword label that name other concepts ("man speaking": man, speaking; "people
        talking": person, talking, speech). Inside an event phrase only labels count ("geese honking": goose)."""
        keys, skip, not_evidence = tokens.keys, self.skip, self.not_evidence
        lookup = self.index.lookup if event_phrase else self.lookup
        also = {} if event_phrase else self.events.also
        negated, hedged, imitated = scopes.negated, scopes.hedged, scopes.imitated
        sense_forms = self.senses.forms if self.senses is not None else None
        lookalike = self.lookalike
        for j in range(first, last + 1):
            word = keys[j]
            if word in skip or len(word) < 3:
                continue
            sub = self.index.lookup(word, english=True) if lookalike is not None and lookalike(word) else lookup(word)
            flags = negated[j], hedged[j], imitated[j]
            span = tokens.starts[j], tokens.ends[j], tokens.texts[j]
            if sub is not None and sub[0] != concept_id and sub[0] not in not_evidence:
                entry = sense_forms.get(word) if sense_forms is not None else None
                if entry is not None and pending is not None:
                    pending.append((len(out), j, entry))
                out.append(Mention(*sub, *span, *flags))
            extra = also.get(word)
            if extra is not None and extra != concept_id:
                out.append(Mention(extra, "inflection", EVENT_SCORE, *span, *flags))

    def uncovered(self, tokens: Tokens, covered: list[bool]) -> list[tuple[int, int]]:
        """Runs of content words (at most three) that no label covers, as first and last token: the only text
        of a caption the encoder sees (never Chinese or Japanese characters: the encoder reads English)."""
        out: list[tuple[int, int]] = []
        run: list[int] = []
        skip = self.skip
        keys = tokens.keys

        def flush() -> None:
            for k in range(0, len(run), MAX_PHRASE_WORDS):
                chunk = run[k : k + MAX_PHRASE_WORDS]
                if len(chunk) > 1 or len(keys[chunk[0]]) >= 4:
                    out.append((chunk[0], chunk[-1]))
            run.clear()

        for j, key in enumerate(keys):
            if not key or covered[j] or key in skip or not HAS_LETTER.search(key) or UNSPACED.match(key):
                if run:
                    flush()
                continue
            run.append(j)
        if run:
            flush()
        return out


def _katakana(key: str) -> bool:
    return len(key) == 1 and "\u30a0" <= key <= "\u30ff"


def _inside_katakana_word(keys: Sequence[str], i: int, size: int) -> bool:
    """Whether tokens ``i`` to ``i + size`` are katakana characters (a Japanese word written in katakana is one
    run of them) with more katakana before or after: a label matched there is part of a longer word."""
    if not all(_katakana(k) for k in keys[i : i + size]):
        return False
    return (i > 0 and _katakana(keys[i - 1])) or (i + size < len(keys) and _katakana(keys[i + size]))


__all__ = ["HAS_LETTER", "Mention", "Spotted", "Spotter", "clause_ends"]
