"""`asr train`: train an LSTM-CTC model on JSONL manifests (torch, imported when it runs)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "train",
        help="train an LSTM-CTC model on JSONL manifests",
        description="Train a streaming LSTM-CTC model. Features are cached under OUT/cache; "
        "OUT/last.pt is written after every epoch (atomically) and OUT/best.pt whenever the mean "
        "of dev WER and CER improves. Runs data-parallel when started with torchrun.",
    )
    parser.add_argument("train_manifest", type=Path, help="training manifest (NeMo JSONL)")
    parser.add_argument("--dev", type=Path, required=True, help="dev manifest for WER/early stop")
    parser.add_argument("--test", type=Path, help="manifest scored with the best model at the end")
    parser.add_argument("--out", type=Path, required=True, help="run folder for checkpoints")
    parser.add_argument("--config", type=Path, help="JSON file of training options")
    parser.add_argument("--cache-dir", type=Path, help="feature cache (default OUT/cache)")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    parser.add_argument(
        "--init",
        type=Path,
        metavar="MODEL",
        help="fine-tune: start from the weights and normalisation of a checkpoint (.pt), an "
        "exported model (.onnx, fp32 or --int8) or 'default' (the shipped model); the model "
        "keeps that shape, the optimiser starts afresh",
    )
    parser.add_argument(
        "--keep-epochs",
        action="store_true",
        default=None,
        help="also keep every epoch's checkpoint as OUT/epoch_NNN.pt (best.pt and last.pt as "
        "always), to compare epochs on sets other than --dev afterwards",
    )
    for name, kind in (
        ("epochs", int),
        ("lr", float),
        ("hidden-size", int),
        ("num-layers", int),
        ("proj-dim", int),
        ("batch-seconds", float),
        ("patience", int),
        ("max-minutes", float),
        ("seed", int),
        ("workers", int),
        ("threads", int),
    ):
        parser.add_argument(f"--{name}", type=kind, help=f"override the config's {name}")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from asr.train import Trainer
    from asr.train_config import TrainConfig

    config = TrainConfig.from_file(args.config) if args.config else TrainConfig()
    config = config.with_overrides(
        max_epochs=args.epochs,
        lr=args.lr,
        hidden_size=args.hidden_size,
        num_layers=args.num_layers,
        proj_dim=args.proj_dim,
        batch_seconds=args.batch_seconds,
        patience=args.patience,
        max_minutes=args.max_minutes,
        seed=args.seed,
        workers=args.workers,
        threads=args.threads,
        keep_epochs=args.keep_epochs,
    )
    trainer = Trainer(config, args.out, args.cache_dir)
    result = trainer.run(
        args.train_manifest, args.dev, resume=args.resume, test_manifest=args.test, init=args.init
    )
    trainer.log(
        f"best dev WER {result['best_dev_wer']:.2%} after {result['epochs']} epochs; "
        f"checkpoints in {args.out}"
    )
    return 0
