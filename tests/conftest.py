"""Shared fixtures: real FSDD clips from tests/data and one tiny model trained on them."""

from __future__ import annotations

import json
import os
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
    "lead_padding": 0.0,
    "gain_db": [0.0, 0.0],
    "eq_db": 0.0,
    "warp": 0.0,
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

    # ASR_TEST_RUN_DIR=folder keeps the tiny run between pytest invocations (a developer
    # convenience; CI always trains afresh).
    keep = os.environ.get("ASR_TEST_RUN_DIR")
    out = Path(keep) if keep else tmp_path_factory.mktemp("tiny-run")
    result_file = out / "result.json"
    if keep and result_file.is_file() and (out / "best.pt").is_file():
        return {
            "dir": out,
            "result": json.loads(result_file.read_text()),
            "checkpoint": out / "best.pt",
        }
    trainer = Trainer(TrainConfig.from_dict(TINY_CONFIG).with_overrides(target_wer=0.0), out)
    result = trainer.run(FSDD / "train.jsonl", FSDD / "train.jsonl")
    result_file.write_text(json.dumps({k: result[k] for k in ("best_dev_wer", "epochs")}))
    return {"dir": out, "result": result, "checkpoint": out / "best.pt"}


@pytest.fixture(scope="session")
def tiny_onnx(trained_run, tmp_path_factory) -> Path:
    from export.pipeline import export_checkpoint

    path = tmp_path_factory.mktemp("tiny-onnx") / "tiny.onnx"
    export_checkpoint(trained_run["checkpoint"], path, check_manifest=FSDD / "train.jsonl")
    return path


def record_batch_sizes(recognizer) -> list[int]:
    """Wrap the recognizer's model call to record each call's batch size (streams per call)."""
    batch_sizes: list[int] = []
    run = recognizer.model.run

    def recording_run(features, h, c):
        batch_sizes.append(len(features))
        return run(features, h, c)

    recognizer.model.run = recording_run
    return batch_sizes
