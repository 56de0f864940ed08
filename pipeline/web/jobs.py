"""Renders the web app runs: a bounded pool of workers (the rest queue, in order, visibly), each job
one manuscript in one voice through the library's own `render`, with progress and a cancel switch.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import Cancelled, SpeechcastError
from ..i18n import Message, both
from ..model import Script
from ..settings import RenderSettings
from ..speech.synthesize import Progress
from .views import warning_code

State = Literal["queued", "running", "finishing", "done", "failed", "cancelled"]
ENDED: frozenset[str] = frozenset({"done", "failed", "cancelled"})

log = logging.getLogger("speechcast.serve")


@dataclass(frozen=True)
class Order:
    """What to render: a script file (its name names the output folder) in one voice, with settings."""

    source: Path
    script: Script
    voice: str
    engine: str = "auto"
    rate: str | None = None
    settings: RenderSettings = field(default_factory=RenderSettings)
    owner: str | None = None
    """Which manuscript this is (an upload's draft; a re-render's original): its renders share a folder."""
    named: str | None = None
    """What the person calls it: the uploaded file's name (the library shows it)."""


@dataclass
class Job:
    id: str
    """Unguessable: knowing one job's id tells nothing of another's."""
    title: str
    voice: str
    owner: str = ""
    """The browser that asked for it (its cookie): only it sees and cancels the job."""
    state: State = "queued"
    total: int = 0
    """Chunks the engine must speak (what the cache lacks)."""
    cached: int = 0
    done: int = 0
    requests: int = 0
    started: float = 0.0
    synthesized_at: float = 0.0
    written: int = 0
    """The writing's thousandths done (laying out, measuring, encoding: see publish/write.py)."""
    writing_total: int = 0
    writing_pace: tuple[float, int] | None = None
    """(when, written) as synthesis ended: the writing's own speed is measured from there."""
    writing_guess: float = 0.0
    """Seconds the writing alone should take, before it can be measured (from the speech's length)."""
    message: Message | None = None
    """Why the job ended as it did, when that needs saying."""
    warnings: list[Message] = field(default_factory=list)
    render: str = ""
    """The finished render's place in the library: "<manuscript>/<voice>"."""
    engine: str = ""
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    version: int = 0
    """Bumped on every change, so a watcher sends only news."""

    def seconds_left(self) -> float | None:
        """Time left for the whole render: synthesis at its pace so far, then the writing that
        cannot overlap it — guessed from the speech's length until the writing runs alone, then at
        its own measured pace (None while nothing can be said)."""
        now = time.monotonic()
        unwritten = 1 - self.written / self.writing_total if self.writing_total else 1.0
        if self.state == "running":
            if not self.done or self.done >= self.total:
                return None
            return (now - self.started) / self.done * (self.total - self.done) + self.writing_guess * unwritten
        if self.state != "finishing":
            return None
        if self.writing_pace is not None:
            since, written_then = self.writing_pace
            if now - since >= 1 and self.written > written_then:
                return (now - since) / (self.written - written_then) * (self.writing_total - self.written)
        return self.writing_guess * unwritten

    def public(self, position: int | None) -> dict[str, Any]:
        left = self.seconds_left()
        said = both(self.message) if self.message is not None else {"zh": "", "en": ""}
        return {
            "id": self.id, "title": self.title, "voice": self.voice, "engine": self.engine, "state": self.state,
            "total": self.total, "cached": self.cached, "done": self.done, "requests": self.requests,
            "seconds_left": None if left is None else round(left), "queue_position": position,
            "written": round(100 * self.written / self.writing_total) if self.writing_total else 0,
            "message": said["zh"], "message_en": said["en"], "warnings": [both(w)["zh"] for w in self.warnings],
            "warnings_en": [w.say() for w in self.warnings], "warning_codes": [warning_code(w) for w in self.warnings], "render": self.render,
        }  # fmt: skip


WRITE_SECONDS_PER_MINUTE = {"mp3": 0.1, "m4b": 0.4}
"""What writing a minute of speech takes after its synthesis, by format (docs/benchmarks.md,
stitching: 9.4 s for 2 h as MP3, 58 s for both on this project's two-core machine)."""


def writing_seconds(script: Script, settings: RenderSettings) -> float:
    """A first guess at how long writing the files of `script` takes, before it can be timed."""
    from ..text.duration import script_ms

    minutes = script_ms(script, settings.pauses)[0] / 60_000
    return minutes * (WRITE_SECONDS_PER_MINUTE["mp3"] + (WRITE_SECONDS_PER_MINUTE["m4b"] if "m4b" in settings.formats else 0))


class _JobProgress:
    """The synthesis stage's progress, written into the job."""

    def __init__(self, job: Job, lock: threading.Lock) -> None:
        self.job, self.lock = job, lock

    def _bump(self) -> None:
        with self.lock:
            self.job.version += 1

    def start(self, total: int, cached: int = 0) -> None:
        self.job.total, self.job.cached, self.job.started = total, cached, time.monotonic()
        self._bump()

    def advance(self, n: int = 1) -> None:
        self.job.done += n
        self.job.requests += 1
        self._bump()

    def close(self) -> None:
        self.job.state = "finishing" if self.job.state == "running" else self.job.state
        self.job.writing_pace = (time.monotonic(), self.job.written)  # from here the writing runs alone
        self._bump()

    def writing(self) -> Progress:
        return _JobWriting(self.job, self.lock)


class _JobWriting(_JobProgress):
    """The writing's progress, written into the job: its share done."""

    def start(self, total: int, cached: int = 0) -> None:
        self.job.writing_total = total
        self._bump()

    def advance(self, n: int = 1) -> None:
        self.job.written += n
        self._bump()

    def close(self) -> None:
        self.job.written = self.job.writing_total
        self._bump()


class Renders:
    """The app's render queue: `workers` renders at a time, one cache, one output root."""

    def __init__(self, out_root: Path, cache: Path | None, workers: int = 1) -> None:
        self.out_root, self.cache = out_root, cache
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="speechcast-render")
        self._jobs: dict[str, Job] = {}
        self._queue: list[str] = []
        self._lock = threading.Lock()

    def submit(self, order: Order, owner: str = "") -> Job:
        job = Job(secrets.token_urlsafe(9), order.script.title or order.source.stem, order.voice, owner)
        with self._lock:
            self._jobs[job.id] = job
            self._queue.append(job.id)
        self._pool.submit(self._run, job, order)
        return job

    def get(self, job_id: str) -> Job:
        return self._jobs[job_id]

    def cancel(self, job_id: str, owner: str = "") -> Job:
        """KeyError when there is no such job of this owner's (another's is as good as none)."""
        job = self._jobs[job_id]
        if job.owner != owner:
            raise KeyError(job_id)
        job.cancel.set()
        with self._lock:
            if job.state == "queued":
                self._end(job, "cancelled", Message("Cancelled before it started."))
        return job

    def snapshot(self, owner: str = "") -> list[dict[str, Any]]:
        """This owner's jobs (the queue position counts everyone's)."""
        with self._lock:
            return [job.public(self._position(job)) for job in self._jobs.values() if job.owner == owner]

    def version(self) -> int:
        with self._lock:
            return sum(job.version for job in self._jobs.values()) + len(self._jobs)

    def shutdown(self) -> None:
        for job in list(self._jobs.values()):
            job.cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _position(self, job: Job) -> int | None:
        return self._queue.index(job.id) + 1 if job.id in self._queue else None

    def _end(self, job: Job, state: State, message: Message | None = None) -> None:
        """Called with the lock held."""
        job.state, job.message = state, message
        job.version += 1
        if job.id in self._queue:
            self._queue.remove(job.id)

    def _run(self, job: Job, order: Order) -> None:
        from ..render import choose_voice, render

        with self._lock:
            if job.cancel.is_set():
                return  # cancelled while queued: already ended
            self._queue.remove(job.id)
            job.state, job.version = "running", job.version + 1
        try:
            voice = choose_voice(order.voice, order.engine, rate=order.rate)
            job.writing_guess = writing_seconds(order.script, order.settings)
            job.engine, job.warnings = voice.engine.id, list(voice.warnings) + list(order.script.warnings)
            result = render(order.source, voice, script=order.script, settings=order.settings, out_root=self.out_root,
                            cache=self.cache, progress=_JobProgress(job, self._lock), cancel=job.cancel, owner=order.owner, named=order.named)  # fmt: skip
            outcome: tuple[State, Message | None] = ("done", Message("Up to date: nothing changed.") if result.up_to_date else None)
            job.render = f"{result.out_dir.parent.name}/{result.out_dir.name}"
            job.warnings += [result.replaced] if result.replaced else []
        except Cancelled as err:
            outcome = ("cancelled", err.message)
        except SpeechcastError as err:
            outcome = ("failed", err.message)
        except Exception as err:
            log.exception("render %s failed", job.id)
            outcome = ("failed", Message("The render failed unexpectedly ({err}): try again, and report it if it recurs.", err=err))
        with self._lock:
            self._end(job, *outcome)
