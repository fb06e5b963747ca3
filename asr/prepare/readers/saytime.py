"""saytime (Debian `saytime`): a talking clock's words, one per file.

Audio: `/usr/share/saytime/<word>.au`: despite the name, headerless 8 kHz mu-law (G.711), one
voice (David C Dawson). The file name is the word: numbers `0`-`20`, `30`, `40`, `50`, and
`am`, `pm`, `oclock`, `the_time_is`, ...; numbers are written as words ("13" -> "thirteen"),
`am`/`pm` as the letters ("a m"), the way `normalize_text` writes them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from asr.prepare.readers import Clip
from asr.tokens import normalize_text

PACKAGE = "saytime"
SOUND_DIR = Path("usr/share/saytime")
RATE = 8000
SAID_NUMBERS = {*range(21), 30, 40, 50}  # the numbers the clock has a file for
WORDS = {"am": "a m", "pm": "p m", "oclock": "o'clock"}


def words_of(stem: str) -> str:
    if stem.isdigit():
        return normalize_text(stem) if int(stem) in SAID_NUMBERS else ""
    return WORDS.get(stem, stem.replace("_", " "))


def decode_mulaw(data: bytes) -> np.ndarray:
    """Headerless G.711 mu-law bytes -> float32 in [-1, 1) (libsndfile's decoder)."""
    import soundfile as sf

    samples, _ = sf.read(
        io.BytesIO(data), format="RAW", subtype="ULAW", samplerate=RATE, channels=1,
        dtype="float32",
    )  # fmt: skip
    return samples


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
