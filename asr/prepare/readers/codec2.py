"""Codec 2 examples (Debian `codec2-examples`): the speech samples codec tests are run on.

Audio: `/usr/share/codec2/raw/<name>.raw`, headerless 16-bit little-endian mono at 8 kHz,
and two WAV files at 16 kHz. Read English: radio amateurs' calls (`cq_ref`, `vk5qi`,
`ve9qrp_10s`, `g3plx`), test sentences (`hts1`, `hts2`, `speech_orig_16k`: Harvard sentences),
short samples (`big_dog`, `cross`, `forig`, `morig`, `mmt1`, `kristoff`, `wia_16kHz`). The
other files are modem signals, sine waves, codec outputs (`f2400`, `m2400`), the first halves
of `hts1`/`hts2` (`hts1a`, `hts2a`), copies under `wav/`, or longer than a clip may be
(`hts`, `ve9qrp`, `all`, `david4`, `vk2tpm_004`): none used. No text: teachers only. The
speakers are not named; each file is its own, marked not known (train only).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from asr.prepare.readers import Clip, decode_file

PACKAGE = "codec2-examples"
RAW_DIR = Path("usr/share/codec2/raw")
RATE = 8000
SPEECH = (
    "big_dog.raw", "cq_ref.raw", "cross.raw", "forig.raw", "g3plx.raw", "hts1.raw", "hts2.raw",
    "kristoff.raw", "mmt1.raw", "morig.raw", "ve9qrp_10s.raw", "vk5qi.raw",
    "speech_orig_16k.wav", "../wav/wia_16kHz.wav",
)  # fmt: skip


def load(path: Path) -> tuple[np.ndarray, int]:
    if path.suffix == ".raw":
        return np.fromfile(path, dtype="<i2").astype(np.float32) / 32768.0, RATE
    return decode_file(path)


def iter_clips(root: Path) -> Iterator[Clip]:
    for name in SPEECH:
        path = root / RAW_DIR / name
        if not path.is_file():
            continue
        yield Clip(
            source="codec2",
            clip_id=path.stem,
            speaker=f"codec2:{path.stem}",
            load=lambda path=path: load(path),
            speaker_known=False,
            package=PACKAGE,
        )
