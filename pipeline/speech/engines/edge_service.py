"""Where the Edge engine connects and how patiently: the service address and the retry policy.

The address comes from SPEECHCAST_EDGE_URL (a ws:// or wss:// URL) when set, so tests, proxies and
mirrors can stand in for Microsoft. Its voice list is expected on the same host: the path with its
trailing "/edge/v1" replaced by "/voices/list" (Microsoft's own layout), or "/voices/list" when the
path does not end that way; ws becomes http and wss https. SPEECHCAST_EDGE_TIMEOUT and
SPEECHCAST_EDGE_ATTEMPTS tune patience on slow or flaky networks (and let tests run the whole
pipeline against a faulty stand-in in seconds).

The proxy (office networks): SPEECHCAST_PROXY (what `--proxy` sets) when given, else the
environment's own, chosen here and handed to edge_tts explicitly. aiohttp, which edge_tts uses, looks
a websocket's proxy up under its own scheme (WSS_PROXY) only, so behind HTTPS_PROXY alone the
speech itself would go direct and fail while the voice list got through: here a wss:// address
takes WSS_PROXY, else HTTPS_PROXY, else ALL_PROXY, unless NO_PROXY names its host.
"""

from __future__ import annotations

import os
import random
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import edge_tts.communicate
import edge_tts.constants
import edge_tts.voices

from ...errors import SettingsError
from ...net import is_loopback
from ...settings import positive_from_environment

URL_VARIABLE = "SPEECHCAST_EDGE_URL"
PROXY_VARIABLE = "SPEECHCAST_PROXY"
_PROXY_NAMED = f"--proxy ({PROXY_VARIABLE})"
TIMEOUT_VARIABLE = "SPEECHCAST_EDGE_TIMEOUT"
ATTEMPTS_VARIABLE = "SPEECHCAST_EDGE_ATTEMPTS"
_MICROSOFT = (edge_tts.constants.WSS_URL, edge_tts.constants.VOICE_LIST)


@dataclass(frozen=True)
class Service:
    """Where edge_tts connects: Microsoft, or whatever SPEECHCAST_EDGE_URL names."""

    wss_url: str
    voice_list_url: str
    proxy: str | None = None
    """The proxy requests go through (an http:// address), None for a direct connection."""

    @classmethod
    def from_url(cls, url: str | None) -> Service:
        """`url` (or, when None, SPEECHCAST_EDGE_URL; when unset too, Microsoft)."""
        url = url or os.environ.get(URL_VARIABLE)
        if not url:
            return cls(*_MICROSOFT, proxy=proxy_for(_MICROSOFT[0]))
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise SettingsError(
                "{variable} must be a ws:// or wss:// address such as ws://127.0.0.1:8080/edge/v1, not '{url}'.", variable=URL_VARIABLE, url=url
            )
        token = edge_tts.constants.TRUSTED_CLIENT_TOKEN
        # edge_tts appends "&ConnectionId=…" to the URL, so it must already hold a query.
        query = parts.query or f"TrustedClientToken={token}"
        wss = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))
        base = parts.path[: -len("/edge/v1")] if parts.path.endswith("/edge/v1") else ""
        http = "http" if parts.scheme == "ws" else "https"
        voice_list = urlunsplit((http, parts.netloc, f"{base}/voices/list", f"trustedclienttoken={token}", ""))
        return cls(wss, voice_list, proxy_for(wss))

    @contextmanager
    def in_use(self) -> Iterator[None]:
        """Point edge_tts at this service for one request: the one place edge_tts is patched.

        edge_tts reads its URLs from module globals when a request starts (patching
        edge_tts.constants has no effect: they were copied at import), and nothing awaits between
        setting them here and that read, so concurrent requests on one loop each get their own.
        """
        edge_tts.communicate.WSS_URL = self.wss_url
        edge_tts.voices.VOICE_LIST = self.voice_list_url
        # Its sessions read no proxy from the environment: the one proxy_for chose is passed to
        # every request, so a stand-in on this machine is never sent to an office proxy, and the
        # environment is never changed.
        edge_tts.communicate.aiohttp = edge_tts.voices.aiohttp = _EXPLICIT_PROXY_ONLY  # type: ignore[assignment]
        yield


def proxy_for(url: str) -> str | None:
    """The proxy for `url`: SPEECHCAST_PROXY, else the environment's for its scheme (a websocket's
    falling back to HTTPS_PROXY and ALL_PROXY), None where NO_PROXY names the host or none is set."""
    explicit = os.environ.get(PROXY_VARIABLE, "").strip()
    host = urlsplit(url).hostname or ""
    if explicit:
        parts = urlsplit(explicit)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError("{variable} must be a proxy's address such as http://proxy.example.com:8080, not '{url}'.", variable=_PROXY_NAMED, url=explicit)
        return None if is_loopback(host) else explicit
    if is_loopback(host) or urllib.request.proxy_bypass(host):
        return None
    found = urllib.request.getproxies_environment()
    scheme = urlsplit(url).scheme
    order = [scheme, "https", "all"] if scheme in ("wss", "https") else [scheme, "all"]
    return next((found[k] for k in order if found.get(k)), None)


class _ExplicitProxyOnly:
    """aiohttp as edge_tts sees it: everything aiohttp has, but a session that never takes proxies
    (or credentials) from the environment, whatever edge_tts asks for."""

    def __getattr__(self, name: str) -> Any:
        return getattr(aiohttp, name)

    @staticmethod
    def ClientSession(*args: Any, **kwargs: Any) -> aiohttp.ClientSession:
        kwargs["trust_env"] = False
        return aiohttp.ClientSession(*args, **kwargs)


_EXPLICIT_PROXY_ONLY = _ExplicitProxyOnly()


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
        seconds = positive_from_environment(TIMEOUT_VARIABLE, float, "a number of seconds such as 20")
        if seconds is not None:
            scale = seconds / retry.timeout_base
            retry = replace(
                retry,
                timeout_base=seconds,
                timeout_per_char=retry.timeout_per_char * scale,
                backoff_base=retry.backoff_base * scale,
                backoff_max=retry.backoff_max * scale,
            )
        attempts = positive_from_environment(ATTEMPTS_VARIABLE, int, "a whole number such as 8")
        return retry if attempts is None else replace(retry, attempts=attempts)

    def timeout_for(self, text: str) -> float:
        return self.timeout_base + self.timeout_per_char * len(text)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: spreads clients that failed together, so they do not retry together."""
        return rng.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))
