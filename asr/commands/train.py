"""`asr train`: train an LSTM-CTC model on JSONL manifests (torch, imported when it runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asr.train_config import TrainConfig


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "train",
        help="train an LSTM-CTC model on JSONL manifests",
        description="Train a streaming LSTM-CTC model. Features are cached under OUT/cache; "
        "OUT/last.pt is written after every epoch (atomically) and OUT/best.pt whenever the mean "
        "of dev WER and CER improves. Runs data-parallel when started with torchrun. Every "
        "training option is a key of the --config JSON file; --print-config lists them all "
        "with their defaults (the flags below override the most used ones).",
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
    parser.add_argument(
        "--print-config",
        action=_PrintConfig,
        help="print every training option with its default, as a --config JSON file, and exit",
    )
    defaults = TrainConfig()
    for flag, key in _TRAIN_FLAGS.items():
        default = getattr(defaults, key)
        parser.add_argument(
            f"--{flag}",
            type=type(default),
            help=f"{_TRAIN_FLAG_HELP.get(key, 'override the config')} ({key}, default {default})",
        )
    parser.set_defaults(handler=run)


# `asr train` flag → the training option it overrides (all options: --print-config).
_TRAIN_FLAGS = {
    "epochs": "max_epochs",
    "lr": "lr",
    "hidden-size": "hidden_size",
    "num-layers": "num_layers",
    "proj-dim": "proj_dim",
    "dropout": "dropout",
    "clip-norm": "clip_norm",
    "batch-seconds": "batch_seconds",
    "patience": "patience",
    "max-minutes": "max_minutes",
    "seed": "seed",
    "workers": "workers",
    "threads": "threads",
    "precision": "precision",
}
_TRAIN_FLAG_HELP = {
    "dropout": "dropout between the LSTM layers and before the output layer",
    "clip_norm": "gradient clipping: the largest global gradient norm",
    "precision": "fp32, or bf16: the forward pass in bfloat16 autocast, about 1.5x faster "
    "steps on a CPU with AVX512-BF16 or a GPU",
}


class _PrintConfig(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(TrainConfig().to_json())
        parser.exit()


def run(args: argparse.Namespace) -> int:
    from asr.train import Trainer

    config = TrainConfig.from_file(args.config) if args.config else TrainConfig()
    overrides = {key: getattr(args, flag.replace("-", "_")) for flag, key in _TRAIN_FLAGS.items()}
    config = config.with_overrides(**overrides, keep_epochs=args.keep_epochs)
    trainer = Trainer(config, args.out, args.cache_dir)
    result = trainer.run(
        args.train_manifest, args.dev, resume=args.resume, test_manifest=args.test, init=args.init
    )
    trainer.log(
        f"best dev WER {result['best_dev_wer']:.2%} after {result['epochs']} epochs; "
        f"checkpoints in {args.out}"
    )
    return 0
