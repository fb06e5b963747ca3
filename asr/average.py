"""Weighted averages of model weights: epoch averaging, and fine-tuned/base interpolation.

Both are cheap ways to a more robust model than any single checkpoint: averaging the last
epochs of a run smooths the noise of the final updates (as icefall does), and interpolating a
fine-tuned model with the model it started from (WiSE-FT, Wortsman et al. 2022) keeps much of
the fine-tuning gain while giving back less of what the start model could do. Averaging is only
meaningful between models of one lineage, so the shapes, feature settings, normalisation and
vocabulary must agree (dither, which only touches near-silent frames, may differ).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asr.checkpoint import TRAINING_STATE_KEYS, CheckpointError, save_checkpoint
from asr.features import FeatureConfig
from export.onnx_weights import load_any


def average_checkpoints(
    models: list[str | Path], weights: list[float] | None = None
) -> dict[str, Any]:
    """The first model's payload with the weighted mean of all models' weights.

    Weights are normalised to sum to 1. The result has no optimiser state (it starts no
    resumable run) and no dev figures (they belonged to the first model); what it was made of is
    recorded under data_summary["averaged_from"], which the export copies into the model card.
    """
    if not models:
        raise ValueError("no models to average")
    weights = [1.0] * len(models) if weights is None else [float(w) for w in weights]
    if len(weights) != len(models):
        raise ValueError(f"{len(weights)} weights for {len(models)} models")
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("weights must be non-negative and not all zero")
    total = sum(weights)
    weights = [w / total for w in weights]
    loaded = [load_any(model) for model in models]
    first_path, first = loaded[0]
    for path, payload in loaded[1:]:
        _check_compatible(first_path, first, path, payload)
    state = {
        name: sum(w * p["model_state"][name].float() for w, (_, p) in zip(weights, loaded))
        for name in first["model_state"]
    }
    result = {k: v for k, v in first.items() if k not in TRAINING_STATE_KEYS}
    result.update(model_state=state, dev_wer=None, dev_cer=None)
    summary = dict(first.get("data_summary") or {})
    summary["averaged_from"] = [
        {"model": str(path.resolve()), "weight": round(w, 6), "epoch": p.get("epoch")}
        for w, (path, p) in zip(weights, loaded)
    ]
    result["data_summary"] = summary
    return result


def _check_compatible(
    first_path: Path, first: dict[str, Any], path: Path, payload: dict[str, Any]
) -> None:
    def differs(what: str) -> CheckpointError:
        return CheckpointError(f"{path}: its {what} differ from {first_path}'s; cannot average")

    shape = {**payload["model_config"], "dropout": first["model_config"].get("dropout")}
    if shape != first["model_config"]:  # dropout is a training choice, not a shape
        raise differs("model shape (model_config)")
    ours = FeatureConfig.from_dict(first["feature_config"])
    if not ours.same_features_as(FeatureConfig.from_dict(payload["feature_config"])):
        raise differs("feature settings")
    if payload["feature_stats"] != first["feature_stats"]:
        raise differs("normalisation statistics (not one lineage: fine-tune with --init)")
    if list(payload["vocabulary"]) != list(first["vocabulary"]):
        raise differs("vocabulary")
    if set(payload["model_state"]) != set(first["model_state"]):
        raise differs("weight names")


def write_average(
    models: list[str | Path], output: str | Path, weights: list[float] | None = None
) -> dict[str, Any]:
    payload = average_checkpoints(models, weights)
    save_checkpoint(output, payload)
    return payload
