"""`asr prepare folder DIR`: NeMo manifests of a folder of audio files with transcripts.

Every audio file below DIR (.wav, .flac, .mp3, .ogg, .opus, .aiff) with a same-named `.txt`
beside it (`talk/a.wav` + `talk/a.txt`) is one utterance. A top-level sub-folder named train,
dev, valid, validation or test is a split of its own (`train.jsonl`, ...); everything else goes
to `all.jsonl`. Audio without its `.txt` is reported and skipped.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.corpus import Recipe, Utterance, add_recipe_parser

AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".mp3", ".ogg", ".opus", ".aif", ".aiff"})
SPLIT_FOLDERS = frozenset({"train", "dev", "valid", "validation", "test"})


def list_utterances(root: Path, out: Path) -> Iterator[Utterance]:
    for audio in sorted(root.rglob("*")):
        if audio.suffix.lower() not in AUDIO_SUFFIXES or out in audio.parents:
            continue
        relative = audio.relative_to(root)
        split = relative.parts[0] if len(relative.parts) > 1 else ""
        split = split if split in SPLIT_FOLDERS else "all"
        utt_id = relative.with_suffix("").as_posix()
        transcript = audio.with_suffix(".txt")
        try:
            text, problem = transcript.read_text(encoding="utf-8"), None
        except FileNotFoundError:
            text, problem = "", ("no transcript", f"no {transcript.name} beside it")
        except (OSError, UnicodeDecodeError) as error:
            text, problem = "", ("unreadable transcript", f"{transcript.name}: {error}")
        yield Utterance(split, utt_id, audio, text, {}, problem)


RECIPE = Recipe(
    name="folder",
    title="audio folder",
    licence="that of the source recordings",
    notes="One utterance per audio file with a same-named .txt; top-level train/dev/valid/test "
    "folders are splits, the rest is `all`.",
    list_utterances=list_utterances,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    add_recipe_parser(sub, RECIPE, "manifests of audio files with a .txt beside each", __doc__)
