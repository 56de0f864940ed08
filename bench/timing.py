"""Timing a command the way a user waits for it: a fresh process, wall clock, CPU and peak memory."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    wall: float
    """Seconds from start to exit."""
    cpu: float
    """User + system seconds of the process and every child it waited for (encoders included)."""
    max_rss_mb: float
    """Peak resident memory of the largest process in the tree, in MiB."""


class CommandFailed(RuntimeError):
    pass


def run(command: Sequence[str | Path], *, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Sample:
    """Run `command` once, its output discarded; raise CommandFailed (with its stderr) on a non-zero exit."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in command], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
        # wait4 gives this child's own resource usage, which getrusage(RUSAGE_CHILDREN) would mix
        # with every earlier child's.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            detail = err.read().decode("utf-8", "replace").strip()[-2000:]
            raise CommandFailed(f"{' '.join(map(str, command))} exited with {proc.returncode}:\n{detail}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


@dataclass(frozen=True)
class Summary:
    """The median of several samples, with the spread a reader needs to trust it."""

    runs: int
    wall: float
    wall_min: float
    wall_max: float
    cpu: float
    max_rss_mb: float

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Summary:
        walls = [s.wall for s in samples]
        return cls(
            len(samples), statistics.median(walls), min(walls), max(walls),
            statistics.median(s.cpu for s in samples), max(s.max_rss_mb for s in samples),
        )  # fmt: skip

    def cell(self) -> str:
        """Median wall time, the range of runs after it: "4.12 s (3.90–4.60, n=5)"."""
        return f"{self.wall:.2f} s ({self.wall_min:.2f}–{self.wall_max:.2f}, n={self.runs})"


class Clock:
    """Wall seconds of a block, and the CPU seconds it cost this process and its children."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu, self._children = time.perf_counter(), time.process_time(), _children_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        self.children_cpu = _children_cpu() - self._children

    def report(self, name: str) -> dict[str, float]:
        return {f"{name}_s": self.wall, f"{name}_cpu_s": self.cpu, f"{name}_encoder_cpu_s": self.children_cpu}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
