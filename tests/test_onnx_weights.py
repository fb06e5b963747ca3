"""Fine-tuning from an exported model: the ONNX graph read back into torch weights."""

import numpy as np
import onnx
import pytest
import torch
from conftest import FSDD, TINY_CONFIG

import export.onnx_weights as onnx_weights
from asr.checkpoint import CheckpointError, load_checkpoint
from asr.cli import main
from asr.train import Trainer
from asr.train_config import TrainConfig
from export.onnx_weights import checkpoint_from_onnx
from export.pipeline import export_checkpoint


def test_fp32_export_reads_back_to_the_same_weights_and_settings(trained_run, tiny_onnx):
    source = load_checkpoint(trained_run["checkpoint"])
    read = checkpoint_from_onnx(tiny_onnx)
    for key in ("model_config", "feature_config", "feature_stats", "vocabulary"):
        assert read[key] == source[key]
    assert read["model_state"].keys() == source["model_state"].keys()
    for name, value in source["model_state"].items():
        assert torch.max(torch.abs(read["model_state"][name] - value)) <= 1e-6, name


def test_int8_export_reads_back_within_half_a_quantisation_step(trained_run, tmp_path):
    path = tmp_path / "tiny.int8.onnx"
    export_checkpoint(
        trained_run["checkpoint"], path, quantization="int8", check_manifest=FSDD / "train.jsonl"
    )
    source = load_checkpoint(trained_run["checkpoint"])["model_state"]
    read = checkpoint_from_onnx(path)["model_state"]
    changed = 0
    for name, value in source.items():
        difference = torch.max(torch.abs(read[name] - value))
        # Per-channel scales: no channel's step is larger than the tensor's max |w| / 127.
        assert difference <= 0.51 * torch.max(torch.abs(value)) / 127 + 1e-7, name
        changed += bool(difference > 0)
    assert changed >= 5  # the int8 weights really came from the int8 tensors


def test_training_can_start_from_an_exported_model(trained_run, tiny_onnx, tmp_path):
    """`init` with an .onnx file: same shape and normalisation, and the first epoch (at a
    learning rate too small to move anything) scores what the exported model scores."""
    config = TrainConfig.from_dict(TINY_CONFIG).with_overrides(
        max_epochs=1, lr=1e-9, hidden_size=7, num_layers=1
    )
    result = Trainer(config, tmp_path / "ft", tmp_path / "cache").run(
        FSDD / "train.jsonl", FSDD / "train.jsonl", init=tiny_onnx
    )
    source = load_checkpoint(trained_run["checkpoint"])
    tuned = load_checkpoint(tmp_path / "ft" / "last.pt")
    assert tuned["model_config"] == source["model_config"]
    assert tuned["feature_stats"] == source["feature_stats"]
    assert result["history"][0]["dev_wer"] == 0.0


def test_a_wrong_weight_mapping_is_caught_by_the_parity_check(tiny_onnx, monkeypatch):
    monkeypatch.setattr(onnx_weights, "_TORCH_GATE_ORDER", [0, 1, 2, 3])  # ONNX order as is
    with pytest.raises(CheckpointError, match="do not reproduce"):
        checkpoint_from_onnx(tiny_onnx)


def test_an_onnx_model_without_our_metadata_is_refused(tiny_onnx, tmp_path, capsys):
    graph = onnx.load(str(tiny_onnx))
    del graph.metadata_props[:]
    stripped = tmp_path / "stripped.onnx"
    onnx.save(graph, str(stripped))
    code = main(
        ["train", str(FSDD / "train.jsonl"), "--dev", str(FSDD / "train.jsonl"), "--out",
         str(tmp_path / "run"), "--init", str(stripped)]
    )  # fmt: skip
    assert code == 1
    err = " ".join(capsys.readouterr().err.split())
    lacks = "metadata lacks lstm_asr_format, feature_config"
    assert f"{stripped}: not an lstm-asr model ({lacks}" in err
    assert not (tmp_path / "run" / "cache").exists()  # refused before any feature caching


def test_the_shipped_model_reads_back():
    from streaming.model import default_model_path

    payload = checkpoint_from_onnx(default_model_path())
    shape = payload["model_config"]
    assert payload["model_state"]["lstm.weight_hh_l0"].shape == (
        4 * shape["hidden_size"],
        shape["hidden_size"],
    )
    assert np.isfinite(payload["feature_stats"]["mean"]).all()


@pytest.mark.parametrize("name", ["missing.onnx", "notes.pt", "notes.onnx"])
def test_a_bad_init_is_one_clear_line(tmp_path, capsys, name):
    if name.startswith("notes"):
        (tmp_path / name).write_text("not a model\n")
    code = main(
        ["train", str(FSDD / "train.jsonl"), "--dev", str(FSDD / "train.jsonl"), "--out",
         str(tmp_path / "run"), "--init", str(tmp_path / name)]
    )  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 1 and "Traceback" not in err
    reason = {
        "missing.onnx": "model file not found",
        "notes.pt": "not a readable lstm-asr checkpoint",
        "notes.onnx": "not a loadable ONNX model",
    }[name]
    assert err.startswith(f"error: {tmp_path / name}: {reason}")
    assert len(err.splitlines()) <= 2  # the console may wrap one long line once


def test_a_dynamically_quantised_model_is_refused(trained_run, tmp_path):
    path = tmp_path / "tiny.dyn.onnx"
    export_checkpoint(
        trained_run["checkpoint"],
        path,
        quantization="int8-dynamic",
        check_manifest=FSDD / "train.jsonl",
    )
    with pytest.raises(CheckpointError, match="--int8-dynamic"):
        checkpoint_from_onnx(path)
