"""Blocks: what a reader hands the front end — text with its source line and what the format said of it.

A plain-text manuscript says nothing but its lines; Markdown, Word and HTML say which paragraph is a
heading (and of what level), which is bold throughout, quoted, a list item or a table row. Clean and
structure read those hints instead of guessing what the format already said.
"""

from __future__ import annotations

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
