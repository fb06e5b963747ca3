"""KLettres (Debian `klettres-data`): letters and short words read for children.

Audio: `/usr/share/klettres/<lang>/alpha/<letter>.ogg` and `<lang>/syllab/<word>.ogg`, Ogg
Vorbis, 44.1 kHz, one voice per language; English has `en` (US) and `en_GB`. Text:
`<lang>/sounds.xml` names each file (`<sound name="CAR" file="en/syllab/car.ogg" />`). A letter
is written as the single letter ("a"), the way the spelling labels write letters; the US
"syllables" `AW`, `CH` and `TH` are sounds, not words, and are skipped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "klettres-data"
DATA_DIR = Path("usr/share/klettres")
LANGUAGES = ("en", "en_GB")
NON_WORDS = {"aw", "ch", "th"}


def parse_sounds(xml_text: str) -> list[tuple[str, str, str]]:
    """(kind, name, file) for each sound of a `sounds.xml`; kind is `alphabet` or `syllables`."""
    sounds = []
    for kind in ("alphabet", "syllables"):
        for node in ET.fromstring(xml_text).iter(kind):
            for sound in node.iter("sound"):
                sounds.append((kind, sound.get("name", ""), sound.get("file", "")))
    return sounds


def iter_clips(root: Path) -> Iterator[Clip]:
    for lang in LANGUAGES:
        listing = root / DATA_DIR / lang / "sounds.xml"
        if not listing.is_file():
            continue
        for kind, name, file in parse_sounds(listing.read_text(encoding="utf-8")):
            said = name.strip().lower()
            path = root / DATA_DIR / file
            if not said or said in NON_WORDS or not path.is_file():
                continue
            yield Clip(
                source="klettres",
                clip_id=f"{lang}__{'letter' if kind == 'alphabet' else 'word'}__{said}",
                speaker=f"klettres:{lang.lower().replace('_', '-')}",
                load=lambda path=path: decode_file(path),
                text=said,
                text_kind="filename",
                package=PACKAGE,
            )
