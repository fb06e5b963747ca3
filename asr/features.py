"""Log-mel features that stream exactly: numpy only (the mel filterbank comes from librosa).

There is no centre padding: frame `i` covers samples `[i*hop, i*hop + win)`. A streaming
extractor that keeps the samples not yet covered by a full frame therefore produces, for any
chunking of the input, the same frames as one call on the whole utterance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class FeatureConfig:
    sample_rate: int = 16000
    win_length: int = 400  # 25 ms
    hop_length: int = 160  # 10 ms
    n_mels: int = 80
    fmin: float = 20.0
    fmax: float = 7600.0
    log_floor: float = 1e-6
    # Frame stacking/subsampling: `stack` consecutive frames are concatenated, one output every
    # `stride` frames. A model setting: the network sees `n_mels * stack` features per step.
    stack: int = 3
    stride: int = 3
    # Kaldi-style dither: the standard deviation of a fixed noise added to every sample
    # (0 = off; 1e-3 is -60 dBFS). Digital silence otherwise puts every bin exactly on the log
    # floor, a constant input: 40 FSDD clips behind up to 0.3 s of digital silence could not
    # be memorised in 300 full-batch steps (CTC loss 1.4 nats per letter), and were with
    # dither 1e-3 (0.008). The noise is a function of the sample's position in the stream,
    # so streaming features still equal whole-utterance features.
    dither: float = 0.0
    # Silence appended after the last sample of a stream (and of every training clip): a
    # unidirectional model emits a word's last characters a little after hearing them, so it
    # needs a few frames after the end of speech.
    tail_padding: float = 0.3
    # Causal mean normalisation (0 = off: the training set's global mean only). Each frame's
    # mean is the running mean of the stream so far, started from the global mean counted as
    # this many frames, so a stream's own channel and voice take over within a few seconds and
    # nothing waits for future audio. The spread stays the global one.
    mean_prior_frames: float = 0.0

    @property
    def feature_dim(self) -> int:
        return self.n_mels * self.stack

    @property
    def frame_shift_seconds(self) -> float:
        """Time between two model steps (after stacking)."""
        return self.hop_length * self.stride / self.sample_rate

    def same_features_as(self, other: FeatureConfig) -> bool:
        """Equal but for dither, which only changes near-silent frames: weights trained with one
        dither may be fine-tuned or averaged with another."""
        return replace(other, dither=self.dither) == self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FeatureConfig:
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**known)


@lru_cache(maxsize=8)
def mel_filterbank(config: FeatureConfig) -> np.ndarray:
    import librosa

    return librosa.filters.mel(
        sr=config.sample_rate,
        n_fft=config.win_length,
        n_mels=config.n_mels,
        fmin=config.fmin,
        fmax=config.fmax,
    ).astype(np.float32)


@lru_cache(maxsize=8)
def _window(win_length: int) -> np.ndarray:
    # Periodic Hann, as librosa/scipy `get_window("hann", n, fftbins=True)`.
    n = np.arange(win_length)
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * n / win_length)).astype(np.float32)


def num_frames(num_samples: int, config: FeatureConfig) -> int:
    if num_samples < config.win_length:
        return 0
    return 1 + (num_samples - config.win_length) // config.hop_length


def mel_power(samples: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """Mel power spectrogram `[frames, n_mels]` (float32) of complete frames only."""
    samples = np.asarray(samples, dtype=np.float32)
    count = num_frames(len(samples), config)
    if count == 0:
        return np.zeros((0, config.n_mels), dtype=np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(samples, config.win_length)[
        :: config.hop_length
    ][:count]
    spectrum = np.fft.rfft(frames * _window(config.win_length), axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    return power @ mel_filterbank(config).T


DITHER_PERIOD = 1 << 16  # samples (4 s at 16 kHz) before the dither noise repeats


@lru_cache(maxsize=1)
def _dither_table() -> np.ndarray:
    return np.random.default_rng(20261126).standard_normal(DITHER_PERIOD).astype(np.float32)


def add_dither(samples: np.ndarray, config: FeatureConfig, offset: int = 0) -> np.ndarray:
    """`samples` plus the dither noise of stream positions `offset, offset + 1, …`."""
    samples = np.asarray(samples, dtype=np.float32)
    if not config.dither or len(samples) == 0:
        return samples
    positions = (offset + np.arange(len(samples))) % DITHER_PERIOD
    return samples + np.float32(config.dither) * _dither_table()[positions]


def log_mel(samples: np.ndarray, config: FeatureConfig, offset: int = 0) -> np.ndarray:
    """Log-mel features `[frames, n_mels]` of a whole utterance (not normalised); `offset` is
    the stream position of the first sample (it selects the dither noise)."""
    power = mel_power(add_dither(samples, config, offset), config)
    return np.log(power + config.log_floor).astype(np.float32)


class StreamingFeatureExtractor:
    """Log-mel frames from audio arriving in chunks of any size; equal to `log_mel` of the whole."""

    def __init__(self, config: FeatureConfig):
        self.config = config
        self._pending = np.zeros(0, dtype=np.float32)
        self._offset = 0  # stream position of the first pending sample

    def accept(self, samples: np.ndarray) -> np.ndarray:
        buffer = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        count = num_frames(len(buffer), self.config)
        if count == 0:
            self._pending = buffer
            return np.zeros((0, self.config.n_mels), dtype=np.float32)
        consumed = count * self.config.hop_length
        features = log_mel(
            buffer[: (count - 1) * self.config.hop_length + self.config.win_length],
            self.config,
            self._offset,
        )
        self._pending = buffer[consumed:]
        self._offset += consumed
        return features

    def reset(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)
        self._offset = 0


@dataclass(frozen=True)
class FeatureStats:
    """Global mean/std of log-mel features over a training set (never per chunk or utterance;
    `FeatureConfig.mean_prior_frames` replaces the mean by a causal running one)."""

    mean: np.ndarray
    std: np.ndarray

    def normalise(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.std).astype(np.float32)

    def to_dict(self) -> dict:
        return {"mean": [float(v) for v in self.mean], "std": [float(v) for v in self.std]}

    @classmethod
    def from_dict(cls, data: dict) -> FeatureStats:
        return cls(np.asarray(data["mean"], np.float32), np.asarray(data["std"], np.float32))

    @classmethod
    def identity(cls, n_mels: int) -> FeatureStats:
        return cls(np.zeros(n_mels, np.float32), np.ones(n_mels, np.float32))


MIN_STD = 0.5


class StatsAccumulator:
    """Running sums for `FeatureStats` (float64, so hours of frames do not lose precision)."""

    def __init__(self, n_mels: int):
        self.count = 0
        self.total = np.zeros(n_mels, np.float64)
        self.total_sq = np.zeros(n_mels, np.float64)

    def add(self, features: np.ndarray) -> None:
        self.count += len(features)
        self.total += features.sum(axis=0, dtype=np.float64)
        self.total_sq += np.square(features, dtype=np.float64).sum(axis=0)

    def stats(self) -> FeatureStats:
        if self.count == 0:
            raise ValueError("no feature frames to compute normalisation statistics from")
        mean = self.total / self.count
        # A floor on the spread: bins that never rise above the log floor (no energy above
        # 4 kHz in 8 kHz recordings) would otherwise turn rounding noise into huge inputs.
        std = np.maximum(np.sqrt(np.maximum(self.total_sq / self.count - mean**2, 0.0)), MIN_STD)
        return FeatureStats(mean.astype(np.float32), std.astype(np.float32))


def stack_frames(features: np.ndarray, stack: int, stride: int) -> np.ndarray:
    """Concatenate `stack` consecutive frames every `stride` frames: `[T, F] → [T', F*stack]`."""
    count = 0 if len(features) < stack else 1 + (len(features) - stack) // stride
    if count == 0:
        return np.zeros((0, features.shape[1] * stack), dtype=np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(features, stack, axis=0)[::stride][:count]
    # windows: [T', F, stack] → frames in time order, each frame's features contiguous.
    return np.array(windows.transpose(0, 2, 1).reshape(count, -1), dtype=np.float32)


class FrameStacker:
    """Streaming `stack_frames`: carries the frames that do not yet complete a stacked step."""

    def __init__(self, stack: int, stride: int, n_mels: int):
        self.stack, self.stride, self.n_mels = stack, stride, n_mels
        self._pending = np.zeros((0, n_mels), dtype=np.float32)

    def accept(self, features: np.ndarray) -> np.ndarray:
        buffer = np.concatenate([self._pending, features]) if len(self._pending) else features
        stacked = stack_frames(buffer, self.stack, self.stride)
        self._pending = buffer[len(stacked) * self.stride :]
        return stacked

    def reset(self) -> None:
        self._pending = np.zeros((0, self.n_mels), dtype=np.float32)


class StreamNormaliser:
    """Log-mel frames → normalised frames, incrementally: the global mean/std, or with
    `config.mean_prior_frames` the causal running mean (any chunking gives the same frames)."""

    def __init__(self, config: FeatureConfig, stats: FeatureStats):
        self.prior, self.stats = float(config.mean_prior_frames), stats
        self._prior_sum = self.prior * stats.mean.astype(np.float64)  # the prior, as frames
        self.reset()

    def accept(self, frames: np.ndarray) -> np.ndarray:
        if self.prior <= 0 or len(frames) == 0:
            return self.stats.normalise(frames)
        sums = self._sum + np.cumsum(frames, axis=0, dtype=np.float64)
        counts = self._count + np.arange(1, len(frames) + 1, dtype=np.float64)[:, None]
        self._sum, self._count = sums[-1], self._count + len(frames)
        means = (self._prior_sum + sums) / (self.prior + counts)
        return ((frames - means) / self.stats.std).astype(np.float32)

    def reset(self) -> None:
        self._sum = np.zeros(len(self.stats.mean), np.float64)
        self._count = 0


def normalise_utterance(
    frames: np.ndarray, config: FeatureConfig, stats: FeatureStats
) -> np.ndarray:
    """A whole utterance's log-mel frames, normalised as a stream would be."""
    return StreamNormaliser(config, stats).accept(frames)


class FeaturePipeline:
    """Samples (16 kHz) → normalised, stacked model inputs, incrementally."""

    def __init__(self, config: FeatureConfig, stats: FeatureStats):
        self.config, self.stats = config, stats
        self.extractor = StreamingFeatureExtractor(config)
        self.normaliser = StreamNormaliser(config, stats)
        self.stacker = FrameStacker(config.stack, config.stride, config.n_mels)

    def accept(self, samples: np.ndarray) -> np.ndarray:
        frames = self.extractor.accept(samples)
        return self.stacker.accept(self.normaliser.accept(frames))

    def reset(self) -> None:
        self.extractor.reset()
        self.normaliser.reset()
        self.stacker.reset()


def tail_silence(config: FeatureConfig) -> np.ndarray:
    """The silence appended after the last sample of every stream and training clip."""
    return np.zeros(int(config.tail_padding * config.sample_rate), np.float32)


def utterance_features(
    samples: np.ndarray, config: FeatureConfig, stats: FeatureStats
) -> np.ndarray:
    """Whole-utterance model inputs: the reference the streaming pipeline must equal."""
    frames = normalise_utterance(log_mel(samples, config), config, stats)
    return stack_frames(frames, config.stack, config.stride)
