"""The GPU-machine recipe, run here on the CPU in its --smoke form: a lent GPU is rare and its
minutes are few, so the recipe must already work when one comes."""

import json
import subprocess
import sys
from pathlib import Path

import torch
from conftest import FSDD, TINY_CONFIG

from asr.checkpoint import load_checkpoint

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "data" / "recipes" / "device_finetune.py"


def _six_clips(data: Path) -> Path:
    """A data folder whose dev.jsonl holds six FSDD clips (absolute paths): train and dev."""
    data.mkdir()
    rows = [json.loads(line) for line in (FSDD / "train.jsonl").read_text().splitlines()][:6]
    for row in rows:
        row["audio_filepath"] = str(FSDD / row["audio_filepath"])
    (data / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return data


def test_smoke_run_returns_best_last_and_mean_models_that_unpack(trained_run, tmp_path):
    data = _six_clips(tmp_path / "data")
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps({**TINY_CONFIG, "workers": 1}))
    out = tmp_path / "out"
    command = [sys.executable, str(RECIPE), "--smoke", "--data", str(data), "--train", "dev.jsonl"]
    command += ["--dev", "dev.jsonl", "--init", str(trained_run["checkpoint"]), "--out", str(out)]
    command += ["--run", f"A={config}", "--work", str(tmp_path / "work")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "A epoch 1: loss" in done.stdout and (out / "A.log").is_file()
    bundle = torch.load(out / "A.pt", weights_only=True)
    assert sorted(bundle) == ["best", "last", "mean3"]
    assert bundle["best"]["model_state"]["classifier.weight"].dtype == torch.float16
    unpacked = tmp_path / "ckpt"
    command = [sys.executable, str(RECIPE), "--unpack", str(out / "A.pt"), "--out", str(unpacked)]
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT, timeout=120)
    mean = load_checkpoint(unpacked / "A-mean3.pt")
    assert mean["averaged_epochs"] == [1] and mean["epoch"] == 1
    assert mean["model_state"]["classifier.weight"].dtype == torch.float32


def test_without_init_a_run_starts_from_scratch_with_its_config_shape(tmp_path):
    data = _six_clips(tmp_path / "data")
    config = tmp_path / "scratch.json"
    config.write_text(json.dumps({**TINY_CONFIG, "workers": 1, "hidden_size": 24}))
    out = tmp_path / "out"
    command = [sys.executable, str(RECIPE), "--smoke", "--data", str(data), "--train", "dev.jsonl"]
    command += ["--dev", "dev.jsonl", "--out", str(out), "--run", f"S={config}"]
    command += ["--work", str(tmp_path / "work")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    last = torch.load(out / "S.pt", weights_only=True)["last"]
    assert last["model_config"]["hidden_size"] == 24
    assert not any(key.startswith("init") for key in last["data_summary"])
