"""A word n-gram language model read from an ARPA file (plain or .gz): backoff scoring in pure
Python and numpy, natural-log scores for the beam search. No KenLM: it has no wheel on PyPI.

Scores are looked up once per (state, word) and cached, so the beam search pays a dict lookup
per completed word. A state is the tuple of the last `order - 1` word ids.
"""

from __future__ import annotations

import gzip
import json
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LN10 = math.log(10.0)
UNK, BOS, EOS = "<unk>", "<s>", "</s>"
# log10 probability of a word the ARPA file has no <unk> entry for.
DEFAULT_UNK_LOG10 = -7.0
# A word outside every vocabulary is `<unk>` spelled out: each letter and the word's end cost
# ln(1/28) (26 letters, the apostrophe, the end), so one long out-of-vocabulary blob costs more
# than the words it glues together would, instead of one flat penalty whatever its length.
OOV_LETTER_LOG = -math.log(28.0)
CACHE_SIZE = 200_000

State = tuple[int, ...]


class LmError(Exception):
    """An ARPA file that cannot be read."""


def open_text(path: Path, mode: str = "rt", gzipped: bool | None = None):
    """Plain or gzip text, by suffix unless `gzipped` says (e.g. for a temporary file)."""
    if str(path).endswith(".gz") if gzipped is None else gzipped:
        return gzip.open(path, mode, encoding="utf-8")
    return open(path, mode, encoding="utf-8")


@dataclass(frozen=True)
class LmDefaults:
    """Decoder settings tuned for one LM, stored once in a JSON file next to it."""

    lm_weight: float = 0.5
    word_bonus: float = 1.0
    blank_penalty: float = 0.0

    @staticmethod
    def sidecar(lm_path: Path) -> Path:
        name = Path(lm_path).name
        for suffix in (".gz", ".arpa"):
            name = name.removesuffix(suffix)
        return Path(lm_path).with_name(name + ".json")

    @classmethod
    def for_lm(cls, lm_path: Path) -> LmDefaults:
        path = cls.sidecar(lm_path)
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text())
        return cls(
            float(data["lm_weight"]),
            float(data["word_bonus"]),
            float(data.get("blank_penalty", 0.0)),  # absent from files tuned before it existed
        )


@dataclass
class NgramTable:
    """One order's n-grams: sorted int64 keys (word ids in base V), log10 probs and backoffs."""

    keys: np.ndarray
    log10_prob: np.ndarray
    log10_bow: np.ndarray

    def find(self, key: int) -> int:
        """The row of `key`, or -1."""
        row = int(np.searchsorted(self.keys, key))
        return row if row < len(self.keys) and self.keys[row] == key else -1


class NgramLm:
    """Backoff n-gram model: `score(state, word) -> (natural-log prob, next state)`.

    Words outside the LM's vocabulary score as `<unk>` and then:
    - `known` words (hotwords): nothing more;
    - words of a decoding lexicon (`add_lexicon`): an even share of `<unk>` among them;
    - any other word: `OOV_LETTER_LOG` per letter and for its end, plus `oov_penalty`.
    Tables are numpy arrays (24 bytes per n-gram), so the shipped LM takes about 15 MB.
    """

    def __init__(self, vocab: list[str], tables: list[NgramTable], oov_penalty: float = 0.0):
        self.order = len(tables)
        self.vocab = vocab
        self.ids = {word: index for index, word in enumerate(vocab)}
        self.size = len(vocab)
        self.tables = tables  # tables[n - 1]: the n-grams
        self.oov_penalty = oov_penalty
        self.known: set[str] = set()
        self.lexicon_extra: frozenset[str] = frozenset()
        self.lexicon_share = 0.0
        self.unk = self.ids.get(UNK, -1)
        self._cache: dict[tuple[State, str], tuple[float, State]] = {}

    @property
    def unk_log10(self) -> float:
        """The unigram log10 probability of `<unk>`."""
        row = self.tables[0].find(self.unk) if self.unk >= 0 else -1
        return float(self.tables[0].log10_prob[row]) if row >= 0 else DEFAULT_UNK_LOG10

    def add_known(self, words: Iterable[str]) -> None:
        """Words (hotwords) scored as `<unk>` alone, without the cost of a non-word."""
        new = set(words) - self.known
        if new:
            self.known |= new
            self._cache.clear()  # cached scores of these words were a non-word's

    def add_lexicon(self, words: Iterable[str]) -> None:
        """Words a decoder may output beyond the LM's own: each gets an even share of the
        `<unk>` probability (ln 1/N) instead of the letter-by-letter cost of a non-word."""
        extra = frozenset(w for w in words if w not in self.ids)
        if extra != self.lexicon_extra:
            self.lexicon_extra = extra
            self.lexicon_share = -math.log(len(extra)) if extra else 0.0
            self._cache.clear()

    def oov_score(self, word: str) -> float:
        """What a word outside the LM adds to the `<unk>` score (natural log)."""
        if word in self.known:
            return 0.0
        if word in self.lexicon_extra:
            return self.lexicon_share
        return self.oov_penalty + OOV_LETTER_LOG * (len(word) + 1)

    @property
    def ngram_counts(self) -> list[int]:
        return [len(table.keys) for table in self.tables]

    def start(self) -> State:
        return (self.ids[BOS],) if BOS in self.ids and self.order > 1 else ()

    def _key(self, ids: tuple[int, ...]) -> int:
        key = 0
        for index in ids:
            key = key * self.size + index
        return key

    def _log10(self, context: State, word: int) -> float:
        """Backoff: the longest n-gram present, plus the backoff weights of longer contexts."""
        if word < 0:
            return DEFAULT_UNK_LOG10
        total = 0.0
        for begin in range(len(context) + 1):
            history = context[begin:]
            table = self.tables[len(history)]
            row = table.find(self._key((*history, word)))
            if row >= 0:
                return total + float(table.log10_prob[row])
            if history:
                lower = self.tables[len(history) - 1]
                row = lower.find(self._key(history))
                if row >= 0:
                    total += float(lower.log10_bow[row])
        return total + DEFAULT_UNK_LOG10

    def score(self, state: State, word: str) -> tuple[float, State]:
        key = (state, word)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        index = self.ids.get(word)
        penalty = 0.0
        if index is None:
            index = self.unk
            penalty = self.oov_score(word)
        value = self._log10(state, index) * LN10 + penalty
        next_state = (*state, max(index, 0))[-(self.order - 1) :] if self.order > 1 else ()
        if len(self._cache) >= CACHE_SIZE:  # bounded over hours of audio
            self._cache.clear()
        self._cache[key] = (value, next_state)
        return value, next_state

    def end(self, state: State) -> float:
        """Natural-log probability of the sentence end after `state`."""
        if EOS not in self.ids:
            return 0.0
        return self._log10(state, self.ids[EOS]) * LN10

    def sentence_logprob(self, words: Iterable[str]) -> float:
        """Natural-log probability of a whole sentence, `</s>` included."""
        state, total = self.start(), 0.0
        for word in words:
            value, state = self.score(state, word)
            total += value
        return total + self.end(state)


class _ArpaReader:
    """Reads ARPA lines into typed arrays as they come (no per-line objects are kept), so the
    shipped LM loads in about a second within a few tens of MB."""

    def __init__(self, path: Path):
        self.path = path
        self.vocab: list[str] = []
        self.ids: dict[str, int] = {}
        self.size = 0  # vocabulary size, fixed once the unigrams are read
        self.tables: list[tuple[array, array, array]] = []  # keys, log10 probs, log10 bows

    def section(self, n: int) -> None:
        if n != len(self.tables) + 1:
            raise LmError(f"{self.path}: {n}-grams out of order")
        if n == 2:
            self._close_unigrams()
        if n > 1 and self.size**n >= 2**63:
            raise LmError(f"{self.path}: vocabulary too large for order {n}")
        self.tables.append((array("q"), array("d"), array("d")))

    def _close_unigrams(self) -> None:
        if self.size:
            return
        if UNK not in self.ids:
            self.line([str(DEFAULT_UNK_LOG10), UNK])
        self.size = len(self.vocab)

    def line(self, fields: list[str]) -> None:
        n = len(self.tables)
        if len(fields) not in (n + 1, n + 2):
            raise LmError(f"{self.path}: bad {n}-gram line {' '.join(fields)!r}")
        if n == 1:
            key = self.ids.setdefault(fields[1], len(self.vocab))
            if key == len(self.vocab):
                self.vocab.append(fields[1])
        else:
            key = 0
            for word in fields[1 : n + 1]:
                key = key * self.size + self.ids[word]
        keys, probs, bows = self.tables[-1]
        keys.append(key)
        probs.append(float(fields[0]))
        bows.append(float(fields[n + 1]) if len(fields) == n + 2 else 0.0)

    def model(self, oov_penalty: float) -> NgramLm:
        self._close_unigrams()
        tables = []
        for keys, probs, bows in self.tables:
            key_array = np.frombuffer(keys, np.int64) if len(keys) else np.zeros(0, np.int64)
            order = np.argsort(key_array, kind="stable")
            tables.append(
                NgramTable(
                    key_array[order],
                    np.frombuffer(probs, np.float64)[order] if len(probs) else np.zeros(0),
                    np.frombuffer(bows, np.float64)[order] if len(bows) else np.zeros(0),
                )
            )
        return NgramLm(self.vocab, tables, oov_penalty)


def read_arpa(path: str | Path, oov_penalty: float = 0.0) -> NgramLm:
    """Read an ARPA file (optionally gzipped) into an `NgramLm`."""
    path = Path(path)
    if not path.is_file():
        raise LmError(f"{path}: language model not found")
    reader = _ArpaReader(path)
    in_section = False
    try:
        with open_text(path) as handle:
            for line in handle:
                if line.startswith("\\"):
                    line = line.strip()
                    in_section = line.endswith("-grams:")
                    if in_section:
                        reader.section(int(line[1:].split("-")[0]))
                    elif line == "\\end\\":
                        break
                elif in_section:
                    fields = line.split()
                    if fields:
                        reader.line(fields)
    except (OSError, ValueError, EOFError, KeyError) as error:
        raise LmError(f"{path}: not a readable ARPA file ({error!r})") from error
    if not reader.tables:
        raise LmError(f"{path}: no n-grams (not an ARPA file?)")
    return reader.model(oov_penalty)


def format_arpa_line(log10_prob: float, words: Iterable[str], log10_bow: float | None) -> str:
    text = f"{log10_prob:.6f}\t{' '.join(words)}"
    return text if log10_bow is None else f"{text}\t{log10_bow:.6f}"
