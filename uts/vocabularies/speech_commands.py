"""Speech Commands (v0.01): the 30 words, read from the folder part of ``testing_list.txt`` and ``validation_list.txt``.

Each line of the lists is ``word/speaker_nohash_N.wav``. Ids are ``SpeechCommands:`` followed by the
word (``SpeechCommands:yes``), which is also the label; classes are sorted alphabetically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from uts.vocabularies._read import build, check_id, expect_paths, fail, read_text, source_of
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "SpeechCommands"
UPSTREAM = "https://arxiv.org/abs/1804.03209"


def _words(path: Path) -> set[str]:
    words: set[str] = set()
    for number, raw in enumerate(read_text(path).splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        word, slash, _ = line.partition("/")
        if not slash:
            fail(path, number, f"{line!r} has no folder part", "write each line as word/file.wav")
        if not word:
            fail(path, number, f"{line!r} has an empty folder part", "write each line as word/file.wav")
        words.add(check_id(path, number, word, "name the word folder without spaces"))
    return words


def read(paths: Sequence[Path]) -> Vocabulary:
    """Read the test and validation lists; their words together are the vocabulary."""
    checked = expect_paths(paths, SPEC)
    words: set[str] = set()
    for path in checked:
        words |= _words(path)
    classes = [VocabularyClass(id=f"{PREFIX}:{word}", label=word) for word in sorted(words)]
    return build(SPEC, source_of(UPSTREAM, checked), classes)


SPEC = VocabularySpec(
    name="speech-commands",
    prefix=PREFIX,
    iri_prefix="https://www.tensorflow.org/datasets/catalog/speech_commands#",
    title="Speech Commands v0.01",
    default_paths=("speech_commands/testing_list.txt", "speech_commands/validation_list.txt"),
    read=read,
)
