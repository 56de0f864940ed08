"""HTML as blocks: the innermost block elements of a fragment or a page, with what the markup says.

Read by selectolax (lexbor), never stripped with patterns. Markdown manuscripts use it for their raw
HTML blocks, saved web pages for the whole page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import Reason, RemovedLine
from .blocks import Block, BlockKind

_BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "th", "pre", "div", "section", "article", "dd", "dt", "figcaption", "caption"})
_HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
_DROPPED_TAGS = "script, style, noscript, template"


def html_blocks(raw: str, start: int, removed: list[RemovedLine] | None = None) -> list[Block]:
    """HTML read by an HTML parser: each innermost block element (p, h2, li, div …) a block, its
    heading level and bold-only-ness kept, text outside any block element a block of its own.
    `start` is the source line `raw` begins on; with `removed`, each source line's markup is reported."""
    from selectolax.lexbor import LexborHTMLParser

    raw_lines = raw.split("\n")
    for k, source in enumerate(raw_lines if removed is not None else []):
        markup = _markup_of(LexborHTMLParser, source)
        if markup:
            reason = Reason.HTML_COMMENT if source.strip().startswith("<!--") else Reason.HTML_MARKUP
            removed.append(RemovedLine(start + k, markup, reason))  # type: ignore[union-attr]
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
        text = " ".join(node.text(separator="").split()) if node.tag != "pre" else node.text(separator="")
        if not text.strip():
            continue
        strong = "".join(n.text(separator="") for n in node.css("strong, b"))
        level = _HEADING_TAGS.get(node.tag, 0)
        bold = bool(strong.strip()) and "".join(strong.split()) == "".join(text.split())
        linked = "".join("".join(a.text(separator="").split()) for a in node.css("a")) == "".join(text.split())
        kind: BlockKind = "heading" if level else "caption" if node.tag == "figcaption" else "html"
        blocks.append(Block(text, line_of(text), kind, level, bold, linked=linked))
    return blocks


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
