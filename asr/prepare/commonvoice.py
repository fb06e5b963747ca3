"""`asr prepare commonvoice DIR`: NeMo manifests of a Common Voice release (one language).

DIR is the language folder of a release (`cv-corpus-*/en`): `clips/*.mp3` and the TSV files.
Only the validated split files are read, `train.tsv`, `dev.tsv` and `test.tsv` (Common Voice's
own split, by speaker), into `train.jsonl`, `dev.jsonl`, `test.jsonl`, with `speaker`
(client_id), `up_votes` and `down_votes` kept. The MP3 files are used in place: their
durations come from the MP3 frame headers (libsndfile >= 1.1; see asr/prepare/headers.py).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.corpus import Recipe, Utterance, add_recipe_parser, read_listing

SPLITS = ("train", "dev", "test")
REQUIRED_COLUMNS = ("client_id", "path", "sentence")


def _votes(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _read_tsv(path: Path) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    lines = read_listing(path).splitlines()
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path}: no column(s) {', '.join(missing)} in the header")
    return list(reader)


def list_utterances(root: Path, out: Path) -> Iterator[Utterance]:
    found = [s for s in SPLITS if (root / f"{s}.tsv").is_file()]
    if not found:
        raise ValueError(
            f"{root}: no train.tsv, dev.tsv or test.tsv (expected a Common Voice language "
            "folder: clips/*.mp3 and the TSV files)"
        )
    for split in found:
        for row in _read_tsv(root / f"{split}.tsv"):
            name = row["path"] or ""
            yield Utterance(
                split,
                Path(name).stem,
                root / "clips" / name,
                row["sentence"] or "",
                {
                    "speaker": row["client_id"],
                    "up_votes": _votes(row.get("up_votes")),
                    "down_votes": _votes(row.get("down_votes")),
                },
            )


RECIPE = Recipe(
    name="commonvoice",
    title="Common Voice",
    licence="CC0 1.0 (Mozilla Common Voice)",
    notes="Validated utterances only, in Common Voice's own train/dev/test split (by speaker); "
    "`speaker` is the client_id; `up_votes` and `down_votes` kept.",
    list_utterances=list_utterances,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    add_recipe_parser(sub, RECIPE, "manifests of a Common Voice release (train/dev/test)", __doc__)
