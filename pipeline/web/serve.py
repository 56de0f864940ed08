"""Starting the web app: bind, say where it is, serve until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from pathlib import Path

from ..errors import SettingsError
from ..net import is_loopback


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the app starts (port 0 picks a free one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise SettingsError("--host {host} is not an address of this machine: use 127.0.0.1, or 0.0.0.0 for the network.", host=host) from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise SettingsError("Cannot listen on {host}:{port} ({strerror}): pick another --port.", host=host, port=port, strerror=err.strerror) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _lan_address() -> str:
    """This machine's address on its network (a UDP socket is pointed outward; nothing is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def url_for(host: str, port: int, token: str | None) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


HEADER_SECONDS = 5
"""A connection sends its request's headers within this many seconds of opening (or of the answer
before on it), or it is closed: a client dripping its headers a byte at a time holds no connection."""


def _protocol() -> type:
    """uvicorn's HTTP protocol with a deadline for each request's headers, counted from when the
    connection opened or the answer before went out, and not reset by each byte that trickles in."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeadersInTime(H11Protocol):
        _due: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            if self._due is not None:
                self._due.cancel()
            self._due = self.loop.call_later(HEADER_SECONDS, self._late)

        def _late(self) -> None:
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():  # still no complete request
                with contextlib.suppress(h11.LocalProtocolError):
                    self.conn.send(h11.ConnectionClosed())
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # (as uvicorn narrows it)
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._due is not None:
                self._due.cancel()
            super().connection_lost(exc)

    return HeadersInTime


def serve(host: str, port: int, out_root: Path, *, cache: Path | None, max_upload: int, workers: int,
          announce: Callable[[str], None], open_browser: bool = False) -> None:  # fmt: skip
    import uvicorn

    from ..settings import positive_from_environment
    from .app import ServeSettings, create_app, new_token
    from .isolated import READ_SECONDS, READ_SECONDS_VARIABLE

    if max_upload < 1:
        raise SettingsError("--max-upload must be at least 1 (MB).")
    if not 1 <= workers <= 8:
        raise SettingsError("--workers must be between 1 and 8.")
    seconds = positive_from_environment(READ_SECONDS_VARIABLE, float, "a number of seconds such as 60") or READ_SECONDS
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    token = None if is_loopback(host) else new_token()
    app = create_app(ServeSettings(out_root, actual, token, max_upload * 1024 * 1024, workers, cache, float(seconds)))
    url = url_for(host, actual, token)
    announce(f"speechcast is serving {out_root}/ at {url}")
    if token:
        lan = url_for(_lan_address() if host in ("0.0.0.0", "::") else host, actual, token)
        announce(f"On the network: {lan} — anyone who has this address (with its token) can use it; Ctrl-C stops it.")
        announce(f"Podcast feed for phones (always current): {lan.split('?', 1)[0]}t/{token}/feed.xml")
    else:
        announce("Only this computer can open it (bound to 127.0.0.1); Ctrl-C stops it.")
        announce(f"Podcast feed (always current): {url}feed.xml")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2, lifespan="on", http=_protocol())
    uvicorn.Server(config).run(sockets=[sock])
