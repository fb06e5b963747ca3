"""Torch → ONNX: a thin wrapper that names the inputs/outputs and keeps batch and time dynamic.

Uses the TorchScript-based exporter (`dynamo=False`): it keeps the time axis dynamic for the
LSTM, where the dynamo exporter specialised it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch

from asr.model import LstmCtcModel

INPUT_NAMES = ["features", "h", "c"]
OUTPUT_NAMES = ["log_probs", "h_out", "c_out"]
OPSET = 17


def export_onnx(model: LstmCtcModel, path: str | Path) -> None:
    model = model.eval()
    config = model.config
    features = torch.zeros(1, 7, config.input_dim)
    h, c = model.init_state(1)
    dynamic_axes = {
        "features": {0: "batch", 1: "time"},
        "h": {1: "batch"},
        "c": {1: "batch"},
        "log_probs": {0: "batch", 1: "time"},
        "h_out": {1: "batch"},
        "c_out": {1: "batch"},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (features, h, c),
            str(path),
            input_names=INPUT_NAMES,
            output_names=OUTPUT_NAMES,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            dynamo=False,
        )
