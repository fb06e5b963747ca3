"""Training options in one frozen dataclass; a JSON file and CLI flags override the defaults."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

UNITS = ("characters", "phonemes")
PRECISIONS = ("fp32", "bf16")


@dataclass(frozen=True)
class TrainConfig:
    # Model
    proj_dim: int = 256
    hidden_size: int = 256
    num_layers: int = 3
    dropout: float = 0.1
    # Output units: "characters" (open vocabulary) or "phonemes" (CMUdict ARPAbet, asr.phonemes:
    # the manifests then hold phoneme codes, see data/recipes/phoneme_manifests.py)
    units: str = "characters"
    # Features (frame stacking is a model setting)
    stack: int = 3
    stride: int = 3
    dither: float = 0.0  # std of the fixed noise added to every sample (FeatureConfig.dither)
    # causal running-mean normalisation, the global mean counted as this many frames
    # (FeatureConfig.mean_prior_frames; 0 = global mean/std only)
    mean_prior_frames: float = 0.0
    # Optimisation: AdamW, linear warm-up, a plateau, then inverse-square-root decay (no
    # dependence on the number of epochs, so a resumed or extended run follows the same
    # schedule).
    lr: float = 2e-3
    warmup_steps: int = 300
    decay_start_steps: int = 2000  # constant peak LR until here, then 1/sqrt(step) decay
    # Cooldown: from step cooldown_start_step the LR falls linearly to cooldown_floor times
    # its scheduled value over cooldown_steps steps, then stays there (0 steps: no cooldown).
    # Steps count from the run's start, so a resumed run can end in a cooldown.
    cooldown_start_step: int = 0
    cooldown_steps: int = 0
    cooldown_floor: float = 0.1
    weight_decay: float = 1e-2
    clip_norm: float = 5.0
    batch_seconds: float = 100.0  # audio per batch; batches are bucketed by length
    max_batch_size: int = 64
    max_epochs: int = 60
    sortagrad_epochs: int = 1  # epochs with batches in order of length, shortest first
    patience: int = 10  # epochs without a better dev WER before stopping
    max_minutes: float = 0.0  # wall-clock budget, caching included: no epoch starts after it
    target_wer: float = -1.0  # stop as soon as the dev WER is at or below this (-1: never)
    keep_epochs: bool = False  # also keep every epoch's checkpoint as epoch_NNN.pt
    # SpecAugment on normalised log-mel frames
    freq_masks: int = 2
    freq_mask_width: int = 12
    time_masks: int = 2
    time_mask_width: int = 15
    time_mask_max_ratio: float = 0.15
    # Waveform augmentation, precomputed as cached variants
    speeds: tuple[float, ...] = (0.9, 1.0, 1.1)
    pitches: tuple[float, ...] = ()  # pitch/formant shift factors, each an extra variant
    noise: bool = True  # a noisy copy (noise, room, band limit, gain) of every variant
    lead_padding: float = 0.0  # random leading silence per training clip, up to this (s)
    lead_probability: float = 0.3  # share of clips that get it (all of them slows learning)
    gain_db: tuple[float, float] = (-20.0, 10.0)  # random level per utterance and epoch
    # On-the-fly speaker/channel perturbation of the cached mel power, per utterance and epoch:
    eq_db: float = 6.0  # a smooth random equaliser curve of up to ±eq_db across the mel bins
    warp: float = 0.1  # vocal-tract-length perturbation: mel axis scaled by 1 ± warp
    tempo: float = 0.0  # speaking-rate perturbation: frames resampled in time by 1 ± tempo
    seed: int = 0
    workers: int = 2
    # processes preparing training batches (0: one background thread); a GPU needs several
    loader_workers: int = 0
    threads: int = 0  # torch intra-op threads; 0 = torch's default
    # "bf16": the forward pass under bfloat16 autocast (weights, optimiser and CTC loss stay
    # float32); ~1.5x faster steps on a CPU with AVX512-BF16 or on a GPU (configs/README.md)
    precision: str = "fp32"

    def __post_init__(self) -> None:
        for name, allowed in (("units", UNITS), ("precision", PRECISIONS)):
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        if not 0.0 <= self.cooldown_floor <= 1.0:
            raise ValueError(f"cooldown_floor must be between 0 and 1, not {self.cooldown_floor}")

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        """Every option, one per line: a complete `--config` file."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown training option(s): {', '.join(unknown)}")
        data = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**data)

    @classmethod
    def from_file(cls, path: str | Path) -> TrainConfig:
        try:
            return cls.from_dict(json.loads(Path(path).read_text()))
        except (OSError, json.JSONDecodeError, ValueError) as error:
            raise ValueError(f"{path}: {error}") from error

    def with_overrides(self, **overrides) -> TrainConfig:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})
