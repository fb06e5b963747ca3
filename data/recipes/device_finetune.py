"""Train side by side on a lent GPU machine, against a deadline, and bring back slim models.

python3 data/recipes/device_finetune.py --data DIR --train TRAIN.jsonl --dev DEV.jsonl \
    [--init INIT.pt] --run A=configs/a.json --run B=configs/b.json --deadline-s 520 --out $OUT

With `--init` every run fine-tunes that checkpoint (its shape and features); without it every
run starts from scratch with its config's shape (a bigger network than the CPU can train).

One feature cache (built once with every core; the runs' configs must agree on what the cache
holds: speeds, noise, lead silence, dither, seed), then one `asr train --keep-epochs` process
per run on the same GPU (small LSTM batches leave most of it idle, so runs side by side cost
little each). At the deadline the runs still going are stopped; the epochs they saved are kept.
Each run comes back as one file of at most three fp16 models (the GPU machine returns 8 files
of 16 MiB): its best epoch on dev (mean of WER and CER), its last epoch, and the average of its
last three; `--smoke` trains one epoch on 64 dev clips instead, to check the machine first.
Back home, `--unpack RUN.pt --out DIR` writes them as checkpoints (fp32) for `asr export`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

from asr.checkpoint import MODEL_KEYS, load_checkpoint, save_checkpoint
from asr.feature_cache import Variant
from asr.train import Trainer, _variants
from asr.train_config import TrainConfig

WORK = Path("/tmp")  # runs in WORK/runs, the feature cache in WORK/cache (--work)


def build_cache(config: TrainConfig, train: Path, dev: Path) -> None:
    started = time.time()
    workers = max(1, (os.cpu_count() or 2) - 1)
    trainer = Trainer(
        config.with_overrides(workers=workers), WORK / "runs" / "cache", WORK / "cache"
    )
    trainer.load_split(train, _variants(config), "train")
    trainer.load_split(dev, [Variant()], "dev")
    print(f"feature cache built in {time.time() - started:.0f} s", flush=True)


def start_run(name: str, config: Path, args: argparse.Namespace) -> subprocess.Popen:
    out = WORK / "runs" / name
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "asr", "train", str(args.train), "--dev", str(args.dev)]
    command += ["--out", str(out), "--config", str(config), "--cache-dir", str(WORK / "cache")]
    command += ["--keep-epochs"]
    if args.init:
        command += ["--init", str(args.init)]
    if args.smoke:
        command += ["--epochs", "1"]
    log = open(out / "train.log", "w")  # noqa: SIM115 (the child writes it until it ends)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)


def slim(payload: dict) -> dict:
    names = (*MODEL_KEYS, "train_config", "epoch", "history", "data_summary", "averaged_epochs")
    keep = {k: payload[k] for k in names if k in payload}
    keep["model_state"] = {k: v.half() for k, v in payload["model_state"].items()}
    return keep


def collect(name: str, out: Path) -> None:
    """best / last / mean of the last three epochs of one run, in one file."""
    run = WORK / "runs" / name
    epochs = sorted(run.glob("epoch_*.pt"))
    if not epochs:
        print(f"{name}: no epoch finished")
        return
    tail = [load_checkpoint(path) for path in epochs[-3:]]
    last = tail[-1]
    # The trainer's best.pt is chosen on the mean of dev WER and CER (absent only when the
    # deadline fell between the first epoch's two writes).
    best = load_checkpoint(run / "best.pt") if (run / "best.pt").is_file() else last
    for row in last["history"]:
        print(
            f"{name} epoch {row['epoch']}: loss {row['train_loss']:.4f} dev WER "
            f"{row['dev_wer']:.2%} CER {row['dev_cer']:.2%} ({row['seconds']:.0f} s)"
        )
    mean = dict(last)
    mean["model_state"] = {
        key: sum(p["model_state"][key].float() for p in tail) / len(tail)
        for key in last["model_state"]
    }
    mean["averaged_epochs"] = [p["epoch"] for p in tail]
    models = {"best": slim(best), "last": slim(last), "mean3": slim(mean)}
    torch.save(models, out / f"{name}.pt")
    print(f"{name}: best epoch {best['epoch']}, last {last['epoch']} -> {out / name}.pt")


def unpack(bundle: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for kind, payload in torch.load(bundle, map_location="cpu", weights_only=True).items():
        payload["model_state"] = {k: v.float() for k, v in payload["model_state"].items()}
        path = out / f"{bundle.stem}-{kind}.pt"
        save_checkpoint(path, payload)
        print(f"{path}: epoch {payload.get('averaged_epochs', payload['epoch'])}")


def main() -> None:
    global WORK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--train", type=Path)
    parser.add_argument("--dev", type=Path)
    parser.add_argument("--init", type=Path, help="checkpoint to fine-tune (default: from scratch)")
    parser.add_argument("--run", action="append", metavar="NAME=CONFIG")
    parser.add_argument("--deadline-s", type=float, default=520.0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--work", type=Path, default=WORK, help="runs and feature cache")
    parser.add_argument("--unpack", type=Path, nargs="+", metavar="RUN.pt")
    args = parser.parse_args()
    if args.unpack:
        for bundle in args.unpack:
            unpack(bundle, args.out)
        return
    if not (args.data and args.train and args.dev and args.run):
        parser.error("--data, --train, --dev and --run are needed to train")
    started = time.time()
    print(
        f"torch {torch.__version__}, cuda {torch.cuda.is_available()}, "
        f"{torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'}, "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )
    WORK = args.work
    args.train, args.dev = args.data / args.train, args.data / args.dev
    if args.smoke:
        lines = args.dev.read_text().splitlines()
        lines = lines[:: max(1, len(lines) // 64)][:64]
        args.train = args.dev = args.data / "smoke.jsonl"
        args.train.write_text("\n".join(lines) + "\n")
    runs = dict(item.split("=", 1) for item in args.run)
    configs = {name: TrainConfig.from_file(path) for name, path in runs.items()}
    caches = {(tuple(map(str, _variants(c))), c.dither, c.seed) for c in configs.values()}
    if len(caches) > 1:
        raise SystemExit("the runs' configs disagree on the cached variants, dither or seed")
    build_cache(next(iter(configs.values())), args.train, args.dev)
    processes = {name: start_run(name, Path(path), args) for name, path in runs.items()}
    while any(p.poll() is None for p in processes.values()):
        if time.time() - started > args.deadline_s:
            print("deadline: stopping the runs still going", flush=True)
            for process in processes.values():
                process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
            break
        time.sleep(2)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in runs:
        log = (WORK / "runs" / name / "train.log").read_text()
        (args.out / f"{name}.log").write_text(log)
        if "Traceback" in log:
            print(f"{name} failed:\n{log[-3000:]}")
        collect(name, args.out)
    print(json.dumps({"seconds": round(time.time() - started)}))


if __name__ == "__main__":
    main()
