"""What every request passes before the app sees it (an ASGI middleware).

- **Host**: bound to a loopback address, the app answers only to loopback host names, so a web page
  whose domain is re-pointed at 127.0.0.1 (DNS rebinding) gets nothing.
- **Token**: bound to any other address, the app is reachable by others on the network, so every
  request must carry the token printed with the URL: once in the address (`?token=`), after which a
  cookie bound to this site carries it; or at the head of the path (`/t/<token>/…`), which is how a
  podcast app, which keeps no cookies, reaches the feed and every file it names.
- **Cross-site requests**: a request that changes something (any method but GET and HEAD) must come
  from the app's own page: its Origin, when sent, is the app's own, and it carries the header
  `X-Speechcast: 1`, which a form on another site cannot add and a script there cannot send without
  a CORS permission the app never gives.
- **Size**: a body longer than the upload limit is refused before it is read, and a body of unknown
  length is not accepted.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import Response

from ..i18n import Message, both

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "speechcast_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_SAFE_METHODS = ("GET", "HEAD")
#: Form fields and multipart boundaries around an upload of the largest allowed file.
_ENVELOPE = 64 * 1024
#: A refused body up to this many times the limit is read (and dropped) first; a larger one is cut off.
_DRAIN_FACTOR = 4


class Guard:
    def __init__(self, app: ASGIApp, *, port: int, token: str | None, max_upload: int) -> None:
        self.app, self.port, self.token, self.max_body = app, port, token, max_upload + _ENVELOPE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if self.token is None and not _loopback_host(host, self.port):
            await _refuse(send, 403, Message("This speechcast answers on 127.0.0.1 only: open the address it printed."))
            return
        set_cookie = False
        if self.token is not None and scope["path"].startswith("/t/"):
            # A token in the path: the address a podcast app is given, its enclosures under it too.
            given, _, rest = scope["path"][3:].partition("/")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                await _refuse(send, 403, Message("This address's token is not this speechcast's: ask for the address it printed."))
                return
            raw = scope.get("raw_path") or scope["path"].encode("utf-8")
            scope = dict(scope, path="/" + rest, raw_path=b"/" + raw[3:].partition(b"/")[2])
        elif self.token is not None:
            given = _token_in(scope, headers)
            if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
                await _refuse(send, 403, Message("This speechcast needs its token: open the address with ?token= that `speechcast serve` printed."))
                return
            set_cookie = COOKIE not in _cookies(headers)
        if scope["method"] not in _SAFE_METHODS:
            origin = headers.get("origin")
            if headers.get("x-speechcast") != "1" or (origin is not None and origin != f"{scope.get('scheme', 'http')}://{host}"):
                await _refuse(send, 403, Message("Refused: changes are made from speechcast's own page only."))
                return
            length = headers.get("content-length")
            if length is None or headers.get("transfer-encoding"):
                # Framed by chunks, a body's length is known only once it is in: a length header
                # beside them would be a lie the limit cannot rest on.
                await _refuse(send, 411, Message("Send the request with its length (Content-Length), not in chunks."))
                return
            too_large = Message("The file is too large: speechcast takes manuscripts up to {mb} MB.", mb=(self.max_body - _ENVELOPE) // (1024 * 1024))
            if not length.isdigit() or int(length) > self.max_body:
                if length.isdigit() and int(length) <= _DRAIN_FACTOR * self.max_body:
                    await _drain(receive)  # a client still sending would see the connection reset, not this answer
                await _refuse(send, 413, too_large)
                return
            # The body is counted as it comes, whatever the header said, and read in whole before the
            # app sees it: nothing over the limit is parsed, nor spooled to disk.
            try:
                body = await _body_within(receive, min(int(length), self.max_body))
            except _TooSlow:
                await _refuse(send, 408, Message("The upload was too slow to finish: check the network and send it again."))
                return
            if body is None:
                await _refuse(send, 413, too_large)
                return
            receive = _replay(body)
        if not set_cookie:
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode("latin-1")))
            await send(message)

        await self.app(scope, receive, with_cookie)


def _loopback_host(host: str, port: int) -> bool:
    name, _, given = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    return name in LOOPBACK_NAMES and given in ("", str(port))


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:
        return {}
    return {k: m.value for k, m in jar.items()}


def _token_in(scope: Scope, headers: dict[str, str]) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "token" in query:
        return query["token"][0]
    return _cookies(headers).get(COOKIE) or headers.get("x-speechcast-token")


BODY_GRACE = 10.0
"""Seconds any body may take, whatever its size…"""
BODY_RATE = 16 * 1024
"""…plus one second for each this many bytes it announced: 128 kbit/s, a slow office line."""


class _TooSlow(Exception):
    """The body did not arrive by its deadline."""


async def _body_within(receive: Receive, limit: int) -> bytes | None:
    """The request's body, or None as soon as more than `limit` bytes came (or the client left).
    _TooSlow when it does not arrive in BODY_GRACE seconds plus one for each BODY_RATE bytes: a client
    dripping its body a byte at a time holds no connection for long."""
    deadline = asyncio.get_running_loop().time() + BODY_GRACE + limit / BODY_RATE
    parts, size = [], 0
    while True:
        try:
            message = await asyncio.wait_for(receive(), max(deadline - asyncio.get_running_loop().time(), 0.001))
        except asyncio.TimeoutError:
            raise _TooSlow from None
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body"):
            return b"".join(parts)


def _replay(body: bytes) -> Receive:
    """A receive that gives the app the body read already, then waits as a connection would."""
    sent = False

    async def receive() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # nothing more comes; the server cancels this on disconnect
        return {"type": "http.disconnect"}

    return receive


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


def problem_body(message: Message) -> bytes:
    """A refusal as the page reads it: the Chinese it shows, and the English it puts beside it."""
    said = both(message)
    return json.dumps({"error": said["zh"], "english": said["en"]}, ensure_ascii=False).encode("utf-8")


def problem_response(status: int, message: Message) -> Response:
    return Response(problem_body(message), status_code=status, media_type="application/json")


async def _refuse(send: Send, status: int, message: Message) -> None:
    body = problem_body(message)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
