"""Running our coroutines from synchronous code, wherever that code is called from."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, also when this thread already runs a loop (Jupyter, Playwright's sync API),
    where asyncio.run refuses: then the coroutine gets a loop of its own in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="speechcast-loop") as pool:
        return pool.submit(asyncio.run, coro).result()
