"""Warzone 2100 (Debian `warzone2100-data`): speech inside `base.wz` (a zip archive).

Audio: `audio/**/*.ogg` (Ogg Vorbis). Text: `script/tutorial.js` lists the tutorial lines as
`{"audio": "tutN.ogg", ..., "message": _("...")}`; those clips get the message as their text.
The other spoken folders (mission messages, commander, console, research, detection, status,
VTOL talk, taunts, Nexus, sequence audio) have no text here and go to the teacher; weapon,
vehicle and interface sound effects are skipped.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_bytes

PACKAGE = "warzone2100-data"
ARCHIVE = Path("usr/share/games/warzone2100/base.wz")
SPEECH_DIRS = (
    "audio/tutorial", "audio/memressp", "audio/vtoltalk", "audio/taunts", "audio/nexus",
    "audio/coltive", "audio/extra", "audio/countdown", "sequenceaudio",
)  # fmt: skip
_TUTORIAL_LINE = re.compile(
    r'"audio"\s*:\s*"([^"]+\.ogg)"[^{}]*?"message"\s*:\s*_\(\s*"((?:[^"\\]|\\.)*)"\s*\)'
)


def parse_tutorial(script: str) -> dict[str, str]:
    """Audio file name -> message text, from `tutorial.js`."""
    return {m.group(1): m.group(2).replace('\\"', '"') for m in _TUTORIAL_LINE.finditer(script)}


def speaker_of(member: str) -> tuple[str, bool]:
    parts = member.split("/")
    if parts[:2] == ["audio", "tutorial"]:
        return "tutorial", True
    if parts[0] == "sequenceaudio":
        return "sequence", False
    # audio/memressp/<kind>/x.ogg -> memressp-<kind>; audio/taunts/taunt1/x.ogg -> taunt1
    if parts[1] == "taunts" and len(parts) > 3:
        return parts[2], True
    if parts[1] == "memressp" and len(parts) > 3:
        return f"memressp-{parts[2]}", False
    return parts[1], False


def iter_clips(root: Path) -> Iterator[Clip]:
    archive = root / ARCHIVE
    if not archive.is_file():
        return
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        tutorial = {}
        if "script/tutorial.js" in names:
            tutorial = parse_tutorial(zf.read("script/tutorial.js").decode("utf-8", "replace"))
    for member in sorted(names):
        if not member.endswith(".ogg") or not member.startswith(SPEECH_DIRS):
            continue
        text = tutorial.get(member.rsplit("/", 1)[-1], "") if "/tutorial/" in member else ""
        speaker, known = speaker_of(member)
        yield Clip(
            source="warzone",
            clip_id=member.removesuffix(".ogg").replace("/", "__"),
            speaker=f"warzone:{speaker}",
            load=lambda member=member: decode_bytes(_read(archive, member)),
            text=text,
            text_kind="game-text" if text else "",
            speaker_known=known,
            package=PACKAGE,
        )


def _read(archive: Path, member: str) -> bytes:
    with zipfile.ZipFile(archive) as zf:
        return zf.read(member)
