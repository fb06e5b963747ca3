"""KTuberling (Debian `ktuberling-data`): one spoken word per toy piece.

Audio: `/usr/share/ktuberling/sounds/en/<theme>_<word>.ogg` (or `<word>.ogg`), Ogg Vorbis, one
speaker. The file name is the word (the `<theme>_` prefix is dropped); names that join two
words (`palmtree`) are checked by the teacher like any other label.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "ktuberling-data"
SOUND_DIR = Path("usr/share/ktuberling/sounds/en")


def word_of(stem: str) -> str:
    return stem.rsplit("_", 1)[-1].replace("-", " ")


def iter_clips(root: Path) -> Iterator[Clip]:
    folder = root / SOUND_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.ogg")):
        yield Clip(
            source="ktuberling",
            clip_id=path.stem,
            speaker="ktuberling:en",
            load=lambda path=path: decode_file(path),
            text=word_of(path.stem),
            text_kind="filename",
            package=PACKAGE,
        )
