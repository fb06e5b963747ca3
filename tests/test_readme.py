"""The README is a front door: short, and every snippet in it works. The Python snippet runs
as written; every `asr` command line parses with the real parser, and those that need only
files of this repository run. Its install and test commands are the ones CI runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CI = (ROOT / ".ci" / "run").read_text()
MAX_LINES = 220


def snippets(language: str) -> list[str]:
    blocks = re.findall(rf"^ *```{language}\n(.*?)^ *```", README, flags=re.S | re.M)
    assert blocks, f"no {language} snippet"
    return blocks


def asr_commands() -> list[list[str]]:
    """Every `asr ...` (or `-m asr ...`) command of the bash snippets, as argv after `asr`."""
    commands = []
    for block in snippets("bash"):
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            words = shlex.split(line, comments=True)
            if "asr" in words:
                commands.append(words[words.index("asr") + 1 :])
    return commands


def test_readme_is_short():
    assert len(README.splitlines()) <= MAX_LINES


def test_python_snippet_runs_as_written():
    (code,) = snippets("python")
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "five", lines  # lines[0]: the device
    assert any(line.startswith("partial:") for line in lines)
    assert "eight" in done.stdout  # the streamed clip's final result


def test_every_asr_command_parses():
    from asr.cli import build_parser

    commands = asr_commands()
    assert len(commands) >= 10
    for argv in commands:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as error:
            pytest.fail(f"README command does not parse: asr {shlex.join(argv)} ({error})")
        assert getattr(args, "handler", None), argv


@pytest.mark.parametrize(
    "argv", [c for c in asr_commands() if c[:1] == ["transcribe"] and c[-1] == "data/samples"]
)
def test_sample_commands_run(argv, capsys, monkeypatch):
    from asr.cli import main

    monkeypatch.chdir(ROOT)
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(line.startswith("data/samples/") for line in lines)


def test_digits_grammar_snippet_builds_its_lm(tmp_path, monkeypatch):
    from asr.cli import main

    words = "zero one two three four five six seven eight nine".split()
    monkeypatch.chdir(tmp_path)
    Path("digits.txt").write_text("\n".join(words) + "\n")
    (build,) = [c for c in asr_commands() if c[:2] == ["lm", "build"] and "digits.txt" in c]
    assert main(build) == 0
    assert (tmp_path / "digits.arpa").is_file()


def _readme_test_commands() -> list[str]:
    """The commands of the README's test line, as CI would run them (`python -m pip ... -q`)."""
    line = next(line for line in README.splitlines() if line.endswith("python -m pytest -q"))
    commands = [part.strip() for part in line.split("&&")]
    return [re.sub(r"^pip install ", "python -m pip install -q ", c) for c in commands]


def test_ci_runs_exactly_the_readme_test_command():
    ci_commands = [line for line in CI.splitlines() if line.startswith("python -m ")]
    assert ci_commands == _readme_test_commands()
    assert ci_commands[-1] == "python -m pytest -q"


def test_readme_says_what_the_torch_line_pulls_and_gives_the_cpu_only_way():
    assert "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in README
    assert "CUDA" in README.split("## Commands")[0]
    assert "no CUDA build" not in README


def test_cpu_only_requirements_are_the_package_dependencies_with_plain_onnxruntime():
    """requirements-cpu.txt (README's CPU-only install, run by CI) lists exactly the runtime
    dependencies of pyproject.toml, with onnxruntime in place of onnxruntime-gpu."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [d for d in project["dependencies"] if not d.startswith("onnxruntime")]
    lines = (ROOT / "requirements-cpu.txt").read_text().splitlines()
    listed = [line for line in lines if line and not line.startswith("#")]
    assert listed == [*wanted, "onnxruntime>=1.17"]
    assert "pip install -r requirements-cpu.txt && pip install --no-deps ." in " ".join(
        README.split()
    )
    assert "install -q -r requirements-cpu.txt" in CI and "show onnxruntime-gpu" in CI
