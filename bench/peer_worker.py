"""One system on one manifest, in a process of its own so that its peak RSS is its own.

    python bench/peer_worker.py '{"system": "greedy", "manifest": "...", "limit": 200, ...}'

Prints one JSON object: the hypotheses with compute times and latencies, the load time, the
model size and the process's peak RSS (`ru_maxrss`: interpreter, imports, model and decoding
of this set), or `{"unavailable": reason}`. Started by `bench/peers.py`.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from peer_systems import RATE, Ours, PocketSphinx, Unavailable, Whisper  # noqa: E402

OURS = {  # system name: (decoder, int8, with LM)
    "greedy": ("greedy", False, False),
    "greedy-int8": ("greedy", True, False),
    "beam": ("beam", False, False),
    "beam-int8": ("beam", True, False),
    "beam-lm": ("beam", False, True),
    "beam-lm-int8": ("beam", True, True),
}
PEERS = {"pocketsphinx": PocketSphinx, "whisper": Whisper}
SYSTEMS = (*OURS, *PEERS)


def make_system(name: str, model: str, int8_model: str | None, lm: str | None):
    if name in PEERS:
        return PEERS[name]()
    decoder, int8, with_lm = OURS[name]
    if (int8 and not int8_model) or (with_lm and not lm):
        raise Unavailable("no int8 model" if int8 and not int8_model else "no language model")
    path = Path(int8_model if int8 else model)
    return Ours(path, decoder=decoder, lm=Path(lm) if with_lm else None)


def select(entries: list, limit: int | None) -> list:
    """`limit` clips evenly spaced through the manifest (manifests are often sorted by speaker),
    or all of them."""
    if limit is None or limit >= len(entries):
        return entries
    return [entries[i * len(entries) // limit] for i in range(limit)]


def run(job: dict) -> dict:
    from asr.audio import load_audio
    from asr.manifest import read_manifest

    entries, _ = read_manifest(job["manifest"], require_text=False, check_files=False)
    entries = select(entries, job.get("limit"))
    started = time.perf_counter()
    try:
        system = make_system(job["system"], job["model"], job.get("int8_model"), job.get("lm"))
    except Unavailable as error:
        return {"unavailable": str(error)}
    load_seconds = time.perf_counter() - started
    system.decode(np.zeros(RATE, np.float32))  # warm-up: one-time initialisation not timed
    utterances = []
    for entry in entries:
        row = {"audio_filepath": str(entry.audio_path), "reference": entry.text}
        try:
            samples = load_audio(entry.audio_path, RATE)
        except Exception as error:  # an unreadable clip is reported, not scored
            utterances.append({**row, "error": str(error)})
            continue
        decoded = system.decode(samples)
        utterances.append(
            {
                **row,
                "hypothesis": decoded.text,
                "duration": len(samples) / RATE,
                "compute_seconds": decoded.compute_seconds,
                "first_partial_latency": decoded.first_partial,
                "final_latency": decoded.final,
            }
        )
    return {
        "streaming": system.streaming,
        "size_bytes": system.size_bytes,
        "load_seconds": round(load_seconds, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "utterances": utterances,
    }


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
