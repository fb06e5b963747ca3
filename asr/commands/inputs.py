"""Turn command-line PATH arguments (files, folders, globs, JSONL manifests) into audio files.

Every input gets a relative output name (folder structure kept under `--output-dir`), and
arguments that match nothing are returned as problems instead of stopping the batch.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

AUDIO_EXTENSIONS = frozenset(
    ".wav .flac .mp3 .ogg .oga .opus .m4a .aac .aif .aiff .aifc .au .caf .w64 .wma .webm .sph"
    " .mp4 .mka".split()
)
MANIFEST_EXTENSIONS = (".jsonl", ".json")


@dataclass(frozen=True)
class InputFile:
    path: Path
    name: Path  # output name without suffix, relative to the output folder


def _is_audio(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_EXTENSIONS and not path.name.startswith(".")


def _from_folder(folder: Path) -> list[InputFile]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and _is_audio(p))
    return [InputFile(p, p.relative_to(folder).with_suffix("")) for p in files]


def _from_manifest(manifest: Path, problems: list[str]) -> list[InputFile]:
    from asr.manifest import ManifestError, read_manifest

    try:
        entries, skipped = read_manifest(manifest, require_text=False, check_files=False)
    except ManifestError as error:
        problems.append(str(error))
        return []
    problems.extend(str(skip) for skip in skipped)
    out = []
    for entry in entries:
        try:
            name = entry.audio_path.relative_to(manifest.parent).with_suffix("")
        except ValueError:
            name = Path(entry.audio_path.stem)
        out.append(InputFile(entry.audio_path, name))
    return out


def expand_inputs(arguments: list[str]) -> tuple[list[InputFile], list[str]]:
    """(audio files in argument order without duplicates, problems as one-line messages)."""
    found: list[InputFile] = []
    problems: list[str] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            files = _from_folder(path)
            if not files:
                problems.append(f"{path}: no audio files in this folder")
            found.extend(files)
        elif path.is_file() and path.suffix.lower() in MANIFEST_EXTENSIONS:
            found.extend(_from_manifest(path, problems))
        elif path.is_file():
            found.append(InputFile(path, Path(path.stem)))
        elif glob.has_magic(argument):
            matches = sorted(Path(p) for p in glob.glob(argument, recursive=True))
            files = [p for p in matches if p.is_file() and _is_audio(p)]
            if not files:
                problems.append(f"{argument}: no audio files match this pattern")
            found.extend(InputFile(p, Path(p.stem)) for p in files)
        else:
            problems.append(f"{path}: no such file or folder")
    return _unique(found), problems


def _unique(files: list[InputFile]) -> list[InputFile]:
    """Drop repeated files; give colliding output names a numeric suffix."""
    seen_paths: set[Path] = set()
    used: set[str] = set()
    out = []
    for item in files:
        resolved = item.path.resolve()
        if resolved in seen_paths:
            continue
        seen_paths.add(resolved)
        name, number = item.name, 2
        while str(name).lower() in used:
            name = item.name.with_name(f"{item.name.name}-{number}")
            number += 1
        used.add(str(name).lower())
        out.append(InputFile(item.path, name))
    return out
