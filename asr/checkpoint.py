"""Checkpoints: `torch.save` of plain containers, loadable with `weights_only=True`.

Keys: model_state, model_config, feature_config, feature_stats, vocabulary, train_config,
dev_wer, epoch, step, optimizer_state, scheduler_state, history, data_summary, format_version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from asr.features import FeatureConfig, FeatureStats
from asr.fileio import atomic_write
from asr.model import LstmCtcModel, ModelConfig
from asr.tokens import Vocabulary

CHECKPOINT_FORMAT = 1


class CheckpointError(Exception):
    pass


def save_checkpoint(path: str | Path, payload: dict[str, Any]) -> None:
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
    missing = [
        k
        for k in ("model_state", "model_config", "feature_config", "feature_stats", "vocabulary")
        if k not in payload
    ]
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
