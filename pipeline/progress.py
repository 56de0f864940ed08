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
    """Synthesis (chunks done of all, elapsed, ETA), then the writing of the files (its share done),
    drawn on stderr with rich; the two overlap, as assembly follows synthesis."""

    def __init__(self) -> None:
        from rich.console import Console

        self._bar = _bar(Console(stderr=True))
        self._phase = _Phase(self._bar, "合成 synthesizing", counted=True)

    @classmethod
    def for_terminal(cls) -> Progress:
        return cls() if sys.stderr.isatty() else NoProgress()

    def start(self, total: int, cached: int = 0) -> None:
        self._phase.start(total, cached)

    def advance(self, n: int = 1) -> None:
        self._phase.advance(n)

    def close(self) -> None:
        self._phase.close()

    def writing(self) -> Progress:
        return _Phase(self._bar, "写入 writing", counted=False)


class BatchProgress:
    """One view for a batch of manuscripts on a terminal: a line saying which manuscript of how many
    is being rendered, and bars for its synthesis and its writing (new for each), drawn on stderr with rich."""

    def __init__(self, files: int, console: Console | None = None) -> None:
        from rich.console import Console

        self.files, self.done = files, 0
        self._bar = _bar(console or Console(stderr=True))
        self._overall = self._bar.add_task("文稿 manuscripts", total=files, figures=f"0/{files}")
        self._bar.start()

    @classmethod
    def for_terminal(cls, files: int) -> BatchProgress | None:
        return cls(files) if sys.stderr.isatty() else None

    def manuscript(self, name: str) -> Progress:
        """The progress of the next manuscript (each of its voices in turn)."""
        self._bar.update(self._overall, completed=self.done, figures=f"{self.done}/{self.files}")
        self.done += 1
        return _Phase(self._bar, f"合成 [{self.done}/{self.files}] {name}", counted=True, stays=True)

    def close(self) -> None:
        self._bar.update(self._overall, completed=self.done, figures=f"{self.done}/{self.files}")
        self._bar.stop()


def _bar(console: Console) -> Bar:
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    return Bar(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[figures]}"), TimeElapsedColumn(), "ETA",
               TimeRemainingColumn(), console=console, transient=True)  # fmt: skip


class _Phase:
    """One phase's task on a shared bar (the Progress protocol): chunks counted as "done/all", the
    writing's thousandths as a percentage. The bar is started with the first task and stopped when
    the last one closes, unless it `stays` (a batch's bar outlives each manuscript)."""

    def __init__(self, bar: Bar, label: str, *, counted: bool, stays: bool = False) -> None:
        self._bar, self._label, self._counted, self._stays = bar, label, counted, stays
        self._task: TaskID | None = None
        self._done = self._total = 0

    def start(self, total: int, cached: int = 0) -> None:
        if not total:
            return  # all from the cache: no bar to flash
        self._bar.start()
        self._done, self._total = 0, total
        self._task = self._bar.add_task(self._label, total=total, figures=self._figures())

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._done += n
            self._bar.update(self._task, completed=self._done, figures=self._figures())

    def close(self) -> None:
        if self._task is not None:
            self._bar.remove_task(self._task)
            self._task = None
        if not self._stays and not self._bar.task_ids:
            self._bar.stop()

    def writing(self) -> Progress:
        label = self._label.replace("合成", "写入", 1) if self._label.startswith("合成") else "写入 writing"
        return _Phase(self._bar, label, counted=False, stays=self._stays)

    def _figures(self) -> str:
        return f"{self._done}/{self._total}" if self._counted else f"{100 * self._done // max(self._total, 1)}%"
