"""`asr serve`: the Vosk-protocol WebSocket server (`streaming.server`) as a command.

SIGTERM or Ctrl-C stops accepting connections, finishes every open utterance, sends its final
result and closes each connection with 1001.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from asr.commands.common import CommandError, add_model_arguments, format_clock, load_recognizer
from asr.progress import console


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve",
        help="WebSocket server speaking the Vosk server protocol",
        description="Serve live transcription over WebSocket with the Vosk server protocol, so "
        'existing Vosk clients work unchanged: an optional {"config": {"sample_rate": R}} text '
        'frame, binary frames of 16-bit mono PCM, {"eof" : 1} at the end; one {"partial": …} or '
        '{"result": […], "text": …} reply per frame. All connections are decoded together in '
        "batched model calls, each with its own state. Limits close a connection with a code and "
        "a reason: server full 1013, frame too large 1009, bad JSON 1007, unsupported message "
        "or sample rate 1003, idle 1000. SIGTERM finishes open utterances before exiting.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=2700, help="port (2700; 0 picks a free one)")
    parser.add_argument(
        "--max-clients", type=int, default=100, help="connections at once; more get 1013 (100)"
    )
    parser.add_argument(
        "--max-frame-bytes",
        type=int,
        default=1 << 20,
        help="largest frame accepted; larger ones get 1009 (1048576 = 32 s at 16 kHz)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=60.0,
        help="seconds without a frame before closing (60)",
    )
    parser.add_argument(
        "--sample-rate",
        type=int,
        default=16000,
        help="PCM rate assumed until a client's config names one (16000)",
    )
    parser.add_argument(
        "--batch-ms",
        type=float,
        default=20.0,
        help="wait this long after new audio so more connections share a model call: "
        "latency vs CPU (20)",
    )
    add_model_arguments(parser)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads (1)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from streaming.server import ServerConfig

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port}: must be within 0..65535")
    if args.threads < 1:
        raise CommandError("--threads must be at least 1")
    try:
        config = ServerConfig(
            host=args.host,
            port=args.port,
            max_clients=args.max_clients,
            max_frame_bytes=args.max_frame_bytes,
            idle_timeout=args.idle_timeout,
            sample_rate=args.sample_rate,
            batch_window=args.batch_ms / 1000,
        )
    except ValueError as error:
        raise CommandError(str(error)) from error
    recognizer = load_recognizer(args, threads=args.threads)
    asyncio.run(_serve(recognizer, config))
    return 0


async def _serve(recognizer, config) -> None:
    from streaming.server import AsrServer

    server = AsrServer(recognizer, config)
    try:
        await server.start()
    except OSError as error:
        raise CommandError(f"cannot listen on {config.host}:{config.port}: {error}") from error
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    console.print(
        f"listening on ws://{config.host}:{server.port} ({recognizer.device}, "
        f"up to {config.max_clients} clients)"
    )
    await stop.wait()
    console.print(f"shutting down: finishing {server.clients} open stream(s)")
    await server.shutdown()
    stats = server.stats
    rtf = stats.decode_seconds / stats.audio_seconds if stats.audio_seconds else 0.0
    console.print(
        f"served {stats.connections} connection(s), {format_clock(stats.audio_seconds)} of audio "
        f"(decoding RTF {rtf:.4f}), {stats.rejected} rejected"
    )
