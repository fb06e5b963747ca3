"""The Vosk WebSocket server protocol, without any I/O: client frames in, reply dicts out.

Client → server: an optional text frame `{"config": {"sample_rate": 16000}}`, binary frames of
16-bit little-endian mono PCM, and a text frame `{"eof" : 1}` at the end. Server → client: one
reply per binary frame, `{"partial": "…"}` or, when an utterance ended in it,
`{"result": [{"conf", "end", "start", "word"}, …], "text": "…"}`; one result at eof.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from streaming.result import Result

# Rates the streaming resampler turns into model input; outside them the audio is nonsense.
MIN_SAMPLE_RATE = 4000
MAX_SAMPLE_RATE = 192000

# WebSocket close codes (RFC 6455 §7.4.1) used by the server.
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_INVALID_DATA = 1007
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013


class ProtocolError(Exception):
    """A reason to close one connection: the close code and a short reason for the client."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        # A close frame's reason must fit in 123 bytes of UTF-8.
        self.reason = reason.encode()[:123].decode(errors="ignore")


@dataclass(frozen=True)
class Config:
    """`{"config": {...}}`: only `sample_rate` matters; other Vosk keys are accepted and ignored."""

    sample_rate: int | None


@dataclass(frozen=True)
class Eof:
    """`{"eof": 1}`: the client has sent all its audio."""


def check_sample_rate(value: object) -> int:
    """The rate as an int, or `ProtocolError(1003)` for anything the resampler cannot use."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProtocolError(
            CLOSE_INVALID_DATA, f"bad config: sample_rate must be a number, not {value!r}"
        )
    if not math.isfinite(value) or value != int(value):
        raise ProtocolError(
            CLOSE_UNSUPPORTED_DATA, f"unsupported sample rate {value}: not an integer"
        )
    rate = int(value)
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise ProtocolError(
            CLOSE_UNSUPPORTED_DATA,
            f"unsupported sample rate {rate}: use {MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz",
        )
    return rate


def parse_text(text: str) -> Config | Eof:
    """A text frame → `Config` or `Eof`; `ProtocolError` for malformed or unknown messages."""
    try:
        message = json.loads(text)
    except ValueError as error:
        raise ProtocolError(CLOSE_INVALID_DATA, f"malformed JSON: {error}") from error
    if not isinstance(message, dict):
        raise ProtocolError(CLOSE_UNSUPPORTED_DATA, "unsupported message: expected a JSON object")
    if "eof" in message:
        return Eof()
    if "config" in message:
        config = message["config"]
        if not isinstance(config, dict):
            raise ProtocolError(CLOSE_INVALID_DATA, "bad config: expected an object")
        rate = config.get("sample_rate")
        return Config(None if rate is None else check_sample_rate(rate))
    raise ProtocolError(
        CLOSE_UNSUPPORTED_DATA, 'unsupported message: expected {"config": …} or {"eof": 1}'
    )


class PcmDecoder:
    """16-bit little-endian PCM bytes → float32 in [-1, 1). An odd trailing byte (a pipe read
    can split a sample) is kept for the next frame."""

    def __init__(self) -> None:
        self._carry = b""

    def decode(self, data: bytes) -> np.ndarray:
        if self._carry:
            data = self._carry + data
        usable = len(data) - len(data) % 2
        self._carry = data[usable:]
        return np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0


def partial_message(result: Result) -> dict:
    return {"partial": result.text}


def result_message(results: list[Result]) -> dict:
    """One Vosk result for the finals of one reply (several endpoints in one frame are joined)."""
    words = [word for result in results for word in result.words]
    return {
        "result": [
            {"conf": word.conf, "end": word.end, "start": word.start, "word": word.word}
            for word in words
        ],
        "text": " ".join(result.text for result in results if result.text),
    }
