"""Take adverts, watermarks and page furniture out of a manuscript, and say what was taken (docs/architecture.md,
"Chinese manuscripts").

Conservative by design: a line goes only when a rule names it, and every removal (a whole line or a
fragment inside one) lands in the report with its line number, its exact text and a reason.
Accounting: for every input line, its non-whitespace characters are exactly those of the kept text
plus those of the fragments reported for that line (or of the whole line reported).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Reason, RemovedLine, Section
from .apparatus import CLOSING_END, apparatus_verdicts
from .blocks import Block, text_blocks
from .dates import date_of
from .delivery import CLOCK
from .evidence import Line, fitted, junk_features
from .hanzi import simplified, unified_glyphs
from .keywords import PROMOTION, keyword_verdicts
from .opening import is_salutation, names_a_speech, speaker_of

#: A header/footer is short and repeats; speech lines rarely repeat word for word three times.
_REPEAT_MAX = 30
_REPEAT_MIN_COUNT = 3
_BLOCK_LINE_MAX = 30

_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_DEBRIS_SYMBOLS = frozenset("/%;!#&*^_+=~|<>`@$\\[]{}'\"")

#: In-line debris, tried in one pass so fragments are reported in the order they stand.
_FRAGMENT = re.compile(
    # A terminal colour code (ESC [ 31 m) goes whole: without its ESC the rest would be read out.
    r"(?P<control>\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff\ufffd])"
    r"|(?P<comment><!--.*?-->)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>)"
    # An image whose Markdown the reader could not parse (its address broken over two lines).
    r"|(?P<image>!\[[^\]\n]{0,80}\]\((?:https?:)?//[^\s)]*\)?)"
    # Entities that stand for white space, left by scraped pages; any other "&name;" in plain text is
    # text (Markdown and HTML readers decode their own entities).
    r"|(?P<entity>&(?:nbsp|ensp|emsp|thinsp|#160|#12288|#x[aA]0|#x3000);)"
    r"|(?P<stage>[（(]\s*(?:热烈|长时间|全场|会场|台下)*(?:掌声|鼓掌|笑声|欢笑|大笑|众笑|笑|停顿|稍停|起立|奏乐|欢呼)"
    r"[^（）()\n]{0,6}[）)])"
    r"|(?P<note>(?<=\S)(?:〔\d{1,3}〕|［\d{1,3}］|\[\d{1,3}\]|\[注\s?\d{1,3}\s?\]|\[\^[^\]\s]{1,20}\]|[⑴-⒇])|(?<=[\u4e00-\u9fff。，！？”」』）])[¹²³⁴⁵⁶⁷⁸⁹⁰]+"
    r"|(?<=[^\s：:；;，,、（(])[①-⑳](?=[\s，。；：、！？”’」』）)]|$)|(?<=[。！？”」』])[①-⑳])"
    r"|(?P<editorial>[（(](?:指[^（）()\n]{1,30}|根据[^（）()\n]{0,40}整理|有删节|节选|摘录|编者注[：:][^（）()\n]*|原载[^（）()\n]*|选自[^（）()\n]*)[）)])"
    # A transcript's tag before what was said: [0:02 - 0:04] Speaker 2: (a bracketed time, then a speaker).
    rf"|(?P<timetag>^\[{CLOCK}(?:\s*[-–—~]\s*{CLOCK})?\]\s*(?:(?:Speaker|speaker|说话人|发言人|發言人)\s*\d{{1,2}}\s*[:：]\s*)?)"
    rf"|(?P<debris>(?:(?<=[{_CJK}])|^)[ \t]*(?:[\x21-\x7e]{{1,3}}[ \t]+){{2,}}[\x21-\x7e]{{1,3}}[ \t]*(?=[{_CJK}]|$))"
)

_FRAGMENT_REASONS: dict[str, Reason] = {
    "control": Reason.CONTROL,
    "comment": Reason.HTML_COMMENT,
    "tag": Reason.HTML_TAG,
    "entity": Reason.HTML_ENTITY,
    "image": Reason.IMAGE,
    "stage": Reason.STAGE_NOTE,
    "note": Reason.NOTE_MARK,
    "editorial": Reason.EDITORIAL_PARENTHESIS,
    "debris": Reason.SCRAPING_DEBRIS,
    "timetag": Reason.TIME_TAG,
}

#: The only fragments taken out of a .md script: it is taken as given, so no heuristics.
MARKUP_FRAGMENTS = frozenset({"control", "tag", "entity"})
ALL_FRAGMENTS = frozenset(_FRAGMENT_REASONS)

_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十\d]+)")
_SENTENCE_END = re.compile(r"[。！？!?]$")
_NON_WORD = re.compile(r"[\W_]+")

Verdicts = dict[int, Reason]
"""Row index → why the row goes whole."""


@dataclass
class Cleaned:
    """The manuscript's blocks that remain, and the report of what went."""

    blocks: list[Block]
    """Kept blocks, text stripped of surrounding whitespace and of removed fragments; blank ones omitted."""
    removed: list[RemovedLine] = field(default_factory=list)
    """Whole lines and in-line fragments, in line order."""
    appendices: list[Section] = field(default_factory=list)
    """Appendices after the speech, each a section (their lines are in `removed`, kind "appendix")."""
    unsure: list[RemovedLine] = field(default_factory=list)
    """Lines kept and spoken that the evidence doubts are speech: listed so a person can take them out."""

    @property
    def lines(self) -> list[tuple[int, str]]:
        """(1-based line number, kept text) of every kept block."""
        return [(b.line, b.text) for b in self.blocks]


Kept = frozenset[tuple[int, str]]
"""(line, text) of removed pieces a person put back: the front end leaves exactly these alone."""


def strip_fragments(raw: str, line: int, kinds: frozenset[str] = ALL_FRAGMENTS, keep: Kept = frozenset()) -> tuple[str, list[RemovedLine]]:
    """`raw` without the in-line debris of the given kinds (but those in `keep`), and the report of each piece taken."""
    removed: list[RemovedLine] = []

    def take(match: re.Match[str]) -> str:
        kind = match.lastgroup or ""
        text = match.group()
        if kind not in kinds or (kind == "debris" and not _is_debris(text)) or (line, text.strip() or text) in keep:
            return text
        removed.append(RemovedLine(line, text.strip() or text, _FRAGMENT_REASONS[kind]))
        return ""

    return _FRAGMENT.sub(take, raw), removed


def _is_debris(text: str) -> bool:
    """Anti-scraping noise mixes letters and symbols; real ASCII in a speech (GDP, 5G, 3.5%) does not."""
    return sum(c in _DEBRIS_SYMBOLS for c in text) >= 2 and any(c.isalpha() for c in text)


def clean(source: str | Sequence[Block], removed: Sequence[RemovedLine] = (), keep: Kept = frozenset(), drop: Kept = frozenset()) -> Cleaned:
    """Clean a plain text (one block a line) or a reader's blocks; `removed` is what the reader took
    out already (markup), merged into the report. What `keep` names stays: a piece the reader took
    out goes back as a block of its own at its line, a line or fragment is simply not removed. What
    `drop` names ((line, text) of a kept line) a person took out: it goes, by hand.

    What no rule names is weighed (pipeline.text.evidence): a line the evidence says is surely not
    speech goes; one it doubts is kept, and listed as unsure."""
    rows, probes, verdicts, report = _ruled(source, removed, keep)
    weights = fitted("junk")
    unsure: list[RemovedLine] = []
    for i, features in _weighed(rows, probes, verdicts):
        score = weights.score(features)
        if score >= weights.threshold and (rows[i].line, rows[i].text) not in keep:
            verdicts[i] = Reason.OUTSIDE_SPEECH
        elif score >= UNSURE:
            unsure.append(RemovedLine(rows[i].line, rows[i].text, Reason.OUTSIDE_SPEECH))
    verdicts.update({i: Reason.BY_HAND for i, row in enumerate(rows) if row.text and (row.line, row.text) in drop and i not in verdicts})
    unsure = [u for u in unsure if (u.line, u.text) not in drop]
    report.extend(RemovedLine(rows[i].line, rows[i].text, verdicts[i]) for i in sorted(verdicts))
    report.sort(key=lambda item: item.line)  # stable: fragments of a line keep their order
    kept = [row for i, row in enumerate(rows) if row.text and i not in verdicts]
    return Cleaned(kept, report, _appendices(rows, verdicts), unsure)


UNSURE = 0.5
"""A line the evidence scores this high, but below the weights' threshold, is kept and listed as unsure."""


def junk_evidence(source: str | Sequence[Block], removed: Sequence[RemovedLine] = ()) -> list[tuple[int, str, dict[str, float]]]:
    """(line, text, features) of every line no rule removed: what bench/fit.py learns from."""
    rows, probes, verdicts, _ = _ruled(source, removed, frozenset())
    return [(rows[i].line, rows[i].text, features) for i, features in _weighed(rows, probes, verdicts)]


def _ruled(source: str | Sequence[Block], removed: Sequence[RemovedLine], keep: Kept) -> tuple[list[Block], list[str], Verdicts, list[RemovedLine]]:
    """The rows with their in-line debris taken out, their simplified texts, the rules' verdicts,
    and the report so far (the reader's removals and the fragments)."""
    blocks = text_blocks(source) if isinstance(source, str) else list(source)
    report = [r for r in removed if (r.line, r.text) not in keep]
    back = [Block(r.text, r.line) for r in removed if (r.line, r.text) in keep]
    blocks = sorted([*blocks, *back], key=lambda b: b.line) if back else blocks  # stable: a line's own block first
    rows: list[Block] = []
    for block in blocks:
        if any(block is b for b in back):  # put back as the reader found it: nothing more is taken out of it
            rows.append(block)
            continue
        kept, fragments = strip_fragments(block.text, block.line, keep=keep)
        report.extend(fragments)
        # Text copied out of a PDF carries its font's radical glyphs (⽂件 for 文件): read as the
        # characters they stand for, as a PDF read here is.
        rows.append(block.with_text(unified_glyphs(kept.strip())))
    probes = [simplified(row.text) for row in rows]
    verdicts = keyword_verdicts(probes)
    # A bold number alone (**01**) numbers a 公众号's section; a page number is never set in bold.
    verdicts = {i: v for i, v in verdicts.items() if not (v is Reason.PAGE_MARK and rows[i].bold)}
    verdicts.update({i: Reason.IMAGE_CAPTION for i, row in enumerate(rows) if row.kind == "caption" and row.text})  # the format says so
    verdicts.update(_brand_verdicts(probes, verdicts))
    verdicts.update(_repeat_verdicts(probes, verdicts, rows))
    verdicts.update(_advert_block_verdicts(probes, verdicts))
    verdicts.update(_publication_head_verdicts(probes, verdicts))
    verdicts.update(apparatus_verdicts(rows, probes, verdicts))
    return rows, probes, {i: v for i, v in verdicts.items() if (rows[i].line, rows[i].text) not in keep}, report


def _weighed(rows: list[Block], probes: list[str], verdicts: Verdicts) -> list[tuple[int, dict[str, float]]]:
    """The features of each row no rule removed, read with its neighbours and its place."""
    filled = [i for i, p in enumerate(probes) if p]
    if not filled:
        return []
    head = filled[:_SALUTATION_ROWS]
    salutation = next((i for i in head if i not in verdicts and is_salutation(probes[i])), -1)
    closing = next((i for i in reversed(filled) if i not in verdicts and CLOSING_END.search(probes[i])), len(rows))
    closing = closing if closing >= filled[len(filled) // 2] else len(rows)
    counts = Counter(probes[i] for i in filled)
    found = []
    for k, i in enumerate(filled):
        if i in verdicts or date_of(probes[i]) or speaker_of(probes[i]):
            continue  # a date or a speaker line belongs to the title block, above or signed below
        near = [j for j in filled[max(k - 2, 0) : k + 3] if j != i]
        row = rows[i]
        line = Line(probes[i], row.kind, row.bold, row.italic, row.linked, k / max(len(filled) - 1, 1),
                    sum(j in verdicts for j in near), k > 0 and filled[k - 1] in verdicts, k + 1 < len(filled) and filled[k + 1] in verdicts,
                    i < salutation, i > closing, counts[probes[i]] - 1)  # fmt: skip
        found.append((i, junk_features(line)))
    return found


_SALUTATION_ROWS = 15
"""How far down the salutation may stand (title block, editors' lines, banners above it)."""


def _appendices(rows: list[Block], verdicts: Verdicts) -> list[Section]:
    """The appendix rows as sections: each 附件/附录 heading opens one."""
    sections: list[Section] = []
    for i, row in enumerate(rows):
        if not row.text or verdicts.get(i) is not Reason.APPENDIX:
            continue
        if not sections or _APPENDIX_HEAD.match(simplified(row.text)):
            sections.append(Section(row.text.rstrip("：: ") or row.text, 1, [], "section"))  # 附件： is titled 附件
        else:
            sections[-1].paragraphs.append(row.text)
    return sections


_APPENDIX_HEAD = re.compile(r"^(?:附件|附录|附表|名词解释)")


def _brand_verdicts(probes: list[str], verdicts: Verdicts) -> Verdicts:
    """A short bare name that recurs inside junk lines (酷乐文行 in 酷乐文行整理，咨询QQ…) is the site's brand."""
    junk = [line for i, line in enumerate(probes) if verdicts.get(i) in PROMOTION]
    found: Verdicts = {}
    for i, line in enumerate(probes):
        if i in verdicts or not 2 <= len(line) <= 12 or _NON_WORD.search(line):
            continue
        if sum(line in other for other in junk) >= 2:
            found[i] = Reason.BRAND
    return found


def _repeat_verdicts(probes: list[str], verdicts: Verdicts, rows: list[Block]) -> Verdicts:
    counts = Counter(line for i, line in enumerate(probes) if line and i not in verdicts)
    repeated = {
        line
        for line, count in counts.items()
        if count >= _REPEAT_MIN_COUNT and len(line) <= _REPEAT_MAX and not _SENTENCE_END.search(line) and not _NUMBERED.match(line)
    }
    return {
        i: Reason.REPEATED
        for i, line in enumerate(probes)
        if line in repeated and i not in verdicts and rows[i].kind != "heading"  # a declared heading is the page's own
    }


def _advert_block_verdicts(probes: list[str], verdicts: Verdicts) -> Verdicts:
    """Short slogan lines wedged between two promotion lines of one block (no blank line between)
    are part of the advert. Page furniture does not count as a bound: a title can sit between those."""
    found: Verdicts = {}
    block: list[tuple[int, str]] = []
    for i, line in [*enumerate(probes), (len(probes), "")]:
        if line:
            block.append((i, line))
            continue
        advert_at = [k for k, (n, _) in enumerate(block) if verdicts.get(n) in PROMOTION]
        for first, last in zip(advert_at, advert_at[1:]):
            inner = block[first + 1 : last]
            if all(_slogan_like(n, text, verdicts) for n, text in inner):
                found.update((n, Reason.SLOGAN) for n, _ in inner if n not in verdicts)
        block = []
    return found


def _publication_head_verdicts(probes: list[str], verdicts: Verdicts) -> Verdicts:
    """A short label over a block of publication data (文章信息, 档案卡) belongs to that block: the
    two lines after it are publication data."""
    filled = [i for i, line in enumerate(probes) if line]
    found: Verdicts = {}
    for k, i in enumerate(filled):
        after = filled[k + 1 : k + 3]
        if i in verdicts or len(probes[i]) > _LABEL_MAX or _NON_WORD.sub("", probes[i]) != probes[i].replace(" ", "") or any(c.isdigit() for c in probes[i]):
            continue
        if len(after) == 2 and all(j in verdicts and verdicts[j].kind == "publication" and verdicts[j] not in PROMOTION for j in after):
            found[i] = Reason.PUBLICATION_HEADING
    return found


_LABEL_MAX = 12


def _slogan_like(index: int, line: str, verdicts: Verdicts) -> bool:
    if index in verdicts:
        return True
    # A page laid out as HTML or a PDF has no blank line between its blocks: the title may stand
    # between two adverts there, and it names what the text is.
    return len(line) <= _BLOCK_LINE_MAX and not _SENTENCE_END.search(line) and not _NUMBERED.match(line) and not names_a_speech(line)
