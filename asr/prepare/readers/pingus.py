"""Pingus (Debian `pingus-data`): the penguins' four spoken exclamations.

Audio: `/usr/share/games/pingus/data/sounds/<name>.wav`; `goodidea`, `letsgo`, `ohno` and
`yipee` are speech (a sped-up penguin voice), the other files are effects. Text: the file name
with its words restored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "pingus-data"
SOUND_DIR = Path("usr/share/games/pingus/data/sounds")
PHRASES = {"goodidea": "good idea", "letsgo": "let's go", "ohno": "oh no", "yipee": "yippee"}


def iter_clips(root: Path) -> Iterator[Clip]:
    for stem, said in sorted(PHRASES.items()):
        path = root / SOUND_DIR / f"{stem}.wav"
        if path.is_file():
            yield Clip(
                source="pingus",
                clip_id=stem,
                speaker="pingus:penguin",
                load=lambda path=path: decode_file(path),
                text=said,
                text_kind="filename",
                package=PACKAGE,
            )
