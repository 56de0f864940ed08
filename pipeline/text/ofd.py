"""OFD (GB/T 33190), the national format for electronic official documents: a zip of XML whose
pages place each run of text at a position on the page, as a printed page does.

Read with the standard library's XML parser (expat refuses entity expansion bombs): OFD.xml names
the document, the document lists its pages, and each page's text objects are laid out in lines by
where they stand (top to bottom, then left to right). The lines are hard-wrapped as a print is, so
they are joined into paragraphs by where they start: a line indented from the text's left margin
(首行缩进), or centred, opens a paragraph, and so does any line after one that ends a sentence at
a colon or full stop; a line at the margin otherwise continues the one before. Templates (a page's letterhead or running header) are
left out as page furniture; signatures, annotations and attachments are not the document's text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath

from ..errors import InputError
from ..i18n import Message
from .archive import check_unpacked_size
from .wrapping import gap

_SAME_LINE_MM = 1.5
"""Text whose baselines are this close (in millimetres, the OFD unit) stands on one line."""


def ofd_paragraphs(path: Path) -> list[str]:
    """The document's paragraphs, the pages one after another."""
    return _paragraphs(_lines(path))


def _lines(path: Path) -> list[tuple[float, str]]:
    """Every line of every page, with where it starts from the page's left edge."""
    check_unpacked_size(path, Message("open it in an OFD reader and print it to PDF, or copy its text into a .txt file."))
    try:
        with zipfile.ZipFile(path) as archive:
            root = _xml(archive, "OFD.xml")
            doc_root = next((e.text for e in root.iterfind(".//{*}DocRoot") if e.text), None)
            if doc_root is None:
                raise ValueError("no DocRoot in OFD.xml")
            document_path = PurePosixPath(doc_root.strip().lstrip("/"))
            document = _xml(archive, str(document_path))
            lines: list[tuple[float, str]] = []
            for page in document.iterfind(".//{*}Page"):
                location = page.get("BaseLoc", "")
                if location:
                    lines += _page_lines(_xml(archive, str(document_path.parent / location.lstrip("/"))))
    except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError) as exc:
        raise InputError(
            "{path} is not an OFD we can read ({error}): open it in an OFD reader and print it to PDF, or copy its text into a .txt file.",
            path=path,
            error=str(exc) or type(exc).__name__,
        ) from exc
    return lines


_INDENT_MM = 3.0
"""A line that starts this much right of the text's left margin is indented (a Chinese character
is about 5 mm wide at the usual size)."""
_ENDS_PARAGRAPH = ("。", "！", "？", "：", ":", "!", "?", "；")


def _paragraphs(lines: list[tuple[float, str]]) -> list[str]:
    if not lines:
        return []
    lefts = Counter(round(left) for left, _ in lines)
    margin = lefts.most_common(1)[0][0]
    paragraphs: list[str] = []
    for left, text in lines:
        opens = left > margin + _INDENT_MM or not paragraphs or paragraphs[-1].endswith(_ENDS_PARAGRAPH)
        if opens:
            paragraphs.append(text)
        else:
            paragraphs[-1] += gap(paragraphs[-1], text) + text
    return paragraphs


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    return ElementTree.fromstring(archive.read(name))


def _page_lines(page: ElementTree.Element) -> list[tuple[float, str]]:
    """The page's text runs, placed by their position, as lines from top to bottom."""
    runs: list[tuple[float, float, str]] = []
    for text_object in page.iterfind(".//{*}TextObject"):
        left, top = _origin(text_object)
        for code in text_object.iterfind(".//{*}TextCode"):
            if code.text:
                runs.append((top + float(code.get("Y", 0) or 0), left + float(code.get("X", 0) or 0), code.text))
    lines: list[list[tuple[float, str]]] = []
    baseline = None
    for y, x, text in sorted(runs):
        if baseline is None or y - baseline > _SAME_LINE_MM:
            lines.append([])
            baseline = y
        lines[-1].append((x, text))
    return [(min(x for x, _ in line), "".join(text for _, text in sorted(line)).strip()) for line in lines if line]


def _origin(text_object: ElementTree.Element) -> tuple[float, float]:
    """Where a text object's own coordinates start on the page: its Boundary's corner, moved by its
    CTM (a transform's last two numbers) when it has one."""
    left = top = 0.0
    boundary = (text_object.get("Boundary") or "").split()
    if len(boundary) >= 2:
        left, top = float(boundary[0]), float(boundary[1])
    matrix = (text_object.get("CTM") or "").split()
    if len(matrix) == 6:
        left, top = left + float(matrix[4]), top + float(matrix[5])
    return left, top
