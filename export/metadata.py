"""ONNX metadata written at export: everything the runtime needs, as JSON strings.

The runtime (`streaming.model`) reads these keys back; nothing is re-typed in code.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from asr.checkpoint import SETTINGS_KEYS

FORMAT_VERSION = "1"
# Format 2: the features use the causal mean normalisation (`mean_prior_frames`), which a
# format-1 runtime would silently skip; models without it stay format 1 for older runtimes.
CAUSAL_MEAN_FORMAT = "2"


def metadata_from_checkpoint(
    payload: dict[str, Any], num_parameters: int, quantization: str
) -> dict[str, str]:
    card = {
        "parameters": num_parameters,
        "quantization": quantization,
        "dev_wer": payload.get("dev_wer"),
        "dev_cer": payload.get("dev_cer"),
        "epochs": payload.get("epoch"),
        "training_data": payload.get("data_summary", {}),
        "exported": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    settings = {key: json.dumps(payload[key]) for key in SETTINGS_KEYS}
    causal_mean = payload["feature_config"].get("mean_prior_frames", 0) > 0
    version = CAUSAL_MEAN_FORMAT if causal_mean else FORMAT_VERSION
    return {"lstm_asr_format": version, **settings, "model_card": json.dumps(card)}


def write_metadata(onnx_path, metadata: dict[str, str]) -> None:
    import onnx

    from asr.fileio import atomic_write

    model = onnx.load(str(onnx_path))
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    atomic_write(onnx_path, lambda tmp: onnx.save(model, str(tmp)))
