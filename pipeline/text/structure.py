"""Find a manuscript's title, salutation, sections and closing in its cleaned lines (docs/architecture.md,
"Chinese manuscripts").

Headings are recognised only at paragraph start and only where their numbers run in sequence; a
gap is reported, and a heading the source lost is recovered when one short sentence in the right
place is clearly parallel to its siblings (the seed manuscript lost 一、增强宗旨意识 that way).
"""

from __future__ import annotations

import re

from ..i18n import LIST, Joined, Message
from ..model import Reason, RemovedLine, Script, Section, Warn
from .apparatus import CLOSING_END
from .clean import Cleaned
from .evidence import fitted
from .hanzi import simplified
from .headings import Build, Heading, Item, Para, accept_headings, plain_headings, split_headings, weigh_headings, weighed
from .markers import CIRCLED_RANK, CIRCLED_ZERO, CLOSING_RANK, FIRST_DIGIT_RANK, TRAILING, to_chinese
from .opening import TitleBlock, take_salutation, take_signature, take_title
from .wrapping import join_continued, rejoin_wrapped

CLOSING_TITLE = "结束语"

_CLOSING_START = re.compile(
    r"^(?:同志[们們][，！,!]|[总總]之|[总總]而言之|[综綜]上所述|最[后後][，,]?[让讓]我[们們]|[让讓]我[们們]|千里之行|新的征程|新征程上|行百里者)"
)
_ENUMERATION = re.compile(r"^(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]|首先|其次|再次|最后|另外|此外)")
_INNER_PUNCT = re.compile(r"[，、；：,;:“”\"（）()《》]")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")


def build_script(cleaned: Cleaned, source: str = "") -> Script:
    top, salutation, build, joined = _candidates(cleaned)
    weigh_headings(build, fitted("heading"))
    _recover_lost_headings(build)
    _report_empty_sections(build, cleaned)
    if joined:
        build.warnings.append(Warn.JOINED_LINES(count=joined))
    share = _removed_share(cleaned)
    if share > REMOVED_SHARE_WARNING:
        build.warnings.append(Warn.MUCH_REMOVED(share=format(share, ".0%")))
    if not top.title:
        build.warnings.append(Warn.NO_TITLE())
    return Script(
        title=top.title,
        salutation=salutation,
        speaker=top.speaker,
        date=top.date,
        sections=_sections(build.items),
        warnings=build.warnings,
        removed=list(cleaned.removed),
        appendices=list(cleaned.appendices),
        unsure=[u for u in cleaned.unsure if u.text not in top.title + top.speaker + top.date],  # the title block is no doubt
        source=source,
    )


_METADATA_TITLE = re.compile(r"^title:\s*['\"]?(.+?)['\"]?\s*$")
_SITE_PARTS = re.compile(r"^[^>]{1,12}->\s*|\s*(?:\||_|-{1,2}|——)\s*[^|_]{1,24}$")


def _metadata_title(cleaned: Cleaned) -> str:
    """The title a Markdown copy's front matter gives (title: 南开大学->……| nankai.info), the site's
    name around it taken off, when the text itself has none."""
    for item in cleaned.removed:
        found = _METADATA_TITLE.match(item.text) if item.reason is Reason.FRONT_MATTER else None
        if found:
            title = _SITE_PARTS.sub("", found.group(1).strip())
            return title if len(title) >= 2 else ""
    return ""


REMOVED_SHARE_WARNING = 0.4
"""Above this share of the text removed (markup aside), a render says so: a rule may have taken speech."""


def _removed_share(cleaned: Cleaned) -> float:
    removed = sum(len(r.text) for r in cleaned.removed if r.kind not in ("markup", "furniture"))
    kept = sum(len(b.text) for b in cleaned.blocks)
    return removed / max(removed + kept, 1)


def _candidates(cleaned: Cleaned) -> tuple[TitleBlock, str, Build, int]:
    """The title block, the salutation, and every heading the rules propose (before any is weighed)."""
    blocks, joined = rejoin_wrapped(join_continued([b for b in cleaned.blocks if b.text]))
    top, blocks = take_title(blocks)
    if not (top.speaker and top.date):
        signed, blocks = take_signature(blocks)
        top = TitleBlock(top.title or _metadata_title(cleaned), top.speaker or signed.speaker, top.date or signed.date)
    elif not top.title:
        top = TitleBlock(_metadata_title(cleaned), top.speaker, top.date)
    salutation, blocks = take_salutation(blocks)
    build = Build(split_headings(blocks))
    accept_headings(build)
    plain_headings(build)
    return top, salutation, build, joined


def heading_evidence(cleaned: Cleaned) -> list[tuple[int, str, dict[str, float]]]:
    """(line, title, features) of each heading candidate that is weighed: what bench/fit.py learns from."""
    _, _, build, _ = _candidates(cleaned)
    return [(h.line, h.title, features) for h, features in weighed(build.items)]


# --- recovery of a lost heading -------------------------------------------------------------


def _recover_lost_headings(build: Build) -> None:
    """Where exactly one number is missing, look in the text before the heading after the gap for
    one short sentence parallel to the siblings (no inner punctuation, a sibling's length)."""
    for heading, want in build.gaps:
        missing = "、".join(_marker_text(heading, n) for n in range(want, heading.number))
        where = {"line": heading.line, "number": _marker_text(heading, heading.number), "missing": missing}
        if heading.number != want + 1:
            build.warnings.append(Warn.NUMBERING_JUMP(**where))
        else:
            build.warnings.append(_recover(build, heading, want, where))


def _scope_start(items: list[Item], index: int) -> int:
    rank = items[index].rank  # type: ignore[union-attr]
    for back in range(index - 1, -1, -1):
        other = items[back]
        if isinstance(other, Heading) and 0 <= other.rank <= rank:
            return back + 1
    return 0


def _recover(build: Build, heading: Heading, number: int, where: dict[str, object]) -> Message:
    """Insert the lost heading if exactly one candidate sentence exists; say what happened."""
    end = next(k for k, item in enumerate(build.items) if item is heading)
    siblings = [i for i in build.items if isinstance(i, Heading) and i.rank == heading.rank]
    lengths = [len(s.title) - len(_marker_text(s, s.number)) for s in siblings]
    low, high = max(2, min(lengths) - 2), max(lengths) + 2
    found: list[tuple[int, int, int]] = []  # (item index, sentence start, sentence end)
    for at in range(_scope_start(build.items, end), end):
        para = build.items[at]
        if not isinstance(para, Para):
            continue
        for match in _SENTENCE.finditer(para.text):
            words = match.group().strip().rstrip(TRAILING)
            if low <= len(words) <= high and not _INNER_PUNCT.search(words) and not _ENUMERATION.match(words):
                found.append((at, match.start(), match.end()))
    marker = _marker_text(heading, number)
    if len(found) != 1:
        return Warn.HEADING_NOT_FOUND(marker=marker, **where)
    at, begin, finish = found[0]
    para = build.items[at]
    assert isinstance(para, Para)
    sentence = para.text[begin:finish].strip()
    title = marker + sentence.rstrip(TRAILING)
    recovered = Heading(heading.rank, number, title, para.line, heading.prefix, heading.suffix)
    recovered.note = f"recovered: line {para.line} held {sentence} with no {marker} and no line break before it"
    before, after = para.text[:begin].strip(), para.text[finish:].strip()
    build.items[at : at + 1] = [*([Para(before, para.line)] if before else []), recovered, *([Para(after, para.line)] if after else [])]
    return Warn.HEADING_RECOVERED(title=title, source=para.line, **where)


# --- sections left empty ----------------------------------------------------------------


def _report_empty_sections(build: Build, cleaned: Cleaned) -> None:
    """A heading with no text of its own and no sub-section under it: say so, and say which removed
    lines stood under it, so a cleaner's mistake there cannot pass unnoticed."""
    items = build.items
    for index, item in enumerate(items):
        if not isinstance(item, Heading):
            continue
        following = items[index + 1] if index + 1 < len(items) else None
        if isinstance(following, Para) or (isinstance(following, Heading) and following.rank > item.rank != CLOSING_RANK):
            continue
        end = following.line if following is not None else float("inf")
        under = [r for r in cleaned.removed if item.line < r.line < end]
        build.warnings.append(_removed_under(item, under))


def _removed_under(heading: Heading, removed: list[RemovedLine]) -> Message:
    if not removed:
        return Warn.EMPTY_SECTION(line=heading.line, title=heading.title)
    lines = list(dict.fromkeys(r.line for r in removed))
    reasons = Joined(*(reason.message for reason in dict.fromkeys(r.reason for r in removed)), separator=LIST)
    said = Warn.EMPTIED_SECTION if len(lines) == 1 else Warn.EMPTIED_SECTION_LINES
    return said(line=heading.line, title=heading.title, numbers=", ".join(map(str, lines)), reasons=reasons)


# --- numbers --------------------------------------------------------------------------------


def _format_number(heading: Heading, number: int) -> str:
    if heading.rank == CIRCLED_RANK:
        return chr(CIRCLED_ZERO + number) if 1 <= number <= 20 else str(number)
    digits = heading.rank >= FIRST_DIGIT_RANK or (heading.rank < 3 and heading.title[1:2].isdigit())
    return str(number) if digits else to_chinese(number)


def _marker_text(heading: Heading, number: int) -> str:
    return heading.prefix + _format_number(heading, number) + heading.suffix


# --- sections -------------------------------------------------------------------------------


def _sections(items: list[Item]) -> list[Section]:
    ranks = sorted({i.rank for i in items if isinstance(i, Heading) and i.rank != CLOSING_RANK})
    sections = [Section("", 1, [], "opening")]
    for item in _with_closing(items):
        if isinstance(item, Para):
            sections[-1].paragraphs.append(item.text)
        elif item.rank == CLOSING_RANK:
            sections.append(Section(item.title, 1, [], "closing"))  # "" for closing words with no heading: shown as 结束语, not spoken
        else:
            sections.append(Section(item.title, min(ranks.index(item.rank) + 1, 4), [], "section", item.note))
    return sections


def _with_closing(items: list[Item]) -> list[Item]:
    """Move the closing words (谢谢大家！, 以上是我的发言, a last 让我们…) into a closing section."""
    if any(isinstance(i, Heading) and i.rank == CLOSING_RANK for i in items):
        return items
    last_heading = max((k for k, i in enumerate(items) if isinstance(i, Heading)), default=-1)
    body = items[last_heading + 1 :]
    if not body or not isinstance(body[-1], Para):
        return items
    keep = 1 if last_heading >= 0 else 0
    start = len(body)
    if CLOSING_END.search(simplified(body[-1].text)) or _CLOSING_START.match(body[-1].text):
        start -= 1
        while start > keep and _CLOSING_START.match(body[start - 1].text):  # type: ignore[union-attr]
            start -= 1
    if start == len(body) or start < keep:
        return items
    closing = Heading(CLOSING_RANK, 0, "", body[start].line)
    return items[: last_heading + 1 + start] + [closing] + body[start:]
