"""Join NeMo manifests into one, with absolute audio paths (the default model's train/dev mix).

python data/recipes/mix_manifests.py OUT.jsonl IN.jsonl [IN.jsonl ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from asr.fileio import atomic_write_text


def main(out: str, *inputs: str) -> None:
    lines = []
    for manifest in map(Path, inputs):
        for line in manifest.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                path = Path(row["audio_filepath"])
                row["audio_filepath"] = str(path if path.is_absolute() else manifest.parent / path)
                lines.append(json.dumps(row))
    atomic_write_text(Path(out), "\n".join(lines) + "\n")
    print(f"{out}: {len(lines)} utterances from {len(inputs)} manifests")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
