"""Endpointing: when does an utterance end? Rules on CTC output, as in sherpa-onnx/Kaldi.

Silence is measured as model steps since the last emitted (non-blank) token, so it needs no
separate voice-activity detector and it is the same in every front end.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EndpointConfig:
    enabled: bool = True
    # Rule 1: after some text, this much trailing silence ends the utterance.
    trailing_silence_after_speech: float = 0.8
    # Rule 2: with no text at all, this much silence resets the state (no final is emitted).
    silence_timeout: float = 5.0
    # Rule 3: an utterance never grows longer than this.
    max_utterance: float = 20.0


def endpoint_reached(
    config: EndpointConfig, has_text: bool, trailing_silence: float, utterance_length: float
) -> bool:
    if not config.enabled:
        return False
    if has_text and trailing_silence >= config.trailing_silence_after_speech:
        return True
    if not has_text and trailing_silence >= config.silence_timeout:
        return True
    return utterance_length >= config.max_utterance
