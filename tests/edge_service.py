"""A stand-in for Microsoft's Edge read-aloud service, speaking its real protocol on 127.0.0.1.

The real edge_tts client talks to it unchanged (through SPEECHCAST_EDGE_URL). It answers with real
MP3 frames (24 kHz, 48 kbit/s, mono, MPEG-2 Layer III, 24 ms and 144 bytes each), 150 ms of
speech-like sound per character (not per punctuation mark) by default and a pause of silence after
each sentence, the same
bytes for the same text every time, with the sentence or word boundaries the client asked for.
Faults can be injected, and every connection is recorded.

Tests use it through its fixtures edge_service and edge_tts_state (tests/conftest.py lists this
module in ``pytest_plugins``), or standalone for manual runs and benchmarks: ``python tests/edge_service.py --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import json
import random
import re
import subprocess
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import imageio_ffmpeg
import pytest
from aiohttp import web

FRAME_BYTES = 144
FRAME_SECONDS = 0.024
TICKS_PER_SECOND = 10_000_000
HANDSHAKE_FAULTS = ("503", "429")
ANSWER_FAULTS = ("early_close", "stall", "no_audio")
FAULTS = HANDSHAKE_FAULTS + ANSWER_FAULTS
WS_PATH = "/consumer/speech/synthesize/readaloud/edge/v1"
VOICE_LIST_PATH = "/consumer/speech/synthesize/readaloud/voices/list"
_FRAMES_PER_MESSAGE = 8
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")
_WORD = re.compile(r"[\u3400-\u9fff]{1,2}|[^\W\u3400-\u9fff]+")
"""The stand-in's "words": Chinese in pairs of characters, other scripts by runs of letters and
digits; punctuation is never a word (as with the real service)."""
_SSML_NS = "{http://www.w3.org/2001/10/synthesis}"

VOICES = [
    {"ShortName": "zh-CN-XiaoxiaoNeural", "Locale": "zh-CN", "Gender": "Female",
     "VoiceTag": {"ContentCategories": ["News", "Novel"], "VoicePersonalities": ["Warm"]}},
    {"ShortName": "zh-CN-YunyangNeural", "Locale": "zh-CN", "Gender": "Male",
     "VoiceTag": {"ContentCategories": ["News"], "VoicePersonalities": ["Professional", "Reliable"]}},
    {"ShortName": "zh-TW-HsiaoChenNeural", "Locale": "zh-TW", "Gender": "Female",
     "VoiceTag": {"ContentCategories": ["General"], "VoicePersonalities": ["Friendly", "Positive"]}},
    {"ShortName": "en-US-EmmaMultilingualNeural", "Locale": "en-US", "Gender": "Female",
     "VoiceTag": {"ContentCategories": ["Conversation"], "VoicePersonalities": ["Cheerful"]}},
]  # fmt: skip


@functools.lru_cache(maxsize=1)
def speech_frames() -> tuple[bytes, ...]:
    """30 s of a voiced, syllable-paced tone as independent MP3 frames, made once per process.

    The bit reservoir is off, so any run of frames decodes on its own, as a real answer does.
    """
    return _frames("0.4*sin(2*PI*(180+40*sin(2*PI*0.7*t))*t)*(0.55+0.45*sin(2*PI*4.3*t))", 30)


@functools.lru_cache(maxsize=1)
def silent_frame() -> bytes:
    return _frames("0", 1)[10]


def _frames(voice: str, seconds: int) -> tuple[bytes, ...]:
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
        "-f", "lavfi", "-i", f"aevalsrc={voice}:s=24000:d={seconds}",
        "-ac", "1", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "48k", "-reservoir", "0",
        "-write_xing", "0", "-id3v2_version", "0", "-map_metadata", "-1", "-f", "mp3", "-",
    ]  # fmt: skip
    data = subprocess.run(command, capture_output=True, check=True).stdout
    return tuple(data[i : i + FRAME_BYTES] for i in range(0, len(data), FRAME_BYTES))


@dataclass(frozen=True)
class Attempt:
    """One WebSocket connection the client opened."""

    fault: str | None
    text: str | None = None
    """None when the handshake was refused before any text arrived."""
    voice: str | None = None
    rate: str | None = None
    pitch: str | None = None
    volume: str | None = None


@dataclass
class _TextFault:
    fault: str
    left: int | None
    """Answers still to spoil; None: all of them."""


@dataclass
class EdgeService:
    """The stand-in, running in a background thread with its own event loop.

    Faults: `fail_next` queues faults for the next connections in order, `fail_text` hits every
    request for one text (answer faults only: a handshake comes before the text), `fail_randomly`
    hits a seeded fraction of connections. Latency: `first_audio_delay` seconds before the first
    audio, and `speed` × real time streaming (None: as fast as possible).
    """

    port: int = 0
    ms_per_char: int = 150
    pause_ms: int = 288
    """Silence after every sentence but the last (rounded to whole frames)."""
    first_audio_delay: float = 0.0
    speed: float | None = None
    attempts: list[Attempt] = field(default_factory=list)
    max_open: int = 0
    _open: int = 0
    _queued: deque[str] = field(default_factory=deque)
    _by_text: dict[str, _TextFault] = field(default_factory=dict)
    _random_rate: float = 0.0
    _random_kinds: tuple[str, ...] = FAULTS
    _random: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _thread: threading.Thread | None = None

    # --- what a test sets ---------------------------------------------------------------------

    def fail_next(self, *faults: str) -> None:
        for fault in faults:
            _check_fault(fault, FAULTS)
        with self._lock:
            self._queued.extend(faults)

    def fail_text(self, text: str, fault: str, times: int | None = None) -> None:
        """Answer every request holding `text` with `fault`, `times` times (None: always)."""
        _check_fault(fault, ANSWER_FAULTS)
        with self._lock:
            self._by_text[text] = _TextFault(fault, times)

    def fail_randomly(self, rate: float, seed: int, kinds: tuple[str, ...] = FAULTS) -> None:
        for fault in kinds:
            _check_fault(fault, FAULTS)
        with self._lock:
            self._random_rate, self._random_kinds, self._random = rate, kinds, random.Random(seed)

    # --- what a test reads --------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{WS_PATH}?TrustedClientToken=stand-in"

    @property
    def requests(self) -> list[Attempt]:
        """Connections that got as far as sending their text."""
        with self._lock:
            return [a for a in self.attempts if a.text is not None]

    @property
    def texts(self) -> list[str]:
        return [a.text for a in self.requests if a.text is not None]

    @property
    def voices(self) -> set[str | None]:
        return {a.voice for a in self.requests}

    def reset_records(self) -> None:
        with self._lock:
            self.attempts.clear()
            self.max_open = 0

    def audio_for(self, text: str) -> bytes:
        """Exactly the MP3 a fault-free answer to `text` carries."""
        return b"".join(b"".join(s.frames) for s in self._sentences(text))

    def sentences_for(self, text: str) -> list[Sentence]:
        """The sentences the answer to `text` is made of, with where each sits in it."""
        return self._sentences(text)

    def seconds_for(self, text: str) -> float:
        return len(self.audio_for(text)) // FRAME_BYTES * FRAME_SECONDS

    # --- running ------------------------------------------------------------------------------

    def start(self) -> EdgeService:
        speech_frames()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="edge-stand-in", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the Edge stand-in did not start within 10 s")
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._thread.join(10)
        self._loop = None

    def __enter__(self) -> EdgeService:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._startup())
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _startup(self) -> None:
        app = web.Application()
        app.router.add_get(WS_PATH, self._websocket)
        app.router.add_get(VOICE_LIST_PATH, self._voice_list)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        asyncio.get_running_loop().call_soon(asyncio.get_running_loop().stop)

    # --- the protocol -------------------------------------------------------------------------

    async def _voice_list(self, _request: web.Request) -> web.Response:
        return web.json_response(VOICES)

    def _connection_fault(self) -> str | None:
        with self._lock:
            if self._queued:
                return self._queued.popleft()
            if self._random_rate and self._random.random() < self._random_rate:
                return self._random.choice(self._random_kinds)
            return None

    def _text_fault(self, text: str) -> str | None:
        with self._lock:
            entry = next((e for t, e in self._by_text.items() if t in text and e.left != 0), None)
            if entry is None:
                return None
            if entry.left is not None:
                entry.left -= 1
            return entry.fault

    def _record(self, attempt: Attempt) -> None:
        with self._lock:
            self.attempts.append(attempt)

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        fault = self._connection_fault()
        if fault in HANDSHAKE_FAULTS:
            self._record(Attempt(fault))
            return web.Response(status=int(fault), text="stand-in refuses this handshake")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        with self._lock:
            self._open += 1
            self.max_open = max(self.max_open, self._open)
        try:
            await self._converse(ws, fault)
        finally:
            with self._lock:
                self._open -= 1
        return ws

    async def _converse(self, ws: web.WebSocketResponse, fault: str | None) -> None:
        config = await ws.receive_str(timeout=10)
        if "Path:speech.config" not in config or "audio-24khz-48kbitrate-mono-mp3" not in config:
            await ws.close(message=b"expected speech.config asking for 24 kHz 48 kbit/s MP3")
            return
        options = json.loads(_split_message(config)[1])["context"]["synthesis"]["audio"]["metadataoptions"]
        words = options.get("wordBoundaryEnabled") == "true"
        headers, ssml = _split_message(await ws.receive_str(timeout=10))
        request_id = headers["X-RequestId"]
        voice = ET.fromstring(ssml).find(f"{_SSML_NS}voice")
        prosody = None if voice is None else voice.find(f"{_SSML_NS}prosody")
        if voice is None or prosody is None:
            await ws.close(message=b"expected <speak><voice><prosody>")
            return
        text = prosody.text or ""
        fault = fault or self._text_fault(text)
        self._record(Attempt(
            fault, text, _short_name(voice.get("name", "")),
            prosody.get("rate"), prosody.get("pitch"), prosody.get("volume"),
        ))  # fmt: skip

        stream_id = uuid.uuid4().hex
        await ws.send_str(_text_message(request_id, "turn.start", {"context": {"serviceTag": stream_id}}))
        if fault == "stall":
            async for _ in ws:  # say nothing more until the client gives up
                pass
            return
        audio = {"type": "inline", "streamId": stream_id}
        await ws.send_str(_text_message(request_id, "response", {"context": {"serviceTag": stream_id}, "audio": audio}))
        if fault != "no_audio":
            await self._stream_audio(ws, request_id, stream_id, text, words, early_close=fault == "early_close")
            if fault == "early_close":
                return
        await ws.send_str(_text_message(request_id, "turn.end", {"context": {"serviceTag": stream_id}}))
        await ws.close()

    async def _stream_audio(self, ws: web.WebSocketResponse, request_id: str, stream_id: str, text: str, words: bool, early_close: bool) -> None:
        # edge_tts parses the header with the two length bytes glued to its first name, so Path
        # must not come first; the real service sends it last too.
        header = f"X-RequestId:{request_id}\r\nContent-Type:audio/mpeg\r\nX-StreamId:{stream_id}\r\nPath:audio\r\n"
        prefix = len(header.encode()).to_bytes(2, "big") + header.encode()
        sentences = self._sentences(text)
        total = sum(len(s.frames) for s in sentences)
        sent = 0
        await asyncio.sleep(self.first_audio_delay)
        for sentence in sentences:
            boundaries = sentence.words() if words else [(sentence.text, sentence.offset, sentence.duration)]
            metadata = [
                {"Type": "WordBoundary" if words else "SentenceBoundary", "Data": {
                    "Offset": offset, "Duration": duration,
                    "text": {"Text": said, "Length": len(said), "BoundaryType": "WordBoundary" if words else "SentenceBoundary"}}}
                for said, offset, duration in boundaries
            ]  # fmt: skip
            for entry in metadata:  # the real service sends one boundary a message
                await ws.send_str(_text_message(request_id, "audio.metadata", {"Metadata": [entry]}))
            for i in range(0, len(sentence.frames), _FRAMES_PER_MESSAGE):
                batch = sentence.frames[i : i + _FRAMES_PER_MESSAGE]
                await ws.send_bytes(prefix + b"".join(batch))
                sent += len(batch)
                if self.speed:
                    await asyncio.sleep(len(batch) * FRAME_SECONDS / self.speed)
                if early_close and sent * 2 >= total:
                    await ws.close()
                    return

    def _sentences(self, text: str) -> list[Sentence]:
        """Each sentence with its frames (a deterministic stretch of the speech, by text hash, then
        the pause), and where its speech sits in the answer."""
        pool = speech_frames()
        start = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % len(pool)
        parts = _SENTENCE.findall(text) or [text]
        pause = (silent_frame(),) * round(self.pause_ms / 1000 / FRAME_SECONDS)
        out: list[Sentence] = []
        offset = 0
        for number, part in enumerate(parts):
            spoken = sum(len(word) for word in _WORD.findall(part))  # punctuation takes no time
            count = max(1, round(spoken * self.ms_per_char / 1000 / FRAME_SECONDS))
            voiced = tuple(pool[(start + i) % len(pool)] for i in range(count))
            frames = voiced + (pause if number < len(parts) - 1 else ())
            out.append(Sentence(part, frames, offset, _ticks(count)))
            offset += _ticks(len(frames))
            start += count
        return out


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer: its text, its frames (speech, then any pause), and where its
    speech starts and how long it lasts, in 100 ns ticks."""

    text: str
    frames: tuple[bytes, ...]
    offset: int
    duration: int

    def words(self) -> list[tuple[str, int, int]]:
        """(text, offset, duration) of each word, the speech shared out by characters."""
        found = _WORD.findall(self.text)
        chars = sum(len(w) for w in found) or 1
        out, at, done = [], self.offset, 0
        for word in found:
            done += len(word)
            end = self.offset + self.duration * done // chars
            out.append((word, at, end - at))
            at = end
        return out


def _ticks(frames: int) -> int:
    return round(frames * FRAME_SECONDS * TICKS_PER_SECOND)


def _check_fault(fault: str, allowed: tuple[str, ...]) -> None:
    if fault not in allowed:
        raise ValueError(f"unknown fault {fault!r}: use one of {allowed}")


def _short_name(long_name: str) -> str:
    """ "Microsoft Server Speech Text to Speech Voice (zh-CN, XiaoxiaoNeural)" → "zh-CN-XiaoxiaoNeural"."""
    match = re.search(r"\((.+), (.+)\)$", long_name)
    return f"{match[1]}-{match[2]}" if match else long_name


def _split_message(message: str) -> tuple[dict[str, str], str]:
    head, _, body = message.partition("\r\n\r\n")
    return dict(line.split(":", 1) for line in head.split("\r\n")), body


def _text_message(request_id: str, path: str, body: dict[str, object]) -> str:
    return f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\nPath:{path}\r\n\r\n" + json.dumps(body, ensure_ascii=False)


@pytest.fixture
def edge_tts_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """edge_tts's process-wide state (the URLs the engine points at a service, the DRM clock
    skew) put back after the test, and loopback addresses kept away from any proxy."""
    import edge_tts.communicate
    import edge_tts.voices
    from edge_tts.drm import DRM

    monkeypatch.setattr(edge_tts.communicate, "WSS_URL", edge_tts.communicate.WSS_URL)
    monkeypatch.setattr(edge_tts.voices, "VOICE_LIST", edge_tts.voices.VOICE_LIST)
    monkeypatch.setattr(DRM, "clock_skew_seconds", 0.0)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def edge_service(monkeypatch: pytest.MonkeyPatch, edge_tts_state: None) -> Iterator[EdgeService]:
    """A running stand-in with SPEECHCAST_EDGE_URL pointing at it."""
    with EdgeService() as service:
        monkeypatch.setenv("SPEECHCAST_EDGE_URL", service.url)
        yield service


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Edge stand-in until interrupted.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ms-per-char", type=int, default=150)
    parser.add_argument("--pause-ms", type=int, default=288, help="silence after each sentence but the last")
    parser.add_argument("--first-audio-delay", type=float, default=0.0, help="seconds before the first audio")
    parser.add_argument("--speed", type=float, default=None, help="stream at this many times real time")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    service = EdgeService(args.port, args.ms_per_char, args.pause_ms, args.first_audio_delay, args.speed)
    if args.fault_rate:
        service.fail_randomly(args.fault_rate, args.seed)
    with service:
        print(f"SPEECHCAST_EDGE_URL={service.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
