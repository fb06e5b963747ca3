"""Copies of manifests whose text is phonemes, for training a phoneme model (`units:
"phonemes"`).

    python data/recipes/phoneme_manifests.py IN.jsonl [IN2.jsonl ...] --out DIR

Each entry keeps its audio (so feature caches still match) and its words under `words`; `text`
becomes space-separated phoneme codes (`asr.phonemes`: CMUdict, espeak-ng for the words it
lacks). DIR also gets `pronunciations.tsv` (word, codes, source) of every word met.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from asr.fileio import atomic_write_text
from asr.prepare.pronunciations import Pronouncer
from asr.tokens import normalize_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifests", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="folder for the copies")
    args = parser.parse_args()
    pronouncer = Pronouncer()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.manifests:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        pronouncer.add(w for row in rows for w in normalize_text(row["text"]).split())
        lines = []
        for row in rows:
            words = normalize_text(row["text"])
            lines.append(
                json.dumps({**row, "text": pronouncer.transcribe(words.split()), "words": words})
            )
        atomic_write_text(args.out / path.name, "\n".join(lines) + "\n")
        print(f"{path.name}: {len(rows)} entries")
    table = sorted(pronouncer.codes.items())
    atomic_write_text(
        args.out / "pronunciations.tsv",
        "".join(
            f"{w}\t{c}\t{'espeak-ng' if w in pronouncer.guessed else 'cmudict'}\n" for w, c in table
        ),
    )
    print(f"{len(table)} words, {len(pronouncer.guessed)} pronounced by espeak-ng")


if __name__ == "__main__":
    main()
