"""What the recogniser returns: text with timed, scored words."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from asr.ctc.decoding import TokenSequence
from asr.tokens import Vocabulary


@dataclass(frozen=True)
class Word:
    word: str
    start: float  # seconds from the start of the stream
    end: float
    conf: float  # mean posterior of the word's characters, 0..1


@dataclass(frozen=True)
class Result:
    text: str
    words: list[Word] = field(default_factory=list)
    is_final: bool = False
    start: float = 0.0  # segment start/end in seconds from the start of the stream
    end: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def tokens_to_words(
    tokens: TokenSequence,
    vocabulary: Vocabulary,
    step_seconds: float,
    offset_steps: int = 0,
    audio_seconds: float | None = None,
) -> list[Word]:
    """Group characters into words; a word spans its first to its last character's step.

    Letters emitted during the silence padded after the audio would put a word's end past the
    end of the file: times are capped at `audio_seconds`."""
    words: list[Word] = []
    chars: list[str] = []
    steps: list[int] = []
    probs: list[float] = []

    def close() -> None:
        if chars:
            start = (offset_steps + steps[0]) * step_seconds
            end = (offset_steps + steps[-1] + 1) * step_seconds
            if audio_seconds is not None and end > audio_seconds:
                end = max(audio_seconds, step_seconds)
                start = min(start, end - step_seconds)
            words.append(
                Word(
                    word="".join(chars),
                    # plain floats: decoders may hand numpy scalars
                    start=round(float(max(0.0, start)), 3),
                    end=round(float(end), 3),
                    conf=round(float(sum(probs) / len(probs)), 3),
                )
            )
        chars.clear(), steps.clear(), probs.clear()

    for token, step, prob in zip(tokens.ids, tokens.frames, tokens.probs):
        if token == vocabulary.space:
            close()
            continue
        chars.append(vocabulary.symbols[token])
        steps.append(step)
        probs.append(prob)
    close()
    return words


def make_result(
    tokens: TokenSequence,
    vocabulary: Vocabulary,
    step_seconds: float,
    start_step: int,
    steps: int,
    audio_seconds: float,
    is_final: bool,
) -> Result:
    """The result of `steps` model steps from `start_step` on. The silence padded after the
    audio is decoded too, but no time (word or segment) is reported past `audio_seconds`."""
    words = tokens_to_words(tokens, vocabulary, step_seconds, start_step, audio_seconds)
    return Result(
        text=" ".join(w.word for w in words),
        words=words,
        is_final=is_final,
        start=round(float(start_step * step_seconds), 3),
        end=round(float(min((start_step + steps) * step_seconds, audio_seconds)), 3),
    )
