"""Build a word n-gram ARPA model from text: interpolated Kneser-Ney (one discount per order,
D = n1 / (n1 + 2 n2)), count pruning, capped vocabulary. numpy only.

Every line goes through the project's `normalize_text`, so the LM's words are spelled exactly as
the recogniser writes them. N-grams are packed into int64 keys (word ids in base V) and counted
with `np.unique`, which keeps a few million words of text within seconds and a few hundred MB.

Pruning keeps n-grams (order >= 2) seen at least `min_counts[n]` times, plus the contexts of
kept longer n-grams; the probabilities of kept n-grams are their interpolated KN values, and the
backoff weights are recomputed so every context's distribution still sums to one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr.ctc.lm import BOS, EOS, UNK, format_arpa_line, open_text
from asr.fileio import atomic_write
from asr.tokens import normalize_text

LOG10_ZERO = -99.0


@dataclass
class _Order:
    keys: np.ndarray  # sorted int64 n-gram keys
    prob: np.ndarray  # interpolated probability p(w | h), float64
    raw: np.ndarray  # raw counts
    keep: np.ndarray  # bool
    bow: np.ndarray | None = None  # log10 backoff weight of the n-gram as a context


def normalized_lines(lines: Iterable[str]) -> Iterable[list[str]]:
    for line in lines:
        words = normalize_text(line).split()
        if words:
            yield words


def _vocabulary(sentences: list[list[str]], max_vocab: int) -> list[str]:
    counts = Counter(word for words in sentences for word in words)
    kept = [word for word, _ in counts.most_common(max_vocab)]
    return [BOS, EOS, UNK, *sorted(kept)]


def _encode(sentences: list[list[str]], vocab: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All sentences as one id array (each wrapped in <s> ... </s>) and each id's sentence."""
    ids = {word: index for index, word in enumerate(vocab)}
    unk, bos, eos = ids[UNK], ids[BOS], ids[EOS]
    flat: list[int] = []
    which: list[int] = []
    for number, words in enumerate(sentences):
        flat.append(bos)
        flat.extend(ids.get(w, unk) for w in words)
        flat.append(eos)
        which.extend([number] * (len(words) + 2))
    return np.array(flat, np.int64), np.array(which, np.int64)


def _ngram_keys(encoded: tuple[np.ndarray, np.ndarray], n: int, size: int) -> np.ndarray:
    """All n-gram keys of order n within sentences (the start is padded by a single <s>)."""
    ids, sentence = encoded
    span = len(ids) - n + 1
    if span <= 0:
        return np.zeros(0, np.int64)
    key = np.zeros(span, np.int64)
    for offset in range(n):
        key = key * size + ids[offset : offset + span]
    return key[sentence[:span] == sentence[n - 1 :]]


def _discount(adjusted: np.ndarray) -> float:
    n1, n2 = int(np.sum(adjusted == 1)), int(np.sum(adjusted == 2))
    if n1 == 0 or n2 == 0:
        return 0.5
    return min(0.95, max(0.05, n1 / (n1 + 2 * n2)))


def _lookup(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Positions of `queries` in sorted `keys` (all must be present)."""
    where = np.searchsorted(keys, queries)
    assert np.all(keys[np.minimum(where, len(keys) - 1)] == queries), "missing lower-order n-gram"
    return where


def build_arpa(
    lines: Iterable[str],
    order: int = 3,
    min_counts: tuple[int, ...] = (1, 1, 2),
    max_vocab: int = 50000,
    written: bool = True,
) -> tuple[list[str], list[_Order]]:
    """Estimate the model; returns the vocabulary and one `_Order` per n-gram order. Lines go
    through the text normaliser, unless `written=False` (words that are not English spelling,
    such as phoneme codes: split on spaces only)."""
    if written:
        sentences = list(normalized_lines(lines))
    else:
        sentences = [words for words in (line.split() for line in lines) if words]
    vocab = _vocabulary(sentences, max_vocab)
    size = len(vocab)
    if size**order >= 2**62:
        raise ValueError("vocabulary too large for this order")
    encoded = _encode(sentences, vocab)
    bos = vocab.index(BOS)
    raw_keys = [_ngram_keys(encoded, n, size) for n in range(1, order + 1)]
    counted = [np.unique(keys, return_counts=True) for keys in raw_keys]

    # Adjusted (continuation) counts: how many distinct words precede the n-gram, except for
    # the highest order and n-grams that start with <s> (nothing can precede them).
    adjusted = []
    for n in range(1, order + 1):
        keys, raw = counted[n - 1]
        if n == order:
            adjusted.append(raw.astype(np.float64))
            continue
        higher = counted[n][0] % size**n  # suffix of each (n+1)-gram type
        suffixes, left = np.unique(higher, return_counts=True)
        value = np.zeros(len(keys), np.float64)
        value[_lookup(keys, suffixes)] = left
        starts_bos = keys // size ** (n - 1) == bos
        value[starts_bos] = raw[starts_bos]
        adjusted.append(value)

    orders: list[_Order] = []
    # Unigrams: discounted continuation counts interpolated with the uniform distribution.
    keys, raw = counted[0]
    unigram = np.zeros(size, np.float64)
    unigram[keys] = adjusted[0]
    unigram[bos] = 0.0
    discount = _discount(unigram)
    total = unigram.sum()
    seen = np.count_nonzero(unigram)
    prob = np.maximum(unigram - discount, 0) / total + discount * seen / total / (size - 1)
    prob[bos] = 0.0
    raw_all = np.zeros(size, np.int64)
    raw_all[keys] = raw
    orders.append(_Order(np.arange(size, dtype=np.int64), prob, raw_all, np.ones(size, bool)))

    for n in range(2, order + 1):
        keys, raw = counted[n - 1]
        count = adjusted[n - 1]
        discount = _discount(count)
        context, inverse = np.unique(keys // size, return_inverse=True)
        context_total = np.bincount(inverse, weights=count)
        context_types = np.bincount(inverse)
        lower = orders[-1].prob[_lookup(orders[-1].keys, keys % size ** (n - 1))]
        gamma = discount * context_types / context_total
        prob = np.maximum(count - discount, 0) / context_total[inverse] + gamma[inverse] * lower
        keep = raw >= min_counts[min(n, len(min_counts)) - 1]
        orders.append(_Order(keys, prob, raw, keep))

    # Prefix closure: the context of a kept n-gram must exist (it carries the backoff weight).
    for n in range(order, 1, -1):
        kept_contexts = np.unique(orders[n - 1].keys[orders[n - 1].keep] // size)
        lower = orders[n - 2]
        lower.keep[_lookup(lower.keys, kept_contexts)] = True
    _backoff_weights(orders, size)
    return vocab, orders


def _backoff_weights(orders: list[_Order], size: int) -> None:
    """bow(h) = (1 - sum of kept p(w|h)) / (1 - sum of the lower-order p(w|h') for those w)."""
    for n in range(1, len(orders)):
        lower, higher = orders[n - 1], orders[n]
        lower.bow = np.zeros(len(lower.keys), np.float64)
        keys, prob = higher.keys[higher.keep], higher.prob[higher.keep]
        if len(keys) == 0:
            continue
        below = orders[n - 1].prob[_lookup(orders[n - 1].keys, keys % size**n)]
        context, inverse = np.unique(keys // size, return_inverse=True)
        numerator = 1.0 - np.bincount(inverse, weights=prob)
        denominator = 1.0 - np.bincount(inverse, weights=below)
        ratio = np.maximum(numerator, 1e-12) / np.maximum(denominator, 1e-12)
        lower.bow[_lookup(lower.keys, context)] = np.log10(ratio)


def write_arpa(path: Path, vocab: list[str], orders: list[_Order]) -> list[int]:
    """Write the kept n-grams (gzip for .gz, atomically); returns the n-gram count per order."""
    counts = [int(np.sum(o.keep)) for o in orders]
    atomic_write(
        path,
        lambda tmp: _write_arpa(tmp, str(path).endswith(".gz"), vocab, orders, counts),
    )
    return counts


def _write_arpa(
    path: Path, gzipped: bool, vocab: list[str], orders: list[_Order], counts: list[int]
) -> None:
    size = len(vocab)
    bos, eos = vocab.index(BOS), vocab.index(EOS)
    with open_text(path, "wt", gzipped) as out:
        out.write("\\data\\\n")
        for n, count in enumerate(counts, 1):
            out.write(f"ngram {n}={count}\n")
        for n, table in enumerate(orders, 1):
            out.write(f"\n\\{n}-grams:\n")
            rows = np.flatnonzero(table.keep)
            logs = np.log10(np.maximum(table.prob[rows], 1e-99))
            for row, log_prob in zip(rows, logs):
                key = int(table.keys[row])
                words = [vocab[(key // size**p) % size] for p in range(n - 1, -1, -1)]
                if n == 1 and key == bos:
                    log_prob = LOG10_ZERO
                bow = None
                if table.bow is not None:
                    bow = float(table.bow[row])
                    if n == 1 and key == eos:
                        bow = None
                out.write(format_arpa_line(float(log_prob), words, bow) + "\n")
        out.write("\n\\end\\\n")


def read_text_lines(paths: Iterable[Path]) -> Iterable[str]:
    """Lines of text files, or the "text" field of JSONL manifests (by suffix)."""
    import json

    for path in paths:
        with open_text(path) as handle:
            if str(path).removesuffix(".gz").endswith(".jsonl"):
                for line in handle:
                    if line.strip():
                        text = json.loads(line).get("text")
                        if text:
                            yield text
            else:
                yield from handle


def perplexity(lm, sentences: Iterable[list[str]]) -> float:
    """Per-word perplexity (sentence ends counted as words)."""
    total = words = 0
    for sentence in sentences:
        total += lm.sentence_logprob(sentence)
        words += len(sentence) + 1
    return math.exp(-total / max(words, 1))
