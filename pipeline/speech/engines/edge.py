"""The online engine: Microsoft's free neural voices through the real edge_tts client (7.x).

edge_tts has no timeout that fires once the socket is open, retries only a 403, and returns
silently truncated audio when the service closes early (docs/architecture.md, "Facts about edge-tts"). This module adds what it
lacks: a per-request asyncio timeout sized to the text, retries with exponential backoff and full
jitter, and a completeness check on every answer.

Where it connects and how patiently it retries is edge_service.py's; how an answer shared by
several sentences is cut back into them, edge_words.py's.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import random
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

import aiohttp
import edge_tts
import edge_tts.communicate
import edge_tts.constants
import edge_tts.exceptions
import edge_tts.voices

from ...errors import EngineError, VoiceError
from ...settings import VoiceSettings
from . import Engine, Speech, VoiceInfo
from .edge_service import URL_VARIABLE, Retry, Service
from .edge_words import Word, cut_times, ended

log = logging.getLogger(__name__)


_MP3_BYTES_PER_SECOND = 48_000 // 8
"""Edge always answers 48 kbit/s CBR MP3, so duration is exact from the byte count."""
_MIN_SECONDS_PER_HANZI = 0.040
"""Real voices take 150–300 ms a character at +0%; under 40 ms means the audio was cut short."""
_MAX_REQUEST_BYTES = 4096
"""edge_tts splits larger (escaped) texts into several requests; ours must stay one request."""
_RETRY_STATUSES = frozenset({403, 408, 429, 500, 502, 503, 504})
_HANZI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TICKS_PER_SECOND = 10_000_000
_EDGE_VOICE_NAME = re.compile(r"^[a-z]{2,3}-[A-Z]{2}-(?:[a-z]+-)?[A-Z][A-Za-z]*Neural$")

_VOICES = [
    VoiceInfo("zh-CN-XiaoxiaoNeural", "zh-CN", "Female", "温暖；新闻、小说"),
    VoiceInfo("zh-CN-XiaoyiNeural", "zh-CN", "Female", "活泼；卡通、小说"),
    VoiceInfo("zh-CN-YunjianNeural", "zh-CN", "Male", "激情；体育、小说"),
    VoiceInfo("zh-CN-YunxiNeural", "zh-CN", "Male", "阳光；小说"),
    VoiceInfo("zh-CN-YunxiaNeural", "zh-CN", "Male", "童声；卡通、小说"),
    VoiceInfo("zh-CN-YunyangNeural", "zh-CN", "Male", "专业；新闻"),
    VoiceInfo("zh-CN-liaoning-XiaobeiNeural", "zh-CN-liaoning", "Female", "东北话"),
    VoiceInfo("zh-CN-shaanxi-XiaoniNeural", "zh-CN-shaanxi", "Female", "陕西话"),
    VoiceInfo("zh-HK-HiuGaaiNeural", "zh-HK", "Female", "粤语"),
    VoiceInfo("zh-HK-HiuMaanNeural", "zh-HK", "Female", "粤语"),
    VoiceInfo("zh-HK-WanLungNeural", "zh-HK", "Male", "粤语"),
    VoiceInfo("zh-TW-HsiaoChenNeural", "zh-TW", "Female", "台湾国语"),
    VoiceInfo("zh-TW-HsiaoYuNeural", "zh-TW", "Female", "台湾国语"),
    VoiceInfo("zh-TW-YunJheNeural", "zh-TW", "Male", "台湾国语"),
]


class _Truncated(Exception):
    """The service ended an answer early without saying so."""


_RETRYABLE = (aiohttp.ClientError, edge_tts.exceptions.EdgeTTSException, asyncio.TimeoutError, _Truncated)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        return f"the service refused the connection with HTTP {exc.status}"
    if isinstance(exc, asyncio.TimeoutError):
        return "the service did not finish in time"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"could not connect to {exc.host}:{exc.port}"
    if isinstance(exc, edge_tts.exceptions.NoAudioReceived):
        return "the service sent no audio"
    return str(exc) or type(exc).__name__


class EdgeEngine(Engine):
    """Microsoft Edge's online neural voices. Safe to call concurrently from one event loop."""

    id = "edge"
    needs_network = True
    chunk_chars = 250
    request_chars = 300
    """Edge reads 80–300 characters a request best. Longer answers gain little and risk the service's
    offsets overflowing on slow rates."""

    def __init__(self, *, url: str | None = None, retry: Retry | None = None) -> None:
        """`url` overrides SPEECHCAST_EDGE_URL; `retry` the environment's SPEECHCAST_EDGE_TIMEOUT
        and SPEECHCAST_EDGE_ATTEMPTS."""
        # Worked out once (address and proxy): a wrong one is a settings mistake, said before any work starts.
        self._service = Service.from_url(url)
        self.retry = retry or Retry.from_environment()
        self._random = random.Random()

    @property
    def version(self) -> str:
        return f"edge-tts {edge_tts.__version__}"

    def voices(self) -> list[VoiceInfo]:
        return list(_VOICES)

    def check_voice(self, voice: str) -> None:
        """Chinese voices must be in the table; other Edge-style names are the service's to judge."""
        if any(v.name == voice for v in _VOICES):
            return
        if _EDGE_VOICE_NAME.match(voice) and not voice.startswith("zh-"):
            return
        by_lower = {v.name.lower(): v.name for v in _VOICES}
        close = [by_lower[m] for m in difflib.get_close_matches(voice.lower(), by_lower, n=3, cutoff=0.6)]
        if close:
            raise VoiceError("Edge has no voice '{voice}': did you mean {close}?", voice=voice, close=" or ".join(close))
        raise VoiceError("Edge has no voice '{voice}': run `speechcast voices` to see them.", voice=voice)

    def service(self) -> Service:
        return self._service

    async def synthesize(self, text: str, voice: VoiceSettings) -> Speech:
        return (await self._speak(text, voice))[0]

    async def synthesize_many(self, texts: Sequence[str], voice: VoiceSettings) -> list[Speech]:
        """One request for all of `texts`, each closed as a sentence, its answer cut in the pauses
        the service's word boundaries show between them; texts whose ends they do not show are
        asked for again one by one."""
        from ..pcm import cut

        if len(texts) == 1:
            return [await self.synthesize(texts[0], voice)]
        joined = "".join(ended(t) + (" " if t[-1].isascii() else "") for t in texts[:-1]) + texts[-1]
        speech, words = await self._speak(joined, voice)
        times = cut_times(texts, words)
        runs: list[list[str]] = [[texts[0]]]
        for text, time in zip(texts[1:], times):
            if time is None:
                runs[-1].append(text)
            else:
                runs.append([text])
        try:
            pieces = await asyncio.to_thread(cut, speech, [t for t in times if t is not None])
        except ValueError:  # times out of order or past the end: trust none of them
            runs, pieces = [list(texts)], [speech]
        out: list[Speech] = []
        for run, piece in zip(runs, pieces):
            if len(run) == 1:
                out.append(piece)
            else:
                log.info("Edge word boundaries do not show where %d texts end: asking for each alone", len(run))
                out.extend([await self.synthesize(text, voice) for text in run])
        return out

    async def _speak(self, text: str, voice: VoiceSettings) -> tuple[Speech, list[Word]]:
        """The whole answer to `text` and its word boundaries, retried until complete."""
        if not any(ch.isalnum() for ch in text):
            raise ValueError("Edge answers text without words with no audio: never send punctuation only.")
        if len(escape(text).encode()) > _MAX_REQUEST_BYTES:
            raise ValueError(f"A chunk of {len(text)} characters is too long for one Edge request.")
        self.check_voice(voice.voice)
        service = self.service()
        reason = ""
        attempts = self.retry.attempts
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self.retry.backoff(attempt, self._random))
            try:
                return await asyncio.wait_for(self._request(text, voice, service), self.retry.timeout_for(text))
            except aiohttp.ClientResponseError as exc:
                if exc.status not in _RETRY_STATUSES:
                    raise EngineError(
                        "The Edge service at {wss_url} answered HTTP {status}: check {variable}.",
                        wss_url=service.wss_url,
                        status=exc.status,
                        variable=URL_VARIABLE,
                    ) from exc
                reason = _reason(exc)
            except _RETRYABLE as exc:
                reason = _reason(exc)
            log.info("Edge attempt %d of %d failed: %s", attempt + 1, attempts, reason)
        raise EngineError(
            "Edge gave up after {attempts} attempt{plural} ({reason}): check the network and try again later, or use --engine espeak.",
            attempts=attempts,
            plural="s" * (attempts != 1),
            reason=reason,
        )

    async def _request(self, text: str, voice: VoiceSettings, service: Service) -> tuple[Speech, list[Word]]:
        communicate = edge_tts.Communicate(
            text,
            voice.voice,
            rate=voice.rate,
            pitch=voice.pitch,
            volume=voice.volume,
            boundary="WordBoundary",
            connect_timeout=max(1, round(self.retry.timeout_base)),
            proxy=service.proxy,
        )
        audio: list[bytes] = []
        words: list[Word] = []
        with service.in_use():
            async for message in communicate.stream():
                if message["type"] == "audio":
                    audio.append(message["data"])
                elif message["type"] == "WordBoundary":
                    start = message["offset"] / _TICKS_PER_SECOND
                    words.append(Word(message["text"], start, start + message["duration"] / _TICKS_PER_SECOND))
        data = b"".join(audio)
        # edge_tts sets a non-zero offset compensation only on turn.end (every 7.x release); a
        # socket closed early leaves it at zero and returns the partial audio without a word.
        if not communicate.state["offset_compensation"]:
            raise _Truncated("the service closed the connection before the end of the audio")
        seconds = len(data) / _MP3_BYTES_PER_SECOND
        hanzi = len(_HANZI.findall(text))
        if seconds < hanzi * _MIN_SECONDS_PER_HANZI / (1 + voice.rate_percent / 100):
            raise _Truncated(f"{seconds:.2f} s of audio is too short for {hanzi} characters")
        return Speech(data, "mp3"), words

    async def list_online(self, timeout: float = 10.0) -> list[VoiceInfo]:
        """Every voice the service offers right now. Raises EngineError when it does not answer."""
        service = self.service()
        try:
            with service.in_use():
                found = await asyncio.wait_for(edge_tts.list_voices(proxy=service.proxy), timeout)
        except (*_RETRYABLE, ValueError) as exc:
            raise EngineError("The Edge voice list could not be fetched ({reason}): use the built-in list offline.", reason=_reason(exc)) from exc
        return [
            VoiceInfo(v["ShortName"], v["Locale"], v.get("Gender", ""), "、".join(v["VoiceTag"]["VoicePersonalities"] + v["VoiceTag"]["ContentCategories"]))
            for v in found
        ]

    async def available(self, timeout: float = 3.0) -> bool:
        """Whether the service answers its voice list within `timeout` seconds."""
        try:
            await self.list_online(timeout)
        except Exception:  # a probe answers yes or no, whatever went wrong
            return False
        return True
