"""Audio input: any file soundfile (or librosa's fallback) can read → mono float32 at 16 kHz.

Long files are read in blocks and resampled with a streaming resampler, so memory stays bounded
whatever the length of the recording.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

TARGET_SAMPLE_RATE = 16000


class AudioError(Exception):
    """An audio file that cannot be used: unreadable, empty or with non-finite samples."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


# Integer PCM: (offset, scale) mapping its full range onto [-1, 1), as soundfile reads it.
PCM_SCALES = {
    np.dtype(np.int16): (0.0, 2.0**15),
    np.dtype(np.int32): (0.0, 2.0**31),
    np.dtype(np.uint8): (128.0, 2.0**7),
}


def to_float(samples: np.ndarray) -> np.ndarray:
    """Float samples as they are; int16/int32/uint8 PCM scaled to [-1, 1]; other dtypes refused.

    Without the scaling, int16 samples would be clipped to ±1 and decode as noise."""
    samples = np.asarray(samples)
    if samples.dtype.kind == "f":
        return samples.astype(np.float32, copy=False)
    if samples.dtype in PCM_SCALES:
        offset, scale = PCM_SCALES[samples.dtype]
        return (samples.astype(np.float32) - np.float32(offset)) / np.float32(scale)
    raise ValueError(
        f"unsupported sample type {samples.dtype}: pass float audio in [-1, 1] "
        "or int16/int32/uint8 PCM"
    )


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Mix a `[frames, channels]` (or 1-D) array down to a 1-D float32 array (see `to_float`)."""
    samples = to_float(samples)
    if samples.ndim == 2:
        samples = samples.mean(axis=1, dtype=np.float32)
    elif samples.ndim != 1:
        raise ValueError(f"expected 1-D or [frames, channels] audio, got shape {samples.shape}")
    return samples


class StreamingResampler:
    """Resample a stream of mono float32 chunks; chunk boundaries do not change the output."""

    def __init__(self, in_rate: int, out_rate: int = TARGET_SAMPLE_RATE):
        self.in_rate = int(in_rate)
        self.out_rate = int(out_rate)
        self._stream = (
            None
            if self.in_rate == self.out_rate
            else soxr.ResampleStream(self.in_rate, self.out_rate, 1, dtype="float32")
        )

    def process(self, samples: np.ndarray, last: bool = False) -> np.ndarray:
        samples = np.ascontiguousarray(samples, dtype=np.float32)
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples, last=last)


def _check_finite(path: str | Path, samples: np.ndarray) -> None:
    if not np.all(np.isfinite(samples)):
        raise AudioError(path, "audio contains NaN or infinite samples")


def audio_info(path: str | Path) -> tuple[int, float]:
    """(sample_rate, duration_seconds) of a file, without decoding it all when possible."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(path, "no such file")
    try:
        info = sf.info(str(path))
        return int(info.samplerate), float(info.frames) / float(info.samplerate)
    except Exception:
        samples = load_audio(path)
        return TARGET_SAMPLE_RATE, len(samples) / TARGET_SAMPLE_RATE


def iter_audio_blocks(
    path: str | Path, block_seconds: float = 10.0, sample_rate: int = TARGET_SAMPLE_RATE
) -> Iterator[np.ndarray]:
    """Yield mono float32 blocks at `sample_rate`, reading the file a block at a time."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(path, "no such file")
    if path.stat().st_size == 0:
        raise AudioError(path, "file is empty (0 bytes)")
    try:
        handle = sf.SoundFile(str(path))
    except Exception:
        # soundfile could not open it (e.g. an mp3 on an old libsndfile): librosa's fallback
        # decodes the whole file; fine for the formats that need it.
        samples = _load_with_librosa(path, sample_rate)
        for start in range(0, len(samples), int(block_seconds * sample_rate)):
            yield samples[start : start + int(block_seconds * sample_rate)]
        return
    total = 0
    with handle:
        resampler = StreamingResampler(handle.samplerate, sample_rate)
        block_frames = max(1, int(block_seconds * handle.samplerate))
        while True:
            try:
                block = handle.read(block_frames, dtype="float32", always_2d=True)
            except Exception as error:
                raise AudioError(path, f"cannot decode audio ({error})") from error
            last = len(block) < block_frames
            block = to_mono(block)
            _check_finite(path, block)
            out = resampler.process(block, last=last)
            total += len(block)
            if len(out):
                yield out
            if last:
                break
    if total == 0:
        raise AudioError(path, "audio has no samples")


def unreadable_reason() -> str:
    """Why a file could not be read, in the user's terms: the formats that can be."""
    import shutil

    common = [
        name for name in ("WAV", "FLAC", "OGG", "MP3", "AIFF") if name in sf.available_formats()
    ]
    others = (
        "ffmpeg could not decode it either"
        if shutil.which("ffmpeg")
        else "m4a, aac, wma and video files need ffmpeg (not installed)"
    )
    return (
        f"not a readable audio file (readable: {', '.join(common)} "
        f"and the other formats of libsndfile; {others})"
    )


def _load_with_librosa(path: Path, sample_rate: int) -> np.ndarray:
    import warnings

    import librosa

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            samples, _ = librosa.load(str(path), sr=sample_rate, mono=True)
    except Exception as error:
        raise AudioError(path, unreadable_reason()) from error
    if samples.size == 0:
        raise AudioError(path, "audio has no samples")
    _check_finite(path, samples)
    return samples.astype(np.float32)


def load_audio(path: str | Path, sample_rate: int = TARGET_SAMPLE_RATE) -> np.ndarray:
    """Whole file as mono float32 at `sample_rate` (16 kHz by default)."""
    blocks = list(iter_audio_blocks(path, sample_rate=sample_rate))
    if not blocks:
        raise AudioError(path, "audio has no samples")
    return np.concatenate(blocks)
