"""HTML as blocks: the innermost block elements of a fragment or a page, with what the markup says.

Read by selectolax (lexbor), never stripped with patterns. Markdown manuscripts use it for their raw
HTML blocks, saved web pages for the whole page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import Reason, RemovedLine
from .blocks import Block, BlockKind, is_code, unmarked

_BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "th", "pre", "div", "section", "article", "dd", "dt", "figcaption", "caption"}
)
_HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
_DROPPED_TAGS = "script, style, noscript, template"


def html_blocks(raw: str, start: int, removed: list[RemovedLine], markup_lines: bool = True) -> list[Block]:
    """HTML read by an HTML parser: each innermost block element (p, h2, li, div …) a block, its
    heading level and bold-only-ness kept, text outside any block element a block of its own.
    `start` is the source line `raw` begins on. Text taken out (program code) goes to `removed`, and
    with `markup_lines` (HTML inside a manuscript) so does each source line's markup; a whole web
    page has its markup reported as the page's, not line by line."""
    from selectolax.lexbor import LexborHTMLParser

    raw_lines = raw.split("\n")
    for k, source in enumerate(raw_lines if markup_lines else []):
        markup = _markup_of(LexborHTMLParser, source)
        if markup:
            reason = Reason.HTML_COMMENT if source.strip().startswith("<!--") else Reason.HTML_MARKUP
            removed.append(RemovedLine(start + k, markup, reason))
    tree = LexborHTMLParser(raw)
    for node in tree.css(_DROPPED_TAGS):
        node.decompose()
    body = tree.body
    if body is None:
        return []
    blocks: list[Block] = []
    leaves: set[int] = set()

    def line_of(text: str) -> int:
        return start + next((k for k, source in enumerate(raw_lines) if text[:12] in source), 0)

    for node in body.traverse(include_text=True):
        if node.tag == "-text":
            # Text outside every innermost block element (bare text in a <div>) is a block of its own.
            if any(parent.mem_id in leaves for parent in _ancestors(node)):
                continue
            text = " ".join((node.text(deep=False) or "").split())
            if text:
                blocks.append(Block(text, line_of(text), "html"))
            continue
        if node.tag not in _BLOCK_TAGS or any(c.tag in _BLOCK_TAGS and c.mem_id != node.mem_id for c in node.traverse()):
            continue
        leaves.add(node.mem_id)
        if node.tag == "pre":
            # Preformatted text keeps its lines (an indented paragraph of a manuscript, as Markdown's code).
            rows = [row for row in node.text(separator="").split("\n") if row.strip()]
            if is_code(rows):
                removed += [RemovedLine(line_of(row), row.strip(), Reason.CODE) for row in rows]
            else:
                blocks += [Block(row, line_of(row), "html") for row in rows]
            continue
        strong = "".join(n.text(separator="") for n in node.css("strong, b"))
        level = _HEADING_TAGS.get(node.tag, 0)
        kind = "heading" if level else "caption" if node.tag == "figcaption" else _kind(node)
        # A <br> breaks the line, not the paragraph (同志们：<br>今天……): each line a block that
        # continues the one before, as a soft line break in Markdown.
        rows = [" ".join(row.split()) for row in _lines_of(node)]
        rows = [row for row in rows if row]
        if level:
            rows = [" ".join(rows)]  # a heading broken over two lines is still one heading
        whole = "".join(rows)
        if not whole:
            continue
        bold = bool(strong.strip()) and "".join(strong.split()) == "".join(whole.split())
        linked = "".join("".join(a.text(separator="").split()) for a in node.css("a")) == "".join(whole.split())
        for k, text in enumerate(rows):
            lead = 0 if bold or level or k else _bold_lead(node, text)
            blocks.append(Block(text, line_of(text), kind, level, bold, linked=linked, bold_lead=lead, continues=k > 0))
    return [unmarked(block) for block in blocks]


def _kind(node: Any) -> BlockKind:
    """What the markup says the element is, as Markdown's readers say it: quoted, a list item, a
    table cell, or plain HTML."""
    tags = {node.tag, *(parent.tag for parent in _ancestors(node))}
    return "quote" if "blockquote" in tags else "table" if tags & {"td", "th"} else "list" if tags & {"li", "dd", "dt"} else "html"


def _lines_of(node: Any) -> list[str]:
    """The element's text split where a <br> breaks it."""
    rows = [""]
    for child in node.traverse(include_text=True):
        if child.tag == "br":
            rows.append("")
        elif child.tag == "-text":
            rows[-1] += child.text(deep=False) or ""
    return rows


def _bold_lead(node: Any, text: str) -> int:
    """How many characters of `text` a <strong>/<b> opening the element holds (a lead sentence set in
    bold before the plain text of its paragraph, as Markdown's **…** lead)."""
    first = node.css_first("strong, b")
    if first is None:
        return 0
    lead = " ".join(first.text(separator="").split())
    return len(lead) if lead and text.startswith(lead) and len(lead) < len(text) else 0


def _ancestors(node: Any) -> Iterator[Any]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _markup_of(parser: Any, source: str) -> str:
    """What of one source line of HTML is markup: the line without the text it shows."""
    tree = parser(source)
    for node in tree.css(_DROPPED_TAGS):
        node.decompose()
    shown = tree.body.text(separator="\n") if tree.body is not None else ""
    markup = source
    for piece in shown.split("\n"):
        if piece.strip():
            markup = markup.replace(piece.strip(), " ", 1)
    return " ".join(markup.split())
