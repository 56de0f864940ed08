"""Blocks handed from the thread that makes them to the thread that encodes them, through a bounded
queue that either side can give up on: `abort()` wakes both at once, whatever they wait on, so a
cancelled render never leaves a thread blocked on a full or an empty queue."""

from __future__ import annotations

import queue
import threading
from typing import Generic, TypeVar

T = TypeVar("T")

_POLL = 0.05
"""Seconds a blocked side waits before it looks again whether the hand-off was given up."""


class Handoff(Generic[T]):
    def __init__(self, size: int) -> None:
        self._queue: queue.Queue[T | None] = queue.Queue(size)
        self._given_up = threading.Event()

    def put(self, item: T) -> bool:
        """Hand `item` over, waiting for room; False when the hand-off was given up (nothing was handed)."""
        while not self._given_up.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def get(self) -> T | None:
        """The next item; None at the end (see `end`) or when the hand-off was given up."""
        while not self._given_up.is_set():
            try:
                return self._queue.get(timeout=_POLL)
            except queue.Empty:
                continue
        return None

    def end(self) -> None:
        """No more items: the taker sees None after the last one."""
        self.put(None)  # type: ignore[arg-type]  # the end mark, never an item

    def abort(self) -> None:
        """Give up: both sides return at once, the items still queued are dropped."""
        self._given_up.set()

    @property
    def given_up(self) -> bool:
        return self._given_up.is_set()
