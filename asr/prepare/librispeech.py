"""`asr prepare librispeech DIR`: NeMo manifests of LibriSpeech, one per subset.

DIR is the `LibriSpeech` folder (or its parent, or one subset folder) in the layout of the
openslr.org tarballs: `<subset>/<speaker>/<chapter>/<speaker>-<chapter>-<n>.flac` with the
chapter's transcripts in `<speaker>-<chapter>.trans.txt`. Writes `<subset>.jsonl` for every
subset found (train-clean-100, dev-clean, ...; `cat train-*.jsonl > train-960.jsonl` joins the
training subsets), with `speaker` and `chapter` kept. The FLAC files are used in place.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.corpus import Recipe, Utterance, add_recipe_parser

TRANSCRIPTS = "*/*/*.trans.txt"


def _subsets(root: Path) -> list[Path]:
    if (root / "LibriSpeech").is_dir():
        root = root / "LibriSpeech"
    if any(root.glob(TRANSCRIPTS)):
        return [root]  # DIR is one subset
    subsets = sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob(TRANSCRIPTS)))
    if not subsets:
        raise ValueError(
            f"{root}: no LibriSpeech subset found (expected "
            "<subset>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt)"
        )
    return subsets


def list_utterances(root: Path, out: Path) -> Iterator[Utterance]:
    for subset in _subsets(root):
        for transcripts in sorted(subset.glob(TRANSCRIPTS)):
            try:
                lines = transcripts.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as error:
                problem = ("unreadable transcript", str(getattr(error, "strerror", "") or error))
                yield Utterance(subset.name, transcripts.stem, transcripts, "", problem=problem)
                continue
            for line in lines:
                utt_id, _, text = line.strip().partition(" ")
                if not utt_id:
                    continue
                speaker, chapter = (utt_id.split("-") + ["", ""])[:2]
                yield Utterance(
                    subset.name,
                    utt_id,
                    transcripts.parent / f"{utt_id}.flac",
                    text,
                    {"speaker": speaker, "chapter": chapter},
                )


RECIPE = Recipe(
    name="librispeech",
    title="LibriSpeech",
    licence="CC BY 4.0 (LibriSpeech ASR corpus, Panayotov et al. 2015, openslr.org/12)",
    notes="One manifest per subset of the release (its own train/dev/test split, by speaker); "
    "`speaker` and `chapter` kept from the file names.",
    list_utterances=list_utterances,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    add_recipe_parser(sub, RECIPE, "manifests of LibriSpeech (one per subset)", __doc__)
