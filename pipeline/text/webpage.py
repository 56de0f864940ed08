"""Saved web pages (.html, .htm): the article extracted with trafilatura, the rest reported.

A saved page holds the speech inside the site's chrome: navigation, breadcrumb, share bar, related
news, editor line, copyright and ICP footer. trafilatura finds the article (its headings and bold
text kept as hints); every line of the page's text outside it goes to the report as page furniture,
so nothing disappears silently. The title is the article's <h1>, else the page's <title> without
the site's name after it (……_某某网). The charset comes from the page itself (GBK pages are common).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import RemovedLine
from .blocks import Block

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_SITE_SUFFIX = re.compile(r"\s*[_｜|—–-]+\s*[^_｜|—–-]{2,30}$")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LETTERS = re.compile(r"[\W_]+")


def page_text(data: bytes, path: Path) -> str:
    """The page's markup as text, in the charset it declares (GBK read as its superset GB18030)."""
    declared = _CHARSET.search(data[:4096])
    names = [declared.group(1).decode("ascii").lower()] if declared else []
    names = ["gb18030" if n in ("gbk", "gb2312", "gb_2312-80", "x-gbk") else n for n in names] + ["utf-8", "gb18030"]
    for name in names:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    raise InputError(f"{path} is a web page in a charset we cannot read: save it again as UTF-8 and try again.")


def webpage_blocks(path: Path) -> tuple[list[Block], list[RemovedLine]]:
    """The article's blocks (line numbers are those of the page's source) and the page's other text."""
    import trafilatura
    from lxml import etree

    html = page_text(path.read_bytes(), path)
    xml = trafilatura.extract(html, output_format="xml", include_formatting=True, include_tables=True, include_images=False,
                              include_comments=False, favor_recall=True, with_metadata=True)  # fmt: skip
    if not xml:
        raise InputError(f"{path} holds no article text we can find: copy the speech from the page into a .txt file.")
    doc = etree.fromstring(xml.encode("utf-8"))
    main = doc.find("main")
    source = html.split("\n")
    blocks = _article(main if main is not None else doc, source)
    if not blocks or blocks[0].kind != "heading":
        title = _page_title(html, doc)
        if title:
            blocks.insert(0, Block(title, _line_of(source, title), "heading", 1))
    return blocks, _outside(html, source, blocks)


def _article(main: Any, source: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for element in main.iter("head", "p", "item", "quote", "row"):
        if element.tag in ("p", "item") and element.getparent() is not None and element.getparent().tag in ("quote", "cell"):
            continue  # read with its quote or row
        text = " ".join("".join(element.itertext()).split())
        if not text:
            continue
        line = _line_of(source, text)
        if element.tag == "head":
            level = _HEADINGS.get(str(element.get("rend", "h2")), 2)
            blocks.append(Block(text, line, "heading", level))
            continue
        bold_text = "".join("".join(h.itertext()) for h in element.iter("hi") if "#b" in str(h.get("rend", "")))
        bold = bool(bold_text.strip()) and _LETTERS.sub("", bold_text) == _LETTERS.sub("", text)
        kind = {"item": "list", "quote": "quote", "row": "table"}.get(element.tag, "html")
        blocks.append(Block(text, line, kind, 0, bold))  # type: ignore[arg-type]
    return blocks


def _page_title(html: str, doc: Any) -> str:
    """The page's title without the site's name after it (……_某某网, …… - 某某网)."""
    title = str(doc.get("title") or "").strip()
    if not title:
        found = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
        title = " ".join(found.group(1).split()) if found else ""
    stripped = _SITE_SUFFIX.sub("", title)
    return stripped if len(stripped) >= 4 else title


def _outside(html: str, source: list[str], blocks: list[Block]) -> list[RemovedLine]:
    """Each line of the page's text that is not in the article, as page furniture."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, noscript, template, head"):
        node.decompose()
    body = tree.body
    if body is None:
        return []
    article = "".join(_LETTERS.sub("", b.text) for b in blocks)
    removed: list[RemovedLine] = []
    for text in body.text(separator="\n").split("\n"):
        text = " ".join(text.split())
        letters = _LETTERS.sub("", text)
        if letters and letters not in article:
            removed.append(RemovedLine(_line_of(source, text), text, "web page: not part of the article", "furniture"))
    return removed


def _line_of(source: list[str], text: str) -> int:
    """The page source's line (1-based) where `text` begins, as far as it can be found."""
    probe = text[:8]
    for number, line in enumerate(source, 1):
        if probe in line:
            return number
    return 1
