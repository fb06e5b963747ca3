"""Peer benchmark: our recogniser against PocketSphinx and Whisper tiny.en on the same clips.

    python bench/peers.py --set fsdd-test=../shared/data/fsdd/test.jsonl \\
        --set 'tts-dev:200=CORPORA/tts/dev.jsonl' [--systems greedy pocketsphinx whisper] \\
        [--model M.onnx] [--int8-model M.int8.onnx] [--lm LM.arpa.gz] [--limit N] [--out F.md]

A set is NAME=MANIFEST or NAME:N=MANIFEST (N clips evenly spaced through it; `--limit` caps every
set). Each system runs on each set in a fresh process (`bench/peer_worker.py`) on one CPU thread,
so the peak RSS is that system's alone; the clips are decoded and resampled to 16 kHz before
the clock starts, for every system. WER/CER use the project normaliser on references and
hypotheses of every system. RTF = compute (process CPU time) / audio seconds, features
included. Latencies are on the audio clock (as `asr evaluate`): first partial after speech
onset, final after speech end.
Writes F.md (the table) and F.json (rows and every hypothesis) atomically after every system,
prints the table at the end.
Systems that cannot run here (peer not installed, no int8 model, no beam decoder yet) are listed
under the table with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from peer_table import NAMES, markdown, score  # noqa: E402
from peer_worker import SYSTEMS  # noqa: E402

WORKER = Path(__file__).with_name("peer_worker.py")
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "CUDA_VISIBLE_DEVICES": "",  # CPU only, and no CUDA context in the RSS
}


def parse_set(text: str) -> tuple[str, Path, int | None]:
    """NAME=MANIFEST or NAME:N=MANIFEST."""
    name, sep, manifest = text.partition("=")
    if not sep or not name or not manifest:
        raise argparse.ArgumentTypeError(f"--set {text!r}: expected NAME=MANIFEST or NAME:N=...")
    name, _, limit = name.partition(":")
    if limit and not limit.isdigit():
        raise argparse.ArgumentTypeError(f"--set {text!r}: N must be a whole number")
    return name, Path(manifest), int(limit) if limit else None


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_worker(job: dict) -> dict:
    env = {**os.environ, **ONE_THREAD}
    done = subprocess.run(
        [sys.executable, str(WORKER), json.dumps(job)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return {"unavailable": f"failed: {tail[0]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", dest="sets", type=parse_set, action="append", required=True)
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--model", type=Path, default=ROOT / "asr" / "models" / "default.onnx")
    parser.add_argument(
        "--int8-model",
        type=Path,
        default=ROOT / "asr" / "models" / "default.int8.onnx",
        help="a second model to compare with --model, e.g. from `asr export --int8-dynamic` "
        "(rows skipped when the file is missing)",
    )
    parser.add_argument(
        "--lm",
        type=Path,
        default=ROOT / "asr" / "models" / "default-lm.arpa.gz",
        help="ARPA word LM for the beam + LM rows (default: the shipped one)",
    )
    parser.add_argument("--limit", type=int, help="at most N clips per set (quick runs)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "bench" / "peers.md")
    args = parser.parse_args()
    rows, skipped, outputs = [], {}, {}
    for set_name, manifest, set_limit in args.sets:
        limits = [n for n in (set_limit, args.limit) if n is not None]
        for system in args.systems:
            if system in skipped:
                continue
            job = {
                "system": system,
                "manifest": str(manifest),
                "limit": min(limits) if limits else None,
                "model": str(args.model),
                "int8_model": str(args.int8_model),
                "lm": str(args.lm),
            }
            started = time.perf_counter()
            result = run_worker(job)
            if "unavailable" in result:
                skipped[system] = result["unavailable"]
                print(f"{set_name}: {system} skipped: {result['unavailable']}", file=sys.stderr)
                continue
            row = score(set_name, system, result)
            rows.append(row)
            outputs[f"{set_name}/{system}"] = result
            print(
                f"{set_name}: {system} {row.clips} clips in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            write(args.out, rows, skipped, outputs)  # after every system: a long run keeps its rows
    print(write(args.out, rows, skipped, outputs), end="")
    return 0


def write(out: Path, rows: list, skipped: dict, outputs: dict) -> str:
    """The table (+ reasons for skipped systems) to OUT.md, everything to OUT.json; the table."""
    from asr.fileio import atomic_write_text

    notes = [f"- {NAMES[s]}: not run ({reason})" for s, reason in skipped.items()]
    text = markdown(rows) + ("\n" + "\n".join(notes) + "\n" if notes else "")
    atomic_write_text(out, text)
    report = {
        "command": " ".join(sys.argv),
        "machine": f"{cpu_name()}, {os.cpu_count()} CPUs",
        "rows": [asdict(r) for r in rows],
        "skipped": skipped,
        "outputs": outputs,
    }
    atomic_write_text(out.with_suffix(".json"), json.dumps(report, indent=1) + "\n")
    return text


if __name__ == "__main__":
    sys.exit(main())
