"""Signs that a file which decoded is still corrupt, reported as warnings (the text is kept).

Two kinds: less audio data than the header declares (a truncated copy or download), and
samples that look like random bytes read as PCM: loud noise with a flat spectrum, which no
microphone records for long and which decodes to nothing or to nonsense.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

# Streamed WAV/AU headers (written before the length was known) declare 0xFFFFFFFF or a size
# just under 2 GiB: "unknown length", not a promise.
UNKNOWN_LENGTH = 0x7FFF0000
# libsndfile's log of a data chunk larger than the file: "data : 160000 (should be 19956)"
# (WAV, W64), " SSND : ..." (AIFF), "Data Size : ..." (AU).
_DATA_SHORTFALL = re.compile(r"^\s*(?:data|SSND|Data Size)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.M)
FRAME = 512  # samples per spectrum
WINDOW_SECONDS = 1.0  # audio judged at a time
LOUD_RMS = 0.1  # -20 dBFS; random 16-bit samples sit at -4.8 dBFS
FLAT = 0.8  # spectral flatness (1 = white noise; speech and room noise are far below 0.5)
NOISE_SHARE = 0.5  # warn when more of the audio than this is loud flat noise


def _truncation(declared_seconds: float, present_seconds: float) -> str:
    return (
        f"truncated file? its header declares {declared_seconds:.2f} s of audio, "
        f"it holds {present_seconds:.2f} s (decoded what is there)"
    )


@dataclass(frozen=True)
class Header:
    """What a file's header says, where libsndfile reads it."""

    seconds: float | None = None  # declared duration (corrected by libsndfile for WAV/AIFF/AU)
    sample_rate: int | None = None
    warning: str | None = None  # the data chunk is shorter than declared


def read_header(path: str | Path) -> Header:
    try:
        info = sf.info(str(path))
    except Exception:  # not a libsndfile format (mp3 on an old libsndfile, ...): nothing declared
        return Header()
    if not info.samplerate:
        return Header()
    seconds = info.frames / info.samplerate
    for declared, present in _DATA_SHORTFALL.findall(info.extra_info):
        declared, present = int(declared), int(present)
        if 0 < present < declared < UNKNOWN_LENGTH:
            warning = _truncation(seconds * declared / present, seconds)
            return Header(seconds, info.samplerate, warning)
    return Header(seconds, info.samplerate)


def length_warning(declared: float | None, decoded: float) -> str | None:
    """A warning when decoding gave clearly less audio than the header declared."""
    if declared is None or decoded >= declared * 0.99 - 0.05:
        return None
    return _truncation(declared, decoded)


def spectral_flatness(samples: np.ndarray, bins: int) -> float:
    """Geometric over arithmetic mean of the mean power spectrum's first `bins` bins (DC
    excluded): about 1 for white noise, near 0 for tonal sounds such as speech."""
    frames = samples[: len(samples) // FRAME * FRAME].reshape(-1, FRAME)
    power = np.mean(np.abs(np.fft.rfft(frames * np.hanning(FRAME), axis=1)) ** 2, axis=0)
    power = power[1 : max(2, bins)].astype(np.float64) + 1e-20
    return float(np.exp(np.mean(np.log(power))) / np.mean(power))


class NoiseMeter:
    """Fed a stream's audio block by block; says whether most of it is loud white noise.

    `band_hz`: the source's bandwidth (half its sample rate), so that audio resampled up from
    a lower rate is judged only where it has content."""

    def __init__(self, sample_rate: int, band_hz: float | None = None):
        self.window = int(WINDOW_SECONDS * sample_rate)
        band = min(band_hz or sample_rate / 2, sample_rate / 2)
        self.bins = int(0.9 * band / sample_rate * FRAME)
        self._buffer = np.zeros(0, np.float32)
        self.noise_samples = 0
        self.samples = 0

    def add(self, block: np.ndarray) -> None:
        self._buffer = np.concatenate([self._buffer, np.asarray(block, np.float32)])
        while len(self._buffer) >= self.window:
            self._judge(self._buffer[: self.window])
            self._buffer = self._buffer[self.window :]

    def _judge(self, samples: np.ndarray) -> None:
        self.samples += len(samples)
        if len(samples) < 4 * FRAME or np.sqrt(np.mean(samples**2)) < LOUD_RMS:
            return
        if spectral_flatness(samples, self.bins) > FLAT:
            self.noise_samples += len(samples)

    def warning(self) -> str | None:
        """Judge what is left, then a warning when loud flat noise is most of the audio."""
        if len(self._buffer):
            self._judge(self._buffer)
            self._buffer = self._buffer[:0]
        if not self.samples or self.noise_samples <= NOISE_SHARE * self.samples:
            return None
        share = self.noise_samples / self.samples
        return (
            f"{share:.0%} of the audio is loud white noise, as random bytes give: "
            "corrupt data or a wrong format? (the transcript is unreliable)"
        )
