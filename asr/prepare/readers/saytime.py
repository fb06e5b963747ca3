"""saytime (Debian `saytime`): a talking clock's words, one per file.

Audio: `/usr/share/saytime/<word>.au`: despite the name, headerless 8 kHz mu-law (G.711), one
voice (David C Dawson). The file name is the word: numbers `0`-`20`, `30`, `40`, `50`, and
`am`, `pm`, `oclock`, `the_time_is`, ...; numbers are written as words ("13" -> "thirteen"),
`am`/`pm` as the letters ("a m"), the way `normalize_text` writes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from asr.prepare.readers import Clip

PACKAGE = "saytime"
SOUND_DIR = Path("usr/share/saytime")
RATE = 8000
NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
TENS = {30: "thirty", 40: "forty", 50: "fifty"}
WORDS = {"am": "a m", "pm": "p m", "oclock": "o'clock"}


def words_of(stem: str) -> str:
    if stem.isdigit():
        number = int(stem)
        return NUMBERS[number] if number < len(NUMBERS) else TENS.get(number, "")
    return WORDS.get(stem, stem.replace("_", " "))


def decode_mulaw(data: bytes) -> np.ndarray:
    """G.711 mu-law bytes -> float32 in [-1, 1)."""
    u = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    exponent, mantissa = (u >> 4) & 0x07, u & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return (np.where(u & 0x80, -magnitude, magnitude) / 32768.0).astype(np.float32)


def iter_clips(root: Path) -> Iterator[Clip]:
    folder = root / SOUND_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.au")):
        said = words_of(path.stem)
        if not said:
            continue
        yield Clip(
            source="saytime",
            clip_id=path.stem,
            speaker="saytime:dawson",
            load=lambda path=path: (decode_mulaw(path.read_bytes()), RATE),
            text=said,
            text_kind="filename",
            package=PACKAGE,
        )
