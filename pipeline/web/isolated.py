"""Reading an uploaded manuscript in a process of its own, with a deadline and a memory ceiling.

The server reads files strangers send. A parser that runs away (a crafted file no size check
foresaw) must not hold a thread of the server for ever or take its memory: the read happens in a
child process that is killed when its time is up, and that may not grow past a ceiling. The
child is forked from a clean fork server (never from the threaded server itself).
"""

from __future__ import annotations

import multiprocessing
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from ..errors import InputError, SpeechcastError
from ..i18n import Message

Kept = frozenset[tuple[int, str]]

READ_SECONDS = 60.0
"""How long one manuscript may take to read (a three-hour report takes about a second), unless
SPEECHCAST_READ_SECONDS says otherwise."""
READ_SECONDS_VARIABLE = "SPEECHCAST_READ_SECONDS"
READ_MEMORY = 2 * 1024**3
"""The most address space the reading process may take."""


def script_markdown(source: Path, shown: str, keep: Kept, drop: Kept, seconds: float) -> str:
    """The editable script of the manuscript at `source`, read in a child process. InputError (naming
    the file as `shown`) when it cannot be read, runs past `seconds`, or past the memory ceiling."""
    if sys.platform == "win32":
        context = multiprocessing.get_context("spawn")
    else:  # the fork server loads the readers once; each read forks from it ready
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pipeline.text.manuscript", "pipeline.text.scriptmd"])
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_read, args=(str(source), keep, drop, sending), daemon=True)
    child.start()
    sending.close()
    try:
        if not receiving.poll(seconds):
            raise InputError("{shown} took longer than {seconds:g} s to read, far longer than any manuscript: "
                             "save it again (or copy its text into a .txt file) and upload that.", shown=shown, seconds=seconds)  # fmt: skip
        try:
            kind, payload = receiving.recv()
        except EOFError:  # the child died: out of memory, most likely
            raise InputError(_too_big(shown)) from None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "error":
        raise InputError(_named(payload, source, shown))
    return str(payload)


def _too_big(path: str) -> Message:
    return Message("{path} needed more memory to read than any manuscript does (a damaged or hostile file): "
                   "save it again, or copy its text into a .txt file.", path=path)  # fmt: skip


def _named(message: Message, source: Path, shown: str) -> Message:
    """The message with the upload's place on disk replaced by the name its sender knows it by."""
    fields = {k: _named(v, source, shown) if isinstance(v, Message) else shown if str(v) == str(source) else v for k, v in message.fields.items()}
    return Message(message.template, **fields)


def _read(source: str, keep: Kept, drop: Kept, sending: Connection) -> None:
    if sys.platform != "win32":
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (READ_MEMORY, READ_MEMORY))
    from ..text.manuscript import load_script
    from ..text.scriptmd import to_markdown

    try:
        sending.send(("ok", to_markdown(load_script(source, keep=keep, drop=drop))))
    except SpeechcastError as err:
        sending.send(("error", err.message))
    except MemoryError:
        sending.send(("error", _too_big(source)))
    except Exception as exc:
        sending.send(("error", Message("{path} could not be read ({error}): save it again, or copy its text into a .txt file.",
                                       path=source, error=type(exc).__name__)))  # fmt: skip
    finally:
        sending.close()
