"""Find a manuscript's title, salutation, sections and closing in its cleaned lines (docs/architecture.md,
"Chinese manuscripts").

Headings are recognised only at paragraph start and only where their numbers run in sequence; a
gap is reported, and a heading the source lost is recovered when one short sentence in the right
place is clearly parallel to its siblings (the seed manuscript lost 一、增强宗旨意识 that way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import RemovedLine, Script, Section
from .clean import Cleaned

#: A heading is at most this long (marker included); a longer first clause is a numbered paragraph.
HEADING_MAX = 40
_TITLE_MAX = 60
_BYLINE_MAX = 20
CLOSING_TITLE = "结束语"

_CN_DIGITS = "零一二三四五六七八九"
_CN_NUMBER = "[一二三四五六七八九十]+"

#: Ranks from the outermost: 第一部分/第一章 › 一、 › （一） › 1. › （1）. Each has prefix, number, suffix groups.
_MARKERS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"^(第)({_CN_NUMBER}|\d{{1,2}})(部分|章|篇|讲|单元)"),
    re.compile(rf"^()({_CN_NUMBER})([、.．])"),
    re.compile(rf"^([（(])({_CN_NUMBER})([）)])"),
    re.compile(r"^()(\d{1,2})([.．、])(?!\d)"),
    re.compile(r"^([（(])(\d{1,2})([）)])"),
)
_HEADING_END = re.compile(r"[。！？：:!?]")
_TRAILING = "。：:．.！!？? \u3000"

# Simplified and traditional forms side by side: manuscripts come in both.
_ADDRESS = re.compile(
    r"同志[们們]|各位|代表|[来來]宾|[来來]賓|嘉[宾賓]|朋友[们們]|[领領][导導]|老[师師][们們]|同[学學][们們]|女士[们們]|先生[们們]|同仁|[乡鄉]亲[们們]|[战戰]友[们們]|家人[们們]"
)
_SALUTATION = re.compile(r"^[^。！？!?]{1,40}?[：:！!]")
_CLOSING_END = re.compile(
    r"[谢謝][谢謝](?:大家|各位|！)|[讲講][话話]到此|就[讲講]到[这這][里裡]|就[讲講][这這]些|[讲講][这這]么多|以上是我的|我的[发發]言完了|我的[讲講][话話]完了"
)
_CLOSING_START = re.compile(
    r"^(?:同志[们們][，！,!]|[总總]之|[总總]而言之|[综綜]上所述|最[后後][，,]?[让讓]我[们們]|[让讓]我[们們]|千里之行|新的征程|新征程上|行百里者)"
)
_CLOSING_HEADING = re.compile(r"^(?:结束语|结语)$")
_ENUMERATION = re.compile(r"^(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]|首先|其次|再次|最后|另外|此外)")
_INNER_PUNCT = re.compile(r"[，、；：,;:“”\"（）()《》]")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")
_PARAGRAPH_END = re.compile(r"[。！？!?：:；;…”’」』）)】》]$")
WRAP_SHARE = 0.9
"""A line at least this share of the usual full line's length runs to the margin."""
WRAP_MIN_BREAKS = 3
"""Lines running to the margin mid-sentence before a manuscript counts as hard-wrapped."""


@dataclass
class _Heading:
    rank: int
    number: int
    title: str
    line: int
    prefix: str = ""
    suffix: str = ""
    raw: str = ""
    """The whole source line, restored if the candidate is rejected."""
    shares_line: bool = False
    """Body text from the same line follows as the next item."""
    note: str = ""


@dataclass
class _Para:
    text: str
    line: int


_Item = _Heading | _Para


@dataclass
class _Build:
    """What the passes below share while they rearrange one manuscript."""

    items: list[_Item]
    warnings: list[str] = field(default_factory=list)
    gaps: list[tuple[_Heading, int]] = field(default_factory=list)
    """Accepted headings whose numbering skipped ahead, with the number that was expected."""


def build_script(cleaned: Cleaned, source: str = "") -> Script:
    lines, joined = rejoin_wrapped([(n, text) for n, text in cleaned.lines if text])
    title, lines = _take_title(lines)
    salutation, lines = _take_salutation(lines)
    build = _Build(_split_headings(lines))
    _accept_headings(build)
    _recover_lost_headings(build)
    _report_empty_sections(build, cleaned)
    if joined:
        build.warnings.append(
            f"{joined} line breaks inside sentences were joined: the copy looks hard-wrapped (as from a PDF); "
            "check the paragraphs with `speechcast outline`"
        )
    if not title:
        build.warnings.append("no title found: the first line reads like speech, so the speech has no title")
    return Script(
        title=title,
        salutation=salutation,
        sections=_sections(build.items),
        warnings=build.warnings,
        removed=list(cleaned.removed),
        source=source,
    )


# --- hard-wrapped copies ---------------------------------------------------------------------


def rejoin_wrapped(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], int]:
    """Paragraphs of a hard-wrapped copy joined back together, and how many line breaks went.

    Text copied out of a PDF breaks every line at the page margin, mid-sentence: read as they are,
    those lines would be paragraphs, with a paragraph's pause in the middle of each sentence. A line
    is continued by the next when it reaches the margin without ending a sentence and the next does
    not open a heading; a manuscript counts as wrapped only when several lines do so (a paragraph
    that merely lacks its full stop is left alone). A paragraph whose last line happens to end at
    the margin with a full stop cannot be told from two paragraphs, and stays two.
    """
    lengths = sorted(len(text) for _, text in lines)
    if len(lengths) < WRAP_MIN_BREAKS:
        return lines, 0
    margin = WRAP_SHARE * lengths[(len(lengths) * 3) // 4]

    def runs_on(text: str) -> bool:
        return len(text) >= margin and not _PARAGRAPH_END.search(text)

    if sum(runs_on(text) for _, text in lines) < WRAP_MIN_BREAKS:
        return lines, 0
    out: list[tuple[int, str]] = []
    joined = 0
    previous = ""
    for number, text in lines:
        if out and runs_on(previous) and _marker(text) is None and not _CLOSING_HEADING.match(text):
            gap = " " if previous[-1].isascii() and previous[-1].isalpha() and text[0].isascii() and text[0].isalpha() else ""
            out[-1] = (out[-1][0], out[-1][1] + gap + text)
            joined += 1
        else:
            out.append((number, text))
        previous = text
    return out, joined


# --- title and salutation -------------------------------------------------------------------


def is_salutation(text: str) -> bool:
    """A short address that ends in ：/！ and names the audience (同志们：, 各位代表、各位来宾：)."""
    match = _SALUTATION.match(text)
    return bool(match and match.end() == len(text) and _ADDRESS.search(text))


def _take_title(lines: list[tuple[int, str]]) -> tuple[str, list[tuple[int, str]]]:
    if not lines or not _title_like(lines[0][1], _TITLE_MAX):
        return "", lines
    parts = [lines[0][1]]
    rest = lines[1:]
    # A subtitle (——在…会议上的讲话) or a byline (date, speaker) directly under the title belongs to it.
    while rest and len(parts) < 3 and (rest[0][1].startswith("—") or _title_like(rest[0][1], _BYLINE_MAX)):
        parts.append(rest[0][1])
        rest = rest[1:]
    if not rest:
        return "", lines
    return "".join(p if p.startswith("—") or i == 0 else " " + p for i, p in enumerate(parts)), rest


def _title_like(text: str, limit: int) -> bool:
    return (
        len(text) <= limit
        and not re.search(r"[。！？!?：:；;，,]$", text)
        and _marker(text) is None
        and not is_salutation(text)
    )


def _take_salutation(lines: list[tuple[int, str]]) -> tuple[str, list[tuple[int, str]]]:
    if not lines:
        return "", lines
    number, text = lines[0]
    match = _SALUTATION.match(text)
    if not match or not _ADDRESS.search(match.group()):
        return "", lines
    rest = text[match.end() :].strip()
    return match.group().strip(), ([(number, rest)] if rest else []) + lines[1:]


# --- headings -------------------------------------------------------------------------------


def _marker(text: str) -> tuple[int, re.Match[str]] | None:
    for rank, pattern in enumerate(_MARKERS):
        match = pattern.match(text)
        if match:
            return rank, match
    return None


def _split_headings(lines: list[tuple[int, str]]) -> list[_Item]:
    """Each line as a paragraph, or as a candidate heading plus the body that shares its line."""
    items: list[_Item] = []
    for number, text in lines:
        if _CLOSING_HEADING.match(text):
            items.append(_Heading(-1, 0, CLOSING_TITLE, number))
            continue
        found = _marker(text)
        end = _HEADING_END.search(text)
        head = text[: end.start()] if end else text
        if found is None or len(head) > HEADING_MAX or len(head) == found[1].end():
            items.append(_Para(text, number))
            continue
        rank, match = found
        prefix, digits, suffix = match.groups()
        rest = text[end.end() :].strip() if end else ""
        items.append(
            _Heading(rank, _to_int(digits), head.rstrip(_TRAILING), number, prefix, suffix, text, bool(rest))
        )
        if rest:
            items.append(_Para(rest, number))
    return items


def _accept_headings(build: _Build) -> None:
    """Keep candidates whose numbers run in sequence; the rest go back to being body text.

    A number may skip ahead (a lost heading) when a same-rank heading came before it in the same
    scope, or when the next one follows it: 二、 opening a scope counts only if 三、 comes next.
    """
    expected: dict[int, int] = {}
    items = build.items
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if not isinstance(item, _Heading) or item.rank < 0:
            continue
        want = expected.get(item.rank, 1)
        seen_before = want > 1
        gap_ok = want < item.number <= want + 2 and (seen_before or _next_number(items, index - 1) == item.number + 1)
        if item.number != want and not gap_ok:
            items[index - 1 : index + item.shares_line] = [_Para(item.raw, item.line)]
            continue
        if item.number != want:
            build.gaps.append((item, want))
        expected[item.rank] = item.number + 1
        for deeper in [rank for rank in expected if rank > item.rank]:
            del expected[deeper]


def _next_number(items: list[_Item], index: int) -> int | None:
    rank = items[index].rank  # type: ignore[union-attr]
    for item in items[index + 1 :]:
        if isinstance(item, _Heading) and 0 <= item.rank <= rank:
            return item.number if item.rank == rank else None
    return None


# --- recovery of a lost heading -------------------------------------------------------------


def _recover_lost_headings(build: _Build) -> None:
    """Where exactly one number is missing, look in the text before the heading after the gap for
    one short sentence parallel to the siblings (no inner punctuation, a sibling's length)."""
    for heading, want in build.gaps:
        missing = "、".join(_marker_text(heading, n) for n in range(want, heading.number))
        warning = f"line {heading.line}: numbering jumps to {_marker_text(heading, heading.number)}: {missing} is missing"
        if heading.number == want + 1:
            warning += _recover(build, heading, want)
        build.warnings.append(warning)


def _scope_start(items: list[_Item], index: int) -> int:
    rank = items[index].rank  # type: ignore[union-attr]
    for back in range(index - 1, -1, -1):
        other = items[back]
        if isinstance(other, _Heading) and 0 <= other.rank <= rank:
            return back + 1
    return 0


def _recover(build: _Build, heading: _Heading, number: int) -> str:
    """Insert the lost heading if exactly one candidate sentence exists; say what happened."""
    end = next(k for k, item in enumerate(build.items) if item is heading)
    siblings = [i for i in build.items if isinstance(i, _Heading) and i.rank == heading.rank]
    lengths = [len(s.title) - len(_marker_text(s, s.number)) for s in siblings]
    low, high = max(2, min(lengths) - 2), max(lengths) + 2
    found: list[tuple[int, int, int]] = []  # (item index, sentence start, sentence end)
    for at in range(_scope_start(build.items, end), end):
        para = build.items[at]
        if not isinstance(para, _Para):
            continue
        for match in _SENTENCE.finditer(para.text):
            words = match.group().strip().rstrip(_TRAILING)
            if low <= len(words) <= high and not _INNER_PUNCT.search(words) and not _ENUMERATION.match(words):
                found.append((at, match.start(), match.end()))
    marker = _marker_text(heading, number)
    if len(found) != 1:
        return f" (no single sentence like its siblings was found: add {marker} by hand)"
    at, begin, finish = found[0]
    para = build.items[at]
    assert isinstance(para, _Para)
    sentence = para.text[begin:finish].strip()
    title = marker + sentence.rstrip(_TRAILING)
    recovered = _Heading(heading.rank, number, title, para.line, heading.prefix, heading.suffix)
    recovered.note = f"recovered: line {para.line} held {sentence} with no {marker} and no line break before it"
    before, after = para.text[:begin].strip(), para.text[finish:].strip()
    build.items[at : at + 1] = [
        *([_Para(before, para.line)] if before else []),
        recovered,
        *([_Para(after, para.line)] if after else []),
    ]
    return f"; recovered {title} from line {para.line}: check it"


# --- sections left empty ----------------------------------------------------------------


def _report_empty_sections(build: _Build, cleaned: Cleaned) -> None:
    """A heading with no text of its own and no sub-section under it: say so, and say which removed
    lines stood under it, so a cleaner's mistake there cannot pass unnoticed."""
    items = build.items
    for index, item in enumerate(items):
        if not isinstance(item, _Heading):
            continue
        following = items[index + 1] if index + 1 < len(items) else None
        if isinstance(following, _Para) or (isinstance(following, _Heading) and following.rank > item.rank >= 0):
            continue
        end = following.line if following is not None else float("inf")
        under = [r for r in cleaned.removed if item.line < r.line < end]
        build.warnings.append(f"line {item.line}: {item.title} has no text of its own" + _removed_under(under))


def _removed_under(removed: list[RemovedLine]) -> str:
    if not removed:
        return ": only its heading will be heard"
    numbers = list(dict.fromkeys(r.line for r in removed))
    lines = "line" + "s" * (len(numbers) > 1) + " " + ", ".join(map(str, numbers))
    reasons = "; ".join(dict.fromkeys(r.reason for r in removed))
    return f" after cleaning: {lines} under it went ({reasons}); check the removal report"


# --- numbers --------------------------------------------------------------------------------


def _to_int(digits: str) -> int:
    if digits.isdigit():
        return int(digits)
    tens, _, units = digits.rpartition("十")
    if "十" not in digits:
        return _CN_DIGITS.index(digits) if len(digits) == 1 else 0
    return (_CN_DIGITS.index(tens) if tens else 1) * 10 + (_CN_DIGITS.index(units) if units else 0)


def _to_chinese(number: int) -> str:
    tens, units = divmod(number, 10)
    if not tens:
        return _CN_DIGITS[units]
    return (_CN_DIGITS[tens] if tens > 1 else "") + "十" + (_CN_DIGITS[units] if units else "")


def _format_number(heading: _Heading, number: int) -> str:
    digits = heading.rank >= 3 or (heading.rank == 0 and heading.title[1:2].isdigit())
    return str(number) if digits else _to_chinese(number)


def _marker_text(heading: _Heading, number: int) -> str:
    return heading.prefix + _format_number(heading, number) + heading.suffix


# --- sections -------------------------------------------------------------------------------


def _sections(items: list[_Item]) -> list[Section]:
    ranks = sorted({i.rank for i in items if isinstance(i, _Heading) and i.rank >= 0})
    sections = [Section("", 1, [], "opening")]
    for item in _with_closing(items):
        if isinstance(item, _Para):
            sections[-1].paragraphs.append(item.text)
        elif item.rank < 0:
            sections.append(Section(CLOSING_TITLE, 1, [], "closing"))
        else:
            sections.append(Section(item.title, min(ranks.index(item.rank) + 1, 4), [], "section", item.note))
    return sections


def _with_closing(items: list[_Item]) -> list[_Item]:
    """Move the closing words (谢谢大家！, 以上是我的发言, a last 让我们…) into a closing section."""
    if any(isinstance(i, _Heading) and i.rank < 0 for i in items):
        return items
    last_heading = max((k for k, i in enumerate(items) if isinstance(i, _Heading)), default=-1)
    body = items[last_heading + 1 :]
    if not body or not isinstance(body[-1], _Para):
        return items
    keep = 1 if last_heading >= 0 else 0
    start = len(body)
    if _CLOSING_END.search(body[-1].text) or _CLOSING_START.match(body[-1].text):
        start -= 1
        while start > keep and _CLOSING_START.match(body[start - 1].text):  # type: ignore[union-attr]
            start -= 1
    if start == len(body) or start < keep:
        return items
    closing = _Heading(-1, 0, CLOSING_TITLE, body[start].line)
    return items[: last_heading + 1 + start] + [closing] + body[start:]
