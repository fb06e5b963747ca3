"""Per-batch feature augmentation: speaking rate, level and SpecAugment masks."""

import numpy as np
import pytest

from asr.feature_augment import perturb_features, spec_augment
from asr.features import FeatureConfig
from asr.train_config import TrainConfig


def test_tempo_perturbation_resamples_frames_and_keeps_levels():

    features = FeatureConfig()
    ramp = np.linspace(0.0, 1.0, 100, dtype=np.float32)
    log_mel = np.log(np.repeat(ramp[:, None], 80, axis=1) + 1.0)
    config = TrainConfig(tempo=0.2, warp=0.0, eq_db=0.0, gain_db=(0.0, 0.0))
    rates = []
    for seed in range(20):
        out = perturb_features(log_mel, config, features, np.random.default_rng(seed))
        rates.append(len(log_mel) / len(out))
        # Interpolated in time only: still a rising ramp from the first to the last value.
        assert out[0, 0] == pytest.approx(log_mel[0, 0], abs=1e-4)
        assert out[-1, 0] == pytest.approx(log_mel[-1, 0], abs=1e-4)
        assert np.all(np.diff(out[:, 0]) >= -1e-6)
    assert 0.8 <= min(rates) < 0.95 and 1.05 < max(rates) <= 1.26
    same = perturb_features(
        log_mel,
        TrainConfig(warp=0.0, eq_db=0.0, gain_db=(0.0, 0.0)),
        features,
        np.random.default_rng(0),
    )
    assert same.shape == log_mel.shape


def test_spec_augment_zeroes_bounded_bands_on_a_copy():
    feats = np.ones((200, 80), dtype=np.float32)
    config = TrainConfig(freq_masks=2, freq_mask_width=10, time_masks=2, time_mask_width=15)
    masked_any = False
    for seed in range(30):
        out = spec_augment(feats, config, np.random.default_rng(seed))
        zero_rows = np.all(out == 0.0, axis=1)
        zero_cols = np.all(out == 0.0, axis=0)
        assert 0 <= zero_cols.sum() <= 2 * 10 and zero_rows.sum() <= 2 * 15
        # Outside the masked rows and columns nothing changed.
        assert np.all(out[~zero_rows][:, ~zero_cols] == 1.0)
        masked_any |= bool(zero_cols.any() and zero_rows.any())
    assert masked_any
    assert np.all(feats == 1.0)  # the caller's array is untouched
    none = TrainConfig(freq_masks=0, time_masks=0)
    assert np.array_equal(spec_augment(feats, none, np.random.default_rng(0)), feats)
