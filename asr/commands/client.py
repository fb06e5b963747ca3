"""`asr client URL FILE`: stream an audio file to a Vosk-protocol server and print the results.

Any file the audio layer reads is converted to 16-bit mono PCM at `--sample-rate` and sent in
`--chunk-seconds` frames, paced at real time by default. Sending and receiving run side by
side: the server answers every frame once, and the answer to `{"eof" : 1}` is the last.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import numpy as np

from asr.commands.common import CommandError

EOF_MESSAGE = '{"eof" : 1}'  # byte for byte what Vosk clients send


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "client",
        help="stream an audio file to an `asr serve` (or Vosk) server",
        description="Send FILE to a Vosk-protocol WebSocket server as 16-bit PCM, in real time "
        "by default, and print its replies: the partial hypothesis redrawn in place on a "
        "terminal, each final result as a line with its times.",
    )
    parser.add_argument("url", help="server address, e.g. ws://127.0.0.1:2700")
    parser.add_argument("file", type=Path, help="audio file of any format the audio layer reads")
    parser.add_argument(
        "--realtime",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="pace frames at the speed of the audio (default) or send as fast as possible",
    )
    parser.add_argument(
        "--chunk-seconds", type=float, default=0.2, help="audio per frame in seconds (0.2)"
    )
    parser.add_argument("--sample-rate", type=int, default=16000, help="rate to send at (16000)")
    parser.add_argument("--json", action="store_true", help="print the server's replies as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from asr.audio import load_audio

    if not 0.01 <= args.chunk_seconds <= 10:
        raise CommandError("--chunk-seconds must be within 0.01..10")
    samples = load_audio(args.file, sample_rate=args.sample_rate)
    pcm = to_pcm16(samples)
    frame_bytes = 2 * max(1, int(args.chunk_seconds * args.sample_rate))
    frames = [pcm[start : start + frame_bytes] for start in range(0, len(pcm), frame_bytes)]
    try:
        asyncio.run(_session(args, frames))
    except (OSError, asyncio.TimeoutError) as error:
        raise CommandError(f"cannot connect to {args.url}: {error}") from error
    return 0


def to_pcm16(samples: np.ndarray) -> bytes:
    """float32 in [-1, 1] → 16-bit little-endian PCM (clipped)."""
    scaled = np.clip(np.round(samples * 32768.0), -32768, 32767)
    return scaled.astype("<i2").tobytes()


async def _session(args: argparse.Namespace, frames: list[bytes]) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    from asr.commands.live_output import Display

    display = Display(sys.stdout, live=sys.stderr.isatty() and not args.json)
    async with connect(args.url, max_size=None, compression=None, open_timeout=10) as websocket:
        await websocket.send(json.dumps({"config": {"sample_rate": args.sample_rate}}))
        sender = asyncio.create_task(_send(websocket, frames, args.chunk_seconds, args.realtime))
        try:
            for _ in range(len(frames) + 1):  # one reply per frame, then the eof result
                reply = json.loads(await websocket.recv())
                _show(reply, display, args.json)
        except ConnectionClosed as error:
            raise CommandError(f"server closed the connection: {_close_reason(error)}") from None
        finally:
            sender.cancel()
        display.clear()


async def _send(websocket, frames: list[bytes], chunk_seconds: float, realtime: bool) -> None:
    started = time.monotonic()
    for index, frame in enumerate(frames):
        if realtime:
            await asyncio.sleep(max(0.0, started + index * chunk_seconds - time.monotonic()))
        await websocket.send(frame)
    await websocket.send(EOF_MESSAGE)


def _show(reply: dict, display, as_json: bool) -> None:
    from streaming import Result

    if as_json:
        print(json.dumps(reply, ensure_ascii=False), flush=True)
        return
    if "partial" in reply:
        display.partial(reply["partial"])
        return
    words = reply.get("result") or []
    if reply.get("text"):
        start = words[0]["start"] if words else 0.0
        end = words[-1]["end"] if words else 0.0
        display.final(Result(reply["text"], is_final=True, start=start, end=end))


def _close_reason(error: Exception) -> str:
    close = getattr(error, "rcvd", None)
    if close is None:
        return "no close frame"
    return f"{close.code} {close.reason}".strip()
