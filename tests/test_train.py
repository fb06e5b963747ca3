import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import FSDD, TINY_CONFIG

from asr.feature_cache import Variant
from asr.manifest import read_manifest
from asr.model import LstmCtcModel, ModelConfig
from asr.train import Trainer, _lr_factor
from asr.train_config import TrainConfig

ROOT = Path(__file__).parent.parent


def _manifest(tmp_path, rows, name="m.jsonl"):
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def _fsdd_rows(count):
    rows = [json.loads(line) for line in (FSDD / "train.jsonl").read_text().splitlines()]
    for row in rows:
        row["audio_filepath"] = str(FSDD / row["audio_filepath"])
    return rows[:count]


def test_tiny_model_overfits_real_clips_to_wer_zero(trained_run):
    result = trained_run["result"]
    assert result["best_dev_wer"] == 0.0
    assert result["epochs"] < TINY_CONFIG["max_epochs"]


def test_checkpoint_is_self_describing_and_weights_only(trained_run):
    payload = torch.load(trained_run["checkpoint"], weights_only=True)
    for key in (
        "model_state",
        "model_config",
        "feature_config",
        "feature_stats",
        "vocabulary",
        "train_config",
        "dev_wer",
        "optimizer_state",
        "scheduler_state",
        "epoch",
    ):
        assert key in payload
    assert payload["dev_wer"] == 0.0
    assert len(payload["feature_stats"]["mean"]) == payload["feature_config"]["n_mels"]
    assert payload["vocabulary"][:3] == ["<blank>", " ", "'"]
    assert not list(trained_run["dir"].glob("*.tmp"))  # atomic writes leave no temp files


def test_resume_continues_the_same_run(tmp_path, capsys):
    """A resumed run starts where the checkpoint stopped: it says so, runs only the missing
    epoch, keeps the first run's history (timings included) and ends where a straight run ends.
    A retrain from scratch reproduces the losses with fixed seeds, so the losses alone prove
    nothing."""
    manifest = _manifest(tmp_path, _fsdd_rows(8))
    config = TrainConfig.from_dict(
        {**TINY_CONFIG, "max_epochs": 3, "noise": True, "speeds": [0.9, 1.0], "time_masks": 1}
    )
    straight = Trainer(config, tmp_path / "a", tmp_path / "cache").run(manifest, manifest)
    first = Trainer(config.with_overrides(max_epochs=2), tmp_path / "b", tmp_path / "cache").run(
        manifest, manifest
    )
    capsys.readouterr()
    resumed = Trainer(config, tmp_path / "b", tmp_path / "cache").run(
        manifest, manifest, resume=True
    )
    err = capsys.readouterr().err.replace("\n", "")
    assert f"resumed {tmp_path / 'b' / 'last.pt'} at epoch 2" in err
    assert "epoch 3:" in err and "epoch 1:" not in err and "epoch 2:" not in err
    assert resumed["history"][:2] == first["history"]  # the same records, not a rerun's
    assert [h["epoch"] for h in resumed["history"]] == [1, 2, 3]
    losses_a = [h["train_loss"] for h in straight["history"]]
    losses_b = [h["train_loss"] for h in resumed["history"]]
    assert losses_b == pytest.approx(losses_a, rel=1e-4)
    assert losses_a[2] != pytest.approx(losses_a[1], rel=1e-3)  # the run really moved
    ends = [torch.load(tmp_path / run / "last.pt", weights_only=True) for run in ("a", "b")]
    assert ends[0]["step"] == ends[1]["step"] > 0
    optimiser_steps = [e["optimizer_state"]["state"][0]["step"] for e in ends]
    assert float(optimiser_steps[1]) == float(optimiser_steps[0]) == ends[0]["step"]
    for name, tensor in ends[0]["model_state"].items():
        torch.testing.assert_close(ends[1]["model_state"][name], tensor, rtol=1e-4, atol=1e-5)


def test_resume_refuses_other_feature_settings(trained_run, tmp_path):
    """Resuming with a config whose features differ would feed the weights other inputs."""
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(trained_run["checkpoint"], run / "last.pt")
    config = TrainConfig.from_dict({**TINY_CONFIG, "stack": 2, "stride": 2})
    with pytest.raises(SystemExit, match="last.pt: its feature settings differ"):
        Trainer(config, run, tmp_path / "cache").run(
            FSDD / "train.jsonl", FSDD / "train.jsonl", resume=True
        )


def test_bad_manifest_lines_are_skipped_with_reasons(tmp_path, capsys):
    good = _fsdd_rows(3)
    rows = [
        *good,
        {"audio_filepath": "missing.wav", "duration": 1.0, "text": "one"},
        {"audio_filepath": good[0]["audio_filepath"], "duration": 0, "text": "one"},
        {"audio_filepath": good[0]["audio_filepath"], "duration": 0.5, "text": " ?! "},
        "{not json",
        {"duration": 1.0, "text": "no path"},
    ]
    manifest = _manifest(tmp_path, rows)
    entries, skipped = read_manifest(manifest)
    assert len(entries) == 3
    reasons = [s.reason for s in skipped]
    assert [s.line for s in skipped] == [4, 5, 6, 7, 8]
    assert "audio file not found" in reasons[0] and "duration must be > 0" in reasons[1]
    assert reasons[2] == "empty text" and "not valid JSON" in reasons[3]
    assert "missing 'audio_filepath'" in reasons[4]
    config = TrainConfig.from_dict({**TINY_CONFIG, "max_epochs": 1})
    result = Trainer(config, tmp_path / "run").run(manifest, manifest)
    assert result["epochs"] == 1 and (tmp_path / "run" / "last.pt").is_file()
    assert f"{manifest}:4: audio file not found" in capsys.readouterr().err.replace("\n", "")


def test_corrupt_clip_in_manifest_does_not_stop_training(tmp_path, capsys):
    bad = tmp_path / "corrupt.wav"
    bad.write_bytes(b"RIFF not really a wave file")
    rows = [*_fsdd_rows(3), {"audio_filepath": str(bad), "duration": 1.0, "text": "one"}]
    manifest = _manifest(tmp_path, rows)
    config = TrainConfig.from_dict({**TINY_CONFIG, "max_epochs": 1})
    result = Trainer(config, tmp_path / "run").run(manifest, manifest)
    assert result["epochs"] == 1
    err = capsys.readouterr().err.replace("\n", "")
    assert "corrupt.wav: not a readable audio file" in err
    assert "train: 3 utterances (1 skipped)" in err


@pytest.mark.skipif(sys.platform != "linux", reason="gloo smoke test on Linux")
def test_ddp_two_processes_gloo(tmp_path):
    """`asr train` under torchrun with 2 processes: each trains on its half of every epoch's
    batches, and gradient averaging keeps the two copies of the model identical."""
    manifest = _manifest(tmp_path, _fsdd_rows(8))
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**TINY_CONFIG, "max_epochs": 2, "threads": 1}))
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": path}
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        str(ROOT / "tests" / "ddp_probe.py"),
        "train",
        str(manifest),
        "--dev",
        str(manifest),
        "--out",
        str(tmp_path / "ddp"),
        "--config",
        str(config),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    payload = torch.load(tmp_path / "ddp" / "last.pt", weights_only=True)
    ranks = [torch.load(tmp_path / "ddp" / f"rank{r}.pt", weights_only=True) for r in (0, 1)]
    assert [(r["rank"], r["world"]) for r in ranks] == [(0, 2), (1, 2)]
    epoch_batches = ranks[0]["epoch_batches"]
    assert len(epoch_batches) == payload["epoch"] == 2 and min(epoch_batches) >= 2
    assert ranks[1]["epoch_batches"] == epoch_batches  # both ranks cut the same batches
    share = sum(count // 2 for count in epoch_batches)
    assert [r["trained_batches"] for r in ranks] == [share, share]
    assert payload["step"] == share
    for name, tensor in payload["model_state"].items():
        assert torch.equal(ranks[0]["state"][name], tensor), name
        assert torch.equal(ranks[1]["state"][name], tensor), name


def test_sortagrad_epoch_orders_batches_shortest_first(tmp_path):
    manifest = _manifest(tmp_path, _fsdd_rows(12))
    config = TrainConfig.from_dict({**TINY_CONFIG, "batch_seconds": 1.5})
    trainer = Trainer(config, tmp_path / "run", tmp_path / "cache")
    split = trainer.load_split(manifest, [Variant()], "train")
    rng = np.random.default_rng(0)
    longest = [max(split.frames(i) for i in b) for b in trainer.make_batches(split, rng, False)]
    assert len(longest) > 3
    # Sorted up to the ±10 % length jitter that varies the buckets between epochs.
    assert all(a <= b * 1.25 for a, b in zip(longest, longest[1:]))
    assert np.corrcoef(np.arange(len(longest)), longest)[0, 1] > 0.9
    shuffled = trainer.make_batches(split, np.random.default_rng(0), True)
    assert [max(split.frames(i) for i in b) for b in shuffled] != longest


def test_lstm_forget_gates_start_open():
    model = LstmCtcModel(ModelConfig(input_dim=12, proj_dim=8, hidden_size=6, num_layers=2))
    for layer in range(2):
        total = getattr(model.lstm, f"bias_ih_l{layer}") + getattr(model.lstm, f"bias_hh_l{layer}")
        assert torch.allclose(total[6:12], torch.ones(6))  # gate order i, f, g, o
        assert not torch.allclose(total[:6], torch.ones(6))


def test_init_fine_tunes_from_a_checkpoint(trained_run, tmp_path):
    """A run started with `init` keeps the checkpoint's shape and normalisation, and its first
    epoch (at a learning rate too small to move anything) scores what the checkpoint scored.
    Weights stored in float16, as a checkpoint carried between machines may be, are accepted."""
    source = torch.load(trained_run["checkpoint"], weights_only=True)
    half = {**source, "model_state": {k: v.half() for k, v in source["model_state"].items()}}
    init = tmp_path / "half.pt"
    torch.save(half, init)
    config = TrainConfig.from_dict(TINY_CONFIG).with_overrides(
        max_epochs=1, lr=1e-9, hidden_size=7, num_layers=1
    )
    result = Trainer(config, tmp_path / "ft", tmp_path / "cache").run(
        FSDD / "train.jsonl", FSDD / "train.jsonl", init=init
    )
    tuned = torch.load(tmp_path / "ft" / "last.pt", weights_only=True)
    assert tuned["model_config"] == source["model_config"]
    assert tuned["feature_stats"] == source["feature_stats"]
    assert tuned["data_summary"]["init"] == str(init.resolve())
    assert tuned["data_summary"]["init_epoch"] == source["epoch"]
    assert tuned["data_summary"]["init_data"] == source["data_summary"]
    assert result["history"][0]["dev_wer"] == 0.0


def test_init_refuses_a_checkpoint_with_other_features(trained_run, tmp_path):
    config = TrainConfig.from_dict({**TINY_CONFIG, "stack": 2, "stride": 2})
    with pytest.raises(SystemExit, match="features"):
        Trainer(config, tmp_path / "ft", tmp_path / "cache").run(
            FSDD / "train.jsonl", FSDD / "train.jsonl", init=trained_run["checkpoint"]
        )


@pytest.mark.parametrize("setting, value", [("dither", 1e-3), ("mean_prior_frames", 300.0)])
def test_init_may_switch_dither_on(trained_run, tmp_path, setting, value):
    """Dither and the causal mean normalisation are the fine-tuning run's choice; the new model
    stores (and streams with) them."""
    config = TrainConfig.from_dict({**TINY_CONFIG, setting: value}).with_overrides(max_epochs=1)
    Trainer(config, tmp_path / "ft", tmp_path / "cache").run(
        FSDD / "train.jsonl", FSDD / "train.jsonl", init=trained_run["checkpoint"]
    )
    tuned = torch.load(tmp_path / "ft" / "last.pt", weights_only=True)
    assert tuned["feature_config"][setting] == value
    source = torch.load(trained_run["checkpoint"], weights_only=True)
    assert source["feature_config"].get(setting, 0.0) == 0.0


def test_background_batches_keep_order_and_raise_errors():
    from asr.background import in_background

    assert list(in_background(iter(range(50)), depth=2)) == list(range(50))

    def broken():
        yield 1
        raise ValueError("bad clip")

    with pytest.raises(ValueError, match="bad clip"):
        list(in_background(broken()))
    early = in_background(iter(range(100)), depth=1)
    assert next(early) == 0
    early.close()  # a consumer that stops early does not leave the producer blocked


def test_feature_workers_use_one_blas_thread_each():
    """Cache workers limit their BLAS pools; N workers x a machine-wide pool oversubscribed a
    16-core machine (load 107) and made the cache 9x slower."""
    from multiprocessing import get_context

    from asr.feature_cache import _one_thread_per_worker

    with get_context("fork").Pool(1, initializer=_one_thread_per_worker) as pool:
        inside = pool.apply(_blas_widths)
    assert inside and all(width == 1 for width in inside)


def _blas_widths() -> list[int]:
    import numpy as np
    from threadpoolctl import threadpool_info

    np.ones((64, 64)) @ np.ones((64, 64))  # make sure a BLAS pool exists
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_time_budget_stops_between_epochs(tmp_path, capsys):
    manifest = _manifest(tmp_path, _fsdd_rows(4))
    config = TrainConfig.from_dict({**TINY_CONFIG, "max_epochs": 5, "max_minutes": 1e-6})
    result = Trainer(config, tmp_path / "run", tmp_path / "cache").run(manifest, manifest)
    assert result["epochs"] == 1  # one epoch always runs; none starts past the budget
    assert (tmp_path / "run" / "best.pt").is_file()
    assert "time budget" in capsys.readouterr().err


def test_keep_epochs_saves_every_epoch(tmp_path):
    manifest = _manifest(tmp_path, _fsdd_rows(4))
    config = TrainConfig.from_dict({**TINY_CONFIG, "max_epochs": 2, "keep_epochs": True})
    Trainer(config, tmp_path / "run", tmp_path / "cache").run(manifest, manifest)
    kept = sorted(p.name for p in (tmp_path / "run").glob("epoch_*.pt"))
    assert kept == ["epoch_001.pt", "epoch_002.pt"]
    first, second = (torch.load(tmp_path / "run" / k, weights_only=True) for k in kept)
    last = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    assert (first["epoch"], second["epoch"]) == (1, 2)
    for name, tensor in last["model_state"].items():
        assert torch.equal(second["model_state"][name], tensor)
    assert not all(torch.equal(first["model_state"][n], t) for n, t in last["model_state"].items())


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "configs").glob("*.json")))
def test_checked_in_configs_are_valid_training_options(name):
    config = TrainConfig.from_file(ROOT / "configs" / name)
    assert config.lr > 0 and config.max_epochs > 0


def test_train_flags_reach_the_config_over_the_config_file(tmp_path, monkeypatch):
    import asr.train
    from asr.cli import main

    seen = {}

    class FakeTrainer:
        def __init__(self, config, out, cache_dir):
            seen["config"] = config

        def run(self, *args, **kwargs):
            return {"best_dev_wer": 0.0, "epochs": 0}

        def log(self, message):
            pass

    monkeypatch.setattr(asr.train, "Trainer", FakeTrainer)
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"dropout": 0.2, "clip_norm": 9.0, "lr": 0.01}))
    manifest = str(FSDD / "train.jsonl")
    flags = ["--dropout", "0.3", "--clip-norm", "1.5", "--config", str(config)]
    assert main(["train", manifest, "--dev", manifest, "--out", str(tmp_path), *flags]) == 0
    assert (seen["config"].dropout, seen["config"].clip_norm, seen["config"].lr) == (0.3, 1.5, 0.01)


def test_print_config_lists_every_option_with_its_default(capsys):
    from asr.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--print-config"])  # no manifests needed
    assert exit_info.value.code == 0
    printed = json.loads(capsys.readouterr().out)
    assert TrainConfig.from_dict(printed) == TrainConfig()  # a complete, valid --config file
    assert printed["dropout"] == 0.1 and printed["clip_norm"] == 5.0
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--dropout DROPOUT" in help_text and "(clip_norm, default 5.0)" in help_text


def test_cache_key_ignores_the_causal_mean_setting():
    """The cache holds log-mels before normalisation: runs that differ only in
    `mean_prior_frames` share it, and caches made before the setting existed stay valid."""
    import hashlib
    from dataclasses import asdict, replace

    from asr.feature_cache import _key, _paths, _settings
    from asr.features import FeatureConfig

    entries, _ = read_manifest(FSDD / "heldout.jsonl")
    config, variant = FeatureConfig(dither=5e-4), Variant()

    def cache_key(config: FeatureConfig) -> str:  # as build_cache names the file
        return _key(_settings(config, variant, 0), _paths(entries))

    key = cache_key(config)
    assert cache_key(replace(config, mean_prior_frames=300.0)) == key
    assert cache_key(replace(config, dither=1e-3)) != key
    old = {k: v for k, v in asdict(config).items() if k != "mean_prior_frames"}
    digest = hashlib.sha256(json.dumps([old, variant.__dict__, 0], sort_keys=True).encode())
    for entry in entries:
        digest.update(str(entry.audio_path.resolve()).encode())
    assert key == digest.hexdigest()[:16]


def test_an_extended_manifest_reuses_the_earlier_cache_and_matches_a_full_build(tmp_path):
    """Appending clips to a manifest computes only the new ones: the earlier clips' features
    come from the earlier cache (proved by deleting their audio), equal to a full build."""
    from asr.feature_cache import build_cache
    from asr.features import FeatureConfig

    audio = tmp_path / "audio"
    audio.mkdir()
    rows = _fsdd_rows(6)
    for row in rows:
        copy = audio / Path(row["audio_filepath"]).name
        shutil.copy(row["audio_filepath"], copy)
        row["audio_filepath"] = str(copy)
    config, variant = FeatureConfig(dither=5e-4), Variant(noise=True, lead_padding=0.2)
    entries, _ = read_manifest(_manifest(tmp_path, rows))
    full = build_cache(entries, config, variant, tmp_path / "full", seed=3, workers=1)

    cache = tmp_path / "cache"
    build_cache(entries[:4], config, variant, cache, seed=3, workers=1)
    build_cache(entries[:2], config, replace(variant, noise=False), cache, seed=3, workers=1)
    for entry in entries[:4]:
        entry.audio_path.unlink()  # only the earlier cache can supply these now
    errors = []
    extended = build_cache(
        entries, config, variant, cache, seed=3, workers=1, on_error=errors.append
    )
    assert errors == [] and extended.valid.all()
    np.testing.assert_array_equal(extended.offsets, full.offsets)
    np.testing.assert_array_equal(extended.data, full.data)
    assert len(list(cache.glob("*.npz"))) == 3
    # The clean variant's files share the noisy ones' name prefix: only its own settings match,
    # and the clips no cache of it holds are reported, not invented.
    clean = replace(variant, noise=False)
    reused = build_cache(entries, config, clean, cache, seed=3, workers=1, on_error=errors.append)
    assert len(errors) == 2 and reused.valid.tolist() == [True, True, False, False, True, True]
    other = build_cache(entries, config, variant, cache, seed=4, workers=1, on_error=errors.append)
    assert len(errors) == 6 and other.valid.tolist() == [False] * 4 + [True] * 2


def test_loader_processes_prepare_the_same_batches_as_the_thread(tmp_path):
    manifest = _manifest(tmp_path, _fsdd_rows(8))
    augmenting = {**TINY_CONFIG, "freq_masks": 1, "time_masks": 1, "warp": 0.1, "tempo": 0.1}
    prepared = {}
    for workers in (0, 2):
        config = TrainConfig.from_dict({**augmenting, "loader_workers": workers})
        trainer = Trainer(config, tmp_path / "run", tmp_path / "cache")
        split = trainer.load_split(manifest, [Variant()], "train")
        stats = trainer.compute_stats(split)
        batches = [[0, 1], [2, 3, 4], [5], [6, 7]]
        prepared[workers] = list(trainer.prepared_batches(split, stats, batches, epoch=3))
    assert len(prepared[0]) == len(prepared[2]) == 4
    for thread, process in zip(prepared[0], prepared[2]):
        for a, b in zip(thread, process):
            assert torch.equal(a, b)
    # augmented: the same batch in another epoch differs
    again = list(trainer.prepared_batches(split, stats, [[0, 1]], epoch=4))[0][0]
    assert not torch.equal(again, prepared[2][0][0])


def test_bf16_precision_trains_close_to_float32(tmp_path):
    """`precision: bf16` really runs the forward pass in bfloat16 (the losses differ from the
    float32 run's) and still learns as float32 does (the same losses within a few per cent)."""
    manifest = _manifest(tmp_path, _fsdd_rows(8))
    losses = {}
    for precision in ("fp32", "bf16"):
        config = TrainConfig.from_dict({**TINY_CONFIG, "max_epochs": 3, "precision": precision})
        result = Trainer(config, tmp_path / precision, tmp_path / "cache").run(manifest, manifest)
        losses[precision] = [h["train_loss"] for h in result["history"]]
    assert losses["bf16"] != pytest.approx(losses["fp32"], rel=1e-4)
    assert losses["bf16"] == pytest.approx(losses["fp32"], rel=0.05)
    assert losses["bf16"][2] < losses["bf16"][0]


def test_unknown_precision_is_a_one_line_error(tmp_path, capsys):
    from asr.cli import main

    manifest = str(FSDD / "train.jsonl")
    code = main(
        ["train", manifest, "--dev", manifest, "--out", str(tmp_path), "--precision", "fp16"]
    )
    assert code != 0
    assert "precision must be one of fp32, bf16, not 'fp16'" in capsys.readouterr().err


def test_cooldown_lowers_the_lr_linearly_to_its_floor_and_stays_there():
    base = TrainConfig(warmup_steps=1, decay_start_steps=100)
    cool = replace(base, cooldown_start_step=1000, cooldown_steps=400, cooldown_floor=0.2)
    assert _lr_factor(cool, 999) == _lr_factor(base, 999)
    for step, share in ((1000, 1.0), (1200, 0.6), (1400, 0.2), (5000, 0.2)):
        assert _lr_factor(cool, step) == pytest.approx(share * _lr_factor(base, step))


def test_cooldown_floor_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="cooldown_floor"):
        TrainConfig(cooldown_floor=1.5)
