import numpy as np
import pytest
import soundfile as sf
from conftest import FSDD, fsdd_clip

from asr.audio import AudioError, audio_info, iter_audio_blocks, load_audio
from asr.audio_check import NoiseMeter, length_warning, read_header


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


def test_unreadable_file_names_the_readable_formats_not_an_exception_class(tmp_path):
    path = tmp_path / "notes.m4a"
    path.write_bytes(b"this is not audio at all\n" * 20)
    with pytest.raises(AudioError) as info:
        load_audio(path)
    assert "readable: WAV, FLAC, OGG, MP3, AIFF" in info.value.reason
    assert "Error" not in info.value.reason  # no NoBackendError & co.


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


def test_streamed_wav_of_unknown_length_is_not_called_truncated(tmp_path):
    """Headers written before the length was known declare 0xFFFFFFFF bytes: no promise."""
    path = tmp_path / "streamed.wav"
    sf.write(str(path), np.zeros(8000, np.int16), 16000, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    data[4:8] = data[40:44] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(data))
    header = read_header(path)
    assert header.warning is None and header.seconds == 0.5


def test_short_decode_of_a_declared_length_is_a_truncation():
    assert "declares 10.00 s" in length_warning(10.0, 3.0)
    assert length_warning(10.0, 9.99) is None and length_warning(None, 1.0) is None


def test_speech_even_at_full_scale_is_not_noise():
    clip = fsdd_clip("0_jackson_5.wav")
    meter = NoiseMeter(16000)
    meter.add(clip / np.abs(clip).max())
    assert meter.warning() is None
    noise = NoiseMeter(16000)
    noise.add(np.random.default_rng(0).uniform(-1, 1, 24000).astype(np.float32))
    assert "100% of the audio is loud white noise" in noise.warning()
