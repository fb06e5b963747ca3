"""qABCs (Debian `qabcs-data`): an alphabet game; letters and picture names read aloud.

Audio: `/usr/share/qabcs/abcs/<lang>/sounds/alpha/<letter>.ogg` and `.../words/<name>.ogg`, Ogg
Vorbis, 24 kHz; English has `en` (US, all letters and 130 words) and `en_gb` (the letters and
words whose British sound differs). The file name is the text: a letter is written as the
single letter ("a"), `_` and `-` in names are spaces (`hot_dog`, `x-ray`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "qabcs-data"
ABC_DIR = Path("usr/share/qabcs/abcs")
LANGUAGES = ("en", "en_gb")


def words_of(stem: str) -> str:
    return " ".join(stem.lower().replace("_", " ").replace("-", " ").split())


def iter_clips(root: Path) -> Iterator[Clip]:
    for lang in LANGUAGES:
        for kind in ("alpha", "words"):
            folder = root / ABC_DIR / lang / "sounds" / kind
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.ogg")):
                yield Clip(
                    source="qabcs",
                    clip_id=f"{lang}__{kind}__{path.stem.lower()}",
                    speaker=f"qabcs:{lang.replace('_', '-')}",
                    load=lambda path=path: decode_file(path),
                    text=words_of(path.stem),
                    text_kind="filename",
                    package=PACKAGE,
                )
