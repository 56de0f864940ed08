"""The data that flows between stages (docs/architecture.md, "Data flow").

file ─load→ text ─clean→ lines + removal report ─structure→ Script ─split→ Chunks     text/
Chunks ─synthesize→ engine audio                                                   speech/
audio ─assemble→ Timeline + PCM                                                     sound/
Timeline ─write→ files                                                              publish/
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SectionKind = Literal["opening", "section", "closing"]

#: What follows a chunk decides the silence placed after it (see settings.Pauses).
PauseKind = Literal["clause", "sentence", "paragraph", "subsection", "section", "title", "end"]

ChunkRole = Literal["title", "salutation", "heading", "body"]

#: What a removed piece was, for the report: editorial notes and lead-ins, publication data (source,
#: editor, dates, promotion, copyright), markup, page furniture, appendices after the speech, stage notes.
RemovedKind = Literal["notes", "publication", "markup", "furniture", "appendix", "stage"]
REMOVED_KINDS: tuple[RemovedKind, ...] = ("notes", "publication", "markup", "furniture", "appendix", "stage")


@dataclass(frozen=True)
class RemovedLine:
    """A line (or part of one) the cleaner took out, so nothing disappears silently."""

    line: int
    """1-based line number in the loaded text."""
    text: str
    """Exactly the characters removed (a whole line, or a stage note / debris inside one)."""
    reason: str
    """Short human reason, e.g. "advert: QQ contact", "page mark", "repeated header"."""
    kind: RemovedKind = "publication"
    """The family the reason belongs to (outline groups the report by it)."""


@dataclass
class Section:
    """A stretch of the speech with its own chapter mark.

    Level-1 sections (and the opening and closing) get a track of their own; deeper levels are
    chapter marks inside their parent's track.
    """

    title: str
    """The heading as spoken, e.g. "一、增强宗旨意识"; "" for an opening with no heading."""
    level: int = 1
    """1 = 一、/第一部分; 2 = （一）; 3 = 1.; 4 = （1）. Opening and closing are level 1."""
    paragraphs: list[str] = field(default_factory=list)
    kind: SectionKind = "section"
    note: str = ""
    """Why the structure finder is unsure about this section (written as a comment in outline)."""

    @property
    def chars(self) -> int:
        return len(self.title) + sum(len(p) for p in self.paragraphs)


@dataclass
class Script:
    """A manuscript as a listener hears it: the one form a person can read and edit
    (docs/architecture.md, "The Script and its Markdown form")."""

    title: str
    salutation: str = ""
    sections: list[Section] = field(default_factory=list)
    """In spoken order. sections[0] is always the opening (kind "opening", title "", possibly with
    no paragraphs): the title and the salutation are spoken at its start, so it is never empty."""
    warnings: list[str] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)
    appendices: list[Section] = field(default_factory=list)
    """Appendices after the speech (附件, 附录, 名词解释): not spoken unless asked for, kept here and
    in the script as commented sections (their lines are in `removed` too, of kind "appendix")."""
    source: str = ""
    """Path of the file this script came from ("" when built in memory)."""
    speaker: str = ""
    """Who gave the speech, as the title block names them (县委书记 张三): read once after the title."""
    date: str = ""
    """When, as the title block writes it (2024年3月5日): read after the speaker."""

    @property
    def byline(self) -> list[str]:
        """What is read after the title: the speaker, then the date."""
        return [text for text in (self.speaker, self.date) if text]

    @property
    def chars(self) -> int:
        return len(self.title) + sum(map(len, self.byline)) + len(self.salutation) + sum(s.chars for s in self.sections)


@dataclass(frozen=True)
class Chunk:
    """The unit sent to an engine."""

    text: str
    section: int
    """Index into Script.sections (the title and salutation belong to section 0, the opening)."""
    paragraph: int
    """Index into the section's paragraphs; -1 for a heading, the title or the salutation."""
    sentence: int
    """Sentence number inside the paragraph (0-based)."""
    part: int = 0
    """Piece number when a long sentence was split (0-based)."""
    pause_after: PauseKind = "sentence"
    role: ChunkRole = "body"

    @property
    def key(self) -> tuple[int, int, int]:
        """Identifies the sentence this chunk belongs to (a sentence may span several chunks)."""
        return (self.section, self.paragraph, self.sentence)


@dataclass(frozen=True)
class Placement:
    """Where one chunk's trimmed audio sits in the whole programme, in samples."""

    chunk: Chunk
    start: int
    end: int


@dataclass(frozen=True)
class SectionSpan:
    """Where a section sits in the whole programme. A section owns the pause after it, so
    spans tile the programme with no gap: span[i].end == span[i+1].start."""

    index: int
    """Index into Script.sections."""
    title: str
    """Display title: the heading, or 开场 / 结束语 for an opening or closing without one."""
    level: int
    track: int
    """1-based number of the track (section file) that holds it."""
    start: int
    end: int


@dataclass
class Timeline:
    """Every chunk and section placed, in samples at `sample_rate`; ms are read off it."""

    sample_rate: int
    length: int = 0
    placements: list[Placement] = field(default_factory=list)
    sections: list[SectionSpan] = field(default_factory=list)

    def ms(self, samples: int) -> int:
        return round(samples * 1000 / self.sample_rate)
