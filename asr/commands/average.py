"""`asr average`: weighted mean of the weights of checkpoints of one lineage."""

from __future__ import annotations

import argparse
from pathlib import Path

from asr.progress import console


def add_parser(sub: argparse._SubParsersAction) -> None:
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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from asr.average import write_average

    payload = write_average(args.models, args.output, args.weights)
    parts = ", ".join(
        f"{Path(p['model']).name} × {p['weight']:g}"
        for p in payload["data_summary"]["averaged_from"]
    )
    console.print(f"wrote {args.output}: {parts}")
    return 0
