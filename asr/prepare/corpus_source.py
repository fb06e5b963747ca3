"""Reading a ready-made corpus folder's NeMo manifest for a recipe (speechocean, picovoice).

Those folders already hold 16 kHz audio and one JSON line per clip, so a recipe only checks,
relabels and splits: it writes manifests whose `audio_filepath` is absolute (the audio is not
copied). Bad lines and missing clips are reported one line each and skipped.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from asr.tokens import normalize_text


def add_source_parser(
    sub: argparse._SubParsersAction,
    name: str,
    summary: str,
    doc: str | None,
    default_source: Path,
    holds: str,
    handler: Callable[[argparse.Namespace], int],
) -> None:
    """`asr prepare NAME --out DIR [--source FOLDER]`; `holds` names the folder's contents."""
    parser = sub.add_parser(
        name,
        help=summary,
        description=doc.split("\n\n", 1)[1] if doc else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="corpus folder (outside the repo)")
    parser.add_argument(
        "--source",
        type=Path,
        default=default_source,
        help=f"the {holds} (default {default_source})",
    )
    parser.set_defaults(handler=handler)


class SourceError(Exception):
    """A source manifest that cannot be read at all."""


def read_source(manifest: Path, log: Callable[[str], None]) -> Iterator[dict]:
    """Rows of `manifest` with an existing audio file (path made absolute) and a positive
    duration; every other line is reported through `log` and skipped. `text` is left as is:
    unlike `asr.manifest.read_manifest`, a row may lack it or hold null (Picovoice's orders
    before a teacher labels them), which the recipe counts rather than reports."""
    manifest = manifest.absolute()
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as error:
        raise SourceError(f"{manifest}: not found (is --source the corpus folder?)") from error
    except OSError as error:
        raise SourceError(f"{manifest}: cannot read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise SourceError(f"{manifest}: not a UTF-8 text file") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        problem, row = _check(line, manifest.parent)
        if problem:
            log(f"{manifest}:{number}: {problem}; skipped")
        else:
            yield row


def _check(line: str, folder: Path) -> tuple[str, dict]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error.msg})", {}
    if not isinstance(row, dict) or not isinstance(row.get("audio_filepath"), str):
        return "no 'audio_filepath'", {}
    audio = folder / row["audio_filepath"]  # an absolute path stays as it is
    if not audio.is_file():
        return f"audio file not found: {audio}", {}
    duration = row.get("duration")
    if not isinstance(duration, int | float) or duration <= 0:
        return f"duration must be a number > 0 (got {duration!r})", {}
    return "", {**row, "audio_filepath": str(audio)}


def relabel(row: dict, text: str, log: Callable[[str], None]) -> dict | None:
    """`row` with `text` through the project's normaliser, or None (logged) if nothing is left."""
    normalized = normalize_text(text)
    if not normalized:
        log(f"{row['audio_filepath']}: text {text!r} is empty once normalised; skipped")
        return None
    return {**row, "text": normalized}


def hours(rows: list[dict]) -> float:
    return sum(row["duration"] for row in rows) / 3600
