"""`asr prepare <recipe>`: one resumable command per training-data recipe.

Each recipe module exposes `add_parser(sub)` that registers its sub-command on the `prepare`
sub-parser and sets `handler` to a function `(args) -> exit status`.
"""

from __future__ import annotations

import argparse
import importlib

# Recipe modules, imported only to build the parser (they must not import heavy modules at
# import time).
RECIPES = (
    "asr.prepare.human",
    "asr.prepare.tts",
    "asr.prepare.librispeech",
    "asr.prepare.commonvoice",
    "asr.prepare.ljspeech",
    "asr.prepare.kaldi",
    "asr.prepare.folder",
    "asr.prepare.speechocean",
    "asr.prepare.picovoice",
    "asr.prepare.lm_text",
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "prepare",
        help="build a training corpus (audio + manifests, or LM text) from offline sources",
        description="Build training corpora. Every recipe is resumable and deterministic given "
        "its seed, and writes a data card next to the manifests.",
    )
    recipes = parser.add_subparsers(dest="recipe", metavar="RECIPE")
    for name in RECIPES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.add_parser(recipes)
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
