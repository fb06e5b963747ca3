import numpy as np
import pytest
import soundfile as sf
from conftest import FSDD

from asr.audio import AudioError, audio_info, iter_audio_blocks, load_audio


def _tone(rate: int, seconds: float = 1.0, channels: int = 1) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    mono = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return np.stack([mono, -mono * 0.5], axis=1)[:, :channels] if channels > 1 else mono


@pytest.mark.parametrize(
    "fmt, rate", [("wav", 8000), ("flac", 44100), ("ogg", 48000), ("mp3", 22050)]
)
def test_any_format_and_rate_to_16k_mono(tmp_path, fmt, rate):
    path = tmp_path / f"tone.{fmt}"
    sf.write(path, _tone(rate, channels=2), rate)
    samples = load_audio(path)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert abs(len(samples) - 16000) <= 1200  # mp3 adds encoder padding
    # Mixed down: (x - 0.5x) / 2 → amplitude 0.075; allow for lossy codecs.
    assert 0.05 < np.max(np.abs(samples[2000:-2000])) < 0.12


def test_block_reading_equals_whole_file(tmp_path):
    path = tmp_path / "long.wav"
    sf.write(path, _tone(44100, seconds=7.3), 44100)
    blocks = list(iter_audio_blocks(path, block_seconds=0.5))
    assert len(blocks) > 10
    assert max(len(b) for b in blocks) <= 16000 * 0.5 + 200  # block + resampler flush
    whole = load_audio(path)
    np.testing.assert_array_equal(np.concatenate(blocks), whole)
    assert abs(len(whole) - int(7.3 * 16000)) <= 2


def test_real_clip_duration():
    rate, duration = audio_info(FSDD / "0_jackson_5.wav")
    assert rate == 8000 and 0.2 < duration < 1.0
    assert len(load_audio(FSDD / "0_jackson_5.wav")) == pytest.approx(duration * 16000, abs=2)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.wav", b"", "empty"),
        ("text.wav", b"this is not audio at all\n" * 20, "not a readable audio file"),
        ("truncated.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a readable audio file"),
    ],
)
def test_bad_files_raise_one_clear_error(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AudioError) as info:
        load_audio(path)
    assert str(path) in str(info.value) and reason in str(info.value)


def test_missing_and_non_finite(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "missing.wav")
    path = tmp_path / "nan.wav"
    data = _tone(16000)
    data[100] = np.nan
    sf.write(path, data, 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN"):
        load_audio(path)
    silent = tmp_path / "nosamples.wav"
    sf.write(silent, np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioError, match="no samples"):
        load_audio(silent)
