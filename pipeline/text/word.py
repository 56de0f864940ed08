"""Word documents (.docx, read with python-docx; .doc and .wps converted by LibreOffice when it is there).

Read as the printed page shows them: the body's paragraphs with tracked insertions and without
tracked deletions or hidden text; footnotes, endnotes, comments, headers and footers are not in the
body, so they are not spoken. Heading styles and outline levels are headings. Word's automatic
numbering (the 一、 that is not in a paragraph's text but in the numbering definitions) is read from
those definitions and spoken as the reader of the page would see it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..i18n import Message
from .archive import check_unpacked_size
from .blocks import Block

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = {f"{W}del", f"{W}moveFrom", f"{W}delText", f"{W}instrText", f"{W}fldChar"}
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_CN = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an OLE compound file: a Word 97–2003 or WPS document."""


def is_old_word(path: Path) -> bool:
    """A Word 97–2003 or WPS file (an OLE compound file), whatever its name says."""
    try:
        with path.open("rb") as f:
            return f.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE or path.suffix.lower() in (".doc", ".wps")
    except OSError:
        return False


def converted(path: Path, folder: Path) -> Path:
    """A .doc or .wps as .docx, by LibreOffice; without it, one sentence saying what to do."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise InputError(
            "{path} is an old Word or WPS document: "
            "open it in Word or WPS and save it as .docx (or install LibreOffice, which speechcast then uses to convert it), and try again.",
            path=path,
        )
    done = subprocess.run([office, "--headless", "--convert-to", "docx", "--outdir", str(folder), str(path)],
                          capture_output=True, text=True, timeout=180)  # fmt: skip
    target = folder / (path.stem + ".docx")
    if done.returncode != 0 or not target.is_file():
        raise InputError("{path} could not be converted by LibreOffice: open it and save it as .docx, and try again.", path=path)
    return target


def word_blocks(path: Path) -> list[Block]:
    """The document's body as blocks (line numbers count its paragraphs)."""
    if is_old_word(path):
        with tempfile.TemporaryDirectory(prefix="speechcast-word-") as folder:
            return word_blocks(converted(path, Path(folder)))
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    check_unpacked_size(path, Message("open it in Word and save it again, or copy its text into a .txt file."))
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, LxmlError) as exc:  # LxmlError: broken or entity-bomb XML
        raise InputError("{path} is not a readable .docx file ({exc}): open and save it again in Word.", path=path, exc=exc) from exc
    numbering = _Numbering(document)
    blocks = []
    # python-docx finds a paragraph's style by scanning every style of the document each time: one
    # lookup per style id keeps a long document linear.
    styles: dict[str | None, Any] = {}
    for number, paragraph in enumerate(document.paragraphs, 1):
        style_id = paragraph._p.style
        if style_id not in styles:
            styles[style_id] = paragraph.style
        style = styles[style_id]
        text = "".join(_visible_text(paragraph._p))
        label = numbering.label(paragraph, style)
        level = _heading_level(paragraph, style)
        if not text.strip() and not label:
            blocks.append(Block("", number))
            continue
        bold = bool(paragraph.runs) and all(r.bold or (r.bold is None and _style_bold(style)) for r in paragraph.runs if r.text.strip())
        blocks.append(Block(label + text.strip(), number, "heading" if level else "text", level, bold))
    return blocks


def _visible_text(element: Any) -> Iterator[str]:
    """The text a reader of the page sees: insertions in, deletions, moved-away and hidden text out."""
    for child in element:
        tag = child.tag
        if tag in _SKIPPED:
            continue
        if tag == f"{W}r" and child.find(f"{W}rPr/{W}vanish") is not None:
            continue  # hidden text
        if tag == f"{W}t":
            yield child.text or ""
        elif tag == f"{W}tab":
            yield " "
        elif tag in (f"{W}br", f"{W}cr"):
            yield "\n"
        elif tag != f"{W}pPr":
            yield from _visible_text(child)


def _heading_level(paragraph: Any, style: Any) -> int:
    while style is not None:
        found = _HEADING_STYLE.match(style.name or "")
        if found:
            return int(found.group(1))
        outline = style.element.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None and int(outline.get(f"{W}val", "9")) < 9:
            return int(outline.get(f"{W}val")) + 1
        style = style.base_style
    own = paragraph._p.find(f"{W}pPr/{W}outlineLvl")
    if own is not None and int(own.get(f"{W}val", "9")) < 9:
        return int(own.get(f"{W}val")) + 1
    return 0


def _style_bold(style: Any) -> bool:
    return bool(style is not None and style.font is not None and style.font.bold)


class _Numbering:
    """Word's automatic numbering: what each numbered paragraph's label reads on the page."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for node in root.findall(f"{W}abstractNum"):
            levels = {}
            for lvl in node.findall(f"{W}lvl"):
                fmt = lvl.find(f"{W}numFmt")
                text = lvl.find(f"{W}lvlText")
                start = lvl.find(f"{W}start")
                levels[int(lvl.get(f"{W}ilvl", "0"))] = (
                    fmt.get(f"{W}val") if fmt is not None else "decimal",
                    text.get(f"{W}val") if text is not None else "",
                    int(start.get(f"{W}val")) if start is not None else 1,
                )
            abstract[node.get(f"{W}abstractNumId")] = levels
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{W}numId")] = abstract.get(ref.get(f"{W}val"), {})

    def label(self, paragraph: Any, style: Any) -> str:
        num_id, ilvl = self._num_pr(paragraph, style)
        levels = self.levels.get(num_id or "", {})
        if num_id is None or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [levels[k][2] - 1 if k in levels else 0 for k in range(9)])
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = levels[deeper][2] - 1 if deeper in levels else 0
        fmt, text, _ = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""  # a bullet is not read out
        return re.sub(r"%(\d)", lambda m: _format(counters[int(m.group(1)) - 1], levels.get(int(m.group(1)) - 1, levels[ilvl])[0]), text)

    @staticmethod
    def _num_pr(paragraph: Any, style: Any) -> tuple[str | None, int]:
        for owner in (paragraph._p, *(_style_chain(style))):
            pr = owner.find(f"{W}pPr/{W}numPr")
            if pr is not None:
                num = pr.find(f"{W}numId")
                lvl = pr.find(f"{W}ilvl")
                if num is not None and num.get(f"{W}val") != "0":
                    return num.get(f"{W}val"), int(lvl.get(f"{W}val")) if lvl is not None else 0
        return None, 0


def _style_chain(style: Any) -> Iterator[Any]:
    while style is not None:
        yield style.element
        style = style.base_style


def _format(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting", "japaneseCounting"):
        return _chinese(n, _CN)
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional"):
        return _chinese(n, _CN_LEGAL)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x245F + n) if 1 <= n <= 20 else str(n)
    if fmt == "decimalFullWidth":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(n)


def _chinese(n: int, digits: str) -> str:
    if n < 10:
        return digits[n]
    tens, units = divmod(n, 10)
    ten = "十" if digits is _CN else "拾"
    return (digits[tens] if tens > 1 else "") + ten + (digits[units] if units else "")


def _roman(n: int) -> str:
    out = ""
    for value, mark in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + mark, n - value
    return out
