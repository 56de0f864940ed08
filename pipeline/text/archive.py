"""Manuscripts that are zip archives of XML (.docx, .ofd): their size checked before anything is
unpacked, so a decompression bomb is refused in one sentence instead of taking the machine."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import InputError
from ..i18n import Message

UNPACKED_MAX = 200 * 1024 * 1024
"""An archive's parts, unpacked, hold at most this much: a speech with its pictures is far below it."""
_RATIO_MAX = 200
"""How many times larger a part may unpack than it is packed (XML packs about 10:1)."""


def check_unpacked_size(path: Path, advice: Message) -> None:
    """Refuse a decompression bomb before any part is parsed: its sizes are read from the zip's
    directory, nothing is unpacked. `advice` says how to save the file again."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # the reader says what is wrong with it
    total = sum(m.file_size for m in members)
    swollen = any(m.file_size > 1024 * 1024 and m.file_size > _RATIO_MAX * max(m.compress_size, 1) for m in members)
    if total > UNPACKED_MAX or swollen:
        raise InputError(
            "{path} unpacks to {mb} MB, far more than a manuscript holds (a damaged or hostile file): {advice}",
            path=path,
            mb=total // (1024 * 1024),
            advice=advice,
        )
