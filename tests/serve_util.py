"""`speechcast serve` as a user starts it (a subprocess of the real command), and plain HTTP to it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SEED = Path(__file__).resolve().parent / "corpus" / "000_f942a4ce7236a7e5.txt"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Server:
    """A running `speechcast serve` on a free port of 127.0.0.1 (or the --host given)."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.out = cwd / "output"
        command = [sys.executable, "-m", "pipeline", "serve", "--port", "0", "--out", str(self.out), *args]
        self.process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, "NO_PROXY": "127.0.0.1,localhost"})  # fmt: skip
        first = self.process.stdout.readline() if self.process.stdout else ""
        if " at http" not in first:
            self.process.kill()
            pytest.fail(f"serve did not start: {first}{self.process.stderr.read() if self.process.stderr else ''}")
        self.address = first.rsplit(" at ", 1)[1].strip()
        self.url = self.address.split("?", 1)[0]
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))
        self.token = self.address.split("?token=", 1)[1] if "?token=" in self.address else None

    def request(self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
                method: str | None = None, host: str | None = None, anonymous: bool = False) -> Answer:  # fmt: skip
        """One request; it carries the token (when the server wants one) unless `anonymous`."""
        base = f"http://127.0.0.1:{self.port}"
        req = urllib.request.Request(base + path, data=data, headers=headers or {}, method=method)
        if self.token and not anonymous:
            req.add_header("X-Speechcast-Token", self.token)
        if host:
            req.add_header("Host", host)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=60) as response:
                return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
        except urllib.error.HTTPError as err:
            return Answer(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())

    def post_json(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Answer:
        head = {"Content-Type": "application/json", "X-Speechcast": "1", **(headers or {})}
        return self.request(path, data=json.dumps(body).encode(), headers=head, method="POST")

    def upload(self, name: str, data: bytes, headers: dict[str, str] | None = None) -> Answer:
        boundary = "speechcast-test-boundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
        head = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Speechcast": "1", **(headers or {})}
        return self.request("/api/drafts", data=body, headers=head, method="POST")

    def alive(self) -> bool:
        return self.process.poll() is None and self.request("/api/jobs").status in (200, 403)

    def stop(self) -> str:
        """Ctrl-C, as a user stops it; returns what it wrote on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.stderr.read() if self.process.stderr else ""


@pytest.fixture
def serve(tmp_path: Path):
    """serve(*args) starts a server in tmp_path; every one started is stopped after the test."""
    started: list[Server] = []

    def start(*args: str) -> Server:
        server = Server(tmp_path, *args)
        started.append(server)
        return server

    yield start
    for server in started:
        errors = server.stop()
        assert "Traceback" not in errors, errors


@contextlib.contextmanager
def page_answers(server: Server, every: float = 0.2) -> Iterator[list[float]]:
    """While the block runs, the page (/) is asked for every `every` seconds: the list it yields
    fills with how long each answer took (infinity for an answer that was not 200 or never came)."""
    took: list[float] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                ok = server.request("/").status == 200
            except OSError:
                ok = False
            took.append(time.monotonic() - started if ok else float("inf"))
            stop.wait(every)

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        yield took
    finally:
        stop.set()
        asker.join()
