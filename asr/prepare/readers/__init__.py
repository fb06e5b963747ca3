"""Readers for the speech containers of Debian game and voice packages.

Each reader module parses one container format with the standard library and numpy only (no
game engine), and yields `Clip`s: one spoken line each, with the text the package itself gives
for it (game text, file name or prompt list) when there is one. Decoding to 16 kHz FLAC,
labelling and filtering happen in `asr.prepare.human`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Clip:
    """One speech clip inside a package.

    `clip_id` is unique within its `source` and safe as a file name. `load()` returns
    `(samples, sample_rate)`: mono float32 at the clip's own rate. `text` is the package's own
    transcript (empty when it has none) and `text_kind` says where it came from: `game-text`,
    `filename` or `prompt-list`. `speaker` names the voice (a character, a pack, a narrator);
    `speaker_known` is False when several voices share the name, and such clips stay in train.
    """

    source: str
    clip_id: str
    speaker: str
    load: Callable[[], tuple[np.ndarray, int]] = field(compare=False, repr=False)
    text: str = ""
    text_kind: str = ""
    speaker_known: bool = True
    package: str = ""


def decode_bytes(data: bytes) -> tuple[np.ndarray, int]:
    """Decode an in-memory audio file (WAV, Ogg Vorbis, MP3, FLAC) to mono float32."""
    import soundfile as sf

    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return samples.mean(axis=1, dtype=np.float32), int(rate)


def decode_file(path) -> tuple[np.ndarray, int]:
    """Decode an audio file on disk to mono float32 at its own rate."""
    import soundfile as sf

    samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return samples.mean(axis=1, dtype=np.float32), int(rate)


def decode_unsigned_8bit(data: bytes) -> np.ndarray:
    """Unsigned 8-bit PCM → float32 in [-1, 1)."""
    return (np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
