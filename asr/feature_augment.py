"""Per-batch augmentation of cached log-mel features (numpy only: it also runs in the forked
loader processes of `asr.batch_loader`). Waveform augmentation, done once when the feature cache
is built, is in `asr.augment`."""

from __future__ import annotations

import numpy as np

from asr.features import FeatureConfig
from asr.train_config import TrainConfig


def perturb_features(
    log_mel: np.ndarray, config: TrainConfig, features: FeatureConfig, rng: np.random.Generator
) -> np.ndarray:
    """Another level, microphone, vocal tract and speaking rate for one utterance. Exact for
    level and EQ, because the cache holds log(mel + floor): the mel power is recovered and
    re-floored."""
    floor = features.log_floor
    power = np.maximum(np.exp(log_mel) - floor, 0.0)
    bins = np.arange(power.shape[1], dtype=np.float64)
    if config.warp:
        # VTLP (Jaitly & Hinton, 2013): read each bin from a stretched/compressed mel axis.
        scale = rng.uniform(1.0 - config.warp, 1.0 + config.warp)
        power = read_at(power, np.clip(bins * scale, 0, len(bins) - 1), axis=1)
    if config.tempo:
        # Speaking rate without re-caching a speed variant: frames read at another pace.
        rate = rng.uniform(1.0 - config.tempo, 1.0 + config.tempo)
        frames = max(features.stack, round(len(power) / rate))
        power = read_at(power, np.linspace(0.0, len(power) - 1, frames), axis=0)
    gain_db = np.full(len(bins), rng.uniform(*config.gain_db))
    if config.eq_db:
        position = bins / (len(bins) - 1)
        for order in (1, 2, 3):
            gain_db += (
                rng.uniform(-config.eq_db, config.eq_db)
                / order
                * np.cos(np.pi * order * position + rng.uniform(0, np.pi))
            )
    power = power * 10 ** (gain_db / 10)[None, :]
    return np.log(power + floor).astype(np.float32)


def read_at(values: np.ndarray, positions: np.ndarray, axis: int) -> np.ndarray:
    """2-D `values` linearly interpolated at fractional `positions` (in range) along `axis`."""
    low = np.floor(positions).astype(int)
    high = np.minimum(low + 1, values.shape[axis] - 1)
    weight = np.expand_dims(positions - low, 1 - axis)
    return np.take(values, low, axis) * (1 - weight) + np.take(values, high, axis) * weight


def spec_augment(feats: np.ndarray, config: TrainConfig, rng: np.random.Generator) -> np.ndarray:
    """SpecAugment (Park et al., 2019): frequency and time bands set to zero (the mean, after
    normalisation), on a copy."""
    feats = feats.copy()
    for _ in range(config.freq_masks):
        width = rng.integers(0, config.freq_mask_width + 1)
        start = rng.integers(0, max(1, feats.shape[1] - width))
        feats[:, start : start + width] = 0.0
    max_width = min(config.time_mask_width, int(config.time_mask_max_ratio * len(feats)))
    for _ in range(config.time_masks):
        width = rng.integers(0, max_width + 1)
        start = rng.integers(0, max(1, len(feats) - width))
        feats[start : start + width] = 0.0
    return feats
