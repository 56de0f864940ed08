"""A progress bar for synthesis on a terminal; silent in pipes (logs stay clean)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .speech.synthesize import NoProgress, Progress

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as Bar
    from rich.progress import TaskID


class TerminalProgress:
    """chunks done/total, elapsed and ETA, drawn on stderr with rich."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self._bar = Bar(
            "合成 synthesizing",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            "ETA",
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: TaskID | None = None

    @classmethod
    def for_terminal(cls) -> Progress:
        return cls() if sys.stderr.isatty() else NoProgress()

    def start(self, total: int, cached: int = 0) -> None:
        if not total:
            return  # all from the cache: no bar to flash
        self._bar.start()
        self._task = self._bar.add_task("synth", total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)

    def close(self) -> None:
        self._bar.stop()


class BatchProgress:
    """One view for a batch of manuscripts on a terminal: a line saying which manuscript of how many
    is being rendered, and one bar for its synthesis (reset for each), drawn on stderr with rich."""

    def __init__(self, files: int, console: Console | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self.files, self.done = files, 0
        self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), "ETA",
                        TimeRemainingColumn(), console=console or Console(stderr=True), transient=True)  # fmt: skip
        self._overall = self._bar.add_task("文稿 manuscripts", total=files)
        self._task = self._bar.add_task("", total=None, visible=False)
        self._bar.start()

    @classmethod
    def for_terminal(cls, files: int) -> BatchProgress | None:
        return cls(files) if sys.stderr.isatty() else None

    def manuscript(self, name: str) -> Progress:
        """The progress of the next manuscript's synthesis (each of its voices in turn)."""
        self._bar.update(self._overall, completed=self.done)
        self.done += 1
        return _ManuscriptBar(self._bar, self._task, f"[{self.done}/{self.files}] {name}")

    def close(self) -> None:
        self._bar.update(self._overall, completed=self.done)
        self._bar.stop()


class _ManuscriptBar:
    """One manuscript's synthesis on the batch's bar (the bar is reset for it)."""

    def __init__(self, bar: Bar, task: TaskID, label: str) -> None:
        self._bar, self._task, self._label = bar, task, label

    def start(self, total: int, cached: int = 0) -> None:
        self._bar.reset(self._task, total=total, description=f"合成 {self._label}", visible=bool(total))

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)

    def close(self) -> None:
        self._bar.update(self._task, visible=False)
