"""`asr --version`, and `--help` showing the default of every option a user sets."""

import argparse
import re
from pathlib import Path

import pytest

from asr.cli import build_parser, main

ROOT = Path(__file__).parent.parent
USER_COMMANDS = ("transcribe", "listen", "evaluate", "serve", "client", "train")


def test_version_is_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    version = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M)[1]
    assert capsys.readouterr().out == f"asr {version}\n"


def _subparser(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sub.choices[name]


@pytest.mark.parametrize("command", USER_COMMANDS)
def test_help_shows_every_option_default(command):
    missing = []
    for action in _subparser(command)._actions:
        default = action.default
        if not action.option_strings or action.nargs == 0 or default in (None, argparse.SUPPRESS):
            continue
        shown = f"{default:g}" if isinstance(default, float) else str(default)
        if shown not in (action.help or ""):
            missing.append(f"{action.option_strings[0]} (default {default!r})")
    assert not missing, f"asr {command} --help hides defaults: {missing}"
