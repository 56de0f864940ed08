"""The editable script (docs/architecture.md, "The Script and its Markdown form"): a Script as
Markdown a person can fix, and back.

Its first line marks it as ours (SCRIPT_MARK): only a marked file is taken as given. `#` title,
`##` section, `###`…`#####` sub-sections, blank lines between paragraphs, `## 结束语` the closing,
`<!-- … -->` comments never spoken (`<!-- warning: … -->`, and `<!-- note: … -->` under a heading,
carry the structure finder's doubts). Everything the front end removed stays in the script as a
comment (`<!-- removed, line N, KIND (reason): text -->`), and each appendix as a commented
section: take the comment marks away and the text is spoken. The only guess made on a script is
whether its first paragraph is the salutation; HTML tags and images in it are removed and reported.
Under the title, `讲话人：…` and `日期：…` give the speaker and the date: read after the title, without
their labels.
"""

from __future__ import annotations

import re

from ..i18n import parse
from ..model import Reason, RemovedLine, Script, Section
from .clean import MARKUP_FRAGMENTS, strip_fragments
from .opening import is_salutation
from .structure import CLOSING_TITLE

SCRIPT_MARK = "<!-- speechcast script v1 -->"
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_REMOVED = re.compile(r"^(removed|unsure), line (\d+), ([\w-]+) \((.*?)\): (.*)$", re.S)
_APPENDIX = "appendix (not spoken; remove this comment's marks to speak it):"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_SPEAKER = "讲话人："
_DATE = "日期："
_BYLINE = re.compile(r"^(讲话人|日期)[:：]\s*(.+)$")
_WARNING = "warning:"
_READING = re.compile(r"^读音[:：]\s*(.+?)\s*=\s*(.+)$")
"""<!-- 读音：重庆 = chong2 qing4 -->: how a word of this speech is read (speechcast pronounce)."""
_NOTE = "note:"


def is_script(text: str) -> bool:
    """Whether `text` is a script speechcast wrote (its first line is SCRIPT_MARK)."""
    return text.lstrip("\ufeff").split("\n", 1)[0].strip() == SCRIPT_MARK


def to_markdown(script: Script) -> str:
    blocks: list[str] = [SCRIPT_MARK]
    if script.title:
        blocks.append(f"# {script.title}")
    blocks += [_comment(_WARNING, str(warning)) for warning in script.warnings]  # in English: read back by its template
    blocks += [_comment("读音：", f"{word} = {reading}") for word, reading in script.readings.items()]  # see with_reading
    blocks += [f"{_SPEAKER}{script.speaker}"] * bool(script.speaker) + [f"{_DATE}{script.date}"] * bool(script.date)
    if script.salutation:
        blocks.append(script.salutation)
    for section in script.sections:
        if section.kind != "opening":
            title = section.title or (CLOSING_TITLE if section.kind == "closing" else "")  # the script's mark of closing words
            blocks.append("#" * (min(section.level, 4) + 1) + " " + title)
            if section.note:
                blocks.append(_comment(_NOTE, section.note))
        blocks += [_escaped(p) for p in section.paragraphs]
    for appendix in script.appendices:
        body = "\n\n".join([f"## {appendix.title}", *appendix.paragraphs]).replace("--", "—")
        blocks.append(f"<!-- {_APPENDIX}\n\n{body}\n\n-->")
    blocks += [_comment(f"removed, line {r.line}, {r.reason.code} ({r.reason.text}):", r.text) for r in script.removed if r.kind != "appendix"]
    blocks += [_comment(f"unsure, line {r.line}, {r.reason.code} (kept and spoken; delete it above if it is not the speech):", r.text) for r in script.unsure]
    return "\n\n".join(blocks) + "\n"


def with_reading(markdown: str, word: str, reading: str) -> str:
    """`markdown` with a 读音 line setting how `word` is read, in place of the one for the same word
    or after the title (the rest of the script exactly as it was)."""
    line = _comment("读音：", f"{word} = {reading}")
    lines = markdown.split("\n")
    for k, text in enumerate(lines):
        found = _COMMENT.fullmatch(text.strip())
        known = _READING.match(found.group(1).strip()) if found else None
        if known and known.group(1) == word:
            lines[k] = line
            return "\n".join(lines)
    at = next((k + 1 for k, text in enumerate(lines) if text.startswith("# ")), 1 if lines and lines[0].strip() == SCRIPT_MARK else 0)
    return "\n".join([*lines[:at], "", line, *lines[at:]])


def _escaped(paragraph: str) -> str:
    """A paragraph that opens with # (a .txt's "# 第一点") stays a paragraph in the script: \\# marks it."""
    return "\\" + paragraph if paragraph.startswith("#") else paragraph


def _comment(label: str, text: str) -> str:
    return f"<!-- {label} {text.replace('--', '—')} -->"


def from_markdown(text: str, source: str = "") -> Script:
    comments: dict[int, list[str]] = {}
    counted = [0, 1]  # up to which offset the lines are counted, and the line there: matches come in order

    def lift(match: re.Match[str]) -> str:
        counted[1] += text.count("\n", counted[0], match.start())
        counted[0] = match.start()
        line = counted[1]
        inner = match.group(1).strip()
        verbatim = inner.startswith((_APPENDIX, "removed, line ", "unsure, line "))  # their text comes back exactly
        comments.setdefault(line, []).append(inner if verbatim else " ".join(inner.split()))
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
        line = line[1:] if line.startswith("\\#") else line  # a paragraph that opens with #, escaped
        if heading or not line:
            flush()
        if heading:
            _add_heading(script, len(heading.group(1)), heading.group(2))
        elif line:
            paragraph.append(line)
    flush()
    opening = script.sections[0].paragraphs
    while opening and (byline := _BYLINE.match(opening[0])):
        if byline.group(1) == "讲话人":
            script.speaker = byline.group(2).strip()
        else:
            script.date = byline.group(2).strip()
        opening.pop(0)
    if opening and is_salutation(opening[0]):
        script.salutation = opening.pop(0)
    return script


def _strip_markup(raw: str, number: int, removed: list[RemovedLine]) -> str:
    for image in _IMAGE.findall(raw):
        removed.append(RemovedLine(number, image, Reason.IMAGE))
    kept, fragments = strip_fragments(_IMAGE.sub("", raw), number, MARKUP_FRAGMENTS)
    removed.extend(fragments)
    return kept


def _take_comment(script: Script, comment: str) -> None:
    removed = _REMOVED.match(comment)
    if removed:
        which, line, code, described, text = removed.groups()
        piece = RemovedLine(int(line), text, Reason.of(code) if Reason.of(code) is not Reason.OTHER else Reason.of(described))
        (script.removed if which == "removed" else script.unsure).append(piece)
    elif comment.startswith(_APPENDIX):
        _take_appendix(script, comment[len(_APPENDIX) :])
    elif reading := _READING.match(comment):
        script.readings[reading.group(1)] = reading.group(2)
    elif comment.startswith(_WARNING):
        script.warnings.append(parse(comment[len(_WARNING) :].strip()))
    elif comment.startswith(_NOTE) and len(script.sections) > 1 and not script.sections[-1].paragraphs:
        script.sections[-1].note = comment[len(_NOTE) :].strip()


def _take_appendix(script: Script, body: str) -> None:
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    if paragraphs:
        title = _HEADING.match(paragraphs[0])
        script.appendices.append(Section(title.group(2) if title else paragraphs[0], 1, paragraphs[1:], "section"))


def _add_heading(script: Script, hashes: int, title: str) -> None:
    if hashes == 1 and not script.title and len(script.sections) == 1 and not script.sections[0].paragraphs:
        script.title = title
    elif hashes <= 2 and title in (CLOSING_TITLE, "結束語"):  # the script's mark of closing words: not spoken
        script.sections.append(Section("", 1, [], "closing"))
    else:
        script.sections.append(Section(title, min(max(hashes - 1, 1), 4), [], "section"))


def _join(lines: list[str]) -> str:
    """Lines of one paragraph: Chinese joins with nothing, Latin words keep a space between."""
    text = lines[0]
    for line in lines[1:]:
        spaced = text[-1:].isascii() and text[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum()
        text += (" " if spaced else "") + line
    return text
