"""Shared fixtures: real FSDD clips from tests/data and one tiny model trained on them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
FSDD = DATA / "fsdd"

# Tiny and fast: overfits the 20 training clips in well under a minute on 2 CPU cores.
TINY_CONFIG = {
    "proj_dim": 64,
    "hidden_size": 96,
    "num_layers": 2,
    "dropout": 0.0,
    "lr": 0.005,
    "weight_decay": 0.0,
    "warmup_steps": 10,
    "batch_seconds": 1.0,
    "max_epochs": 300,
    "patience": 300,
    "speeds": [1.0],
    "noise": False,
    "freq_masks": 0,
    "time_masks": 0,
    "workers": 1,
    "threads": 2,
}


def fsdd_clip(name: str) -> np.ndarray:
    from asr.audio import load_audio

    return load_audio(FSDD / name)


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory) -> dict:
    """Train the tiny model once per test session: {"dir", "result", "checkpoint"}."""
    from asr.train import Trainer
    from asr.train_config import TrainConfig

    out = tmp_path_factory.mktemp("tiny-run")
    trainer = Trainer(TrainConfig.from_dict(TINY_CONFIG).with_overrides(target_wer=0.0), out)
    result = trainer.run(FSDD / "train.jsonl", FSDD / "train.jsonl")
    return {"dir": out, "result": result, "checkpoint": out / "best.pt"}


@pytest.fixture(scope="session")
def tiny_onnx(trained_run, tmp_path_factory) -> Path:
    from export.pipeline import export_checkpoint

    path = tmp_path_factory.mktemp("tiny-onnx") / "tiny.onnx"
    export_checkpoint(trained_run["checkpoint"], path, check_manifest=FSDD / "train.jsonl")
    return path
