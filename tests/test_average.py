import pytest
import torch
from conftest import FSDD

from asr.average import average_checkpoints
from asr.checkpoint import CheckpointError, load_checkpoint, model_from_checkpoint, save_checkpoint
from asr.cli import main


def _printed(capsys) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err


def _variant(trained_run, tmp_path, name, change):
    payload = load_checkpoint(trained_run["checkpoint"])
    change(payload)
    path = tmp_path / name
    save_checkpoint(path, payload)
    return path


def test_weighted_average_is_exact_and_drops_training_state(trained_run, tmp_path):
    def triple(payload):
        payload["model_state"] = {k: 3 * v for k, v in payload["model_state"].items()}

    tripled = _variant(trained_run, tmp_path, "tripled.pt", triple)
    averaged = average_checkpoints([trained_run["checkpoint"], tripled], [1, 3])
    original = load_checkpoint(trained_run["checkpoint"])["model_state"]
    for name, tensor in original.items():  # 0.25 * w + 0.75 * 3w = 2.5 w
        assert torch.allclose(averaged["model_state"][name], 2.5 * tensor, atol=1e-6)
    assert "optimizer_state" not in averaged and averaged["dev_wer"] is None
    parts = averaged["data_summary"]["averaged_from"]
    assert [p["weight"] for p in parts] == [0.25, 0.75]
    assert parts[1]["model"].endswith("tripled.pt")


def test_exported_model_averages_like_its_checkpoint(trained_run, tiny_onnx):
    averaged = average_checkpoints([trained_run["checkpoint"], tiny_onnx])
    original = load_checkpoint(trained_run["checkpoint"])["model_state"]
    for name, tensor in original.items():  # the fp32 export holds the same weights
        assert torch.allclose(averaged["model_state"][name], tensor, atol=1e-5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: p["feature_stats"].update(mean=[0.0] * len(p["feature_stats"]["mean"])),
            "normalisation statistics",
        ),
        (lambda p: p["model_config"].update(hidden_size=7), "model shape"),
        (lambda p: p["feature_config"].update(n_mels=40), "feature settings"),
    ],
)
def test_models_of_another_lineage_are_refused(trained_run, tmp_path, change, message):
    other = _variant(trained_run, tmp_path, "other.pt", change)
    with pytest.raises(CheckpointError, match=f"other.pt: its {message}"):
        average_checkpoints([trained_run["checkpoint"], other])


def test_dropout_and_dither_may_differ(trained_run, tmp_path):
    def retrained(payload):
        payload["model_config"]["dropout"] = 0.3
        payload["feature_config"]["dither"] = 5e-4

    other = _variant(trained_run, tmp_path, "other.pt", retrained)
    averaged = average_checkpoints([trained_run["checkpoint"], other])
    assert averaged["model_config"] == load_checkpoint(trained_run["checkpoint"])["model_config"]


def test_cli_writes_a_checkpoint_that_exports_with_its_lineage(trained_run, tmp_path, capsys):
    from export.pipeline import export_checkpoint
    from streaming.model import OnnxAcousticModel

    out = tmp_path / "avg.pt"
    assert main(["average", str(trained_run["checkpoint"]), "default", "-o", str(out)]) == 1
    assert "differ" in _printed(capsys)  # the shipped model is another lineage
    code = main(
        ["average", str(trained_run["checkpoint"]), str(trained_run["checkpoint"]), "-o", str(out)]
        + ["--weights", "2", "2"]
    )
    assert code == 0 and "best.pt × 0.5, best.pt × 0.5" in _printed(capsys)
    onnx_path = tmp_path / "avg.onnx"
    export_checkpoint(out, onnx_path, check_manifest=FSDD / "train.jsonl", check_limit=5)
    card = OnnxAcousticModel(onnx_path, provider="cpu").info.card
    assert [p["weight"] for p in card["training_data"]["averaged_from"]] == [0.5, 0.5]
    source = load_checkpoint(trained_run["checkpoint"])
    [(path, epoch)] = {(p["model"], p["epoch"]) for p in card["training_data"]["averaged_from"]}
    assert path == str(trained_run["checkpoint"].resolve()) and epoch == source["epoch"]
    assert card["training_data"]["dev_manifest"] == source["data_summary"]["dev_manifest"]
    assert card["parameters"] == model_from_checkpoint(source).num_parameters()
    assert card["dev_wer"] is None  # the first model's figure does not describe the average


def test_bad_weights_are_one_line_errors(trained_run, capsys, tmp_path):
    ckpt = str(trained_run["checkpoint"])
    assert main(["average", ckpt, ckpt, "-o", str(tmp_path / "a.pt"), "--weights", "1"]) == 1
    assert "1 weights for 2 models" in _printed(capsys)
    assert main(["average", ckpt, "-o", str(tmp_path / "a.pt"), "--weights", "-1"]) == 1
    assert "non-negative" in _printed(capsys)
    assert not (tmp_path / "a.pt").exists()


def test_an_average_is_refused_as_a_resume_point(trained_run, tmp_path):
    from asr.train import Trainer
    from asr.train_config import TrainConfig

    run = tmp_path / "run"
    run.mkdir()
    save_checkpoint(run / "last.pt", average_checkpoints([trained_run["checkpoint"]]))
    config = TrainConfig.from_dict(load_checkpoint(trained_run["checkpoint"])["train_config"])
    with pytest.raises(SystemExit, match="last.pt: holds no training state"):
        Trainer(config, run).run(FSDD / "train.jsonl", FSDD / "train.jsonl", resume=True)
