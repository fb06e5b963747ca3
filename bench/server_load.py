"""Server load benchmark: N concurrent real-time clients against `asr serve` on loopback.

    python bench/server_load.py [--clients 10,25,50,75,100] [--seconds 20] [--model M.onnx]

`asr serve` runs as its own process; this process plays N Vosk-protocol clients, each sending
its own audio (a rotation of a loop of FSDD digits with pauses) in real time, in 0.1 s frames,
starts staggered over one second. Partial latency = time from sending a frame to receiving its
reply (the server answers every frame once). Each client's transcript must equal what a single
client alone gets for the same audio. Reported per N: p50/p95/max latency, transcripts that
match, and the server's CPU use; then the largest N whose p95 stays under `--latency-ms` (300)
with every transcript matching. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from long_session import speech_loop  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from asr.commands.client import EOF_MESSAGE, to_pcm16  # noqa: E402

RATE = 16000
VARIANTS = 10  # distinct audios; client i sends variant i % VARIANTS


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen, int]:
    command = [sys.executable, "-m", "asr", "serve", "--port", "0", "--max-clients", "10000"]
    if args.model:
        command += ["--model", str(args.model)]
    command += args.server_args.split()
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    match = re.search(r"127\.0\.0\.1:(\d+)", line)
    if not match:
        process.kill()
        raise SystemExit(f"server did not start: {line}{process.stderr.read()}")
    return process, int(match.group(1))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_audio(seconds: float) -> list[list[bytes]]:
    """`VARIANTS` different audios of `seconds` each, as 0.1 s frames of 16-bit PCM."""
    loop = speech_loop(max(60.0, seconds * 2))
    audios = []
    for variant in range(VARIANTS):
        start = int(variant * len(loop) / VARIANTS)
        samples = np.roll(loop, -start)[: int(seconds * RATE)]
        pcm = to_pcm16(samples)
        audios.append([pcm[i : i + 3200] for i in range(0, len(pcm), 3200)])
    return audios


async def run_client(url: str, frames: list[bytes], realtime: bool, delay: float) -> dict:
    """One client: frames paced at real time; latency of every reply; the joined transcript."""
    await asyncio.sleep(delay)
    sent: list[float] = []
    latencies: list[float] = []
    texts: list[str] = []
    async with connect(url, max_size=None, compression=None, ping_interval=None) as websocket:
        await websocket.send(json.dumps({"config": {"sample_rate": RATE}}))

        async def send() -> None:
            started = time.perf_counter()
            for index, frame in enumerate(frames):
                if realtime:
                    await asyncio.sleep(max(0.0, started + index * 0.1 - time.perf_counter()))
                sent.append(time.perf_counter())
                await websocket.send(frame)
            await websocket.send(EOF_MESSAGE)

        sender = asyncio.create_task(send())
        for index in range(len(frames) + 1):
            reply = json.loads(await websocket.recv())
            if index < len(frames):
                latencies.append(time.perf_counter() - sent[index])
            if reply.get("text"):
                texts.append(reply["text"])
        await sender
    return {"latencies": latencies, "text": " ".join(texts)}


async def run_level(url: str, audios: list[list[bytes]], clients: int) -> list[dict]:
    """All clients at once; a client that fails counts as not matching, with no latencies."""

    async def guarded(index: int) -> dict:
        try:
            return await run_client(url, audios[index % VARIANTS], True, delay=index / clients)
        except Exception as error:
            return {"latencies": [], "text": None, "error": f"{type(error).__name__}: {error}"}

    return await asyncio.gather(*(guarded(i) for i in range(clients)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="10,25,50,75,100", help="levels of N to try")
    parser.add_argument("--seconds", type=float, default=20.0, help="audio per client")
    parser.add_argument("--latency-ms", type=float, default=300.0, help="p95 partial limit")
    parser.add_argument("--model", type=Path, help="ONNX model (default: the shipped one)")
    parser.add_argument("--server-args", default="", help="more `asr serve` options (quoted)")
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    audios = client_audio(args.seconds)
    process, port = start_server(args)
    url = f"ws://127.0.0.1:{port}"
    rows = []
    try:
        references = [asyncio.run(run_client(url, frames, False, 0.0))["text"] for frames in audios]
        print(f"server pid {process.pid} on {url}; {os.cpu_count()} CPUs; {args.seconds:g} s each")
        print("clients  p50 ms  p95 ms  max ms  matching  server CPU", flush=True)
        for clients in levels:
            cpu, wall = cpu_seconds(process.pid), time.perf_counter()
            results = asyncio.run(run_level(url, audios, clients))
            cpu = (cpu_seconds(process.pid) - cpu) / (time.perf_counter() - wall)
            latencies = np.array([x for r in results for x in r["latencies"]] or [np.inf]) * 1000
            matching = sum(r["text"] == references[i % VARIANTS] for i, r in enumerate(results))
            errors = sorted({r["error"] for r in results if "error" in r})
            row = {
                "clients": clients,
                "p50_ms": round(float(np.percentile(latencies, 50)), 1),
                "p95_ms": round(float(np.percentile(latencies, 95)), 1),
                "max_ms": round(float(latencies.max()), 1),
                "matching": matching,
                "server_cpu_cores": round(cpu, 3),
                # CPU per real-time stream: what sizes the server on a machine of its own.
                "server_cpu_ms_per_stream_second": round(1000 * cpu / clients, 2),
                "load_average": round(os.getloadavg()[0], 1),
                "errors": errors,
            }
            rows.append(row)
            print(
                f"{clients:7d}  {row['p50_ms']:6.1f}  {row['p95_ms']:6.1f}  {row['max_ms']:6.1f}"
                f"  {matching:4d}/{clients:<4d}  {cpu:.2f} cores  (load average "
                f"{row['load_average']}){'  ' + errors[0] if errors else ''}",
                flush=True,
            )
    finally:
        process.terminate()
        process.wait(30)
    good = [
        r["clients"]
        for r in rows
        if r["p95_ms"] < args.latency_ms and r["matching"] == r["clients"]
    ]
    best = max(good, default=0)
    print(f"largest N with p95 < {args.latency_ms:g} ms and every transcript matching: {best}")
    if good:  # at a level it kept up with, the CPU per stream extrapolates to free cores
        cost = next(r for r in rows if r["clients"] == best)["server_cpu_ms_per_stream_second"]
        print(f"server CPU per real-time stream: {cost:.2f} ms/s → {1000 / cost:.0f} streams/core")
    print(json.dumps({"levels": rows, "largest_ok": best, "cpus": os.cpu_count()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
