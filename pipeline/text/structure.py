"""Find a manuscript's title, salutation, sections and closing in its cleaned lines (docs/architecture.md,
"Chinese manuscripts").

Headings are recognised only at paragraph start and only where their numbers run in sequence; a
gap is reported, and a heading the source lost is recovered when one short sentence in the right
place is clearly parallel to its siblings (the seed manuscript lost 一、增强宗旨意识 that way).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import Reason, RemovedLine, Script, Section
from .apparatus import CLOSING_END
from .blocks import Block
from .clean import Cleaned
from .hanzi import simplified
from .markers import (
    ARTICLE_RANK,
    BOLD_RANK,
    CIRCLED_RANK,
    CIRCLED_ZERO,
    CLOSING_HEADING,
    CLOSING_RANK,
    FIRST_DIGIT_RANK,
    GIVEN_RANK,
    HEADING_END,
    HEADING_MAX,
    TRAILING,
    marker,
    shown,
    to_chinese,
    to_int,
)
from .evidence import Candidate, Context, Weights, fitted, heading_features, topicless
from .opening import TitleBlock, take_salutation, take_signature, take_title
from .wrapping import PARAGRAPH_END, join_continued, rejoin_wrapped

CLOSING_TITLE = "结束语"

_CLOSING_START = re.compile(
    r"^(?:同志[们們][，！,!]|[总總]之|[总總]而言之|[综綜]上所述|最[后後][，,]?[让讓]我[们們]|[让讓]我[们們]|千里之行|新的征程|新征程上|行百里者)"
)
_ENUMERATION = re.compile(r"^(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]|首先|其次|再次|最后|另外|此外)")
_INNER_PUNCT = re.compile(r"[，、；：,;:“”\"（）()《》]")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")
_SENTENCE_CLOSED = re.compile(r"[。！？!?]")


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
    given: bool = False
    """The format said this is a heading (or it is bold-only): kept whatever its numbering."""
    written: str = ""
    """The candidate as the manuscript wrote it, its closing punctuation kept (the evidence reads it)."""
    form: str = ""
    """How an unnumbered, undeclared candidate stands out ("bold", "bold-lead", "plain"): weighed by
    evidence.heading_features, not taken on its looks."""


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
    top, salutation, build, joined = _candidates(cleaned)
    _weigh_headings(build, fitted("heading"))
    _recover_lost_headings(build)
    _report_empty_sections(build, cleaned)
    if joined:
        build.warnings.append(
            f"{joined} line breaks inside sentences were joined: the copy looks hard-wrapped (as from a PDF); "
            "check the paragraphs with `speechcast outline`"
        )
    share = _removed_share(cleaned)
    if share > REMOVED_SHARE_WARNING:
        build.warnings.append(
            f"{share:.0%} of the manuscript's text was removed as not the speech: check the removal report "
            "(`speechcast outline`) and restore what belongs to the speech"
        )
    if not top.title:
        build.warnings.append("no title found: the first line reads like speech, so the speech has no title")
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


def _candidates(cleaned: Cleaned) -> tuple[TitleBlock, str, _Build, int]:
    """The title block, the salutation, and every heading the rules propose (before any is weighed)."""
    blocks, joined = rejoin_wrapped(join_continued([b for b in cleaned.blocks if b.text]))
    top, blocks = take_title(blocks)
    if not (top.speaker and top.date):
        signed, blocks = take_signature(blocks)
        top = TitleBlock(top.title or _metadata_title(cleaned), top.speaker or signed.speaker, top.date or signed.date)
    elif not top.title:
        top = TitleBlock(_metadata_title(cleaned), top.speaker, top.date)
    salutation, blocks = take_salutation(blocks)
    build = _Build(_split_headings(blocks))
    _accept_headings(build)
    _plain_headings(build)
    return top, salutation, build, joined


def heading_evidence(cleaned: Cleaned) -> list[tuple[int, str, dict[str, float]]]:
    """(line, title, features) of each heading candidate that is weighed: what bench/fit.py learns from."""
    _, _, build, _ = _candidates(cleaned)
    return [(h.line, h.title, features) for h, features in _weighed(build.items)]


def _weighed(items: list[_Item]) -> list[tuple[_Heading, dict[str, float]]]:
    weighed = [item for item in items if isinstance(item, _Heading) and item.form]
    paragraphs = sum(isinstance(item, _Para) for item in items) + sum(not h.shares_line for h in weighed)
    by_form: dict[str, list[str]] = {}
    for heading in weighed:
        by_form.setdefault(heading.form, []).append(heading.title)
    numbered = any(isinstance(i, _Heading) and not i.given and i.rank != CLOSING_RANK for i in items)
    context = Context(paragraphs, by_form, numbered)
    found = []
    for k, item in enumerate(items):
        if not (isinstance(item, _Heading) and item.form):
            continue
        following = items[k + 1] if k + 1 < len(items) else None
        previous = items[k - 1] if k else None
        beyond = items[k + 1 + item.shares_line] if k + 1 + item.shares_line < len(items) else None
        candidate = Candidate(
            item.written or item.title, item.form, len(following.text) if isinstance(following, _Para) else 0,
            previous is None or isinstance(previous, _Heading) or bool(PARAGRAPH_END.search(previous.text)),
            isinstance(beyond, _Heading), k / max(len(items) - 1, 1),
            next((n for n, other in enumerate(items[k + 1 + item.shares_line :]) if isinstance(other, _Heading)), len(items) - k) + item.shares_line,
        )  # fmt: skip
        found.append((item, heading_features(candidate, context)))
    return found


def _weigh_headings(build: _Build, weights: Weights) -> None:
    """A candidate the evidence does not carry goes back to being the text it was (bold emphasis in
    running speech, a short line that is no topic)."""
    rejected = {id(h) for h, features in _weighed(build.items) if weights.score(features) < weights.threshold}
    rejected |= {id(i) for i in build.items if isinstance(i, _Heading) and i.rank != CLOSING_RANK and topicless(i.title)}
    items: list[_Item] = []
    opened = -1
    """The line of a rejected heading that shared its line: the rest of that line is in its raw text."""
    for item in build.items:
        if isinstance(item, _Para) and item.line == opened:
            opened = -1
            continue
        if isinstance(item, _Heading) and id(item) in rejected:
            opened = item.line if item.shares_line else -1
            item = _Para(item.raw, item.line)
        items.append(item)
    build.items = items


# --- headings -------------------------------------------------------------------------------


_BOLD_LEAD_MAX = 60
_ARTICLE_LABEL = re.compile(r"\s*[（(][^（）()。，]{1,12}[）)]\s*")


_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}|[Pp]art\s*\d{1,2}|PART\s*\d{1,2})$")


def _numbered_titles(lines: list[Block]) -> list[Block]:
    """A bold number alone on its line over a bold title (**01** / **群核的创业之路**), as 公众号 set
    their sections: one heading, the number and the title."""
    out: list[Block] = []
    for block in lines:
        previous = out[-1] if out else None
        if previous is not None and previous.bold and _SECTION_NUMBER.match(previous.text) and block.bold and len(block.text) <= HEADING_MAX:
            out[-1] = previous.with_text(f"{previous.text} {block.text}")
        else:
            out.append(block)
    return out


def _split_headings(lines: list[Block]) -> list[_Item]:
    """Each line as a paragraph, or as a candidate heading plus the body that shares its line."""
    lines = _numbered_titles(lines)
    items: list[_Item] = []
    bold_leads = sum(1 for b in lines if b.bold_lead)
    for block in lines:
        number, text = block.line, block.text
        if CLOSING_HEADING.match(simplified(shown(text))):
            # The text's own word (结语, 結語) is its heading, spoken; only a closing we find
            # ourselves is labelled 结束语 and kept silent.
            items.append(_Heading(CLOSING_RANK, 0, shown(text).rstrip("：:"), number))
            continue
        if block.kind == "heading":
            found = marker(text)
            items.append(_Heading(GIVEN_RANK + block.level, found[0] if found else 0, shown(text), number, raw=text, given=True))
            continue
        found = marker(text)
        lead = text[: block.bold_lead].strip()
        if bold_leads >= 2 and 2 <= len(lead) <= _BOLD_LEAD_MAX and text[block.bold_lead :].strip():
            # A paragraph that opens with a bold sentence, like others in the document: that
            # sentence is its heading (**遵纪守法，营造良好的营商环境。**面对……).
            rank = found[0] if found else BOLD_RANK
            items.append(_Heading(rank, to_int(found[1].group(2)) if found else 0, shown(lead.rstrip(TRAILING)), number, raw=text, shares_line=True,
                                  given=True, written=lead, form="" if found else "bold-lead"))  # fmt: skip
            items.append(_Para(text[block.bold_lead :].strip(), number))
            continue
        if block.bold and len(text) <= HEADING_MAX and not _SENTENCE_CLOSED.search(text[:-1]) and not text.endswith(("：", ":", "，", ",")):
            rank = found[0] if found else BOLD_RANK
            number_of = to_int(found[1].group(2)) if found else 0
            items.append(_Heading(rank, number_of, shown(text.rstrip(TRAILING)), number, raw=text, given=True, written=text, form="" if found else "bold"))
            continue
        label = _ARTICLE_LABEL.match(text, found[1].end()) if found and found[0] == ARTICLE_RANK else None
        if found and label:  # 第一条（追求）华为的追求是……: the article's number and its label are the heading
            items.append(_Heading(found[0], to_int(found[1].group(2)), text[: label.end()].rstrip(), number, raw=text, shares_line=True, given=True))
            items.append(_Para(text[label.end() :].strip(), number))
            continue
        end = HEADING_END.search(text)
        head = text[: end.start()] if end else text
        if found is None or len(head) > HEADING_MAX or len(head) == found[1].end():
            items.append(_Para(text, number))
            continue
        rank, match = found
        prefix, digits, suffix = match.groups()
        rest = text[end.end() :].strip() if end else ""
        items.append(
            _Heading(rank, to_int(digits), head.rstrip(TRAILING), number, prefix, suffix, text, bool(rest))
        )
        if rest:
            items.append(_Para(rest, number))
    return items


def _numbered_lists(items: list[_Item]) -> None:
    """Numbered lines that follow one another with no text between (1、积极配合…  2、做好…) are the items
    of a list, each said as a sentence: a heading governs text of its own."""
    def numbered(item: _Item) -> bool:
        return isinstance(item, _Heading) and not item.given and not item.shares_line and item.rank not in (CLOSING_RANK,)

    k = 0
    while k < len(items):
        end = k
        while end < len(items) and numbered(items[end]) and items[end].rank == items[k].rank:  # type: ignore[union-attr]
            end += 1
        if end - k >= _LIST_MIN:
            items[k:end] = [_Para(item.raw, item.line) for item in items[k:end]]  # type: ignore[union-attr]
        k = max(end, k + 1)


_LIST_MIN = 2


def _accept_headings(build: _Build) -> None:
    """Keep candidates whose numbers run in sequence; the rest go back to being body text.

    A number may skip ahead (a lost heading) when a same-rank heading came before it in the same
    scope, or when the next one follows it: 二、 opening a scope counts only if 三、 comes next.
    """
    _numbered_lists(build.items)
    expected: dict[int, int] = {}
    items = build.items
    # Headings alone on their line, two or more of a rank, are headings even out of sequence: an
    # excerpt starts at 十、, a report skips from 十、 to 十五、.
    alone = Counter(i.rank for i in items if isinstance(i, _Heading) and not i.given and not i.shares_line and i.rank != CLOSING_RANK)
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if not isinstance(item, _Heading) or item.rank == CLOSING_RANK or item.given:
            continue
        want = expected.get(item.rank, 1)
        seen_before = want > 1
        gap_ok = want < item.number <= want + 2 and (seen_before or _next_number(items, index - 1) == item.number + 1)
        standalone = not item.shares_line and alone[item.rank] >= 2 and item.number > want
        if item.number != want and not gap_ok and not standalone:
            items[index - 1 : index + item.shares_line] = [_Para(item.raw, item.line)]
            continue
        if item.number != want and not gap_ok:
            build.warnings.append(f"line {item.line}: {item.title} does not follow the numbering before it (an excerpt?)")
        elif item.number != want:
            build.gaps.append((item, want))
        expected[item.rank] = item.number + 1
        for deeper in [rank for rank in expected if rank > item.rank]:
            del expected[deeper]


_PLAIN_MAX = 20
"""A heading without a number is short: a line of at most this many characters."""
_ANY_PUNCT = re.compile(r"[，。、；：！？,.;:!?“”\"（）()《》【】…—·]")
_PLAIN_RANK = GIVEN_RANK + 8


def _plain_headings(build: _Build) -> None:
    """Short lines with no punctuation at all, standing between paragraphs that end sentences, are
    headings when there are several (a speech headed 感謝與承擔 … 結語) or when they sit beside
    numbered headings of the same shape; they take the outermost numbered rank, else one of their own."""
    items = build.items

    def ends_sentence(item: _Item) -> bool:
        return isinstance(item, _Heading) or bool(PARAGRAPH_END.search(item.text))

    found = [
        k
        for k in range(len(items))
        if isinstance(items[k], _Para)
        and len(items[k].text) <= _PLAIN_MAX
        and not _ANY_PUNCT.search(items[k].text)
        and not any(ch.isascii() and ch.isalnum() for ch in items[k].text)
        and (k == 0 or ends_sentence(items[k - 1]))
        and (k + 1 == len(items) or (isinstance(items[k + 1], _Para) and len(items[k + 1].text) > _PLAIN_MAX))
    ]
    numbered = [i for i in items if isinstance(i, _Heading) and not i.given and i.rank != CLOSING_RANK and not i.shares_line]
    if len(found) < (1 if numbered else 3):
        return
    rank = min(i.rank for i in numbered) if numbered else _PLAIN_RANK
    for k in found:
        para = items[k]
        items[k] = _Heading(rank, 0, shown(para.text), para.line, raw=para.text, given=True, written=para.text, form="plain")


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
            words = match.group().strip().rstrip(TRAILING)
            if low <= len(words) <= high and not _INNER_PUNCT.search(words) and not _ENUMERATION.match(words):
                found.append((at, match.start(), match.end()))
    marker = _marker_text(heading, number)
    if len(found) != 1:
        return f" (no single sentence like its siblings was found: add {marker} by hand)"
    at, begin, finish = found[0]
    para = build.items[at]
    assert isinstance(para, _Para)
    sentence = para.text[begin:finish].strip()
    title = marker + sentence.rstrip(TRAILING)
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
        if isinstance(following, _Para) or (isinstance(following, _Heading) and following.rank > item.rank != CLOSING_RANK):
            continue
        end = following.line if following is not None else float("inf")
        under = [r for r in cleaned.removed if item.line < r.line < end]
        build.warnings.append(f"line {item.line}: {item.title} has no text of its own" + _removed_under(under))


def _removed_under(removed: list[RemovedLine]) -> str:
    if not removed:
        return ": only its heading will be heard"
    numbers = list(dict.fromkeys(r.line for r in removed))
    lines = "line" + "s" * (len(numbers) > 1) + " " + ", ".join(map(str, numbers))
    reasons = "; ".join(dict.fromkeys(str(r.reason) for r in removed))
    return f" after cleaning: {lines} under it went ({reasons}); check the removal report"


# --- numbers --------------------------------------------------------------------------------


def _format_number(heading: _Heading, number: int) -> str:
    if heading.rank == CIRCLED_RANK:
        return chr(CIRCLED_ZERO + number) if 1 <= number <= 20 else str(number)
    digits = heading.rank >= FIRST_DIGIT_RANK or (heading.rank < 3 and heading.title[1:2].isdigit())
    return str(number) if digits else to_chinese(number)


def _marker_text(heading: _Heading, number: int) -> str:
    return heading.prefix + _format_number(heading, number) + heading.suffix


# --- sections -------------------------------------------------------------------------------


def _sections(items: list[_Item]) -> list[Section]:
    ranks = sorted({i.rank for i in items if isinstance(i, _Heading) and i.rank != CLOSING_RANK})
    sections = [Section("", 1, [], "opening")]
    for item in _with_closing(items):
        if isinstance(item, _Para):
            sections[-1].paragraphs.append(item.text)
        elif item.rank == CLOSING_RANK:
            sections.append(Section(item.title or CLOSING_TITLE, 1, [], "closing"))
        else:
            sections.append(Section(item.title, min(ranks.index(item.rank) + 1, 4), [], "section", item.note))
    return sections


def _with_closing(items: list[_Item]) -> list[_Item]:
    """Move the closing words (谢谢大家！, 以上是我的发言, a last 让我们…) into a closing section."""
    if any(isinstance(i, _Heading) and i.rank == CLOSING_RANK for i in items):
        return items
    last_heading = max((k for k, i in enumerate(items) if isinstance(i, _Heading)), default=-1)
    body = items[last_heading + 1 :]
    if not body or not isinstance(body[-1], _Para):
        return items
    keep = 1 if last_heading >= 0 else 0
    start = len(body)
    if CLOSING_END.search(simplified(body[-1].text)) or _CLOSING_START.match(body[-1].text):
        start -= 1
        while start > keep and _CLOSING_START.match(body[start - 1].text):  # type: ignore[union-attr]
            start -= 1
    if start == len(body) or start < keep:
        return items
    closing = _Heading(CLOSING_RANK, 0, CLOSING_TITLE, body[start].line)
    return items[: last_heading + 1 + start] + [closing] + body[start:]
