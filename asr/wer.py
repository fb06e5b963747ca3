"""WER and CER with jiwer, after the shared normaliser (phoneme codes as they are), never
clamped.

jiwer refuses empty references; an empty reference is scored here by hand (every hypothesis word
is an insertion), so a test set with silent clips still gets an honest number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jiwer
from rapidfuzz.distance import Levenshtein

from asr.tokens import normalize_text


@dataclass(frozen=True)
class ErrorCounts:
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0
    reference_length: int = 0

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        """Errors / reference length; can exceed 1. An empty reference with errors is inf."""
        if self.reference_length == 0:
            return 0.0 if self.errors == 0 else float("inf")
        return self.errors / self.reference_length

    def __add__(self, other: ErrorCounts) -> ErrorCounts:
        return ErrorCounts(
            self.substitutions + other.substitutions,
            self.deletions + other.deletions,
            self.insertions + other.insertions,
            self.reference_length + other.reference_length,
        )


def _counts(reference: str, hypothesis: str, units, process) -> ErrorCounts:
    """`units` splits a text into what is counted (words or characters); `process` is jiwer's
    aligner for those units."""
    if not reference:
        return ErrorCounts(insertions=len(units(hypothesis)))
    length = len(units(reference))
    if not hypothesis:
        return ErrorCounts(deletions=length, reference_length=length)
    out = process(reference, hypothesis)
    return ErrorCounts(out.substitutions, out.deletions, out.insertions, length)


Normaliser = Callable[[str], str]


def _as_is(text: str) -> str:
    """For transcripts that are not written English (phoneme codes): spaces tidied only."""
    return " ".join(text.split())


def word_errors(
    reference: str, hypothesis: str, normalise: Normaliser = normalize_text
) -> ErrorCounts:
    return _counts(normalise(reference), normalise(hypothesis), str.split, jiwer.process_words)


def char_errors(
    reference: str, hypothesis: str, normalise: Normaliser = normalize_text
) -> ErrorCounts:
    """Character edits on the normalised text, spaces included (as jiwer's CER)."""
    return _counts(normalise(reference), normalise(hypothesis), list, jiwer.process_characters)


def edit_distance(reference: Sequence, hypothesis: Sequence) -> int:
    """Levenshtein distance between two sequences of any hashable items (words, letters, token
    ids), by rapidfuzz: the library jiwer itself aligns with."""
    return Levenshtein.distance(reference, hypothesis)


def _total(
    references: Sequence[str], hypotheses: Sequence[str], counter, written: bool
) -> ErrorCounts:
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    normalise = normalize_text if written else _as_is
    total = ErrorCounts()
    for reference, hypothesis in zip(references, hypotheses):
        total = total + counter(reference, hypothesis, normalise)
    return total


def wer(references: Sequence[str], hypotheses: Sequence[str], written: bool = True) -> float:
    """Corpus word error rate: total errors / total reference words. `written=False` scores
    transcripts that are not written English (phoneme codes) as they are."""
    return _total(references, hypotheses, word_errors, written).rate


def cer(references: Sequence[str], hypotheses: Sequence[str], written: bool = True) -> float:
    """Corpus character error rate on normalised text (`written=False`: as they are)."""
    return _total(references, hypotheses, char_errors, written).rate
