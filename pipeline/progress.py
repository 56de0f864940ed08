"""A progress bar for synthesis on a terminal; silent in pipes (logs stay clean)."""

from __future__ import annotations

import sys

from .speech.synthesize import NoProgress, Progress


class TerminalProgress:
    """chunks done/total, elapsed and ETA, drawn on stderr with rich."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self._bar = Bar(
            "合成 synthesizing", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), "ETA", TimeRemainingColumn(),
            console=Console(stderr=True), transient=True,
        )
        self._task = None

    @classmethod
    def for_terminal(cls) -> Progress:
        return cls() if sys.stderr.isatty() else NoProgress()

    def start(self, total: int, cached: int = 0) -> None:
        if not total:
            return  # all from the cache: no bar to flash
        self._bar.start()
        self._task = self._bar.add_task("synth", total=total)

    def advance(self, n: int = 1) -> None:
        self._bar.advance(self._task, n)

    def close(self) -> None:
        self._bar.stop()
