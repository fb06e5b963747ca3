"""A WebSocket server speaking the Vosk protocol (see `streaming.protocol`).

Every connection has its own `Stream`. One decoding task takes the next frame of every
connection with pending input, and a single worker thread feeds them to their streams and runs
one batched `Recognizer.decode_streams` call; the event loop only moves bytes. Each connection
has its own reply queue and sender, so a client that reads slowly (or not at all) only fills its
own queue, and is closed when that overflows; a client that sends too fast stops being read
until its frames are decoded.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from streaming.protocol import (
    CLOSE_GOING_AWAY,
    CLOSE_INTERNAL_ERROR,
    CLOSE_NORMAL,
    CLOSE_POLICY,
    CLOSE_TRY_AGAIN_LATER,
    Config,
    PcmDecoder,
    ProtocolError,
    check_sample_rate,
    parse_text,
    partial_message,
    result_message,
)
from streaming.recognizer import Recognizer
from streaming.stream import Stream


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 2700  # 0: any free port (see `AsrServer.port`)
    max_clients: int = 100
    max_frame_bytes: int = 1 << 20  # larger frames close the connection with 1009
    idle_timeout: float = 60.0  # seconds without a frame before closing (1000)
    sample_rate: int = 16000  # assumed until a client's config names its rate
    batch_window: float = 0.02  # wait this long after new input, so more streams join a batch
    max_queued_frames: int = 32  # per client; beyond this its socket is not read (backpressure)
    max_unsent_replies: int = 256  # per client; beyond this it is closed (1008: not reading)
    shutdown_timeout: float = 10.0  # for finishing open utterances at shutdown

    def __post_init__(self) -> None:
        if self.max_clients < 1:
            raise ValueError("max_clients must be at least 1")
        if self.idle_timeout <= 0:
            raise ValueError("idle_timeout must be positive")
        if not 0 <= self.batch_window <= 1:
            raise ValueError("batch_window must be within 0..1 s")
        if self.max_frame_bytes < 2:
            raise ValueError("max_frame_bytes must be at least 2")
        try:
            check_sample_rate(self.sample_rate)
        except ProtocolError as error:
            raise ValueError(error.reason) from None


@dataclass
class ServerStats:
    connections: int = 0
    rejected: int = 0
    audio_seconds: float = 0.0
    decode_seconds: float = 0.0  # worker time: resampling, features, model, decoding
    rounds: int = 0


# A reply for one connection and whether it is the last (the eof result, or a close).
_Reply = tuple["dict | ProtocolError", bool]


@dataclass
class _Frame:
    """One unit of decoding work: audio at a rate, or the end of input (`samples is None`)."""

    samples: np.ndarray | None
    sample_rate: int = 0


@dataclass(eq=False)
class _Session:
    websocket: ServerConnection
    stream: Stream
    sample_rate: int
    pcm: PcmDecoder = field(default_factory=PcmDecoder)
    inbox: deque[_Frame] = field(default_factory=deque)
    room: asyncio.Event = field(default_factory=asyncio.Event)
    outbox: asyncio.Queue = field(default_factory=asyncio.Queue)
    done: asyncio.Event = field(default_factory=asyncio.Event)  # last reply sent, or closed
    last_seen: float = 0.0  # event-loop time of the last frame received
    eof_queued: bool = False
    closed: bool = False

    def queue_eof(self) -> None:
        if not self.eof_queued:
            self.eof_queued = True
            self.inbox.append(_Frame(None))


class AsrServer:
    """`await start()`, then `await shutdown()`: open utterances are finished and sent."""

    def __init__(self, recognizer: Recognizer, config: ServerConfig | None = None):
        self.recognizer = recognizer
        self.config = config or ServerConfig()
        self.stats = ServerStats()
        self._sessions: dict[_Session, None] = {}  # insertion-ordered: fair rounds
        self._work = asyncio.Event()
        self._executor = concurrent.futures.ThreadPoolExecutor(1, "asr-decode")
        self._server: Server | None = None
        self._tasks: list[asyncio.Task] = []
        self._closing = False

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not started")
        return self._server.sockets[0].getsockname()[1]

    @property
    def clients(self) -> int:
        return len(self._sessions)

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self.config.host,
            self.config.port,
            max_size=self.config.max_frame_bytes,
            compression=None,  # PCM does not compress; deflate would only cost CPU
            close_timeout=2,
        )
        self._tasks = [
            asyncio.create_task(self._decode_loop()),
            asyncio.create_task(self._close_idle()),
        ]

    async def shutdown(self) -> None:
        """Stop accepting, finish every open utterance (its final result is sent), close 1001."""
        if self._server is None or self._closing:
            return
        self._closing = True
        self._server.close(close_connections=False)
        sessions = list(self._sessions)
        for session in sessions:
            session.queue_eof()
        self._work.set()
        if sessions:
            await asyncio.wait(
                [asyncio.create_task(s.done.wait()) for s in sessions],
                timeout=self.config.shutdown_timeout,
            )
        await asyncio.gather(
            *(s.websocket.close(CLOSE_GOING_AWAY, "server shutting down") for s in sessions),
            return_exceptions=True,
        )
        await self._server.wait_closed()
        for task in self._tasks:
            task.cancel()
        self._executor.shutdown(wait=True)

    # ---- one connection ------------------------------------------------------------------
    async def _handle(self, websocket: ServerConnection) -> None:
        if self._closing:
            await websocket.close(CLOSE_GOING_AWAY, "server shutting down")
            return
        if len(self._sessions) >= self.config.max_clients:
            self.stats.rejected += 1
            await websocket.close(
                CLOSE_TRY_AGAIN_LATER,
                f"server full ({self.config.max_clients} clients): try again later",
            )
            return
        session = _Session(websocket, self.recognizer.create_stream(), self.config.sample_rate)
        session.last_seen = asyncio.get_running_loop().time()
        self.stats.connections += 1
        self._sessions[session] = None
        sender = asyncio.create_task(self._send_replies(session))
        try:
            await self._receive(session)
            await session.done.wait()
        except ProtocolError as error:
            await websocket.close(error.code, error.reason)
        except ConnectionClosed:
            pass
        finally:
            session.closed = True
            self._sessions.pop(session, None)
            sender.cancel()

    async def _receive(self, session: _Session) -> None:
        """Read frames until eof; raise `ProtocolError` for bad input."""
        loop = asyncio.get_running_loop()
        while True:
            message = await session.websocket.recv()
            session.last_seen = loop.time()
            if session.eof_queued:  # shutting down: the final result is on its way
                continue
            if isinstance(message, bytes):
                samples = session.pcm.decode(message)
                while len(session.inbox) >= self.config.max_queued_frames and not session.closed:
                    session.room.clear()
                    await session.room.wait()
                session.last_seen = loop.time()
                if not session.eof_queued and not session.closed:
                    session.inbox.append(_Frame(samples, session.sample_rate))
                    self._work.set()
                continue
            command = parse_text(message)
            if isinstance(command, Config):
                session.sample_rate = command.sample_rate or session.sample_rate
                continue
            session.queue_eof()
            self._work.set()
            return

    async def _send_replies(self, session: _Session) -> None:
        """Send this connection's replies in order; the eof result or an error ends it."""
        try:
            while True:
                reply, final = await session.outbox.get()
                if isinstance(reply, ProtocolError):
                    await session.websocket.close(reply.code, reply.reason)
                    return
                await session.websocket.send(json.dumps(reply, ensure_ascii=False))
                if final:
                    return
        except ConnectionClosed:
            pass
        finally:
            session.done.set()

    def _deliver(self, session: _Session, reply: _Reply) -> None:
        if session.closed:
            return
        if isinstance(reply[0], ProtocolError):
            session.closed = True
            self._sessions.pop(session, None)
        session.outbox.put_nowait(reply)
        if session.outbox.qsize() > self.config.max_unsent_replies:
            self._close(session, CLOSE_POLICY, "too many unread replies: read faster")

    def _close(self, session: _Session, code: int, reason: str) -> None:
        """Close a connection from outside its handler (which then sees `ConnectionClosed`)."""
        session.closed = True
        session.room.set()
        self._sessions.pop(session, None)
        task = asyncio.create_task(session.websocket.close(code, reason))
        self._tasks.append(task)
        task.add_done_callback(self._tasks.remove)

    async def _close_idle(self) -> None:
        """One watchdog for all connections (cheaper than a timeout on every `recv`)."""
        idle = self.config.idle_timeout
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(1.0, idle / 4))
            now = loop.time()
            for session in list(self._sessions):
                if not session.eof_queued and now - session.last_seen > idle:
                    self._close(session, CLOSE_NORMAL, f"idle timeout: no frame for {idle:g} s")

    # ---- decoding --------------------------------------------------------------------------
    async def _decode_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._work.wait()
            self._work.clear()
            await asyncio.sleep(self.config.batch_window)
            batch = [(s, s.inbox.popleft()) for s in list(self._sessions) if s.inbox]
            if not batch:
                continue
            for session, _ in batch:
                session.room.set()
            started = time.perf_counter()
            try:
                replies = await loop.run_in_executor(self._executor, self._decode_round, batch)
            except Exception as error:  # a bug, not bad input: fail this round, keep serving
                failure = ProtocolError(CLOSE_INTERNAL_ERROR, f"server error: {error}")
                replies = [(session, (failure, True)) for session, _ in batch]
            self.stats.decode_seconds += time.perf_counter() - started
            self.stats.rounds += 1
            for session, reply in replies:
                self._deliver(session, reply)
            if any(s.inbox for s in self._sessions):
                self._work.set()

    def _decode_round(self, batch: list[tuple[_Session, _Frame]]) -> list[tuple[_Session, _Reply]]:
        """Worker thread: feed each frame to its stream, one batched decode, one reply each."""
        replies: list[tuple[_Session, _Reply]] = []
        fed: list[tuple[_Session, _Frame]] = []
        for session, frame in batch:
            try:
                if frame.samples is None:
                    session.stream.input_finished()
                else:
                    session.stream.accept_waveform(frame.samples, frame.sample_rate)
                    self.stats.audio_seconds += len(frame.samples) / frame.sample_rate
                fed.append((session, frame))
            except Exception as error:  # one client's bad audio never stops the others
                error = ProtocolError(CLOSE_INTERNAL_ERROR, f"bad audio: {error}")
                replies.append((session, (error, True)))
        fed = self._decode(fed, replies)
        for session, frame in fed:
            stream = session.stream
            if frame.samples is None:
                replies.append((session, (result_message(self.recognizer.finish(stream)), True)))
                continue
            finals = stream.pop_finals()
            reply = result_message(finals) if finals else partial_message(stream.partial())
            replies.append((session, (reply, False)))
        return replies

    def _decode(
        self,
        fed: list[tuple[_Session, _Frame]],
        replies: list[tuple[_Session, _Reply]],
    ) -> list[tuple[_Session, _Frame]]:
        """One batched model call; if it fails, decode stream by stream to isolate the culprit."""
        try:
            self.recognizer.decode_streams([session.stream for session, _ in fed])
            return fed
        except Exception:
            kept = []
            for session, frame in fed:
                try:
                    self.recognizer.decode_streams([session.stream])
                    kept.append((session, frame))
                except Exception as error:
                    failure = ProtocolError(CLOSE_INTERNAL_ERROR, f"decoding failed: {error}")
                    replies.append((session, (failure, True)))
            return kept
