"""Blocks: what a reader hands the front end — text with its source line and what the format said of it.

A plain-text manuscript says nothing but its lines; Markdown, Word and HTML say which paragraph is a
heading (and of what level), which is bold throughout, quoted, a list item or a table row. Clean and
structure read those hints instead of guessing what the format already said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["text", "heading", "quote", "list", "table", "html", "caption"]


@dataclass(frozen=True)
class Block:
    """One line or paragraph of a manuscript, as its format gave it."""

    text: str
    line: int
    """1-based line number in the source where the block starts."""
    kind: BlockKind = "text"
    level: int = 0
    """For a heading: the level its format gave (Markdown's number of #, Word's outline level)."""
    bold: bool = False
    """All of the block's text is bold (a bold-only paragraph often stands for a heading)."""
    italic: bool = False
    """All of the block's text is italic (an editor's summary, as a rule)."""
    linked: bool = False
    """All of the block's text is a link's (a menu item, a related-news title)."""
    bold_lead: int = 0
    """How many characters the block opens with in bold before plain text follows (a bold lead
    sentence, often a heading that shares its paragraph); 0 when it has none."""
    continues: bool = False
    """The format put this line in the same paragraph as the block before (a soft line break): it is
    joined to it when the sentence runs on, and stays apart when the line before ends a sentence."""

    def with_text(self, text: str) -> Block:
        lead = self.bold_lead if text.startswith(self.text[: self.bold_lead]) else 0
        return Block(text, self.line, self.kind, self.level, self.bold, self.italic, self.linked, lead, self.continues)


def text_blocks(text: str) -> list[Block]:
    """A plain-text manuscript: one block a line, blank lines included (they end paragraphs)."""
    return [Block(line, number) for number, line in enumerate(text.split("\n"), 1)]


_LITERAL_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")


def literal_strong(text: str) -> tuple[str, bool, int]:
    """Bold that CommonMark leaves as literal asterisks in Chinese text (its closing ** must not be
    followed by a letter when preceded by punctuation: **营造良好的营商环境。**面对…, a rule made for
    spaced languages), as a page or a PDF made from such Markdown shows it. Such pairs are bold all
    the same and their marks are syntax, never spoken: (the text without them, whether all of it is
    bold, how many characters a bold lead holds)."""
    if "**" not in text and "__" not in text:
        return text, False, 0
    first = _LITERAL_STRONG.match(text.strip())
    plain = _LITERAL_STRONG.sub(lambda m: m.group(1) or m.group(2), text)
    if first is None:
        return plain, False, 0
    inner = first.group(1) or first.group(2)
    whole = first.end() == len(text.strip())
    return plain, whole, 0 if whole else len(inner)


def unmarked(block: Block) -> Block:
    """`block` with literal ** bold marks read as bold (see `literal_strong`)."""
    plain, whole, lead = literal_strong(block.text)
    if plain == block.text:
        return block
    return Block(plain.strip(), block.line, block.kind, block.level, block.bold or whole, block.italic, block.linked,
                 lead or block.bold_lead, block.continues)  # fmt: skip


_CODE_LANGUAGES = frozenset({
    "bash", "sh", "shell", "zsh", "console", "powershell", "ps1", "bat", "cmd", "python", "py", "json", "js", "javascript",
    "ts", "typescript", "java", "c", "cpp", "c++", "go", "rust", "sql", "yaml", "yml", "toml", "ini", "xml", "html", "css",
    "dockerfile", "makefile", "diff", "kotlin", "swift", "php", "ruby", "r", "matlab", "lua", "scala", "csharp", "cs",
})  # fmt: skip
_HAN_SHARE_OF_PROSE = 0.2
"""Chinese prose set as code (a manuscript's indented paragraph) is mostly hanzi; a command, a
program or JSON with a few Chinese words in it is not."""


def is_code(rows: list[str], language: str = "") -> bool:
    """Program code, not speech: a block its fence calls a programming language, or one in which few
    characters are Chinese. A paragraph of speech that merely came out indented or preformatted is
    kept."""
    if language.strip().lower() in _CODE_LANGUAGES:
        return True
    chars = "".join("".join(row.split()) for row in rows)
    han = sum(1 for c in chars if "\u4e00" <= c <= "\u9fff")
    return bool(chars) and han < _HAN_SHARE_OF_PROSE * len(chars)
