"""PDF manuscripts with a text layer, read with pdfplumber: lines back into paragraphs, running
headers and footers out, glyphs as readers expect them.

A PDF keeps no paragraphs, only positioned lines. A line break inside a paragraph is told from a
paragraph's end by the page itself: the next line starts further down than the line spacing, or
indented, or the line stops short of the right margin after a full stop; a paragraph that runs over
a page break goes on. Headers and footers (a browser prints the date, the title, the file's address
and "N/M" on every page) are recognised by their place in the page's top or bottom margin and by
repeating from page to page, and reported as page furniture. Text layers of Chinese PDFs often carry
Kangxi-radical and CJK-radical-supplement glyphs (⼯ ⾦ ⺠ ⻓ for 工 金 民 长) and ⸺ for ——: NFKC
maps the first block, a table derived from the Unicode names maps the second.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..model import Reason, RemovedLine
from .blocks import Block, unmarked
from .hanzi import in_own_script, unified_glyphs

_MARGIN_SHARE = 0.08
"""Lines within this share of the page height from its top or bottom edge may be running matter."""
_REPEAT_SHARE = 0.5
"""A margin line repeating (digits aside) on this share of the pages is a running header or footer."""
_PAGE_NUMBER = re.compile(r"^(?:[-—–－]?\s*\d{1,4}\s*[-—–－]?|\d{1,4}\s*/\s*\d{1,4}|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|(?:Page|page)\s*\d+(?:\s*of\s*\d+)?)$")
_RUNNING_MATTER = re.compile(r"(?:https?|file)://\S+|\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(?:\s*[AP]M)?")
_GAP = 1.4
"""A line more than this many line spacings below the one before starts a new paragraph."""
_BLANK = 1.8
"""A gap of this many line spacings holds an empty line."""
_SHORT = 2.0
"""A line ending this many characters' width before the right margin stops short."""


@dataclass(frozen=True)
class _Line:
    text: str
    page: int
    top: float
    x0: float
    x1: float
    size: float
    bold: bool


def pdf_blocks(path: Path) -> tuple[list[Block], list[RemovedLine]]:
    """The PDF's paragraphs as blocks (line numbers count lines across the whole document) and the
    running headers and footers taken out. Raises InputError for a scan, an encrypted or a broken PDF."""
    _check_streams(path)
    lines, heights = _read(path)
    if not any(line.text.strip() for line in lines):
        raise InputError("{path} has no text layer (it is a scan or a picture): run it through OCR, or copy its text into a .txt file.", path=path)
    own = in_own_script([line.text for line in lines])
    lines = [dataclasses.replace(line, text=text) for line, text in zip(lines, own)]
    running = _running(lines, heights)
    removed = [RemovedLine(n, line.text, reason) for n, (line, reason) in enumerate(zip(lines, running), 1) if reason]
    body = [(n, line) for n, (line, reason) in enumerate(zip(lines, running), 1) if not reason and line.text.strip()]
    return _paragraphs(body), removed


_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n")
STREAM_MAX = 128 * 1024 * 1024
"""A compressed stream inflating past this is no page of a manuscript (a text page's stream is a
few hundred KB; a full-page scan in Flate some tens of MB)."""
STREAMS_MAX = 512 * 1024 * 1024
"""Nor is a file whose streams together inflate past this."""


def _check_streams(path: Path) -> None:
    """Refuse a decompression bomb before the parser inflates it: each Flate stream is inflated a
    piece at a time and counted, never held, and the count stops at the limit."""
    import zlib

    data = path.read_bytes()
    total = 0
    for found in _STREAM.finditer(data):
        inflater, size, at = zlib.decompressobj(), 0, found.end()
        try:
            while at < len(data) and size <= STREAM_MAX:
                size += len(inflater.decompress(data[at : at + 65536], 1024 * 1024))
                while inflater.unconsumed_tail and size <= STREAM_MAX:
                    size += len(inflater.decompress(inflater.unconsumed_tail, 1024 * 1024))
                if inflater.eof:
                    break
                at += 65536
        except zlib.error:
            pass  # an encrypted or damaged stream: no plain Flate to count; the parser says what it is
        total += size
        if size > STREAM_MAX or total > STREAMS_MAX:
            raise InputError(
                "{path} holds compressed streams that unpack to more than {mb} MB, far more than a manuscript holds (a damaged or hostile file): "
                "open it and print it to PDF again, or copy its text into a .txt file.",
                path=path,
                mb=max(size, total) // (1024 * 1024),
            )


_SAME_LINE = 5.0
"""Points between the tops of two runs of text on one line: a word in a smaller or a monospace
font (`PR` set as code) starts lower than the Chinese around it, by more than pdfplumber's 3; the
next line starts a whole line lower (12 points and more)."""


def _read(path: Path) -> tuple[list[_Line], dict[int, float]]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns of every font it half understands
    lines: list[_Line] = []
    heights: dict[int, float] = {}
    try:
        with pdfplumber.open(str(path)) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                heights[number] = float(page.height)
                for found in page.extract_text_lines(strip=True, y_tolerance=_SAME_LINE):
                    chars = found["chars"]
                    size = statistics.median(c["size"] for c in chars) if chars else 0.0
                    bold = bool(chars) and all("bold" in str(c.get("fontname", "")).lower() for c in chars)
                    lines.append(_Line(unified_glyphs(_gaps(found["text"], chars)), number, found["top"], found["x0"], found["x1"], size, bold))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise InputError("{path} is encrypted: open it, save or print it without a password, and try again.", path=path) from exc
    except (PDFSyntaxError, PdfminerException, ValueError, KeyError, TypeError) as exc:
        if any(isinstance(a, (PDFPasswordIncorrect, PDFEncryptionError)) for a in exc.args):
            raise InputError("{path} is encrypted: open it, save or print it without a password, and try again.", path=path) from exc
        raise InputError(
            "{path} is not a PDF we can read ({exc}): open it and save it again as PDF, or copy its text into a .txt file.", path=path, exc=exc
        ) from exc
    return lines, heights


def _running(lines: list[_Line], heights: dict[int, float]) -> list[Reason | None]:
    """For each line, why it is running matter (None when it is text)."""
    pages = len(heights)
    in_margin = [line.top < heights[line.page] * _MARGIN_SHARE or line.top > heights[line.page] * (1 - _MARGIN_SHARE) for line in lines]
    shapes = Counter(re.sub(r"\d+", "#", line.text) for line, margin in zip(lines, in_margin) if margin)
    reasons: list[Reason | None] = []
    for line, margin in zip(lines, in_margin):
        text = line.text.strip()
        if not margin:
            reasons.append(None)
        elif _PAGE_NUMBER.match(text):
            reasons.append(Reason.PAGE_NUMBER)
        elif pages > 1 and shapes[re.sub(r"\d+", "#", line.text)] >= max(2, pages * _REPEAT_SHARE):
            reasons.append(Reason.RUNNING_HEADER)
        elif _RUNNING_MATTER.search(text):
            reasons.append(Reason.PRINTER_HEADER)
        else:
            reasons.append(None)
    return reasons


def _paragraphs(body: list[tuple[int, _Line]]) -> list[Block]:
    if not body:
        return []
    sizes = Counter(round(line.size) for _, line in body)
    text_size = sizes.most_common(1)[0][0]
    left = min(line.x0 for _, line in body)
    right = max(line.x1 for _, line in body)
    spacings = [b.top - a.top for (_, a), (_, b) in zip(body, body[1:]) if a.page == b.page and b.top > a.top]
    spacing = statistics.median(spacings) if spacings else text_size * 1.5
    heading_sizes = sorted({round(line.size) for _, line in body if round(line.size) > text_size}, reverse=True)
    blocks: list[Block] = []
    previous: _Line | None = None
    for number, line in body:
        level = heading_sizes.index(round(line.size)) + 1 if round(line.size) in heading_sizes else 0
        if previous is not None and level and blocks[-1].level == level and _wraps(previous, line, right):
            # A heading too long for one line goes on in the next, at its size: one heading.
            last = blocks[-1]
            blocks[-1] = Block(last.text + line.text.strip(), last.line, last.kind, last.level, last.bold and line.bold)
        elif previous is not None and not level and _continues(previous, line, left, right, spacing, text_size) and not blocks[-1].level:
            last = blocks[-1]
            gap = " " if last.text[-1:].isascii() and last.text[-1:].isalnum() and line.text[:1].isascii() and line.text[:1].isalnum() else ""
            blocks[-1] = Block(last.text + gap + line.text.strip(), last.line, last.kind, last.level, last.bold and line.bold)
        else:
            if previous is not None and line.page == previous.page and line.top - previous.top > spacing * _BLANK:
                blocks.append(Block("", number))  # an empty line on the page: it parts blocks, as in a text file
            blocks.append(Block(line.text.strip(), number, "heading" if level else "text", level, line.bold))
        previous = line
    return [unmarked(block) for block in blocks]


def _wraps(previous: _Line, line: _Line, right: float) -> bool:
    """Whether heading line `line` is the rest of heading line `previous`: straight below it, on the
    same page, after a line that ran to the margin."""
    return line.page == previous.page and 0 < line.top - previous.top <= previous.size * _GAP * 1.5 and right - previous.x1 < previous.size * _SHORT


def _continues(previous: _Line, line: _Line, left: float, right: float, spacing: float, size: float) -> bool:
    """Whether `line` goes on with the paragraph `previous` is in."""
    indented = line.x0 - left > size * 1.5
    ran_to_margin = right - previous.x1 < size * _SHORT
    if line.page != previous.page:  # over a page break: on, unless the last line stopped short
        return ran_to_margin and not indented
    # A paragraph's lines run to the margin; one that stops short ended its paragraph (a heading
    # without a full stop too), whatever it ends with.
    return ran_to_margin and not indented and line.top - previous.top <= spacing * _GAP


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e\u2e80-\u2fdf]")


def _gaps(text: str, chars: list[dict]) -> str:
    """The line's text with each gap of a full character's width between Chinese characters set as
    the ideographic space it is on the page (一、法学人才之质的改进问题　本问题……): the text layer
    writes every gap as " ", a word space and a heading's run-in gap alike."""
    out, k = [], 0
    for ch in text:
        if ch == " " and 0 < k < len(chars) and chars[k]["text"] != " ":
            before, after = chars[k - 1], chars[k]
            wide = after["x0"] - before["x1"] >= 0.8 * float(before.get("size") or 0)
            out.append("\u3000" if wide and _CJK.match(before["text"]) and _CJK.match(after["text"]) else " ")
            continue
        out.append(ch)
        k += ch == (chars[k]["text"] if k < len(chars) else None)
    return "".join(out)
