"""`asr prepare ljspeech DIR`: NeMo manifests of LJ Speech (one speaker, 24 h).

DIR holds `metadata.csv` (`id|text|normalised text`, no quoting) and `wavs/<id>.wav`. The
normalised column (numbers already spelled by the corpus) is the label where it is filled, else
the text column. LJ Speech has no official split; whole chapters are held out (the id starts
with the chapter, `LJ001-0001`): LJ001 is `test.jsonl`, LJ002 `dev.jsonl`, the other 48
chapters `train.jsonl`. One speaker, so dev and test share the voice, not the sentences.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.corpus import Recipe, Utterance, add_recipe_parser, read_listing

HELD_OUT_CHAPTERS = {"LJ001": "test", "LJ002": "dev"}


def list_utterances(root: Path, out: Path) -> Iterator[Utterance]:
    metadata = root / "metadata.csv"
    if not metadata.is_file():
        raise ValueError(f"{root}: no metadata.csv (expected LJ Speech: metadata.csv + wavs/)")
    for number, line in enumerate(read_listing(metadata).splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("|")
        utt_id = fields[0].strip()
        split = HELD_OUT_CHAPTERS.get(utt_id.split("-")[0], "train")
        text = fields[2] if len(fields) > 2 and fields[2].strip() else "".join(fields[1:2])
        problem = None if len(fields) > 1 else ("no transcript", f"metadata.csv:{number}")
        yield Utterance(
            split, utt_id, root / "wavs" / f"{utt_id}.wav", text, {"speaker": "lj"}, problem
        )


RECIPE = Recipe(
    name="ljspeech",
    title="LJ Speech",
    licence="public domain (LJ Speech 1.1, Keith Ito, LibriVox recordings)",
    notes="One speaker. No official split: chapter LJ001 is test, LJ002 dev, the rest train. "
    "Labels from the corpus's normalised-text column.",
    list_utterances=list_utterances,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    add_recipe_parser(sub, RECIPE, "manifests of LJ Speech (one speaker)", __doc__)
