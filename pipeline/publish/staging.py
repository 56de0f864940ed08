"""Writing files whole or not at all: safe file names, temporary names renamed into place, and the
lock that makes renders into one folder take turns.

Each file is first written under a hidden temporary name in the output folder and renamed only when
the whole render has succeeded, so a failure (Ctrl-C, a crash, a full disk) leaves the folder as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import Cancelled, OutputError

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 240
"""UTF-8 bytes a name may take before its "NN-" prefix and extension (file systems allow 255)."""


def safe_filename(title: str, max_len: int = 80, fallback: str = "untitled") -> str:
    """`title` as a file name (without extension) valid on Windows, macOS and Linux."""
    name = unicodedata.normalize("NFC", title)
    # Format characters (U+202E turns the rest of a name around: 讲话\u202egpj.exe) show no letter.
    name = "".join(c for c in name if unicodedata.category(c) != "Cf")
    name = _FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"_{2,}", "_", name)
    name = name[:max_len]
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    # Leading dots hide a file (and "." / ".." are not names); Windows drops trailing dots and spaces.
    name = name.strip(" ._") or fallback
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name


_TEMP_PREFIX, _TEMP_SUFFIX = ".speechcast-", ".part"


def temp_name(final: Path) -> Path:
    # Short and fixed-length: a final name may already be near the file system's 255-byte limit.
    return final.with_name(f"{_TEMP_PREFIX}{secrets.token_hex(6)}{_TEMP_SUFFIX}")


def check_target(path: Path, info: os.stat_result | None = None) -> None:
    """Refuse, before any work, a file name that names a folder."""
    if (info is not None and stat.S_ISDIR(info.st_mode)) or (info is None and Path(path).is_dir()):
        raise OutputError("{path} is a folder: give a file name to write to.", path=path)


def atomic_write_text(path: Path, text: str) -> None:
    """`text` written to `path` whole or not at all (see _atomic)."""
    _atomic(path, lambda out: out.write(text.encode("utf-8")))


def atomic_copy(source: Path, path: Path) -> None:
    """A copy of the file `source` at `path`, whole or not at all (see _atomic)."""

    def fill(out: BinaryIO) -> None:
        with open(source, "rb") as data:
            shutil.copyfileobj(data, out, 1 << 20)

    _atomic(path, fill)


def _atomic(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    """`fill` writes the file's bytes into a temporary file renamed over `path`, the way the
    user's file was: a regular file keeps its mode, a symlink stays a link (its target is written), a
    file with other hard links and a device or FIFO (-o /dev/stdout) are written through in place."""
    path = Path(path)
    try:
        target = path.resolve() if path.is_symlink() else path
        info = os.stat(target) if target.exists() else None
    except (OSError, RuntimeError) as exc:
        raise OutputError("Cannot write {path} ({reason}): choose another place for it.", path=path, reason=getattr(exc, "strerror", None) or exc) from exc
    check_target(path, info)
    if info is not None and (not stat.S_ISREG(info.st_mode) or info.st_nlink > 1):
        try:
            with open(target, "wb") as out:  # replacing it would cut the other links
                fill(out)
        except OSError as exc:
            raise OutputError("Cannot write {path} ({strerror}): choose another place for it.", path=path, strerror=exc.strerror) from exc
        return
    temp = temp_name(target)
    try:
        with open(temp, "wb") as out:
            fill(out)
        if info is not None:
            os.chmod(temp, stat.S_IMODE(info.st_mode))
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise OutputError("Cannot write {path} ({strerror}): choose another place for it.", path=path, strerror=exc.strerror) from exc


@contextlib.contextmanager
def folder_turn(out_dir: Path) -> Iterator[None]:
    """Hold `out_dir` for one render: another render into it waits, and any temporary file found
    now was left by a render that was killed (the lock dies with its holder), so it goes."""
    if sys.platform == "win32":  # no flock; a file another process still writes cannot be deleted there
        handle = None
    else:
        import fcntl

        handle = os.open(out_dir, os.O_RDONLY)
        fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        for stale in out_dir.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()
        yield
    finally:
        if handle is not None:
            os.close(handle)  # releases the lock


@contextlib.contextmanager
def one_render_at_a_time(out_dir: Path, cancel: threading.Event | None = None) -> Iterator[None]:
    """Hold `out_dir` for a whole render, from its first request to its last file: a second render
    into it waits (and finds the first's result, when it is the same) instead of both synthesizing
    and the last one silently winning. A lock file of the user's temporary folder stands for the
    folder (the folder's own lock is taken again when the files are written); a cancel ends the wait."""
    if sys.platform == "win32":
        yield
        return
    import fcntl
    import hashlib
    import tempfile

    locks = Path(tempfile.gettempdir()) / "speechcast-locks"
    locks.mkdir(exist_ok=True)
    handle = os.open(locks / f"{hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:24]}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if cancel is not None and cancel.is_set():
                    raise Cancelled("The render was cancelled while it waited for another render of the same folder.") from None
                time.sleep(_WAIT_POLL)
        yield
    finally:
        os.close(handle)  # releases the lock


_WAIT_POLL = 0.1


def sweep(out_root: Path) -> None:
    """Remove the temporary files renders that were killed left under `out_root`, in every folder no
    render holds now (a render in progress keeps its own)."""
    if sys.platform == "win32" or not out_root.is_dir():
        return
    import fcntl

    for folder in {p.parent for p in out_root.glob(f"*/*/{_TEMP_PREFIX}*{_TEMP_SUFFIX}")}:
        try:
            handle = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            for stale in folder.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
                with contextlib.suppress(OSError):
                    stale.unlink()
        except OSError:
            pass  # held: a render is writing there now
        finally:
            os.close(handle)


class Staging:
    """Temporary files waiting to be renamed onto their final names, all or none."""

    def __init__(self) -> None:
        self.pending: list[tuple[Path, Path]] = []

    def add(self, temp: Path, final: Path) -> None:
        self.pending.append((temp, final))

    def drop(self, temp: Path) -> None:
        """A staged file that was only needed on the way (deleted now, never renamed)."""
        self.pending = [(t, f) for t, f in self.pending if t != temp]
        temp.unlink(missing_ok=True)

    def write_text(self, final: Path, text: str) -> None:
        temp = temp_name(final)
        self.add(temp, final)
        try:
            temp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OutputError(
                "Cannot write {final}: {strerror}; free some space or choose another folder with -o.", final=final, strerror=exc.strerror
            ) from exc

    def sizes(self, suffixes: tuple[str, ...]) -> dict[str, int]:
        """Final name → bytes of each staged file with one of these suffixes (as it will be committed)."""
        return {final.name: temp.stat().st_size for temp, final in self.pending if final.suffix in suffixes}

    def commit(self, record: str = "") -> None:
        """Rename every staged file into place, `record` (the render's manifest) last: the old record
        goes first, so a commit cut short (a file a player holds open, a full disk) leaves a folder
        no later run takes for a finished render, and says so in one sentence."""
        pending = sorted(self.pending, key=lambda pair: pair[1].name == record)
        if record and pending and pending[-1][1].name == record:
            pending[-1][1].unlink(missing_ok=True)
        for k, (temp, final) in enumerate(pending):
            try:
                os.replace(temp, final)
            except OSError as exc:
                for left, _ in pending[k:]:
                    with contextlib.suppress(OSError):
                        left.unlink()
                self.pending.clear()
                raise OutputError(
                    "Could not put {final} in place ({strerror}): "
                    "close any player that holds the render's files and render again (the folder is marked unfinished, so the next render redoes it).",
                    final=final,
                    strerror=exc.strerror,
                ) from exc
        self.pending.clear()

    def abort(self) -> None:
        for temp, _ in self.pending:
            temp.unlink(missing_ok=True)
        self.pending.clear()
