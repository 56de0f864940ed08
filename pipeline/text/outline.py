"""The outline a person reads before rendering: structure, counts, duration, doubts and removals."""

from __future__ import annotations

import unicodedata
from collections import Counter

from ..i18n import Language
from ..model import REMOVED_KINDS, Script, Section
from .duration import script_ms, spoken_chars
from .readings import Lexicon
from .split import split_sentences, spoken_heading

_KIND_NAMES = {
    "notes": "notes and editors' lead-ins, headnotes, note marks",
    "publication": "publication data: source, editor, dates, front matter, promotion, copyright",
    "markup": "markup: tags, comments, entities, images, link targets",
    "furniture": "page furniture: page numbers, running headers and footers, site buttons",
    "appendix": "appendices after the speech (kept as commented sections)",
    "stage": "stage notes such as （掌声）",
}


#: Characters that take no speaking time: whitespace and punctuation.
def describe(script: Script, language: Language = Language.ENGLISH) -> str:
    """The outline as `speechcast outline` prints it (the removal reasons in `language`)."""
    estimate, section_ms = script_ms(script)
    total = spoken_chars(script.title + "".join(script.byline) + script.salutation) + sum(section_chars(s) for s in script.sections)
    lines = [f"Title:       {script.title or '(none found)'}"]
    lines += [f"Speaker:     {script.speaker}"] * bool(script.speaker) + [f"Date:        {script.date}"] * bool(script.date)
    lines.append(f"Salutation:  {script.salutation or '(none)'}")
    if script.source:
        lines.append(f"Source:      {script.source}")
    lines += [f"Length:      {total} characters, about {_minutes(estimate)} with the pauses", "", "Sections:"]
    rows = [_row(index, section, section_ms[index]) for index, section in enumerate(script.sections)]
    width = max(display_width(label) for label, _ in rows)
    lines += [f"  {label}{' ' * (width - display_width(label))}  {figures}" for label, figures in rows]
    for index, section in enumerate(script.sections):
        if section.note:
            lines.append(f"  note on {_label(index, section).strip()}: {section.note}")
    if script.warnings:
        lines += ["", "Warnings:", *(f"  - {warning.say(language)}" for warning in script.warnings)]
    if script.appendices:
        lines += ["", f"Appendices ({len(script.appendices)}, not spoken: --appendix speaks them):"]
        lines += [f"  {a.title}: {len(a.paragraphs)} paragraphs" for a in script.appendices]
    if script.unsure:
        lines += ["", f"Kept, unsure ({len(script.unsure)}): spoken, but they may not be the speech; delete them from the script if not:"]
        lines += [f"  line {item.line:>4}  {_visible(item.text)}" for item in script.unsure]
    if script.removed:
        counts = Counter(item.kind for item in script.removed)
        lines += ["", f"Removed ({len(script.removed)}), by kind:"]
        lines += [f"  {kind:<12} {counts[kind]:>4}  {_KIND_NAMES[kind]}" for kind in REMOVED_KINDS if counts[kind]]
        lines += ["", "Removed, line by line:"]
        lines += [f"  line {item.line:>4}  {item.reason.message.say(language)}: {_visible(item.text)}" for item in script.removed]
    return "\n".join(lines) + "\n"


def section_chars(section: Section) -> int:
    return spoken_chars(spoken_heading(section)) + sum(spoken_chars(p) for p in section.paragraphs)


def _label(index: int, section: Section) -> str:
    indent = "  " * (section.level - 1)
    name = section.title or {"opening": "(opening)", "closing": "(closing: 结束语, not spoken)"}.get(section.kind, "")
    return f"{indent}{index:>2}. {name}"


def _row(index: int, section: Section, ms: int) -> tuple[str, str]:
    sentences = sum(len(split_sentences(p)) for p in section.paragraphs)
    chars = section_chars(section)
    marker = "  [recovered]" if section.note.startswith("recovered") else ""
    figures = f"{len(section.paragraphs):>3} paragraphs {sentences:>4} sentences {chars:>6} chars  {_minutes(ms):>8}{marker}"
    return _label(index, section), figures


def _minutes(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d} min"


def _visible(text: str) -> str:
    """Removed control characters shown as escapes, so the outline never garbles a terminal."""
    return "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04x}" for c in text)


def display_width(text: str) -> int:
    """Terminal columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def said_as(script: Script, lexicon: Lexicon) -> str:
    """Every sentence with the pinyin the offline voice will speak (the lexicon applied), then the
    names whose reading is worth checking."""
    from .readings import as_pinyin, uncertain

    lines, spoken = [], []
    for text in [script.title, *script.byline, script.salutation, *(p for s in script.sections for p in [s.title, *s.paragraphs])]:
        for sentence in split_sentences(text) if text else []:
            lines += [sentence, f"    {as_pinyin(sentence, lexicon)}"]
            spoken.append(sentence)
    check = uncertain("\n".join(spoken), lexicon)
    if check:
        lines += ["", "Check these names (set one with `speechcast pronounce WORD pin1 yin1`):"]
        lines += [f"  {word} = {reading}" for word, reading in check]
    return "\n".join(lines)
