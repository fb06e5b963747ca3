"""NeMo-style JSONL manifests: one object per line with `audio_filepath`, `duration`, `text`.

`audio_filepath` is relative to the manifest's folder (or absolute). Extra keys are kept.
Bad lines are reported (file, line, reason) and skipped, never fatal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from asr.tokens import normalize_text


@dataclass(frozen=True)
class ManifestEntry:
    audio_path: Path
    duration: float
    text: str
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class SkippedLine:
    manifest: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.manifest}:{self.line}: {self.reason}"


def _parse_line(
    raw: str, manifest: Path, require_text: bool, check_files: bool
) -> ManifestEntry | str:
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error.msg})"
    if not isinstance(item, dict):
        return "not a JSON object"
    if "audio_filepath" not in item:
        return "missing 'audio_filepath'"
    path = Path(item["audio_filepath"])
    if not path.is_absolute():
        path = manifest.parent / path
    if check_files and not path.is_file():
        return f"audio file not found: {path}"
    try:
        duration = float(item.get("duration", 0.0))
    except (TypeError, ValueError):
        return f"duration is not a number: {item.get('duration')!r}"
    if check_files and duration <= 0:
        return f"duration must be > 0 (got {duration})"
    text = item.get("text", "")
    if not isinstance(text, str):
        return "'text' is not a string"
    if require_text and not normalize_text(text):
        return "empty text"
    extra = {k: v for k, v in item.items() if k not in ("audio_filepath", "duration", "text")}
    return ManifestEntry(path, duration, text, extra)


def read_manifest(
    path: str | Path,
    require_text: bool = True,
    check_files: bool = True,
    on_skip: Callable[[SkippedLine], None] | None = None,
) -> tuple[list[ManifestEntry], list[SkippedLine]]:
    """Entries of a manifest and the lines skipped (with reasons)."""
    manifest = Path(path)
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ManifestError(f"{manifest}: cannot read manifest ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise ManifestError(f"{manifest}: not a UTF-8 text file") from error
    entries: list[ManifestEntry] = []
    skipped: list[SkippedLine] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        parsed = _parse_line(raw, manifest, require_text, check_files)
        if isinstance(parsed, ManifestEntry):
            entries.append(parsed)
        else:
            skip = SkippedLine(manifest, number, parsed)
            skipped.append(skip)
            if on_skip:
                on_skip(skip)
    return entries, skipped


class ManifestError(Exception):
    """A manifest that cannot be read at all."""


def write_manifest(path: str | Path, rows: list[dict]) -> None:
    """Write rows as JSONL atomically (temp file + rename)."""
    from asr.fileio import atomic_write_text

    atomic_write_text(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
