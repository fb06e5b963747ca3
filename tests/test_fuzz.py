"""Property tests (hypothesis) of the audio loader, the feature extractor and `Stream`: random
chunk sizes, empty arrays, NaN/inf, clipping, huge values, every supported sample rate, corrupt
files. Each input either works or raises the one documented error; nothing else escapes."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import soxr
from conftest import FSDD, fsdd_clip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from asr.audio import AudioError, load_audio
from asr.features import FeatureConfig, StreamingFeatureExtractor, log_mel
from streaming import DecodingOptions, Recognizer
from streaming.protocol import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
COMMON_RATES = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 96000, 192000]
RATES = st.one_of(st.sampled_from(COMMON_RATES), st.integers(MIN_SAMPLE_RATE, MAX_SAMPLE_RATE))
# Empty chunks included; at least one size is positive, so feeding makes progress.
CHUNK_SIZES = st.lists(st.integers(0, 6000), min_size=1, max_size=40).filter(any)
ANY_FLOAT32 = st.floats(width=32, allow_nan=True, allow_infinity=True)


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(decoding=DecodingOptions.greedy_ctc())  # robustness, not the decoder


def _feed_in_chunks(recognizer, stream, samples: np.ndarray, rate: int, sizes: list[int]) -> None:
    """Feed `samples` in chunks of the given sizes (cycled), empty chunks included."""
    start, index = 0, 0
    while start < len(samples):
        size = sizes[index % len(sizes)]
        stream.accept_waveform(samples[start : start + size], rate)
        recognizer.decode_stream(stream)
        start += size
        index += 1


def _transcript(results) -> list[tuple]:
    return [(w.word, w.start, w.end, w.conf) for r in results for w in r.words]


@SETTINGS
@given(rate=RATES, sizes=CHUNK_SIZES)
def test_stream_any_rate_and_chunking_equals_one_call(recognizer, rate, sizes):
    samples = soxr.resample(fsdd_clip("9_theo_5.wav"), 16000, rate).astype(np.float32)
    whole = recognizer.create_stream()
    whole.accept_waveform(samples, rate)
    recognizer.decode_stream(whole)
    chunked = recognizer.create_stream()
    _feed_in_chunks(recognizer, chunked, samples, rate, sizes)
    assert _transcript(recognizer.finish(chunked)) == _transcript(recognizer.finish(whole))


def test_stream_at_every_common_rate_hears_the_digit(recognizer):
    for rate in COMMON_RATES:
        samples = soxr.resample(fsdd_clip("9_theo_5.wav"), 16000, rate).astype(np.float32)
        stream = recognizer.create_stream()
        stream.accept_waveform(samples, rate)
        recognizer.decode_stream(stream)
        assert [r.text for r in recognizer.finish(stream)] == ["nine"], rate


@SETTINGS
@given(
    chunks=st.lists(
        arrays(np.float32, st.integers(0, 4000), elements=ANY_FLOAT32), min_size=1, max_size=8
    )
)
def test_stream_survives_hostile_values(recognizer, chunks):
    """NaN/inf are refused with one error and change nothing; huge values are clipped like an
    ADC would, so the LSTM state stays finite and the stream keeps working."""
    stream = recognizer.create_stream()
    for chunk in chunks:
        if np.all(np.isfinite(chunk)):
            stream.accept_waveform(chunk, 16000)
            recognizer.decode_stream(stream)
        else:
            with pytest.raises(ValueError, match="NaN or infinite"):
                stream.accept_waveform(chunk, 16000)
        assert np.all(np.isfinite(stream.h)) and np.all(np.isfinite(stream.c))
        assert set(stream.partial().text) <= set("abcdefghijklmnopqrstuvwxyz' ")
    for result in recognizer.finish(stream):
        assert all(0 <= w.conf <= 1 and 0 <= w.start < w.end for w in result.words)


def test_clipped_and_huge_audio_decode_like_full_scale(recognizer):
    clip = fsdd_clip("9_theo_5.wav")
    loud = clip / np.max(np.abs(clip)) * 1e30  # far beyond full scale: clipped to ±1
    clipped = np.clip(clip / np.max(np.abs(clip)) * 1e30, -1, 1)
    texts, states = [], []
    for samples in (loud, clipped):
        stream = recognizer.create_stream()
        stream.accept_waveform(samples.astype(np.float32), 16000)
        recognizer.decode_stream(stream)
        states.append(np.concatenate([stream.h.ravel(), stream.c.ravel()]))
        texts.append(_transcript(recognizer.finish(stream)))
    assert texts[0] == texts[1]
    # Same state to float precision: huge input no longer poisons the LSTM with NaN/inf.
    assert np.all(np.isfinite(states[0])) and np.allclose(states[0], states[1], atol=1e-5)
    # A burst of huge values leaves the stream as a full-scale burst would: the speech after it
    # is decoded the same (unclipped, the float32 spectrum overflows and the state turns NaN).
    after = []
    for burst in (3e38, 1.0):
        stream = recognizer.create_stream()
        stream.accept_waveform(np.full(16000, burst, np.float32), 16000)
        recognizer.decode_stream(stream)
        stream.accept_waveform(np.zeros(16000, np.float32), 16000)
        recognizer.decode_stream(stream)
        stream.accept_waveform(clip, 16000)
        recognizer.decode_stream(stream)
        assert np.all(np.isfinite(stream.h))
        after.append(_transcript(recognizer.finish(stream)))
    assert after[0] == after[1] and after[0]


@SETTINGS
@given(
    sizes=CHUNK_SIZES,
    kind=st.sampled_from(["noise", "square", "silence", "tiny"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_feature_extractor_any_chunking_and_level(sizes, kind, seed):
    config = FeatureConfig()
    rng = np.random.default_rng(seed)
    length = int(rng.integers(0, 20000))
    samples = {
        "noise": rng.uniform(-1, 1, length),
        "square": np.sign(rng.standard_normal(length)),  # clipped at full scale
        "silence": np.zeros(length),
        "tiny": rng.standard_normal(length) * 1e-30,
    }[kind].astype(np.float32)
    extractor = StreamingFeatureExtractor(config)
    parts, start, index = [], 0, 0
    while start < len(samples):
        size = sizes[index % len(sizes)]
        parts.append(extractor.accept(samples[start : start + size]))
        start, index = start + size, index + 1
    parts.append(extractor.accept(np.zeros(0, np.float32)))
    streamed = np.concatenate(parts)
    whole = log_mel(samples, config)
    assert streamed.shape == whole.shape == (max(0, 1 + (length - 400) // 160), 80)
    assert np.all(np.isfinite(streamed))
    assert np.max(np.abs(streamed - whole), initial=0.0) <= 1e-4


def _check_loaded_or_audio_error(path) -> None:
    try:
        samples = load_audio(path)
    except AudioError as error:
        assert str(path) in str(error)
        return
    assert samples.dtype == np.float32 and samples.ndim == 1 and len(samples) > 0
    assert np.all(np.isfinite(samples))


@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".wav", ".flac", ".mp3", ".ogg"]))
def test_random_bytes_load_or_raise_one_clear_error(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"random{suffix}"
    path.write_bytes(data)
    _check_loaded_or_audio_error(path)


@settings(max_examples=30, deadline=None)
@given(cut=st.integers(0, 3000), garbage=st.binary(max_size=64))
def test_truncated_and_damaged_wav_load_or_raise_one_clear_error(tmp_path_factory, cut, garbage):
    original = (FSDD / "9_theo_5.wav").read_bytes()
    path = tmp_path_factory.mktemp("cut") / "damaged.wav"
    path.write_bytes(original[:cut] + garbage)
    _check_loaded_or_audio_error(path)


@settings(max_examples=25, deadline=None)
@given(
    rate=st.integers(1000, MAX_SAMPLE_RATE),
    frames=st.integers(0, 4000),
    channels=st.integers(1, 3),
    subtype=st.sampled_from(["PCM_16", "PCM_24", "PCM_U8", "FLOAT"]),
)
def test_valid_wav_at_any_rate_loads_to_16k(tmp_path_factory, rate, frames, channels, subtype):
    path = tmp_path_factory.mktemp("wav") / "tone.wav"
    t = np.arange(frames) / rate
    tone = 0.5 * np.sin(2 * np.pi * 300 * t)
    sf.write(path, np.stack([tone] * channels, axis=1), rate, subtype=subtype)
    if frames == 0:
        with pytest.raises(AudioError, match="no samples"):
            load_audio(path)
        return
    try:
        samples = load_audio(path)
    except AudioError as error:  # a few input frames can resample to no 16 kHz sample at all
        assert "no samples" in str(error) and frames * 16000 / rate < 3
        return
    assert abs(len(samples) - frames * 16000 / rate) <= 2
    assert np.all(np.isfinite(samples)) and np.max(np.abs(samples)) < 0.7
