"""A link instead of a file: the page (or PDF, text, Word file) fetched, then read like a file.

The response's content type decides the reader (the link's own suffix when the type says nothing).
Fetches follow redirects, give up after SPEECHCAST_FETCH_TIMEOUT seconds (default 20) without an
answer, and stop at 20 MB. The file lands, whole or not at all, in the downloads folder beside the
chunk cache, named after the link, so the same link renders into the same output folder and an
unchanged one is "Up to date".
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import secrets
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..errors import InputError
from ..i18n import Message
from ..settings import positive_from_environment

MAX_BYTES = 20 * 1024 * 1024
_WHOLE_FACTOR = 5
"""The whole download may take this many times the per-read timeout."""
TIMEOUT_VARIABLE = "SPEECHCAST_FETCH_TIMEOUT"
_SUFFIXES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
_READABLE = frozenset(_SUFFIXES.values()) | {".htm", ".markdown"}
_NOT_MANUSCRIPTS = {"image": Message("an image"), "audio": Message("audio"), "video": Message("a video"), "font": Message("a font")}


def fetch(url: str, folder: Path) -> Path:
    """The document behind `url`, saved in `folder`. Raises InputError with one sentence on failure."""
    timeout = _timeout()
    request = urllib.request.Request(url, headers={"User-Agent": "speechcast (manuscript reader)", "Accept": "*/*"})
    # The environment's proxies are for the world outside; this machine's own servers are reached directly.
    loopback = (urlsplit(url).hostname or "") in ("localhost", "127.0.0.1", "::1")
    opener = urllib.request.build_opener(*([urllib.request.ProxyHandler({})] if loopback else []))
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise InputError(
            "{url} answered HTTP {code} ({reason}): check the link, or save the page and give the file.", url=url, code=exc.code, reason=exc.reason
        ) from exc
    except TimeoutError as exc:
        raise InputError("{url} did not answer within {timeout:g} s: try again later, or save the page and give the file.", url=url, timeout=timeout) from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise InputError(
                "{url} did not answer within {timeout:g} s: try again later, or save the page and give the file.", url=url, timeout=timeout
            ) from exc
        raise InputError(
            "{url} could not be reached ({reason}): check the link and the network, or save the page and give the file.", url=url, reason=reason
        ) from exc
    except ValueError as exc:
        raise InputError("{url} is not a link speechcast can fetch ({exc}): give an http:// or https:// address.", url=url, exc=exc) from exc
    with response:
        kind = response.headers.get_content_type()
        major = kind.split("/", 1)[0]
        if major in _NOT_MANUSCRIPTS:
            raise InputError(
                "{url} is {what} ({kind}), not a manuscript: give the link of the page that holds the speech.", url=url, what=_NOT_MANUSCRIPTS[major], kind=kind
            )
        suffix = _SUFFIXES.get(kind) or PurePosixPath(urlsplit(response.geturl()).path).suffix.lower()
        if suffix not in _READABLE:
            raise InputError("{url} is {kind}, which speechcast does not read: give a page, PDF, text or .docx link.", url=url, kind=kind)
        target = folder / f"{_name(url)}{suffix}"
        _save(response, target, url, timeout)
    return target


def _timeout() -> float:
    return float(positive_from_environment(TIMEOUT_VARIABLE, float, "a number of seconds such as 30") or 20.0)


def _name(url: str) -> str:
    """A file name for the link: its last path part (or host), and a short hash so links differ."""
    parts = urlsplit(url)
    stem = PurePosixPath(unquote(parts.path)).stem or parts.hostname or "page"
    stem = re.sub(r'[<>:"/\\|?*\x00-\x1f\s]+', "_", stem)[:60].strip("._") or "page"
    return f"{stem}-{hashlib.sha256(url.encode('utf-8')).hexdigest()[:8]}"


def _save(response: object, target: Path, url: str, timeout: float) -> None:
    """The body written whole under a temporary name, renamed into place; nothing left on failure."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".speechcast-{secrets.token_hex(6)}.part")
    size = 0
    promised = response.headers.get("Content-Length", "")  # type: ignore[attr-defined]
    deadline = time.monotonic() + _WHOLE_FACTOR * timeout  # each read answering in time is not enough
    try:
        with temp.open("wb") as out:
            while chunk := response.read1(1 << 16):  # type: ignore[attr-defined]
                size += len(chunk)
                if size > MAX_BYTES:
                    raise InputError("{url} is larger than {mb} MB: save the speech's text and give the file.", url=url, mb=MAX_BYTES // (1024 * 1024))
                if time.monotonic() > deadline:
                    raise InputError(
                        "{url} did not finish sending within {seconds:g} s: try again later, or save the page and give the file.",
                        url=url,
                        seconds=_WHOLE_FACTOR * timeout,
                    )
                out.write(chunk)
        if promised.isdigit() and size < int(promised):
            raise InputError(
                "{url} broke off after {size} of {promised} bytes: try again, or save the page and give the file.", url=url, size=size, promised=promised
            )
        os.replace(temp, target)
    except http.client.HTTPException as exc:  # IncompleteRead and the like: the connection broke
        raise InputError("{url} broke off while sending ({error}): try again, or save the page and give the file.", url=url, error=type(exc).__name__) from exc
    except TimeoutError as exc:
        raise InputError(
            "{url} stopped answering within {timeout:g} s: try again later, or save the page and give the file.", url=url, timeout=timeout
        ) from exc
    except OSError as exc:
        raise InputError(
            "{url} could not be saved to {parent} ({reason}): free some space and try again.", url=url, parent=target.parent, reason=exc.strerror or exc
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
