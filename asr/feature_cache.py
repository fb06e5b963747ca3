"""Cached log-mel features of a manifest, one file per augmentation variant.

Training re-reads the same audio every epoch; decoding and computing features once (per speed /
noise variant) makes an epoch a pure model computation. Features are stored un-normalised
(float16, concatenated with offsets), keyed by the manifest's content, the feature settings and
the variant, so changing any of them builds a new cache. A manifest that extends an earlier one
(new lines appended, as `mix_manifests.py` writes them) reuses the earlier cache in the same
folder and computes only the new clips: clip i's augmentation depends on its path and on i, so
the result is the same as a full build.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from asr.audio import AudioError, load_audio
from asr.augment import pitch_formant_shift, random_augment, speed_perturb
from asr.features import FeatureConfig, log_mel, tail_silence
from asr.fileio import atomic_write
from asr.manifest import ManifestEntry
from asr.progress import progress_bar


@dataclass(frozen=True)
class Variant:
    """One augmented copy of the data: speed, pitch/formant shift and a random noise/room mix."""

    speed: float = 1.0
    pitch: float = 1.0
    noise: bool = False
    # Up to this much silence (random per clip) before speech, as a microphone gives; corpora
    # are often trimmed tight, and a model that never saw leading silence babbles in it.
    lead_padding: float = 0.0
    lead_probability: float = 1.0  # share of clips that get leading silence

    @property
    def name(self) -> str:
        return (
            f"speed{self.speed:g}"
            + (f"-pitch{self.pitch:g}" if self.pitch != 1.0 else "")
            + ("-noise" if self.noise else "")
        )


def augment(samples: np.ndarray, variant: Variant, seed: int, sample_rate: int) -> np.ndarray:
    samples = speed_perturb(samples, variant.speed, sample_rate)
    samples = pitch_formant_shift(samples, variant.pitch, sample_rate)
    if variant.noise and len(samples):
        samples = random_augment(samples, sample_rate, np.random.default_rng(seed))
    return samples.astype(np.float32)


def _one_thread_per_worker() -> None:
    """Pool initializer: BLAS/OpenMP pools of one thread in each worker. The mel projection is
    a matrix product; with N workers each starting a BLAS pool as wide as the machine, a 16-core
    machine ran 100+ threads and built a cache 9x slower than with this limit."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _features_job(args: tuple) -> tuple[np.ndarray | None, str | None]:
    path, variant, seed, config = args
    try:
        samples = load_audio(path, config.sample_rate)
    except AudioError as error:
        return None, str(error)
    rng = np.random.default_rng(seed + 1)
    lead = rng.uniform(0.0, variant.lead_padding) if rng.random() < variant.lead_probability else 0
    samples = np.concatenate(
        [
            np.zeros(int(lead * config.sample_rate), np.float32),
            samples,
            tail_silence(config),
        ]
    )
    feats = log_mel(augment(samples, variant, seed, config.sample_rate), config)
    if len(feats) < config.stack:
        return None, f"{path}: too short for one model step ({len(samples)} samples)"
    return feats.astype(np.float16), None


def _settings(config: FeatureConfig, variant: Variant, seed: int) -> str:
    # The cache holds log-mels before normalisation: the causal mean setting does not change it.
    settings = {k: v for k, v in config.to_dict().items() if k != "mean_prior_frames"}
    return json.dumps([settings, variant.__dict__, seed], sort_keys=True)


def _paths(entries: list[ManifestEntry]) -> list[str]:
    return [str(entry.audio_path.resolve()) for entry in entries]


def _key(settings: str, paths: list[str]) -> str:
    digest = hashlib.sha256(settings.encode())
    for path in paths:
        digest.update(path.encode())
    return digest.hexdigest()[:16]


def _longest_prefix_cache(
    cache_dir: Path, label: str, variant: Variant, settings: str, paths: list[str]
) -> tuple[Path, int] | None:
    """The cache in `cache_dir` built with the same settings for the longest proper prefix of
    `paths`, and that prefix's length (caches written before paths were stored never match)."""
    best: tuple[Path, int] | None = None
    for candidate in cache_dir.glob(f"{label}-{variant.name}-*.npz"):
        try:
            with np.load(candidate) as stored:
                if "paths" not in stored.files or str(stored["settings"]) != settings:
                    continue
                stored_paths = stored["paths"].tolist()
        except (OSError, ValueError, zipfile.BadZipFile):
            continue  # unreadable or half-written: ignore it, a full build is still correct
        count = len(stored_paths)
        if count < len(paths) and count > (best[1] if best else 0):
            if stored_paths == paths[:count]:
                best = (candidate, count)
    return best


@dataclass
class CachedFeatures:
    data: np.ndarray  # [total_frames, n_mels] float16
    offsets: np.ndarray  # [n + 1]
    valid: np.ndarray  # [n] bool: False where the audio could not be used

    def __getitem__(self, index: int) -> np.ndarray:
        return self.data[self.offsets[index] : self.offsets[index + 1]].astype(np.float32)

    def length(self, index: int) -> int:
        return int(self.offsets[index + 1] - self.offsets[index])


def build_cache(
    entries: list[ManifestEntry],
    config: FeatureConfig,
    variant: Variant,
    cache_dir: Path,
    seed: int = 0,
    workers: int = 2,
    label: str = "features",
    on_error=None,
) -> CachedFeatures:
    """Load (or compute and store) the features of `entries` for one variant."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    settings, paths = _settings(config, variant, seed), _paths(entries)
    path = cache_dir / f"{label}-{variant.name}-{_key(settings, paths)}.npz"
    if path.is_file():
        with np.load(path) as stored:
            return CachedFeatures(stored["data"], stored["offsets"], stored["valid"])
    valid = np.zeros(len(entries), dtype=bool)
    # The earlier cache's features (one array) when it is reused, then one array per new clip.
    arrays: list[np.ndarray] = []
    lengths: list[int] = []  # frames per clip
    prefix = _longest_prefix_cache(cache_dir, label, variant, settings, paths)
    if prefix:
        with np.load(prefix[0]) as stored:
            arrays.append(stored["data"])
            valid[: prefix[1]] = stored["valid"]
            lengths = np.diff(stored["offsets"]).tolist()
    start = len(lengths)
    jobs = [
        (e.audio_path, variant, seed * 1_000_003 + i, config)
        for i, e in enumerate(entries)
        if i >= start
    ]
    description = f"{label} {variant.name}" + (f" (reusing {start} clips)" if start else "")
    context = get_context("fork")
    with (
        progress_bar() as bar,
        context.Pool(max(1, workers), initializer=_one_thread_per_worker) as pool,
    ):
        task = bar.add_task(description, total=len(jobs))
        for index, (feats, error) in enumerate(pool.imap(_features_job, jobs, chunksize=8), start):
            if feats is None:
                if on_error:
                    on_error(error)
                feats = np.zeros((0, config.n_mels), dtype=np.float16)
            else:
                valid[index] = True
            arrays.append(feats)
            lengths.append(len(feats))
            bar.advance(task)
    offsets = np.zeros(len(entries) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(lengths)
    data = np.concatenate(arrays) if arrays else np.zeros((0, config.n_mels), np.float16)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(
                handle, data=data, offsets=offsets, valid=valid, paths=paths, settings=settings
            )

    atomic_write(path, write)
    return CachedFeatures(data, offsets, valid)
