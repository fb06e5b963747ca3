"""A word list for vocabulary-constrained decoding: the beam search may only spell words of it.

The words are kept sorted, so the words that begin with a prefix are one slice `[lo, hi)`,
found by bisection inside the slice of the prefix one letter shorter: a beam prefix carries its
slice and each new letter narrows it. `lookahead` gives the best LM unigram score of the
words in a slice, which the beam search charges an unfinished word so that it competes fairly
with hypotheses whose words the LM has already scored.
"""

from __future__ import annotations

import gzip
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import numpy as np

from asr.ctc.lm import BOS, EOS, LN10, UNK, NgramLm

SPECIAL_WORDS = frozenset({BOS, EOS, UNK})
_AFTER_ALL = "\U0010ffff"  # sorts after every character a word can hold


def default_lexicon_path() -> Path:
    """The English word list shipped next to the default model (see data/cards/lm.md)."""
    return Path(str(resources.files("asr") / "models" / "default-lexicon.txt.gz"))


def read_word_list(path: str | Path) -> list[str]:
    """One word per line, plain or gzipped; blank lines and `#` comments skipped."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            return [w for w in (line.strip() for line in handle) if w and not w.startswith("#")]
    except (OSError, UnicodeDecodeError, EOFError) as error:
        raise ValueError(f"{path}: not a readable word list ({error})") from error


class Lexicon:
    """A sorted, de-duplicated word list with prefix slices and LM lookahead scores."""

    def __init__(self, words: Iterable[str], lm: NgramLm | None = None):
        self.words = sorted({w for w in words if w and w not in SPECIAL_WORDS})
        if not self.words:
            raise ValueError("a vocabulary needs at least one word")
        self.full = (0, len(self.words))
        self.scores = self._unigram_scores(lm)
        # Beam prefixes repeat the same word beginnings on every path: slices and lookaheads
        # are computed once per prefix (the hot path of the beam search).
        self._slices: dict[str, tuple[int, int]] = {}
        self._best: dict[tuple[int, int], float] = {}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        lo = bisect_left(self.words, word)
        return lo < len(self.words) and self.words[lo] == word

    def narrow(self, span: tuple[int, int], prefix: str) -> tuple[int, int]:
        """The slice of the words that begin with `prefix`, inside `span` (the slice of a
        shorter prefix of it); empty (lo == hi) when no word does. Cached: the cache holds at
        most the lexicon's prefixes and their first letters past a word, whatever is decoded."""
        if span[0] >= span[1]:  # no word begins with a shorter prefix (an open vocabulary)
            return span
        cached = self._slices.get(prefix)
        if cached is None:
            lo, hi = span
            lo = bisect_left(self.words, prefix, lo, hi)
            hi = bisect_right(self.words, prefix + _AFTER_ALL, lo, hi)
            cached = self._slices[prefix] = (lo, hi)
        return cached

    def is_word(self, span: tuple[int, int], prefix: str) -> bool:
        """Whether `prefix` (whose slice is `span`) is itself a word: it sorts first."""
        return span[0] < span[1] and self.words[span[0]] == prefix

    def lookahead(self, span: tuple[int, int]) -> float:
        """The best natural-log unigram score of the words in `span` (0 without an LM)."""
        lo, hi = span
        if hi <= lo:
            return -math.inf
        best = self._best.get(span)
        if best is None:
            best = self._best[span] = float(self.scores[lo:hi].max())
        return best

    def best_word(self, span: tuple[int, int]) -> str:
        """The likeliest word of `span` by unigram score (shorter first on ties)."""
        lo, hi = span
        scores = self.scores[lo:hi]
        best = np.flatnonzero(scores == scores.max())
        return min((self.words[lo + i] for i in best), key=len)

    def _unigram_scores(self, lm: NgramLm | None) -> np.ndarray:
        """Each word's natural-log unigram probability, as `lm.score` gives it (a word outside
        the LM: its share of `<unk>`); zeros without an LM."""
        if lm is None:
            return np.zeros(len(self.words))
        lm.add_lexicon(self.words)
        by_id = np.full(lm.size, lm.unk_log10)
        by_id[lm.tables[0].keys] = lm.tables[0].log10_prob
        ids = np.array([lm.ids.get(w, -1) for w in self.words])
        outside = lm.unk_log10 * LN10 + lm.lexicon_share
        return np.where(ids >= 0, by_id[np.maximum(ids, 0)] * LN10, outside)


def vocabulary_words(
    base: Iterable[str] = (), lm: NgramLm | None = None, extra: Iterable[str] = ()
) -> set[str]:
    """The words a decoder may output: a word list, the LM's words and hotwords."""
    words = set(base) | set(extra)
    if lm is not None:
        words |= {w for w in lm.vocab if w not in SPECIAL_WORDS}
    return words


SYSTEM_WORD_LISTS = (
    Path("/usr/share/dict/american-english-large"),  # Debian wamerican-large (SCOWL)
    Path("/usr/share/dict/british-english-large"),  # Debian wbritish-large (SCOWL)
)
# The SCOWL licence asks for this notice in every copy: it heads the shipped word list.
SCOWL_NOTICE = """Words from SCOWL (Debian wamerican-large, wbritish-large), Copyright 2000-2011 by
Kevin Atkinson. Permission to use, copy, modify, distribute and sell these word lists, the
associated scripts, the output created from the scripts, and its documentation for any purpose
is hereby granted without fee, provided that the above copyright notice appears in all copies
and that both that copyright notice and this permission notice appear in supporting
documentation. Kevin Atkinson makes no representations about the suitability of this array for
any purpose. It is provided "as is" without express or implied warranty."""
LETTERS = tuple("abcdefghijklmnopqrstuvwxyz")  # spelled letters are words ("p i t t s")


def build_word_list(lists: Iterable[str | Path], keep_possessives: bool = False) -> list[str]:
    """Words of word lists through the shared normaliser (lower case, accents folded), those
    that stay one word in the 29-symbol alphabet, plus the single letters. Possessives ("dog's")
    are left out unless asked: a list derives one for almost every noun, and the LM's text
    brings the common ones."""
    from asr.tokens import normalize_text

    words = set(LETTERS)
    for path in lists:
        for entry in read_word_list(path):
            word = normalize_text(entry)
            if not word or " " in word or word.startswith("'") or word.endswith("'"):
                continue
            if word.endswith("'s") and not keep_possessives:
                continue
            words.add(word)
    return sorted(words)


def write_word_list(path: Path, words: Iterable[str], header: str = "") -> None:
    """One word per line after `#` header lines, gzipped (reproducibly) when the name ends in
    .gz; written atomically."""
    from asr.fileio import atomic_write

    lines = [f"# {line}" for line in header.splitlines()] + list(words)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if Path(path).suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    atomic_write(path, lambda tmp: tmp.write_bytes(data))
