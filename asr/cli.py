"""The `asr` command. Each subcommand lives in its own module under `asr/commands/` (or
`asr/prepare/` for the corpus recipes) with an `add_parser(sub)` function, and imports its heavy
modules only when it runs."""

from __future__ import annotations

import argparse
import sys

from asr.progress import console


def _command_modules() -> list:
    from asr.commands import (
        average,
        client,
        evaluate,
        export,
        listen,
        lm,
        serve,
        train,
        transcribe,
    )

    return [train, export, average, _recipes(), transcribe, listen, evaluate, serve, client, lm]


def _recipes():
    """`asr prepare`: the corpus recipes, which only a source checkout has (not the wheel)."""
    try:
        import asr.prepare as prepare
    except ModuleNotFoundError as error:
        if error.name != "asr.prepare":
            raise
        return _NoRecipes
    return prepare


class _NoRecipes:
    @staticmethod
    def add_parser(sub: argparse._SubParsersAction) -> None:
        parser = sub.add_parser("prepare", help="build a training corpus (source checkout only)")
        parser.set_defaults(handler=_no_recipes)


def _no_recipes(args: argparse.Namespace) -> int:
    console.print(
        "[red]error:[/] the corpus recipes are not in the installed package: run `asr prepare` "
        "from a source checkout (pip install -e .)"
    )
    return 1


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
    for module in _command_modules():
        module.add_parser(sub)
    return parser


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
