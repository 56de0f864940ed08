"""The data that flows between stages (docs/architecture.md, "Data flow").

file ─load→ text ─clean→ lines + removal report ─structure→ Script ─split→ Chunks     text/
Chunks ─synthesize→ engine audio                                                   speech/
audio ─assemble→ Timeline + PCM                                                     sound/
Timeline ─write→ files                                                              publish/
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from .i18n import Message

SectionKind = Literal["opening", "section", "closing"]

#: What follows a chunk decides the silence placed after it (see settings.Pauses).
PauseKind = Literal["clause", "sentence", "paragraph", "subsection", "section", "title", "end"]

ChunkRole = Literal["title", "salutation", "heading", "body"]

#: What a removed piece was, for the report: editorial notes and lead-ins, publication data (source,
#: editor, dates, promotion, copyright), markup, page furniture, appendices after the speech, stage notes.
RemovedKind = Literal["notes", "publication", "markup", "furniture", "appendix", "stage"]
REMOVED_KINDS: tuple[RemovedKind, ...] = ("notes", "publication", "markup", "furniture", "appendix", "stage")


class Reason(Enum):
    """Why a piece was taken out (or is in doubt): a stable code (the value, written in scripts and
    manifests), the family it belongs to, and a short English description for the report."""

    # Pieces inside a line.
    CONTROL = ("control", "markup", "control character")
    HTML_COMMENT = ("html-comment", "markup", "HTML comment")
    HTML_TAG = ("html-tag", "markup", "HTML tag")
    HTML_ENTITY = ("html-entity", "markup", "HTML entity")
    STAGE_NOTE = ("stage-note", "stage", "stage note (not spoken)")
    NOTE_MARK = ("note-mark", "notes", "note mark")
    EDITORIAL_PARENTHESIS = ("editorial-parenthesis", "notes", "editorial parenthesis")
    SCRAPING_DEBRIS = ("scraping-debris", "markup", "anti-scraping debris")
    TIME_TAG = ("time-tag", "furniture", "a transcript's time and speaker tag")
    # What a reader took out.
    FRONT_MATTER = ("front-matter", "publication", "front matter")
    HORIZONTAL_RULE = ("horizontal-rule", "markup", "horizontal rule")
    IMAGE = ("image", "markup", "image")
    IMAGE_CAPTION = ("image-caption", "publication", "image caption")
    LINK_TARGET = ("link-target", "markup", "link target")
    HTML_MARKUP = ("html-markup", "markup", "HTML markup")
    CODE = ("code", "markup", "program code or a command")
    WEB_CHROME = ("web-chrome", "furniture", "web page: not part of the article")
    PAGE_NUMBER = ("page-number", "furniture", "page number")
    RUNNING_HEADER = ("running-header", "furniture", "running header or footer")
    PRINTER_HEADER = ("printer-header", "furniture", "running header or footer: date or address the printer added")
    # Whole lines, by what they are.
    WATERMARK = ("watermark", "publication", "watermark: not for redistribution")
    CONTACT = ("advert-contact", "publication", "advert: contact")
    SUBSCRIPTION = ("advert-subscription", "publication", "advert: subscription")
    FOLLOW = ("advert-follow", "publication", "advert: follow the account, scan the code")
    APP = ("advert-app", "publication", "advert: app")
    BRAND = ("advert-brand", "publication", "advert: brand name that recurs in adverts")
    SLOGAN = ("advert-slogan", "publication", "advert: slogan between advert lines")
    PROMOTION = ("promotion", "publication", "promotion around the speech")
    WEB_ADDRESS = ("web-address", "publication", "web address")
    PUBLICATION_DATA = ("publication-data", "publication", "web page: source, author, editor or date")
    PUBLICATION_HEADING = ("publication-heading", "publication", "heading of publication data")
    PUBLICATION_IN_BRACKETS = ("publication-in-brackets", "publication", "publication data in brackets")
    PHOTO_CAPTION = ("photo-caption", "publication", "photo caption")
    CREDITS = ("credits", "publication", "credits: who wrote, edited, photographed or sponsored it")
    DATELINE = ("dateline", "publication", "news dateline")
    DOCUMENT_NUMBER = ("document-number", "publication", "document number or letterhead")
    SCRAPER_DUMP = ("scraper-dump", "markup", "scraper debris: a data structure's text")
    PAGE_MARK = ("page-mark", "furniture", "page mark")
    TIME_CODE = ("time-code", "furniture", "a recording's time code (transcript or subtitles)")
    SLIDE_CUE = ("slide-cue", "furniture", "a slide's number or a cue to change it")
    STAGE_DIRECTION = ("stage-direction", "stage", "a stage direction on its own line")
    SITE_BUTTONS = ("site-buttons", "furniture", "web page: buttons and links")
    CONTENTS = ("contents", "furniture", "table of contents: links within the page")
    REPEATED = ("repeated", "furniture", "repeated header or footer")
    REPEATED_TITLE = ("repeated-title", "furniture", "title repeated by the page")
    EMPTY_LABEL = ("empty-label", "publication", "a label with nothing after it")
    # The editors' apparatus, by where it stands.
    LEAD_IN = ("lead-in", "notes", "editor's lead-in")
    HEADNOTE = ("headnote", "notes", "editor's headnote under the title")
    QUOTED_LEAD_IN = ("quoted-lead-in", "notes", "quoted lead-in")
    ITALIC_SUMMARY = ("italic-summary", "notes", "italic summary")
    BEFORE_FULL_TEXT = ("before-full-text", "notes", "editor's words before the speech's full text")
    EDITORIAL_LINE = ("editorial-line", "notes", "editorial line")
    NOTE = ("note", "notes", "note")
    APPENDIX = ("appendix", "appendix", "appendix")
    AFTER_CLOSING = ("after-closing", "publication", "after the closing words: not the speech")
    OUTSIDE_SPEECH = ("outside-speech", "publication", "not the speech, by its form and place (weighed)")
    BY_HAND = ("by-hand", "publication", "taken out by hand")
    #: A reason this version does not know (a script written by another): kept as publication data.
    OTHER = ("other", "publication", "removed")

    def __init__(self, code: str, kind: RemovedKind, text: str) -> None:
        self.code = code
        self.kind: RemovedKind = kind
        self.text = text

    @classmethod
    def of(cls, code: str) -> Reason:
        """The reason a code (or, in a script an earlier version wrote, a description) names; OTHER
        for one this version does not know."""
        return _BY_CODE.get(code, cls.OTHER)

    def __str__(self) -> str:
        return self.text

    @property
    def message(self) -> Message:
        """The description, to be said in the reader's language (the catalogue holds every one)."""
        return Message(self.text)


_BY_CODE = {reason.text: reason for reason in Reason} | {reason.code: reason for reason in Reason}


class Warn(Enum):
    """What a warning is about: a stable code (the value, for tests and callers to compare) and its
    English template (what the reader sees, through the catalogue). Call one with its fields to make
    the Message; `Warn.of(message)` tells a warning's code back, also for one read from a script."""

    JOINED_LINES = (
        "joined-lines",
        "{count} line breaks inside sentences were joined: the copy looks hard-wrapped (as from a PDF); check the paragraphs with `speechcast outline`",
    )
    MUCH_REMOVED = (
        "much-removed",
        "{share} of the manuscript's text was removed as not the speech: check the removal report (`speechcast outline`) and restore what belongs to the speech",
    )
    NO_TITLE = ("no-title", "no title found: the first line reads like speech, so the speech has no title")
    NUMBERING_JUMP = ("numbering-jump", "line {line}: numbering jumps to {number}: {missing} is missing")
    HEADING_NOT_FOUND = (
        "heading-not-found",
        "line {line}: numbering jumps to {number}: {missing} is missing (no single sentence like its siblings was found: add {marker} by hand)",
    )
    HEADING_RECOVERED = ("heading-recovered", "line {line}: numbering jumps to {number}: {missing} is missing; recovered {title} from line {source}: check it")
    OUT_OF_SEQUENCE = ("out-of-sequence", "line {line}: {title} does not follow the numbering before it (an excerpt?)")
    EMPTY_SECTION = ("empty-section", "line {line}: {title} has no text of its own: only its heading will be heard")
    EMPTIED_SECTION = (
        "emptied-section",
        "line {line}: {title} has no text of its own after cleaning: line {numbers} under it went ({reasons}); check the removal report",
    )
    EMPTIED_SECTION_LINES = (
        "emptied-section-lines",
        "line {line}: {title} has no text of its own after cleaning: lines {numbers} under it went ({reasons}); check the removal report",
    )
    OFFLINE_FALLBACK = (
        "offline-fallback",
        "The {wanted} service could not be reached: speaking offline with '{offline}' (robotic but clear); run again online for '{preset}'.",
    )

    def __init__(self, code: str, template: str) -> None:
        self.code, self.template = code, template

    def __call__(self, **fields: Any) -> Message:
        return Message(self.template, **fields)

    @classmethod
    def of(cls, message: Message) -> Warn | None:
        """The kind of a warning (None for one a person wrote into a script)."""
        return _WARN_BY_TEMPLATE.get(message.template)


_WARN_BY_TEMPLATE = {warn.template: warn for warn in Warn}


@dataclass(frozen=True)
class RemovedLine:
    """A line (or part of one) the cleaner took out, so nothing disappears silently."""

    line: int
    """1-based line number in the loaded text."""
    text: str
    """Exactly the characters removed (a whole line, or a stage note / debris inside one)."""
    reason: Reason

    @property
    def kind(self) -> RemovedKind:
        """The family the reason belongs to (outline groups the report by it)."""
        return self.reason.kind


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
    warnings: list[Message] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)
    appendices: list[Section] = field(default_factory=list)
    """Appendices after the speech (附件, 附录, 名词解释): not spoken unless asked for, kept here and
    in the script as commented sections (their lines are in `removed` too, of kind "appendix")."""
    source: str = ""
    """Path of the file this script came from ("" when built in memory)."""
    unsure: list[RemovedLine] = field(default_factory=list)
    """Lines kept and spoken that may not be the speech (the evidence was weak): a person decides."""
    speaker: str = ""
    """Who gave the speech, as the title block names them (县委书记 张三): read once after the title."""
    date: str = ""
    """When, as the title block writes it (2024年3月5日): read after the speaker."""
    readings: dict[str, str] = field(default_factory=dict)
    """How words of this speech are read, as its script's pronunciations block sets them (词 → pin1 yin1,
    or the characters to say instead): over the user's and the manuscript folder's lexicons."""

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
    sent: str = ""
    """What the engine is sent instead of `text` when a reading was set (homophones, or pinyin for the
    offline voice); "" when it is `text`. Subtitles and the page always show `text`."""

    @property
    def spoken(self) -> str:
        """The text the engine speaks."""
        return self.sent or self.text

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
