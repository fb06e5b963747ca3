"""A word n-gram language model read from an ARPA file (plain or .gz): backoff scoring in pure
Python, natural-log scores for the beam search. No KenLM: it has no wheel on PyPI.

Scores are looked up once per (state, word) and cached, so the beam search pays a dict lookup
per completed word. A state is the tuple of the last `order - 1` word ids.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LN10 = math.log(10.0)
UNK, BOS, EOS = "<unk>", "<s>", "</s>"
# log10 probability of a word the ARPA file has no <unk> entry for.
DEFAULT_UNK_LOG10 = -7.0
CACHE_SIZE = 200_000

State = tuple[int, ...]


class LmError(Exception):
    """An ARPA file that cannot be read."""


def open_text(path: Path, mode: str = "rt"):
    """Plain or gzip text, by suffix."""
    if str(path).endswith(".gz"):
        return gzip.open(path, mode, encoding="utf-8")
    return open(path, mode, encoding="utf-8")


@dataclass(frozen=True)
class LmDefaults:
    """Decoder settings tuned for one LM, stored once in a JSON file next to it."""

    lm_weight: float = 0.5
    word_bonus: float = 1.0

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
        return cls(float(data["lm_weight"]), float(data["word_bonus"]))


class NgramLm:
    """Backoff n-gram model: `score(state, word) -> (natural-log prob, next state)`.

    Words outside the vocabulary score as `<unk>` plus `oov_penalty` (natural log), except the
    `known` words (hotwords), which get the `<unk>` probability alone.
    """

    def __init__(
        self,
        order: int,
        vocab: list[str],
        probs: list[dict[tuple[int, ...], float]],
        bows: list[dict[tuple[int, ...], float]],
        oov_penalty: float = -3.0,
    ):
        self.order = order
        self.vocab = vocab
        self.ids = {word: index for index, word in enumerate(vocab)}
        self.probs = probs  # probs[n - 1][ngram] = log10 p
        self.bows = bows  # bows[n - 1][ngram] = log10 backoff weight
        self.oov_penalty = oov_penalty
        self.known: set[str] = set()
        if UNK not in self.ids:
            self.ids[UNK] = len(self.vocab)
            self.vocab.append(UNK)
            self.probs[0][(self.ids[UNK],)] = DEFAULT_UNK_LOG10
        self.unk = self.ids[UNK]
        self._cache: dict[tuple[State, str], tuple[float, State]] = {}

    @property
    def ngram_counts(self) -> list[int]:
        return [len(table) for table in self.probs]

    def start(self) -> State:
        return (self.ids[BOS],) if BOS in self.ids and self.order > 1 else ()

    def _log10(self, context: State, word: int) -> float:
        """Backoff: the longest n-gram present, plus the backoff weights of longer contexts."""
        total = 0.0
        for begin in range(len(context) + 1):
            history = context[begin:]
            found = self.probs[len(history)].get((*history, word))
            if found is not None:
                return total + found
            if history:
                total += self.bows[len(history) - 1].get(history, 0.0)
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
            penalty = 0.0 if word in self.known else self.oov_penalty
        value = self._log10(state, index) * LN10 + penalty
        result = (value, (*state, index)[-(self.order - 1) :] if self.order > 1 else ())
        if len(self._cache) >= CACHE_SIZE:  # bounded over hours of audio
            self._cache.clear()
        self._cache[key] = result
        return result

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


def read_arpa(path: str | Path, oov_penalty: float = -3.0) -> NgramLm:
    """Read an ARPA file (optionally gzipped) into an `NgramLm`."""
    path = Path(path)
    if not path.is_file():
        raise LmError(f"{path}: language model not found")
    ids: dict[str, int] = {}
    vocab: list[str] = []
    probs: list[dict] = []
    bows: list[dict] = []
    order = 0
    section = 0
    try:
        with open_text(path) as handle:
            for number, raw in enumerate(handle, 1):
                line = raw.strip()
                if not line:
                    continue
                if line.startswith("\\"):
                    if line.endswith("-grams:"):
                        section = int(line[1:].split("-")[0])
                        order = max(order, section)
                        while len(probs) < section:
                            probs.append({}), bows.append({})
                    elif line == "\\end\\":
                        break
                    else:
                        section = 0
                    continue
                if section == 0:
                    continue
                fields = line.split()
                if len(fields) not in (section + 1, section + 2):
                    raise LmError(f"{path}:{number}: bad {section}-gram line")
                words = fields[1 : section + 1]
                key = []
                for word in words:
                    index = ids.get(word)
                    if index is None:
                        index = ids[word] = len(vocab)
                        vocab.append(word)
                    key.append(index)
                probs[section - 1][tuple(key)] = float(fields[0])
                if len(fields) == section + 2:
                    bows[section - 1][tuple(key)] = float(fields[-1])
    except (OSError, ValueError, EOFError) as error:
        raise LmError(f"{path}: not a readable ARPA file ({error})") from error
    if order == 0:
        raise LmError(f"{path}: no n-grams (not an ARPA file?)")
    return NgramLm(order, vocab, probs, bows, oov_penalty)


def format_arpa_line(log10_prob: float, words: Iterable[str], log10_bow: float | None) -> str:
    text = f"{log10_prob:.6f}\t{' '.join(words)}"
    return text if log10_bow is None else f"{text}\t{log10_bow:.6f}"
