"""`asr export`: a checkpoint to ONNX (optionally int8), behind a parity check."""

from __future__ import annotations

import argparse
from pathlib import Path

from asr.progress import console


def add_parser(sub: argparse._SubParsersAction) -> None:
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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from export.pipeline import export_checkpoint

    reports = export_checkpoint(
        args.checkpoint,
        args.output,
        args.quantization,
        args.check_manifest,
        args.check_utts,
        on_note=lambda note: console.print(f"[yellow]note[/] {note}"),
    )
    for name, report in reports:
        console.print(f"parity {name}: {report}")
    size = args.output.stat().st_size / 1e6
    console.print(f"wrote {args.output} ({size:.1f} MB)")
    return 0
