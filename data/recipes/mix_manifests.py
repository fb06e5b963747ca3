"""Join NeMo manifests into one, with absolute audio paths (the default model's train/dev mix).

python data/recipes/mix_manifests.py OUT.jsonl IN.jsonl [N@IN.jsonl ...]

`N@IN.jsonl` repeats that manifest's lines N times (the default model's last stage sees the
FSDD training digits three times per epoch: `3@../shared/data/fsdd/train.jsonl`).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from asr.fileio import atomic_write_text


def _source(argument: str) -> tuple[Path, int]:
    match = re.fullmatch(r"(\d+)@(.+)", argument)
    return (Path(match[2]), int(match[1])) if match else (Path(argument), 1)


def main(out: str, *inputs: str) -> None:
    lines = []
    for manifest, times in map(_source, inputs):
        folder = Path(os.path.abspath(manifest)).parent  # `..` folded, symlinks kept
        rows = []
        for line in manifest.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                path = Path(row["audio_filepath"])
                row["audio_filepath"] = str(path if path.is_absolute() else folder / path)
                rows.append(json.dumps(row))
        lines += rows * times
    atomic_write_text(Path(out), "\n".join(lines) + "\n")
    print(f"{out}: {len(lines)} utterances from {len(inputs)} manifests")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
