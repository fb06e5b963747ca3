"""Checkpoints: `torch.save` of plain containers, loadable with `weights_only=True`.

`Checkpoint` names every key once; the key groups below are what each reader relies on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

import torch

from asr.features import FeatureConfig, FeatureStats
from asr.fileio import atomic_write
from asr.model import LstmCtcModel, ModelConfig
from asr.tokens import Vocabulary

CHECKPOINT_FORMAT = 1


class Checkpoint(TypedDict, total=False):
    """The keys of a checkpoint payload (plain containers and tensors only)."""

    model_state: dict[str, torch.Tensor]  # LstmCtcModel.state_dict()
    model_config: dict  # ModelConfig.to_dict()
    feature_config: dict  # FeatureConfig.to_dict()
    feature_stats: dict  # FeatureStats.to_dict()
    vocabulary: list[str]  # Vocabulary.to_list()
    train_config: dict  # TrainConfig.to_dict()
    dev_wer: float | None
    dev_cer: float | None
    epoch: int | None  # epochs trained
    step: int
    best_wer: float
    best_score: float  # mean of dev WER and CER of the best epoch
    bad_epochs: int
    optimizer_state: dict
    scheduler_state: dict
    history: list[dict]  # one row per epoch: train_loss, dev_wer, dev_cer, seconds
    data_summary: dict  # what the model was trained on (copied into the model card)
    format_version: int


# The model's settings, stored as JSON in an exported model's metadata (and read back from it).
SETTINGS_KEYS = ("feature_config", "feature_stats", "vocabulary", "model_config")
# What every model needs: weights and settings.
MODEL_KEYS = ("model_state", *SETTINGS_KEYS)
# Only `--resume` needs these; an averaged or read-back model has none.
TRAINING_STATE_KEYS = ("optimizer_state", "scheduler_state", "best_wer", "best_score", "bad_epochs")


class CheckpointError(Exception):
    pass


def save_checkpoint(path: str | Path, payload: Checkpoint | dict[str, Any]) -> None:
    payload = {**payload, "format_version": CHECKPOINT_FORMAT}
    atomic_write(path, lambda tmp: torch.save(payload, tmp))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        # torch's own message runs to a dozen lines of advice; its first sentence is the reason.
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0].split(". ")[0]
        raise CheckpointError(f"{path}: not a readable lstm-asr checkpoint ({reason})") from error
    missing = [key for key in MODEL_KEYS if key not in payload]
    if missing:
        raise CheckpointError(f"{path}: checkpoint lacks {', '.join(missing)}")
    return payload


def model_from_checkpoint(payload: dict[str, Any]) -> LstmCtcModel:
    model = LstmCtcModel(ModelConfig.from_dict(payload["model_config"]))
    model.load_state_dict(payload["model_state"])
    model.eval()
    return model


def checkpoint_parts(payload: dict[str, Any]) -> tuple[FeatureConfig, FeatureStats, Vocabulary]:
    return (
        FeatureConfig.from_dict(payload["feature_config"]),
        FeatureStats.from_dict(payload["feature_stats"]),
        Vocabulary(payload["vocabulary"]),
    )
