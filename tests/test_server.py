"""`asr serve`: a real WebSocket client (the `websockets` library) against a server on 127.0.0.1.

The shipped model is weak, so transcripts are compared with one `Stream` fed the same 16-bit
audio alone (the single-client path); "nine" is pinned where the model gets it right.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import FSDD, record_batch_sizes
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from asr.audio import load_audio
from asr.cli import main
from asr.commands.client import EOF_MESSAGE, to_pcm16
from streaming import Recognizer
from streaming.server import AsrServer, ServerConfig

ROOT = Path(__file__).resolve().parent.parent
SILENCE = np.zeros(16000, np.float32)


class ServerThread:
    """An `AsrServer` on its own event loop in a background thread."""

    def __init__(self, recognizer: Recognizer, **config):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = AsrServer(recognizer, ServerConfig(port=0, **config))
        self.call(self.server.start())
        self.url = f"ws://127.0.0.1:{self.server.port}"

    def call(self, coroutine, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.call(self.server.shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    """The shipped model decoded as `asr serve` decodes by default: beam 8 with the shipped LM."""
    return Recognizer()


@pytest.fixture(scope="module")
def server(recognizer):
    running = ServerThread(recognizer, max_clients=4, max_frame_bytes=65536, idle_timeout=1.5)
    yield running
    running.stop()


def _clip(name: str, rate: int = 16000) -> np.ndarray:
    return load_audio(FSDD / name, sample_rate=rate)


def _speech(names: list[str], rate: int = 16000) -> np.ndarray:
    """Clips separated by 1.5 s of silence: long enough for endpoints between them."""
    gap = np.zeros(int(1.5 * rate), np.float32)
    return np.concatenate([part for name in names for part in (_clip(name, rate), gap)])


def _reference(recognizer: Recognizer, samples: np.ndarray, rate: int = 16000) -> list[dict]:
    """What one `Stream` alone gives for the same 16-bit audio: Vosk-shaped results."""
    quantised = np.frombuffer(to_pcm16(samples), "<i2").astype(np.float32) / 32768.0
    stream = recognizer.create_stream()
    stream.accept_waveform(quantised, rate)
    recognizer.decode_stream(stream)
    return [
        {"text": r.text, "result": [{**w.__dict__} for w in r.words]}
        for r in recognizer.finish(stream)
    ]


def _frames(samples: np.ndarray, frame_bytes: int) -> list[bytes]:
    pcm = to_pcm16(samples)
    return [pcm[i : i + frame_bytes] for i in range(0, len(pcm), frame_bytes)]


async def _transcribe(
    url: str, samples: np.ndarray, rate: int | None = 16000, frame_bytes: int = 6400, pause=0.0
) -> list[dict]:
    """A Vosk-style client: config, then each frame followed by reading its reply; eof last."""
    async with connect(url) as websocket:
        if rate is not None:
            await websocket.send(json.dumps({"config": {"sample_rate": rate}}))
        replies = []
        for frame in _frames(samples, frame_bytes):
            await websocket.send(frame)
            replies.append(json.loads(await websocket.recv()))
            await asyncio.sleep(pause)
        await websocket.send(EOF_MESSAGE)
        replies.append(json.loads(await websocket.recv()))
        with pytest.raises(ConnectionClosed):  # after the final result, a normal close
            await asyncio.wait_for(websocket.recv(), 10)
        assert websocket.close_code == 1000, websocket.close_reason
        return replies


def _results(replies: list[dict]) -> list[dict]:
    return [r for r in replies if "result" in r and r["text"]]


def _words(results: list[dict]) -> list[dict]:
    """Every word of a transcript in order (several endpoints in one frame share a reply)."""
    return [word for result in results for word in result["result"]]


def _wait_until_no_clients(server: ServerThread) -> None:
    for _ in range(100):
        if server.server.clients == 0:
            return
        time.sleep(0.05)
    assert server.server.clients == 0


def test_partial_and_final_messages_have_the_vosk_shape(server, recognizer):
    samples = _clip("9_theo_5.wav")
    replies = asyncio.run(_transcribe(server.url, samples, frame_bytes=3200))
    assert len(replies) == len(_frames(samples, 3200)) + 1  # one reply per frame, one at eof
    *partials, final = replies
    assert all(set(reply) == {"partial"} for reply in partials)
    # The last partial may lag the word's final letters (they come with the tail at eof).
    assert partials[-1]["partial"] and "nine".startswith(partials[-1]["partial"])
    assert set(final) == {"result", "text"} and final["text"] == "nine"
    word = final["result"][0]
    assert set(word) == {"conf", "end", "start", "word"} and word["word"] == "nine"
    assert 0 <= word["start"] < word["end"] <= 1.0 and 0 < word["conf"] <= 1
    assert _results(replies) == [
        {"result": r["result"], "text": r["text"]} for r in _reference(recognizer, samples)
    ]


def test_endpoints_send_results_before_eof(server, recognizer):
    samples = _speech(["0_jackson_5.wav", "2_theo_5.wav", "8_jackson_5.wav"])
    replies = asyncio.run(_transcribe(server.url, samples))
    reference = _reference(recognizer, samples)
    assert len(reference) >= 3
    assert _words(_results(replies)) == _words(reference)
    assert " ".join(r["text"] for r in _results(replies)) == " ".join(r["text"] for r in reference)
    assert sum(1 for r in replies[:-1] if "result" in r) >= 2  # finals came mid-stream


def test_concurrent_clients_get_their_own_transcripts(recognizer):
    batch_sizes = record_batch_sizes(recognizer)
    running = ServerThread(recognizer, max_clients=10)
    sessions = [
        (["9_theo_5.wav", "0_jackson_5.wav"], 16000, 6400),
        (["8_jackson_5.wav"], 8000, 1601),  # odd frame sizes split samples across frames
        (["2_theo_5.wav", "5_theo_5.wav", "3_theo_5.wav"], 16000, 3200),
        (["1_theo_5.wav"], 16000, 4000),
        (["4_jackson_5.wav", "6_theo_5.wav"], 44100, 8820),
        (["9_jackson_5.wav"], None, 3200),  # no config: the server's 16 kHz default
    ]

    async def all_clients():
        return await asyncio.gather(
            *(
                _transcribe(running.url, _speech(names, rate or 16000), rate, size, pause=0.002)
                for names, rate, size in sessions
            )
        )

    try:
        got = asyncio.run(all_clients())
    finally:
        running.stop()
        del recognizer.model.run  # the class method again
    for (names, rate, _), replies in zip(sessions, got):
        samples = _speech(names, rate or 16000)
        assert _words(_results(replies)) == _words(_reference(recognizer, samples, rate or 16000))
    assert " ".join(r["text"] for r in _results(got[0])).startswith("nine")
    assert max(batch_sizes) >= 3  # connections really were decoded in one model call


async def _closed_with(url: str, *messages, wait: float = 10) -> tuple[int, str]:
    """Send messages, read until the server closes; the close code and reason."""
    async with connect(url, max_size=None) as websocket:
        try:
            for message in messages:
                await websocket.send(message)
            while True:
                await asyncio.wait_for(websocket.recv(), wait)
        except ConnectionClosed:
            pass
        return websocket.close_code, websocket.close_reason


BAD_INPUTS = [
    (["{eof"], 1007, "malformed JSON"),
    (['{"hello": 1}'], 1003, "unsupported message"),
    (['["eof"]'], 1003, "unsupported message"),
    (['{"config": {"sample_rate": 0}}'], 1003, "unsupported sample rate 0"),
    (['{"config": {"sample_rate": 500000}}'], 1003, "unsupported sample rate 500000"),
    (['{"config": {"sample_rate": 16000.5}}'], 1003, "not an integer"),
    (['{"config": {"sample_rate": "fast"}}'], 1007, "sample_rate must be a number"),
    (['{"config": 16000}'], 1007, "bad config"),
    ([b"\x00\x01" * 40000], 1009, "exceeds limit of 65536 bytes"),  # 80 kB frame
]


def test_bad_inputs_close_only_their_connection(server, recognizer):
    samples = _speech(["9_theo_5.wav", "8_jackson_5.wav"])

    async def scenario():
        good = asyncio.create_task(_transcribe(server.url, samples, frame_bytes=3200, pause=0.03))
        await asyncio.sleep(0.1)
        closes = [await _closed_with(server.url, *messages) for messages, _, _ in BAD_INPUTS]
        assert not good.done()  # the bad clients came and went while it was streaming
        return await good, closes

    good, closes = asyncio.run(scenario())
    for (messages, code, reason), (got_code, got_reason) in zip(BAD_INPUTS, closes):
        assert got_code == code and reason in got_reason, (messages, got_code, got_reason)
    assert _words(_results(good)) == _words(_reference(recognizer, samples))
    _wait_until_no_clients(server)


def test_limits_full_server_idle_and_broken_clients(server, recognizer):
    samples = _speech(["9_theo_5.wav"])

    async def scenario():
        holders = [await connect(server.url) for _ in range(3)]  # 3 of the 4 places taken
        good = asyncio.create_task(_transcribe(server.url, samples, frame_bytes=3200, pause=0.02))
        await asyncio.sleep(0.2)
        full = await _closed_with(server.url)
        # A client that vanishes mid-stream (no close frame) frees its place.
        broken = holders.pop()
        await broken.send(to_pcm16(samples[:8000]))
        broken.transport.abort()
        idle = await _closed_with(server.url, wait=10)  # says nothing: closed for idleness
        for holder in holders:
            await holder.close()
        return full, idle, await good

    full, idle, good = asyncio.run(scenario())
    assert full[0] == 1013 and "try again later" in full[1]
    assert idle[0] == 1000 and "idle timeout" in idle[1]
    assert _words(_results(good)) == _words(_reference(recognizer, samples))
    _wait_until_no_clients(server)


def test_a_client_that_does_not_read_is_closed_with_1008(recognizer):
    """Its replies pile up unsent (the server's `send` waits on a full socket: simulated by a
    send that never returns) until `max_unsent_replies`; then it is closed with 1008."""
    running = ServerThread(recognizer, max_unsent_replies=3, batch_window=0.0)

    async def scenario():
        async with connect(running.url) as websocket:
            await websocket.send(json.dumps({"config": {"sample_rate": 16000}}))
            while running.server.clients < 1:
                await asyncio.sleep(0.01)
            (session,) = running.server._sessions
            stuck = asyncio.Event()  # set by no one

            async def send_never_returns(message):
                await stuck.wait()

            session.websocket.send = send_never_returns
            for frame in _frames(_clip("9_theo_5.wav"), 640)[:20]:
                await websocket.send(frame)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(websocket.recv(), 10)
            return websocket.close_code, websocket.close_reason

    try:
        code, reason = asyncio.run(scenario())
    finally:
        running.stop()
    assert code == 1008 and "too many unread replies" in reason


class _FailsForSecondStream:
    """The recognizer, except that a batch holding the second stream it created fails."""

    def __init__(self, recognizer: Recognizer):
        self.recognizer = recognizer
        self.streams: list = []

    def create_stream(self, **options):
        self.streams.append(self.recognizer.create_stream(**options))
        return self.streams[-1]

    def decode_streams(self, streams):
        if len(self.streams) > 1 and any(s is self.streams[1] for s in streams):
            raise RuntimeError("model call failed")
        return self.recognizer.decode_streams(streams)

    def finish(self, stream):
        return self.recognizer.finish(stream)


def test_a_failing_stream_gets_1011_and_the_others_go_on(recognizer):
    running = ServerThread(_FailsForSecondStream(recognizer))
    samples = _speech(["9_theo_5.wav"])

    async def scenario():
        good = asyncio.create_task(_transcribe(running.url, samples, frame_bytes=3200, pause=0.02))
        while running.server.clients < 1:
            await asyncio.sleep(0.01)
        failed = await _closed_with(running.url, *_frames(samples, 3200)[:5])
        return await good, failed

    try:
        good, (code, reason) = asyncio.run(scenario())
    finally:
        running.stop()
    assert code == 1011 and "decoding failed: model call failed" in reason
    assert _words(_results(good)) == _words(_reference(recognizer, samples))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stop_signals_finish_open_utterances(recognizer, signum):
    process = subprocess.Popen(
        [sys.executable, "-m", "asr", "serve", "--port", "0"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        line = process.stderr.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        samples = _clip("9_theo_5.wav")

        async def interrupted_client():
            async with connect(f"ws://127.0.0.1:{port}") as websocket:
                for frame in _frames(samples, 3200):
                    await websocket.send(frame)
                    await websocket.recv()
                process.send_signal(signum)  # no eof: the utterance is still open
                final = json.loads(await asyncio.wait_for(websocket.recv(), 10))
                with pytest.raises(ConnectionClosed):
                    await asyncio.wait_for(websocket.recv(), 10)
                return final, websocket.close_code, websocket.close_reason

        final, code, reason = asyncio.run(interrupted_client())
        assert process.wait(15) == 0
    finally:
        process.kill()
    assert final == {
        "result": _reference(recognizer, samples)[0]["result"],
        "text": "nine",
    }
    assert code == 1001 and "shutting down" in reason
    assert "finishing 1 open stream" in process.stderr.read()


def test_client_command_prints_results(server, capsys):
    path = str(FSDD / "9_theo_5.wav")
    assert main(["client", server.url, path, "--no-realtime"]) == 0
    assert re.fullmatch(r"\[00:00:\d\d\.\d\d - 00:00:\d\d\.\d\d\] nine\n", capsys.readouterr().out)
    assert main(["client", server.url, path, "--no-realtime", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1]["text"] == "nine" and all("partial" in line for line in lines[:-1])


def test_command_errors_are_one_line(server, capsys, tmp_path):
    path = str(FSDD / "9_theo_5.wav")
    assert main(["client", "ws://127.0.0.1:1", path]) == 1
    assert "cannot connect to ws://127.0.0.1:1" in capsys.readouterr().err
    assert main(["serve", "--port", "70000"]) == 1
    assert "--port 70000" in capsys.readouterr().err
    assert main(["serve", "--sample-rate", "0"]) == 1
    assert "unsupported sample rate 0" in capsys.readouterr().err
    assert main(["client", server.url, path, "--no-realtime", "--sample-rate", "3000"]) == 1
    assert "server closed the connection: 1003 unsupported sample rate 3000" in (
        capsys.readouterr().err
    )
    text = tmp_path / "text.wav"
    text.write_text("not audio\n" * 50)
    assert main(["client", server.url, str(text)]) == 1
    assert "not a readable audio file" in capsys.readouterr().err


def test_streaming_server_never_imports_torch():
    code = "import sys, streaming.server, asr.commands.serve; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
