"""Waveform augmentation (numpy/soxr), deterministic given a `numpy.random.Generator`.

Each transform takes and returns mono float32 at `sample_rate`. They narrow the gap between the
few voices and rooms in the training data and the voices, microphones and rooms of real users.
"""

from __future__ import annotations

import numpy as np
import soxr


def speed_perturb(samples: np.ndarray, factor: float, sample_rate: int) -> np.ndarray:
    """Play `factor` times faster (tempo and pitch together), as Kaldi's speed perturbation."""
    if factor == 1.0:
        return samples
    return soxr.resample(samples, sample_rate * factor, sample_rate).astype(np.float32)


def pitch_formant_shift(samples: np.ndarray, factor: float, sample_rate: int) -> np.ndarray:
    """Scale pitch and formants by `factor` at the same duration (a crude vocal-tract-length
    perturbation): speed-perturb, then restore the length by overlap-add time stretching."""
    if factor == 1.0:
        return samples
    import librosa

    shifted = speed_perturb(samples, factor, sample_rate)
    # ~32 ms analysis windows: librosa's default (2048 samples = 128 ms at 16 kHz) smears speech
    # until Whisper cannot read it any more.
    n_fft = 1 << max(6, round(np.log2(0.032 * sample_rate)))
    stretched = librosa.effects.time_stretch(
        shifted, rate=len(shifted) / max(1, len(samples)), n_fft=n_fft, hop_length=n_fft // 4
    )
    return _fit_length(stretched.astype(np.float32), len(samples))


def coloured_noise(rng: np.random.Generator, length: int) -> np.ndarray:
    """White, pink or brown noise (random choice), unit power."""
    noise = rng.standard_normal(length)
    exponent = rng.choice([0.0, 1.0, 2.0])
    if exponent and length > 1:
        spectrum = np.fft.rfft(noise)
        freqs = np.arange(len(spectrum), dtype=np.float64)
        freqs[0] = 1.0
        noise = np.fft.irfft(spectrum / freqs ** (exponent / 2), n=length)
    return (noise / (np.sqrt(np.mean(noise**2)) + 1e-12)).astype(np.float32)


def add_noise(samples: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    power = float(np.mean(samples**2)) + 1e-10
    noise = coloured_noise(rng, len(samples)) * np.sqrt(power / 10 ** (snr_db / 10))
    return (samples + noise).astype(np.float32)


def reverberate(
    samples: np.ndarray, rt60: float, sample_rate: int, rng: np.random.Generator
) -> np.ndarray:
    """Convolve with a synthetic room response: exponentially decaying noise after a direct path."""
    length = max(1, int(rt60 * sample_rate))
    decay = np.exp(-6.9 * np.arange(length) / length)  # -60 dB at rt60
    response = rng.standard_normal(length) * decay * 0.3
    response[0] = 1.0
    size = len(samples) + length - 1  # FFT convolution: np.convolve is O(N·M), far too slow
    n_fft = 1 << (size - 1).bit_length()
    wet = np.fft.irfft(np.fft.rfft(samples, n_fft) * np.fft.rfft(response, n_fft), n_fft)
    wet = wet[: len(samples)]
    peak_in, peak_out = np.max(np.abs(samples)) + 1e-9, np.max(np.abs(wet)) + 1e-9
    return (wet * (peak_in / peak_out)).astype(np.float32)


def band_limit(samples: np.ndarray, sample_rate: int, low_rate: int) -> np.ndarray:
    """Down- and up-sample through `low_rate` (8 kHz = telephone band; 11,025 Hz = old games)."""
    down = soxr.resample(samples, sample_rate, low_rate)
    return _fit_length(soxr.resample(down, low_rate, sample_rate).astype(np.float32), len(samples))


def random_gain(
    samples: np.ndarray, rng: np.random.Generator, low_db: float = -20.0, high_db: float = 6.0
) -> np.ndarray:
    gained = samples * 10 ** (rng.uniform(low_db, high_db) / 20)
    return np.clip(gained, -1.0, 1.0).astype(np.float32)


def random_eq(
    samples: np.ndarray, sample_rate: int, rng: np.random.Generator, max_db: float = 8.0
) -> np.ndarray:
    """Colour the spectrum like a cheap microphone or loudspeaker: a smooth random gain curve
    (±`max_db` at a few points spaced on a log-frequency axis, interpolated between them)."""
    if len(samples) < 2:
        return samples
    spectrum = np.fft.rfft(samples)
    freqs = np.fft.rfftfreq(len(samples), 1.0 / sample_rate)
    points = np.geomspace(50.0, sample_rate / 2, int(rng.integers(4, 9)))
    gains_db = rng.uniform(-max_db, max_db, len(points))
    curve_db = np.interp(np.log(np.maximum(freqs, 50.0)), np.log(points), gains_db)
    out = np.fft.irfft(spectrum * 10 ** (curve_db / 20), n=len(samples))
    peak_in, peak_out = np.max(np.abs(samples)) + 1e-9, np.max(np.abs(out)) + 1e-9
    return (out * min(1.0, peak_in / peak_out)).astype(np.float32)


def trim_silence(
    samples: np.ndarray, sample_rate: int, threshold_db: float = -45.0, margin: float = 0.03
) -> np.ndarray:
    """Drop leading/trailing near-silence: keep from the first to the last sample above
    `threshold_db` of the peak, with `margin` seconds either side."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak <= 0:
        return samples
    loud = np.flatnonzero(np.abs(samples) > peak * 10 ** (threshold_db / 20))
    pad = int(margin * sample_rate)
    return samples[max(0, loud[0] - pad) : loud[-1] + pad + 1]


def pad_silence(
    samples: np.ndarray,
    sample_rate: int,
    rng: np.random.Generator,
    max_lead: float = 0.4,
    max_tail: float = 0.6,
) -> np.ndarray:
    """Random digital silence before and after (noise added later fills it like room tone)."""
    lead = int(rng.uniform(0.05, max_lead) * sample_rate)
    tail = int(rng.uniform(0.1, max_tail) * sample_rate)
    return np.pad(samples, (lead, tail)).astype(np.float32)


def _fit_length(samples: np.ndarray, length: int) -> np.ndarray:
    if len(samples) >= length:
        return samples[:length]
    return np.pad(samples, (0, length - len(samples)))


def random_augment(
    samples: np.ndarray,
    sample_rate: int,
    rng: np.random.Generator,
    noise_snr_db: tuple[float, float] = (5.0, 30.0),
) -> np.ndarray:
    """One random mix of the transforms above (the "noisy" training variant)."""
    if rng.random() < 0.3:
        samples = reverberate(samples, rng.uniform(0.15, 0.6), sample_rate, rng)
    if rng.random() < 0.3:
        samples = band_limit(samples, sample_rate, int(rng.choice([8000, 11025])))
    if rng.random() < 0.7:
        samples = add_noise(samples, rng.uniform(*noise_snr_db), rng)
    return random_gain(samples, rng)
