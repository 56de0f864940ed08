"""Markdown manuscripts (collections, note apps, scrapers): parsed with markdown-it-py into blocks.

Most Markdown files in the wild are manuscripts, not scripts of ours: front matter, headings of any
text, bold-only paragraphs, quoted lead-ins, lists, tables, raw HTML, images and badges. The parser
says which is which; HTML is read by selectolax, never stripped with patterns. What is markup only
(front matter, tags, comments, images, rules, link targets) goes to the removal report; every line of
text stays a block of its own, so a byline and a date line are never run together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..model import Reason, RemovedLine
from .blocks import Block, BlockKind, is_code, literal_strong
from .htmlblocks import html_blocks
from .markers import HEADING_MAX

_BREAK_TAGS = frozenset({"<br>", "<br/>", "<br />", "</p>", "<p>"})
_EMPTY_STRONG = re.compile(r"\*\*(\s*)\*\*")


def _without_empty_strong(line: str) -> str:
    """A line with the empty bold a 公众号 export leaves around a heading (**** **增长收敛**, ** **最后的
    话** **) taken out, so the heading reads as the bold line it is; a line of nothing else is a rule."""
    cleaned = _EMPTY_STRONG.sub(lambda m: " " if m.group(1) else "", line)
    return cleaned if cleaned.strip() else line


def markdown_blocks(text: str) -> tuple[list[Block], list[RemovedLine]]:
    """The manuscript's blocks in order, and the markup taken out of it."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    parser = MarkdownIt("commonmark", {"html": True}).use(front_matter_plugin).enable("table")
    source = text.split("\n")
    blocks: list[Block] = []
    removed: list[RemovedLine] = []
    skip = _front_matter_lines(source)
    removed += [RemovedLine(n + 1, source[n], Reason.FRONT_MATTER) for n in range(skip) if source[n].strip()]
    notes = _footnote_lines(source, skip)
    removed += [RemovedLine(n + 1, source[n].strip(), Reason.NOTE) for n in sorted(notes)]
    text = "\n" * skip + "\n".join("" if n in notes else _without_empty_strong(line) for n, line in enumerate(source) if n >= skip)
    context: list[str] = []
    ordered: str = ""
    tokens = parser.parse(text)
    after_image = False
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("blockquote_open", "bullet_list_open", "ordered_list_open"):
            context.append(kind)
        elif kind in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
            context.pop()
        elif kind == "list_item_open":
            ordered = f"{token.info}{token.markup}" if token.info else ""
        elif kind == "front_matter":
            first, last = token.map or (0, 0)
            removed += [RemovedLine(n + 1, source[n], Reason.FRONT_MATTER) for n in range(first, last) if source[n].strip()]
        elif kind == "hr":
            line = (token.map or (0, 0))[0]
            removed.append(RemovedLine(line + 1, source[line].strip(), Reason.HORIZONTAL_RULE))
        elif kind == "html_block":
            blocks += _html_block(token, removed)
        elif kind in ("code_block", "fence"):
            # Indented by four spaces, a manuscript's paragraph becomes "code": it is still speech.
            # A program or a command shown in a talk's script is not.
            start = (token.map or (0, 0))[0] + (kind == "fence")
            rows = [(line, start + k + 1) for k, line in enumerate(token.content.split("\n")) if line.strip()]
            if is_code([row for row, _ in rows], token.info.split()[0] if token.info.strip() else ""):
                removed += [RemovedLine(n, row.strip(), Reason.CODE) for row, n in rows]
            else:
                blocks += [Block(row, n) for row, n in rows]
        elif kind == "inline":
            opening = tokens[index - 1].type if index else ""
            if opening == "heading_open" and _paragraph_marked_heading(token):
                blocks += _paragraph(token, removed, "text", "")
            elif opening == "heading_open" and not _paragraph_over_rule(tokens[index - 1], token):
                level = int(tokens[index - 1].tag[1:])
                lines = list(_lines(token, removed))
                title = "".join(row[0] for row in lines)
                blocks.append(Block(title, lines[0][1] if lines else (token.map or (0, 0))[0] + 1, "heading", level))
            elif opening == "heading_open":
                first, last = tokens[index - 1].map or (0, 1)
                removed.append(RemovedLine(last, source[last - 1].strip(), Reason.HORIZONTAL_RULE))
                blocks += _paragraph(token, removed, "text", "")
            elif _within_page(token):
                removed.append(RemovedLine((token.map or (0, 0))[0] + 1, token.content.strip(), Reason.CONTENTS))
            else:
                where: BlockKind = _kind(context, opening)
                prefix, ordered = ordered, ""
                found = _paragraph(token, removed, where, prefix)
                if after_image and len(found) == 1 and _caption_like(found[0].text):
                    removed.append(RemovedLine(found[0].line, found[0].text, Reason.IMAGE_CAPTION))
                    found = []
                after_image = not found and any(c.type == "image" for c in token.children or [])
                blocks += found
    return blocks, removed


_SENTENCE_IN = re.compile(r"[。！？!?；;]")


def _within_page(token: Any) -> bool:
    """A paragraph that is one link to a place in the same page ([工作总结](#工作总结)): a line of its
    table of contents, which a listener hears as the headings themselves."""
    children = [c for c in token.children or [] if not (c.type == "text" and not c.content.strip()) and c.type not in ("softbreak", "hardbreak")]
    return (
        len(children) >= 3
        and children[0].type == "link_open"
        and str(children[0].attrs.get("href", "")).startswith("#")
        and children[-1].type == "link_close"
        and not any(c.type == "link_open" and not str(c.attrs.get("href", "")).startswith("#") for c in children)
    )


def _paragraph_over_rule(opening: Any, token: Any) -> bool:
    """A paragraph with a rule (---) under it reads as a heading to CommonMark (setext): a heading
    is short and ends no sentence; this is a paragraph, and the rule is markup."""
    return opening.markup in ("-", "=") and (len(token.content) > HEADING_MAX or bool(_SENTENCE_IN.search(token.content)))


def _paragraph_marked_heading(token: Any) -> bool:
    """A long run of sentences behind #### (a scraper's slip): no heading holds a sentence and goes on."""
    return len(token.content) > HEADING_MAX and bool(_INNER_SENTENCE.search(token.content))


_INNER_SENTENCE = re.compile(r"[。！？!?](?=.*[\u4e00-\u9fff])")

_FOOTNOTE = re.compile(r"^\s{0,3}\[\^[^\]\s]{1,20}\]:")


def _footnote_lines(source: Sequence[str], start: int) -> set[int]:
    """Footnote definitions ([^1]: …) and the indented lines that go on with them: notes, never
    speech (the parser would drop a definition nothing refers to without a word)."""
    found: set[int] = set()
    inside = False
    for n in range(start, len(source)):
        line = source[n]
        if _FOOTNOTE.match(line):
            inside = True
        elif not (inside and line.strip() and line[:1] in " \t"):
            inside = False
            continue
        found.add(n)
    return found


_YAML_LINE = re.compile(r"^(?:[A-Za-z_][\w-]*:(?:\s.*)?|\s*-\s.*|\s+\S.*|)$")
_FENCE = re.compile(r"^-{3,}\s*$")
_FRONT_MATTER_MAX = 40


def _front_matter_lines(source: Sequence[str]) -> int:
    """How many leading lines are front matter the parser would miss: a block fenced by --- after
    blank lines, or Hexo's kind with no opening fence (key: value lines closed by ---)."""
    first = next((k for k, line in enumerate(source) if line.strip()), len(source))
    opened = first < len(source) and _FENCE.match(source[first])
    if opened and first == 0:
        return 0  # the parser's own front-matter rule reads it
    body = first + 1 if opened else first
    if body >= len(source) or not re.match(r"^[A-Za-z_][\w-]*:", source[body]):
        return 0
    for k in range(body, min(len(source), body + _FRONT_MATTER_MAX)):
        if _FENCE.match(source[k]):
            return k + 1
        if not _YAML_LINE.match(source[k]):
            return 0
    return 0


def _cjk_strong(row: tuple[str, int, bool, bool, int]) -> tuple[str, int, bool, bool, int]:
    text, line, bold, italic, lead = row
    plain, whole, inner = literal_strong(text)
    if plain == text:
        return row
    return plain.strip(), line, bold or whole, italic, 0 if whole else inner or lead


_CAPTION_MAX = 30
_SENTENCE_MARK = re.compile(r"[。！？!?；;，,：:]")


def _caption_like(text: str) -> bool:
    """A short line under an image, with no sentence in it: the image's caption."""
    return len(text) <= _CAPTION_MAX and not _SENTENCE_MARK.search(text)


_GLUED_CAPTION_MAX = 80
_CREDITED = re.compile(r"图片?来源|图源|来源[:：]|摄影?[\s/／|｜:：]|供图|截图|[|｜]\s*\S+$")


def _glued_caption(text: str) -> bool:
    """Text right after an image on its line: a caption when it credits a source or holds no sentence."""
    text = text.strip()
    return bool(text) and len(text) <= _GLUED_CAPTION_MAX and (bool(_CREDITED.search(text)) or _caption_like(text))


def _kind(context: Sequence[str], opening: str) -> BlockKind:
    if opening in ("th_open", "td_open"):
        return "table"
    if "blockquote_open" in context:
        return "quote"
    if context:
        return "list"
    return "text"


def _paragraph(token: Any, removed: list[RemovedLine], kind: BlockKind, prefix: str) -> list[Block]:
    lines = list(_lines(token, removed))
    shown = [row for row in lines if row[0].strip()]
    bold = bool(shown) and all(row[2] for row in shown)
    italic = bool(shown) and all(row[3] for row in shown)
    blocks = []
    shown = [_cjk_strong(row) for row in shown]
    bold = bool(shown) and all(row[2] for row in shown)
    for k, (text, line, _, _, lead) in enumerate(shown):
        if k == 0 and prefix:
            text, lead = f"{prefix} {text}", lead and lead + len(prefix) + 1
        stripped = len(text) - len(text.lstrip())
        blocks.append(Block(text.strip(), line, kind, 0, bold, italic, bold_lead=max(lead - stripped, 0), continues=k > 0))
    return blocks


def _lines(token: Any, removed: list[RemovedLine]) -> Iterator[tuple[str, int, bool, bool, int]]:
    """(text, line, all bold, all italic, length of a bold lead) for each source line of an inline token."""
    line = (token.map or (0, 0))[0] + 1
    text, bold_chars, italic_chars, plain_chars, lead = "", 0, 0, 0, 0
    strong = emphasis = 0
    pictured = False
    """The line opened with an image: text after it on the line is its caption when it reads so."""
    for child in token.children or []:
        kind = child.type
        if kind in ("softbreak", "hardbreak") or (kind == "html_inline" and child.content.lower() in _BREAK_TAGS):
            if kind == "html_inline":
                removed.append(RemovedLine(line, child.content, Reason.HTML_TAG))
            if pictured and _glued_caption(text):
                removed.append(RemovedLine(line, text.strip(), Reason.IMAGE_CAPTION))
                text = ""
            yield text, line, bold_chars > 0 and plain_chars == 0, italic_chars > 0 and plain_chars == 0, lead * (plain_chars > 0)
            text, bold_chars, italic_chars, plain_chars, lead = "", 0, 0, 0, 0
            pictured = False
            line += kind != "html_inline"
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
            if not strong and not plain_chars and bold_chars and not lead:
                lead = len(text)
        elif kind == "em_open":
            emphasis += 1
        elif kind == "em_close":
            emphasis -= 1
        elif kind in ("text", "code_inline"):
            text += child.content
            visible = len(child.content.strip())
            if strong:
                bold_chars += visible
            if emphasis:
                italic_chars += visible
            if not strong and not emphasis:
                plain_chars += visible
        elif kind == "html_inline":
            removed.append(RemovedLine(line, child.content, Reason.HTML_COMMENT if child.content.startswith("<!--") else Reason.HTML_TAG))
        elif kind == "image":
            pictured = pictured or not text.strip()
            src = child.attrs.get("src", "")
            removed.append(RemovedLine(line, f"![{child.content}]({src})", Reason.IMAGE))
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            if href:
                removed.append(RemovedLine(line, href, Reason.LINK_TARGET))
    if pictured and _glued_caption(text):
        removed.append(RemovedLine(line, text.strip(), Reason.IMAGE_CAPTION))
        text = ""
    yield text, line, bold_chars > 0 and plain_chars == 0, italic_chars > 0 and plain_chars == 0, lead * (plain_chars > 0)


def _html_block(token: Any, removed: list[RemovedLine]) -> list[Block]:
    """Raw HTML between paragraphs: read element by element, its markup reported line by line."""
    return html_blocks(token.content.rstrip("\n"), (token.map or (0, 0))[0] + 1, removed)
