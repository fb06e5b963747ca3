"""Asterisk core prompts (Debian `asterisk-core-sounds-en-wav`, voice: Allison Smith).

Audio: `/usr/share/asterisk/sounds/en_US_f_Allison/<name>.wav`, 8 kHz 16-bit mono WAV (the
`-g722` package has the same prompts as raw G.722, which soundfile cannot read: not used).
Text: `core-sounds-en.txt.gz` from `asterisk-core-sounds-en` (in `/usr/share/doc/...`), one
prompt per line, `name: text`; `;` starts a comment; text in square brackets (`[beep tone]`)
marks a non-speech prompt, which is skipped. The keypad keys are written `*` and `#` and spoken
"star" and "pound".
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "asterisk-core-sounds-en-wav"
SOUND_DIR = Path("usr/share/asterisk/sounds/en_US_f_Allison")
PROMPT_LIST = Path("usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
_LINE = re.compile(r"^([A-Za-z0-9_./-]+)\s*:\s*(.*)$")
_BRACKETS = re.compile(r"\[[^\]]*\]")


def parse_prompt_list(text: str) -> dict[str, str]:
    """Prompt name (as a path without extension) -> spoken text; non-speech prompts left out."""
    prompts: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        match = _LINE.match(line)
        if not match:
            continue
        name, said = match.group(1), match.group(2).strip()
        if said.startswith("[") or not _BRACKETS.sub("", said).strip():
            continue
        said = _BRACKETS.sub(" ", said).replace("*", " star ").replace("#", " pound ")
        prompts[name] = " ".join(said.split())
    return prompts


def iter_clips(root: Path) -> Iterator[Clip]:
    folder, listing = root / SOUND_DIR, root / PROMPT_LIST
    if not folder.is_dir() or not listing.is_file():
        return
    prompts = parse_prompt_list(gzip.decompress(listing.read_bytes()).decode("utf-8", "replace"))
    for name, said in sorted(prompts.items()):
        path = folder / f"{name}.wav"
        if not path.is_file():
            continue
        yield Clip(
            source="asterisk",
            clip_id=name.replace("/", "__"),
            speaker="asterisk:allison",
            load=lambda path=path: decode_file(path),
            text=said,
            text_kind="prompt-list",
            package=PACKAGE,
        )
