"""The `asr` command. Each subcommand imports its heavy modules only when it runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from asr.progress import console
from asr.train_config import TrainConfig

Handler = Callable[[argparse.Namespace], int]


def _add_train(sub: argparse._SubParsersAction) -> None:
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
    parser.set_defaults(handler=_run_train)


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
}
_TRAIN_FLAG_HELP = {
    "dropout": "dropout between the LSTM layers and before the output layer",
    "clip_norm": "gradient clipping: the largest global gradient norm",
}


class _PrintConfig(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(TrainConfig().to_json())
        parser.exit()


def _run_train(args: argparse.Namespace) -> int:
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lstm-asr")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asr",
        description="lstm-asr: a small streaming speech recogniser (LSTM-CTC, ONNX runtime).",
    )
    parser.add_argument("--verbose", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _COMMANDS:
        add(sub)
    return parser


def _add_export(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export",
        help="export a checkpoint to ONNX (optionally int8) with a parity check",
        description="Export CKPT to ONNX with the LSTM state as explicit inputs/outputs and "
        "the feature settings, normalisation statistics and vocabulary in the metadata. A "
        "parity check (torch on whole utterances vs ONNX in random-size chunks) must pass or "
        "nothing is written.",
    )
    parser.add_argument("checkpoint", type=Path, help="a checkpoint from `asr train`")
    parser.add_argument("-o", "--output", type=Path, required=True, help="ONNX file to write")
    quantization = parser.add_mutually_exclusive_group()
    quantization.add_argument(
        "--int8",
        dest="quantization",
        action="store_const",
        const="int8",
        help="int8 weights, one scale per channel (a quarter of the size; computes in float, "
        "so batched and single-stream results agree)",
    )
    quantization.add_argument(
        "--int8-dynamic",
        dest="quantization",
        action="store_const",
        const="int8-dynamic",
        help="onnxruntime dynamic int8 (faster on CPU; activations quantised per call, so "
        "results in a batched server call depend slightly on the other streams)",
    )
    parser.add_argument(
        "--check-manifest",
        type=Path,
        help="clips for the parity check (default: the checkpoint's dev set)",
    )
    parser.add_argument("--check-utts", type=int, default=200, help="clips to check (200)")
    parser.set_defaults(handler=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    from export.pipeline import export_checkpoint

    reports = export_checkpoint(
        args.checkpoint, args.output, args.quantization, args.check_manifest, args.check_utts
    )
    for name, report in reports:
        console.print(f"parity {name}: {report}")
    size = args.output.stat().st_size / 1e6
    console.print(f"wrote {args.output} ({size:.1f} MB)")
    return 0


def _add_average(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "average",
        help="average the weights of checkpoints of one run or one fine-tuning lineage",
        description="Write the weighted mean of the weights of MODELs as a checkpoint for "
        "`asr export`. Two uses: average the last epochs of a run (`asr train --keep-epochs`), "
        "or interpolate a fine-tuned model with the model it started from (`default --weights "
        "0.5 0.5`: keeps much of the fine-tuning gain and gives back less of the rest). The "
        "models must share shape, feature settings, normalisation and vocabulary; the first "
        "one's settings and training record are kept.",
    )
    parser.add_argument(
        "models",
        nargs="+",
        metavar="MODEL",
        help="checkpoints (.pt), exported models (.onnx, fp32 or --int8) or 'default'",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="checkpoint to write")
    parser.add_argument(
        "--weights",
        type=float,
        nargs="+",
        metavar="W",
        help="one weight per model, normalised to sum to 1 (default: equal)",
    )
    parser.set_defaults(handler=_run_average)


def _run_average(args: argparse.Namespace) -> int:
    from asr.average import write_average

    payload = write_average(args.models, args.output, args.weights)
    parts = ", ".join(
        f"{Path(p['model']).name} × {p['weight']:g}"
        for p in payload["data_summary"]["averaged_from"]
    )
    console.print(f"wrote {args.output}: {parts}")
    return 0


def _add_prepare(sub: argparse._SubParsersAction) -> None:
    from asr.prepare import add_prepare

    add_prepare(sub)


def _add_user_commands(sub: argparse._SubParsersAction) -> None:
    from asr.commands import client, evaluate, listen, serve, transcribe

    for module in (transcribe, listen, evaluate, serve, client):
        module.add_parser(sub)


def _add_lm(sub: argparse._SubParsersAction) -> None:
    from asr.commands import lm

    lm.add_parser(sub)


_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_train,
    _add_export,
    _add_average,
    _add_prepare,
    _add_user_commands,
    _add_lm,
]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        console.print("interrupted")
        return 130
    except Exception as error:  # one line for users; --verbose for the traceback
        if args.verbose:
            raise
        console.print(f"[red]error:[/] {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
