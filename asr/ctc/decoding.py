"""CTC decoding in numpy. Greedy decoding returns each emitted token's frame index, so callers
can turn tokens into timed words."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class TokenSequence:
    """Emitted (collapsed, blank-free) tokens with the model step and probability of each."""

    ids: list[int] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    probs: list[float] = field(default_factory=list)


class GreedyDecoder:
    """Incremental greedy CTC: feed log-prob chunks `[T, V]`; the result equals decoding the
    concatenation in one call."""

    def __init__(self, blank: int = 0):
        self.blank = blank
        self.reset()

    def reset(self) -> None:
        self.tokens = TokenSequence()
        self._previous = self.blank
        self._offset = 0

    @property
    def frames_seen(self) -> int:
        return self._offset

    def accept(self, log_probs: np.ndarray) -> None:
        if len(log_probs) == 0:
            return
        best = np.argmax(log_probs, axis=-1)
        previous = np.concatenate([[self._previous], best[:-1]])
        emit = np.nonzero((best != self.blank) & (best != previous))[0]
        for index in emit:
            self.tokens.ids.append(int(best[index]))
            self.tokens.frames.append(self._offset + int(index))
            self.tokens.probs.append(float(np.exp(log_probs[index, best[index]])))
        self._previous = int(best[-1])
        self._offset += len(log_probs)

    def finalize(self) -> TokenSequence:
        """The tokens at an endpoint (greedy has nothing left to decide)."""
        return self.tokens


def greedy_decode(log_probs: np.ndarray, blank: int = 0) -> TokenSequence:
    """Greedy CTC of a whole utterance `[T, V]`."""
    decoder = GreedyDecoder(blank)
    decoder.accept(log_probs)
    return decoder.tokens
