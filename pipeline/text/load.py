"""Read a manuscript file into one string, whatever encoding or format it arrived in (docs/architecture.md,
"Chinese manuscripts": encodings in the wild)."""

from __future__ import annotations

import codecs
import re
from functools import cache
from pathlib import Path

from ..errors import InputError
from ..i18n import Message
from .readers import FORMATS

#: Formats we refuse, recognised by their first bytes: a renamed PDF or MP3 must not be read as text.
_MAGIC: tuple[tuple[bytes, Message], ...] = (
    (b"%PDF", Message("a PDF")),
    (b"\x89PNG", Message("a PNG image")),
    (b"\xff\xd8\xff", Message("a JPEG image")),
    (b"GIF8", Message("a GIF image")),
    (b"ID3", Message("an MP3 file")),
    (b"\xff\xfb", Message("an MP3 file")),
    (b"\xff\xf3", Message("an MP3 file")),
    (b"RIFF", Message("a WAV or AVI file")),
    (b"OggS", Message("an Ogg file")),
    (b"fLaC", Message("a FLAC file")),
    (b"\x1f\x8b", Message("a gzip archive")),
    (b"Rar!", Message("a RAR archive")),
    (b"PK\x03\x04", Message("a zip archive (a .docx must be named .docx)")),
    (b"\xd0\xcf\x11\xe0", Message("an old Word .doc file (save it as .docx or .txt)")),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")

#: Punctuation shared by simplified and traditional text; a wrong decoding turns it into symbols.
_PUNCTUATION = frozenset("，。、；：？！“”‘’（）《》〈〉【】「」『』…—·")


def read_text(path: Path) -> str:
    """The manuscript's text with newlines as \\n; raises InputError with one sentence on failure."""
    path = Path(path)
    if not path.exists():
        raise InputError("{path} does not exist: check the path and try again.", path=path)
    if path.is_dir():
        raise InputError("{path} is a folder: give the path of a manuscript ({formats}).", path=path, formats=FORMATS)
    text = _read_docx(path) if path.suffix.lower() == ".docx" else decode_text(path.read_bytes(), path)
    text = _NEWLINES.sub("\n", text)
    if not text.strip():
        raise InputError("{path} is empty: put the manuscript's text in it, or give another file.", path=path)
    return text


def _read_docx(path: Path) -> str:
    from .word import word_blocks  # python-docx is heavy to import and only needed for .docx

    return "\n".join(block.text for block in word_blocks(path))


def decode_text(data: bytes, path: Path) -> str:
    """Bytes of a manuscript as text, whatever their encoding (`path` names them in messages)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError("{path} starts like {encoding} text but is damaged: save it again as UTF-8.", path=path, encoding=encoding) from exc
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError("{path} is {kind}, not text: give a manuscript ({formats}).", path=path, kind=kind, formats=FORMATS)
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is not None:
            return text
        raise InputError("{path} is a binary file, not text: give a manuscript ({formats}).", path=path, formats=FORMATS)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    decoded = _chinese_legacy(data)
    if decoded is not None:
        return decoded
    return _detect(data, path)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 that lost its byte-order mark (some editors save it so): the text, when one byte order
    decodes it to text — no control characters but line ends and tabs, mostly Chinese or ASCII."""
    if len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        readable = sum(c.isprintable() or c in "\r\n\t" for c in text)
        if text and readable == len(text) and sum("\u4e00" <= c <= "\u9fff" or c.isascii() for c in text) >= 0.9 * len(text):
            return text
    return None


def _chinese_legacy(data: bytes) -> str | None:
    """GB18030 or Big5, whichever yields text that looks like Chinese.

    Big5 bytes always decode as GB18030 too (its byte ranges cover Big5's), so a successful decode
    proves nothing: each candidate is scored by how much of it is common characters of its own
    family, which a wrong decoding scatters into kana, private-use and rare characters.
    """
    candidates: list[tuple[float, str]] = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_score(text, _common(encoding)), text))
    if not candidates:
        return None
    score, text = max(candidates, key=lambda candidate: candidate[0])
    return text if score >= 0.6 else None


def _score(text: str, common: frozenset[str]) -> float:
    wide = [c for c in text if ord(c) > 0x7F and not c.isspace()]
    if not wide:
        return 1.0
    return sum(c in common or c in _PUNCTUATION for c in wide) / len(wide)


@cache
def _common(encoding: str) -> frozenset[str]:
    """The common characters of a family, read off the codec's own table: GB2312 levels 1-2
    (B0A1-F7FE) for GB18030, Big5's frequently used characters (A440-C67E) for Big5."""
    if encoding == "gb18030":
        leads, trails = range(0xB0, 0xF8), [*range(0xA1, 0xFF)]
    else:
        leads, trails = range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    chars = set()
    for lead in leads:
        for trail in trails:
            try:
                chars.add(bytes((lead, trail)).decode(encoding))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def _detect(data: bytes, path: Path) -> str:
    from charset_normalizer import from_bytes  # only for files that are neither UTF nor Chinese legacy

    best = from_bytes(data).best()
    if best is None:
        raise InputError("{path} is not text in an encoding we can read: save it as UTF-8 and try again.", path=path)
    return str(best)
