"""The online engine: Microsoft's free neural voices through the real edge_tts client (7.x).

edge_tts has no timeout that fires once the socket is open, retries only a 403, and returns
silently truncated audio when the service closes early (DESIGN.md §6). This module adds what it
lacks: a per-request asyncio timeout sized to the text, retries with exponential backoff and full
jitter, and a completeness check on every answer.

The service address comes from SPEECHCAST_EDGE_URL (a ws:// or wss:// URL) when set, so tests,
proxies and mirrors can stand in for Microsoft. Its voice list is expected on the same host: the
path with its trailing "/edge/v1" replaced by "/voices/list" (Microsoft's own layout), or
"/voices/list" when the path does not end that way; ws becomes http and wss https.
SPEECHCAST_EDGE_TIMEOUT and SPEECHCAST_EDGE_ATTEMPTS tune patience on slow or flaky networks
(and let tests run the whole pipeline against a faulty stand-in in seconds).
"""

from __future__ import annotations

import asyncio
import difflib
import ipaddress
import logging
import os
import random
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import accumulate
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

import aiohttp
import edge_tts
import edge_tts.communicate
import edge_tts.constants
import edge_tts.exceptions
import edge_tts.voices

from ...errors import EngineError, SettingsError, VoiceError
from ...settings import VoiceSettings
from . import Engine, Speech, VoiceInfo

log = logging.getLogger(__name__)

URL_VARIABLE = "SPEECHCAST_EDGE_URL"
TIMEOUT_VARIABLE = "SPEECHCAST_EDGE_TIMEOUT"
ATTEMPTS_VARIABLE = "SPEECHCAST_EDGE_ATTEMPTS"
_MICROSOFT = (edge_tts.constants.WSS_URL, edge_tts.constants.VOICE_LIST)

_MP3_BYTES_PER_SECOND = 48_000 // 8
"""Edge always answers 48 kbit/s CBR MP3, so duration is exact from the byte count."""
_MIN_SECONDS_PER_HANZI = 0.040
"""Real voices take 150–300 ms a character at +0%; under 40 ms means the audio was cut short."""
_MAX_REQUEST_BYTES = 4096
"""edge_tts splits larger (escaped) texts into several requests; ours must stay one request."""
_RETRY_STATUSES = frozenset({403, 408, 429, 500, 502, 503, 504})
_HANZI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"(?:[。！？!?.]|……)[”’」』）》】\"')\]]*\s*$")
_OPEN_END = re.compile(r"[，,、；;：:—\-\s]+$")
_WORD = re.compile(r"\w+")
_TICKS_PER_SECOND = 10_000_000
_MIN_PAUSE = 0.05
"""Seconds of silence between two texts' words for a cut there to be clean (a voice pauses 0.2–0.6 s
after a sentence, not at all between words)."""
_WORD_SKIP = 8
"""A word boundary may pass over this many characters the service did not report as words (it
reads numbers, say, its own way); further than that, the words no longer tell where a text ends."""
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


_RETRYABLE = (
    aiohttp.ClientError,
    edge_tts.exceptions.EdgeTTSException,
    asyncio.TimeoutError,
    _Truncated,
)


@dataclass(frozen=True)
class Service:
    """Where edge_tts connects: Microsoft, or whatever SPEECHCAST_EDGE_URL names."""

    wss_url: str
    voice_list_url: str

    @classmethod
    def from_url(cls, url: str | None) -> Service:
        """`url` (or, when None, SPEECHCAST_EDGE_URL; when unset too, Microsoft)."""
        url = url or os.environ.get(URL_VARIABLE)
        if not url:
            return cls(*_MICROSOFT)
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise SettingsError(
                f"{URL_VARIABLE} must be a ws:// or wss:// address such as ws://127.0.0.1:8080/edge/v1, not '{url}'."
            )
        token = edge_tts.constants.TRUSTED_CLIENT_TOKEN
        # edge_tts appends "&ConnectionId=…" to the URL, so it must already hold a query.
        query = parts.query or f"TrustedClientToken={token}"
        wss = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))
        base = parts.path[: -len("/edge/v1")] if parts.path.endswith("/edge/v1") else ""
        http = "http" if parts.scheme == "ws" else "https"
        voice_list = urlunsplit((http, parts.netloc, f"{base}/voices/list", f"trustedclienttoken={token}", ""))
        return cls(wss, voice_list)

    @property
    def loopback_host(self) -> str | None:
        """The host when it is this machine (never meant to go through a proxy), else None."""
        host = urlsplit(self.wss_url).hostname or ""
        if host == "localhost":
            return host
        try:
            return host if ipaddress.ip_address(host).is_loopback else None
        except ValueError:
            return None

    @contextmanager
    def in_use(self) -> Iterator[None]:
        """Point edge_tts at this service for one request.

        edge_tts reads its URLs from module globals when a request starts (patching
        edge_tts.constants has no effect: they were copied at import), and nothing awaits between
        setting them here and that read, so concurrent requests on one loop each get their own.
        """
        edge_tts.communicate.WSS_URL = self.wss_url
        edge_tts.voices.VOICE_LIST = self.voice_list_url
        host = self.loopback_host
        if host is None:
            yield
        else:
            with _proxy_bypassed(host):
                yield


_bypass_lock = threading.Lock()
_bypass_users = 0
_saved_no_proxy: dict[str, str | None] = {}


@contextmanager
def _proxy_bypassed(host: str) -> Iterator[None]:
    """NO_PROXY extended by `host` while any request to it runs.

    edge_tts's aiohttp session trusts the environment's proxies and offers no way to turn them
    off, so a local stand-in would be sent to the proxy; the environment is restored afterwards.
    """
    global _bypass_users
    with _bypass_lock:
        for name in ("NO_PROXY", "no_proxy"):
            if _bypass_users == 0:
                _saved_no_proxy[name] = os.environ.get(name)
            hosts = [h for h in os.environ.get(name, "").split(",") if h]
            os.environ[name] = ",".join(hosts if host in hosts else [*hosts, host])
        _bypass_users += 1
    try:
        yield
    finally:
        with _bypass_lock:
            _bypass_users -= 1
            if _bypass_users == 0:
                for name, value in _saved_no_proxy.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value


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


@dataclass(frozen=True)
class Retry:
    """How long one request may take and how often, how patiently, a failed one is repeated."""

    attempts: int = 5
    timeout_base: float = 10.0
    timeout_per_char: float = 0.1
    """A request may take timeout_base + timeout_per_char × its length in seconds."""
    backoff_base: float = 1.0
    """Before attempt n+1 wait a random time up to backoff_base × 2^(n-1), capped at backoff_max."""
    backoff_max: float = 30.0

    @classmethod
    def from_environment(cls) -> Retry:
        """The defaults, with SPEECHCAST_EDGE_TIMEOUT (seconds T: a request of n characters may take
        T × (1 + n/100), and the waits between attempts scale with T) and SPEECHCAST_EDGE_ATTEMPTS."""
        retry = cls()
        seconds = _positive(TIMEOUT_VARIABLE, float, "a number of seconds such as 20")
        if seconds is not None:
            scale = seconds / retry.timeout_base
            retry = replace(
                retry,
                timeout_base=seconds,
                timeout_per_char=retry.timeout_per_char * scale,
                backoff_base=retry.backoff_base * scale,
                backoff_max=retry.backoff_max * scale,
            )
        attempts = _positive(ATTEMPTS_VARIABLE, int, "a whole number such as 8")
        return retry if attempts is None else replace(retry, attempts=attempts)

    def timeout_for(self, text: str) -> float:
        return self.timeout_base + self.timeout_per_char * len(text)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: spreads clients that failed together, so they do not retry together."""
        return rng.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))


def _positive(variable: str, kind: type[int] | type[float], example: str) -> int | float | None:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if not value > 0:
        raise SettingsError(f"{variable} must be {example}, not '{raw}': fix or unset it.")
    return value


class EdgeEngine(Engine):
    """Microsoft Edge's online neural voices. Safe to call concurrently from one event loop."""

    id = "edge"
    needs_network = True
    chunk_chars = 250
    request_chars = 300
    """DESIGN.md §5: 80–300 characters a request. Longer answers gain little and risk the service's
    offsets overflowing on slow rates."""

    def __init__(self, *, url: str | None = None, retry: Retry | None = None) -> None:
        """`url` overrides SPEECHCAST_EDGE_URL; `retry` the environment's SPEECHCAST_EDGE_TIMEOUT
        and SPEECHCAST_EDGE_ATTEMPTS."""
        self.url = url
        self.service()  # a wrong address is a settings mistake: said before any work starts
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
        hint = f"did you mean {' or '.join(close)}?" if close else "run `speechcast voices` to see them."
        raise VoiceError(f"Edge has no voice '{voice}': {hint}")

    def service(self) -> Service:
        return Service.from_url(self.url)

    async def synthesize(self, text: str, voice: VoiceSettings) -> Speech:
        return (await self._speak(text, voice))[0]

    async def synthesize_many(self, texts: Sequence[str], voice: VoiceSettings) -> list[Speech]:
        """One request for all of `texts`, each closed as a sentence, its answer cut in the pauses
        the service's word boundaries show between them; texts whose ends they do not show are
        asked for again one by one."""
        from ..pcm import cut

        if len(texts) == 1:
            return [await self.synthesize(texts[0], voice)]
        joined = "".join(_ended(t) + (" " if t[-1].isascii() else "") for t in texts[:-1]) + texts[-1]
        speech, words = await self._speak(joined, voice)
        times = _cut_times(texts, words)
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

    async def _speak(self, text: str, voice: VoiceSettings) -> tuple[Speech, list[_Word]]:
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
                        f"The Edge service at {service.wss_url} answered HTTP {exc.status}: check {URL_VARIABLE}."
                    ) from exc
                reason = _reason(exc)
            except _RETRYABLE as exc:
                reason = _reason(exc)
            log.info("Edge attempt %d of %d failed: %s", attempt + 1, attempts, reason)
        raise EngineError(
            f"Edge gave up after {attempts} attempt{'s' * (attempts != 1)} ({reason}): "
            "check the network and try again later, or use --engine espeak."
        )

    async def _request(self, text: str, voice: VoiceSettings, service: Service) -> tuple[Speech, list[_Word]]:
        communicate = edge_tts.Communicate(
            text,
            voice.voice,
            rate=voice.rate,
            pitch=voice.pitch,
            volume=voice.volume,
            boundary="WordBoundary",
            connect_timeout=max(1, round(self.retry.timeout_base)),
        )
        audio: list[bytes] = []
        words: list[_Word] = []
        with service.in_use():
            async for message in communicate.stream():
                if message["type"] == "audio":
                    audio.append(message["data"])
                elif message["type"] == "WordBoundary":
                    start = message["offset"] / _TICKS_PER_SECOND
                    words.append(_Word(message["text"], start, start + message["duration"] / _TICKS_PER_SECOND))
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
                found = await asyncio.wait_for(edge_tts.list_voices(), timeout)
        except (*_RETRYABLE, ValueError) as exc:
            raise EngineError(
                f"The Edge voice list could not be fetched ({_reason(exc)}): use the built-in list offline."
            ) from exc
        return [
            VoiceInfo(
                v["ShortName"],
                v["Locale"],
                v.get("Gender", ""),
                "、".join(v["VoiceTag"]["VoicePersonalities"] + v["VoiceTag"]["ContentCategories"]),
            )
            for v in found
        ]

    async def available(self, timeout: float = 3.0) -> bool:
        """Whether the service answers its voice list within `timeout` seconds."""
        try:
            await self.list_online(timeout)
        except Exception:  # a probe answers yes or no, whatever went wrong
            return False
        return True


@dataclass(frozen=True)
class _Word:
    """One word boundary the service reported: its text and where it is spoken, in seconds."""

    text: str
    start: float
    end: float


def _ended(text: str) -> str:
    """`text` closed as a sentence, for a shared request: a heading, the salutation or a piece of a
    long sentence then ends with the fall and the pause it has when spoken alone, and the answer
    can be cut in that pause."""
    if _SENTENCE_END.search(text):
        return text
    stem = _OPEN_END.sub("", text)
    return stem + ("." if stem[-1].isascii() else "。")


def _plain(text: str) -> str:
    """Letters and digits only: word boundaries carry no punctuation or spaces."""
    return "".join(_WORD.findall(text)).lower()


def _cut_times(texts: Sequence[str], words: Sequence[_Word]) -> list[float | None]:
    """For each pair of neighbouring texts, where the answer passes from one to the other: the
    middle of the silence between the last word of the first and the first word of the second.
    None where the words do not show it (a word spanning both, none found on one side, or no
    pause between them)."""
    plain = "".join(_plain(t) for t in texts)
    ends = list(accumulate(len(_plain(t)) for t in texts))
    found: list[tuple[int, int, _Word]] = []
    position = 0
    for word in words:
        text = _plain(word.text)
        at = plain.find(text, position, position + _WORD_SKIP + len(text)) if text else -1
        if at >= 0:
            found.append((at, at + len(text), word))
            position = at + len(text)
    times: list[float | None] = []
    for index, boundary in enumerate(ends[:-1]):
        start_of_text = ends[index - 1] if index else 0
        before = [f for f in found if f[1] <= boundary]
        after = [f for f in found if f[0] >= boundary]
        spanning = any(f[0] < boundary < f[1] for f in found)
        if spanning or not before or not after or before[-1][1] <= start_of_text or after[0][0] >= ends[index + 1]:
            times.append(None)
            continue
        last, first = before[-1][2], after[0][2]
        times.append((last.end + first.start) / 2 if first.start - last.end >= _MIN_PAUSE else None)
    return times
