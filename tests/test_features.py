import numpy as np
import pytest
from conftest import fsdd_clip
from hypothesis import given, settings
from hypothesis import strategies as st

from asr.features import (
    FeatureConfig,
    FeaturePipeline,
    FeatureStats,
    FrameStacker,
    StatsAccumulator,
    StreamingFeatureExtractor,
    StreamNormaliser,
    log_mel,
    mel_power,
    normalise_utterance,
    stack_frames,
    utterance_features,
)

CONFIG = FeatureConfig()


def _chunks(samples: np.ndarray, rng: np.random.Generator, low: int = 1, high: int = 4000):
    start = 0
    while start < len(samples):
        size = int(rng.integers(low, high))
        yield samples[start : start + size]
        start += size


@pytest.mark.parametrize("seed", range(5))
def test_streaming_features_equal_whole_utterance(seed):
    samples = fsdd_clip("3_theo_5.wav")
    whole = log_mel(samples, CONFIG)
    extractor = StreamingFeatureExtractor(CONFIG)
    rng = np.random.default_rng(seed)
    streamed = np.concatenate([extractor.accept(c) for c in _chunks(samples, rng)])
    assert streamed.shape == whole.shape
    assert np.max(np.abs(streamed - whole)) <= 1e-5


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 900), min_size=1, max_size=30), st.integers(0, 2**31 - 1))
@pytest.mark.parametrize("prior", [0.0, 30.0])
def test_pipeline_any_chunking_equals_utterance_features(prior, sizes, seed):
    rng = np.random.default_rng(seed)
    samples = rng.standard_normal(sum(sizes)).astype(np.float32) * 0.1
    stats = FeatureStats(
        rng.standard_normal(80).astype(np.float32), rng.uniform(0.5, 2, 80).astype(np.float32)
    )
    config = FeatureConfig(mean_prior_frames=prior)
    pipeline = FeaturePipeline(config, stats)
    parts, start = [], 0
    for size in sizes:
        parts.append(pipeline.accept(samples[start : start + size]))
        start += size
    streamed = np.concatenate(parts)
    whole = utterance_features(samples, config, stats)
    assert streamed.shape == whole.shape
    if len(whole):
        assert np.max(np.abs(streamed - whole)) <= 1e-5
    pipeline.reset()  # a new stream starts from the prior again
    assert np.array_equal(pipeline.accept(samples)[: len(whole)], whole[: len(whole)])


def test_causal_mean_is_the_running_mean_from_the_prior():
    stats = FeatureStats(np.array([1.0], np.float32), np.array([2.0], np.float32))
    frames = np.array([[7.0], [7.0], [-5.0]], np.float32)
    # prior 2 frames of mean 1: means (2+7)/3 = 3, (2+14)/4 = 4, (2+9)/5 = 2.2
    expected = (frames[:, 0] - np.array([3.0, 4.0, 2.2])) / 2.0
    config = FeatureConfig(n_mels=1, mean_prior_frames=2.0)
    assert np.allclose(normalise_utterance(frames, config, stats)[:, 0], expected, atol=1e-6)
    normaliser = StreamNormaliser(config, stats)
    chunked = np.concatenate([normaliser.accept(frames[:1]), normaliser.accept(frames[1:])])
    assert np.allclose(chunked[:, 0], expected, atol=1e-6)
    # Off (0): the global mean and spread, as every model before it.
    off = normalise_utterance(frames, FeatureConfig(n_mels=1), stats)
    assert np.array_equal(off, stats.normalise(frames))


def test_no_centre_padding_frame_count():
    assert log_mel(np.zeros(399, np.float32), CONFIG).shape == (0, 80)
    assert log_mel(np.zeros(400, np.float32), CONFIG).shape == (1, 80)
    assert log_mel(np.zeros(400 + 160 * 7, np.float32), CONFIG).shape == (8, 80)


def test_mel_power_agrees_with_librosa():
    import librosa

    samples = fsdd_clip("7_jackson_5.wav")
    expected = librosa.feature.melspectrogram(
        y=samples,
        sr=16000,
        n_fft=400,
        hop_length=160,
        win_length=400,
        window="hann",
        center=False,
        power=2.0,
        n_mels=80,
        fmin=CONFIG.fmin,
        fmax=CONFIG.fmax,
    ).T
    ours = mel_power(samples, CONFIG)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=1e-3, atol=1e-6 * expected.max())


def test_mel_power_agrees_with_torchaudio():
    """A second reference besides librosa's (above). Skipped in CI, which cannot install it:
    PyPI's torchaudio wheels (newest 2.11.1) link against CUDA torch (libc10_cuda.so), CI
    installs the CPU build of torch 2.13, and the CPU torchaudio lives only on
    download.pytorch.org. Runs wherever a torchaudio that matches the installed torch is."""
    try:
        import torchaudio
    except (ImportError, OSError) as error:  # OSError: a wheel built for another torch
        pytest.skip(f"no torchaudio that loads with this torch ({type(error).__name__})")
    import torch

    samples = fsdd_clip("2_theo_5.wav")
    transform = torchaudio.transforms.MelSpectrogram(
        sample_rate=16000,
        n_fft=400,
        win_length=400,
        hop_length=160,
        f_min=CONFIG.fmin,
        f_max=CONFIG.fmax,
        n_mels=80,
        center=False,
        power=2.0,
        norm="slaney",
        mel_scale="slaney",
    )
    expected = transform(torch.from_numpy(samples)).numpy().T
    np.testing.assert_allclose(
        mel_power(samples, CONFIG), expected, rtol=1e-3, atol=1e-6 * expected.max()
    )


def test_stack_frames_layout_and_streaming():
    frames = np.arange(10 * 2, dtype=np.float32).reshape(10, 2)
    stacked = stack_frames(frames, 3, 3)
    assert stacked.shape == (3, 6)
    np.testing.assert_array_equal(stacked[1], np.concatenate(frames[3:6]))
    stacker = FrameStacker(3, 3, 2)
    streamed = np.concatenate(
        [stacker.accept(frames[:4]), stacker.accept(frames[4:5]), stacker.accept(frames[5:])]
    )
    np.testing.assert_array_equal(streamed, stacked)


def test_stats_are_global_mean_and_std_with_floor():
    rng = np.random.default_rng(0)
    data = rng.normal(3.0, 2.0, size=(5000, 80)).astype(np.float32)
    data[:, -1] = -13.8  # a dead bin (no energy above 4 kHz in 8 kHz audio)
    accumulator = StatsAccumulator(80)
    accumulator.add(data[:2000])
    accumulator.add(data[2000:])
    stats = accumulator.stats()
    assert abs(float(stats.mean[0]) - 3.0) < 0.1
    assert abs(float(stats.std[0]) - 2.0) < 0.1
    assert stats.std[-1] == pytest.approx(0.5)  # floored, not ~0
    normalised = stats.normalise(data)
    assert abs(float(normalised[:, :-1].mean())) < 0.01


@pytest.mark.parametrize("seed", range(3))
def test_dithered_features_stream_exactly(seed):
    """The dither noise depends on the sample's stream position, not on the chunking."""
    config = FeatureConfig(dither=1e-3)
    rng = np.random.default_rng(seed)
    samples = np.concatenate([np.zeros(70000, np.float32), fsdd_clip("3_theo_5.wav")])
    extractor = StreamingFeatureExtractor(config)
    streamed = np.concatenate([extractor.accept(c) for c in _chunks(samples, rng, high=9000)])
    whole = log_mel(samples, config)
    assert streamed.shape == whole.shape
    assert np.max(np.abs(streamed - whole)) <= 1e-5
    extractor.reset()
    assert np.array_equal(extractor.accept(samples[:4000]), log_mel(samples[:4000], config))


def test_dither_lifts_digital_silence_off_the_log_floor():
    silence = np.zeros(16000, np.float32)
    plain = log_mel(silence, CONFIG)
    assert np.all(plain == np.float32(np.log(CONFIG.log_floor)))  # one constant vector
    dithered = log_mel(silence, FeatureConfig(dither=1e-3))
    assert -13.5 < dithered.mean() < -11.5  # white noise at -60 dBFS
    assert dithered.std(axis=0).min() > 0.1  # frames differ: no constant input
    speech = fsdd_clip("3_theo_5.wav")
    plain_peak = log_mel(speech, CONFIG).max(axis=0)
    dithered_peak = log_mel(speech, FeatureConfig(dither=1e-3)).max(axis=0)
    loud = plain_peak > -7.0  # the bins where this clip has energy: the speech is intact
    assert loud.sum() >= 10
    assert np.max(np.abs(dithered_peak - plain_peak)[loud]) < 0.1
