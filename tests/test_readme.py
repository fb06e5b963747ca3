"""The README's install and test commands are the ones CI runs, and say what they install."""

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
CI = (ROOT / ".ci" / "run").read_text()


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
