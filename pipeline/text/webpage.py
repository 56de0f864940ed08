"""Saved web pages (.html, .htm, and .mhtml single-file archives): the article extracted with trafilatura, the rest reported.

A saved page holds the speech inside the site's chrome: navigation, breadcrumb, share bar, related
news, editor line, copyright and ICP footer. trafilatura finds the article (its headings and bold
text kept as hints); every line of the page's text outside it goes to the report as page furniture,
so nothing disappears silently. The title is the article's <h1>, else the page's <title> without
the site's name after it (……_某某网). The charset comes from the page itself (GBK pages are common).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..model import Reason, RemovedLine
from .blocks import Block

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_SITE_SUFFIX = re.compile(r"\s*[_｜|—–-]+\s*[^_｜|—–-]{2,30}$")
_LETTERS = re.compile(r"[\W_]+")
_ANCHOR_LETTERS = 10
_SENTENCE = re.compile(r"。")
_CLOSING = re.compile(r"[。！？!?]")
_TAIL_BLOCKS = 2
"""An article's paragraphs hold sentences; the headlines of a list of links do not."""
_RUN_GAP = 2
"""Article blocks with more than this many blocks of something else between them belong to different runs."""


def page_text(data: bytes, path: Path) -> str:
    """The page's markup as text, in the charset it declares (GBK read as its superset GB18030)."""
    declared = _CHARSET.search(data[:4096])
    names = [declared.group(1).decode("ascii").lower()] if declared else []
    names = ["gb18030" if n in ("gbk", "gb2312", "gb_2312-80", "x-gbk") else n for n in names] + ["utf-8", "gb18030"]
    for name in names:
        try:
            return data.decode(name)
        except (LookupError, UnicodeError):  # UnicodeError: a codec that refuses all (charset="undefined")
            continue
    raise InputError("{path} is a web page in a charset we cannot read: save it again as UTF-8 and try again.", path=path)


def _mhtml_page(path: Path) -> str:
    """The page inside a single-file web archive (.mhtml, as a browser saves it): its HTML part."""
    import email
    import email.policy

    archive = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    for part in archive.walk():
        if part.get_content_type() == "text/html":
            # Browsers write the page's bytes as they were, often with no charset on the part: its
            # own <meta charset> says how to read them.
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return page_text(payload, path)
    raise InputError("{path} holds no web page: save the page again as .html (or .mhtml) and try again.", path=path)


def webpage_blocks(path: Path) -> tuple[list[Block], list[RemovedLine]]:
    """The article's blocks (line numbers are those of the page's source) and the page's other text.

    trafilatura says which text is the article; the blocks themselves are read from the page, so
    its headings and bold paragraphs keep their place (trafilatura's own output drops headings it
    judges to be navigation, article headings among them)."""
    import trafilatura

    html = _mhtml_page(path) if path.suffix.lower() in (".mhtml", ".mht") else page_text(path.read_bytes(), path)
    # Layout tables (old government sites) hold the site's menus beside the article: read without
    # tables first, and with them only where the article itself is a table.
    article = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True) or trafilatura.extract(
        html, include_comments=False, include_tables=True, favor_recall=True
    )
    if not article:
        raise InputError("{path} holds no article text we can find: copy the speech from the page into a .txt file.", path=path)
    inside = _LETTERS.sub("", article)
    code: list[RemovedLine] = []
    page = [b for b in _page_blocks(html, code) if _LETTERS.sub("", b.text)]
    # A block that is nothing but a link (a menu item, a related title) is the site's, whatever the
    # extractor took in.
    # (The lines of one element, broken by <br>, are in the article or out of it together.)
    element = [_LETTERS.sub("", "".join(b.text for b in group)) for group in _elements(page) for _ in group]
    found = {k for k, b in enumerate(page) if not b.linked and element[k] in inside}
    # The article spans its substantial blocks: a short one (a breadcrumb's last word, the title
    # in a menu) may match by chance and must not stretch it over the site's chrome.
    substantial = [k for k in sorted(found) if len(_LETTERS.sub("", page[k].text)) >= _ANCHOR_LETTERS]
    anchors = [k for k in substantial if _SENTENCE.search(page[k].text)]
    # A transcript or subtitles page has no full stops at all: its long lines anchor it then.
    anchors = anchors or substantial
    if not anchors:
        raise InputError("{path} holds no article text we can find: copy the speech from the page into a .txt file.", path=path)
    # …and the article is one run of them: a list of links further down that the extractor took in
    # too (hot posts, comments) stands apart, behind blocks that are no part of it.
    runs: list[list[int]] = [[anchors[0]]]
    for k in anchors[1:]:
        strangers = sum(1 for j in range(runs[-1][-1] + 1, k) if j not in found and page[j].kind != "heading")
        if strangers > _RUN_GAP:
            runs.append([])
        runs[-1].append(k)
    best = max(runs, key=lambda run: sum(len(_LETTERS.sub("", page[k].text)) for k in run))
    first, last = best[0], best[-1]
    # …with the article's own short blocks at either end (a salutation, 谢谢大家！) that hold no full stop.
    while first - 1 in found:
        first -= 1
    while last + 1 in found:
        last += 1
    # The extractor may leave out the article's last words (谢谢大家！) beside the related links: a
    # block or two with a sentence in them, no link, straight after it, are the article's too.
    for _ in range(_TAIL_BLOCKS):
        if last + 1 < len(page) and not page[last + 1].linked and _CLOSING.search(page[last + 1].text):
            found.add(last + 1)
            last += 1
    # The article's own title stands just before it as a heading the page's <title> names.
    named = _LETTERS.sub("", _page_title(html))
    title_at = next((k for k in range(first - 1, max(first - 6, -1), -1)
                     if page[k].kind == "heading" and _LETTERS.sub("", page[k].text) and _LETTERS.sub("", page[k].text) in named), None)  # fmt: skip
    if title_at is not None:
        first = title_at
    blocks, removed = [], sorted(code, key=lambda r: r.line)
    for k, block in enumerate(page):
        heading = block.kind == "heading" or (block.bold and len(block.text) <= 40)
        if first <= k <= last and (k in found or heading):
            blocks.append(block)
        else:
            removed.append(RemovedLine(block.line, block.text, Reason.WEB_CHROME))
    if not blocks or blocks[0].kind != "heading":
        title = _page_title(html)
        if title:
            blocks.insert(0, Block(title, 1, "heading", 1))
    return blocks, removed


def _elements(page: list[Block]) -> list[list[Block]]:
    """The page's blocks grouped by the element that holds them (a block that continues the one
    before is that element's next line)."""
    groups: list[list[Block]] = []
    for block in page:
        if block.continues and groups:
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups


def _page_blocks(html: str, removed: list[RemovedLine]) -> list[Block]:
    """Every block of the page's body, in order, as the markup gives it (program code goes to
    `removed`)."""
    from selectolax.lexbor import LexborHTMLParser

    from .htmlblocks import html_blocks

    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return []
    source = html.split("\n")
    start = next((n for n, line in enumerate(source, 1) if "<body" in line.lower()), 1)
    return html_blocks("\n".join(source[start - 1 :]), start, removed, markup_lines=False)


_SCRIPT_IN_TITLE = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.S | re.I)
_TAG_IN_TITLE = re.compile(r"</?[A-Za-z][^<>]*>")


def _page_title(html: str) -> str:
    """The page's title without the site's name after it (……_某某网, …… - 某某网)."""
    from selectolax.lexbor import LexborHTMLParser

    node = LexborHTMLParser(html).css_first("title")
    title = " ".join(node.text().split()) if node is not None else ""
    # <title> holds text only (markup in it is shown as written): a script or tag there is no title.
    title = _TAG_IN_TITLE.sub("", _SCRIPT_IN_TITLE.sub("", title)).strip()
    stripped = _SITE_SUFFIX.sub("", title)
    if stripped != title and len(stripped) < 2:
        return ""  # the page names only its site: the article has no title of its own
    return stripped if len(stripped) >= 4 else title
