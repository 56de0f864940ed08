"""The editable script (docs/architecture.md, "The Script and its Markdown form"): a Script as Markdown a person can fix, and back.

`#` title, `##` section, `###`…`#####` sub-sections, blank lines between paragraphs, `## 结束语` the
closing, `<!-- … -->` comments never spoken (`<!-- warning: … -->`, and `<!-- note: … -->` under a
heading, carry the structure finder's doubts). A .md is taken as given: the only guess made on it is
whether its first paragraph is the salutation; HTML tags and images in it are removed and reported.
"""

from __future__ import annotations

import re

from ..model import RemovedLine, Script, Section
from .clean import MARKUP_FRAGMENTS, strip_fragments
from .structure import CLOSING_TITLE, is_salutation

_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_WARNING = "warning:"
_NOTE = "note:"


def to_markdown(script: Script) -> str:
    blocks: list[str] = []
    if script.title:
        blocks.append(f"# {script.title}")
    blocks += [_comment(_WARNING, warning) for warning in script.warnings]
    if script.salutation:
        blocks.append(script.salutation)
    for section in script.sections:
        if section.kind != "opening":
            blocks.append("#" * (min(section.level, 4) + 1) + " " + section.title)
            if section.note:
                blocks.append(_comment(_NOTE, section.note))
        blocks += section.paragraphs
    return "\n\n".join(blocks) + "\n"


def _comment(label: str, text: str) -> str:
    return f"<!-- {label} {text.replace('--', '—')} -->"


def from_markdown(text: str, source: str = "") -> Script:
    comments: dict[int, list[str]] = {}

    def lift(match: re.Match[str]) -> str:
        line = text.count("\n", 0, match.start()) + 1
        comments.setdefault(line, []).append(" ".join(match.group(1).split()))
        return "\n" * match.group().count("\n")

    body = _COMMENT.sub(lift, text)
    script = Script(title="", sections=[Section("", 1, [], "opening")], source=source)
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            script.sections[-1].paragraphs.append(_join(paragraph))
            paragraph.clear()

    for number, raw in enumerate(body.split("\n"), 1):
        for comment in comments.get(number, []):
            _take_comment(script, comment)
        line = _strip_markup(raw, number, script.removed).strip()
        heading = _HEADING.match(line)
        if heading or not line:
            flush()
        if heading:
            _add_heading(script, len(heading.group(1)), heading.group(2))
        elif line:
            paragraph.append(line)
    flush()
    opening = script.sections[0].paragraphs
    if opening and is_salutation(opening[0]):
        script.salutation = opening.pop(0)
    return script


def _strip_markup(raw: str, number: int, removed: list[RemovedLine]) -> str:
    for image in _IMAGE.findall(raw):
        removed.append(RemovedLine(number, image, "Markdown image"))
    kept, fragments = strip_fragments(_IMAGE.sub("", raw), number, MARKUP_FRAGMENTS)
    removed.extend(fragments)
    return kept


def _take_comment(script: Script, comment: str) -> None:
    if comment.startswith(_WARNING):
        script.warnings.append(comment[len(_WARNING) :].strip())
    elif comment.startswith(_NOTE) and len(script.sections) > 1 and not script.sections[-1].paragraphs:
        script.sections[-1].note = comment[len(_NOTE) :].strip()


def _add_heading(script: Script, hashes: int, title: str) -> None:
    if hashes == 1 and not script.title and len(script.sections) == 1 and not script.sections[0].paragraphs:
        script.title = title
    elif hashes <= 2 and title == CLOSING_TITLE:
        script.sections.append(Section(title, 1, [], "closing"))
    else:
        script.sections.append(Section(title, min(max(hashes - 1, 1), 4), [], "section"))


def _join(lines: list[str]) -> str:
    """Lines of one paragraph: Chinese joins with nothing, Latin words keep a space between."""
    text = lines[0]
    for line in lines[1:]:
        spaced = text[-1:].isascii() and text[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum()
        text += (" " if spaced else "") + line
    return text
