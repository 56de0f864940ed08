"""Headings: every line the manuscript's form proposes as one, and which of them head a section.

What the format says outright is taken: a declared heading (Markdown, Word), a numbering that runs in
sequence (一、 （一） 1.), a closing heading (结语). A bold line, a bold sentence opening a paragraph
or a short plain line is a candidate the evidence weighs (text/evidence.py); numbered lines one after
another with no text between are a list; an ordinal with no topic heads nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..i18n import Message
from ..model import Warn
from .blocks import Block
from .evidence import Candidate, Context, Weights, heading_features, topicless
from .hanzi import simplified
from .markers import (
    ARTICLE_RANK,
    BOLD_RANK,
    CLOSING_HEADING,
    CLOSING_RANK,
    FIRST_DIGIT_RANK,
    GIVEN_RANK,
    HEADING_END,
    HEADING_MAX,
    TRAILING,
    marker,
    shown,
    to_int,
)
from .wrapping import PARAGRAPH_END

_SENTENCE_CLOSED = re.compile(r"[。！？!?]")


@dataclass
class Heading:
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
class Para:
    text: str
    line: int


Item = Heading | Para


@dataclass
class Build:
    """What the passes below share while they rearrange one manuscript."""

    items: list[Item]
    warnings: list[Message] = field(default_factory=list)
    gaps: list[tuple[Heading, int]] = field(default_factory=list)
    """Accepted headings whose numbering skipped ahead, with the number that was expected."""


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


_CLOSES_LEAD = "。！？!?：:；;，,、.．"


def _lead_closed(text: str, end: int) -> bool:
    """A bold lead that is a heading closes its phrase (**加强党的建设。**正文, **第一，**……): one
    that runs on into its sentence (**Flask** 收到请求) is a word stressed."""
    lead, rest = text[:end].rstrip(), text[end:].lstrip()
    return lead.endswith(tuple(_CLOSES_LEAD)) or rest.startswith(tuple(_CLOSES_LEAD))


def _tight_list_items(lines: list[Block]) -> set[int]:
    """Items of a list written line under line, or a blank line apart (a Markdown list, <li>s): the
    points of a paragraph, said as sentences; a list whose items have paragraphs between them may be
    the speech's sections."""

    def adjacent(a: Block, b: Block) -> bool:
        return a.kind == b.kind == "list" and b.line - a.line <= _LIST_GAP

    return {k for k, block in enumerate(lines)
            if (k and adjacent(lines[k - 1], block)) or (k + 1 < len(lines) and adjacent(block, lines[k + 1]))}  # fmt: skip


def split_headings(lines: list[Block]) -> list[Item]:
    """Each line as a paragraph, or as a candidate heading plus the body that shares its line."""
    lines = _numbered_titles(lines)
    items: list[Item] = []
    bold_leads = sum(1 for b in lines if b.bold_lead)
    tight = _tight_list_items(lines)
    for index, block in enumerate(lines):
        number, text = block.line, block.text
        if CLOSING_HEADING.match(simplified(shown(text))):
            # The text's own word (结语, 結語) is its heading, spoken; only a closing we find
            # ourselves is labelled 结束语 and kept silent.
            items.append(Heading(CLOSING_RANK, 0, shown(text).rstrip("：:"), number))
            continue
        if block.kind == "heading":
            found = marker(text)
            items.append(Heading(GIVEN_RANK + block.level, found[0] if found else 0, shown(text), number, raw=text, given=True))
            continue
        found = marker(text)
        lead = text[: block.bold_lead].strip()
        if (
            bold_leads >= 2
            and 2 <= len(lead) <= _BOLD_LEAD_MAX
            and text[block.bold_lead :].strip()
            and _lead_closed(text, block.bold_lead)
            and index not in tight
        ):
            # A paragraph that opens with a bold sentence, like others in the document: that
            # sentence is its heading (**遵纪守法，营造良好的营商环境。**面对……).
            rank = found[0] if found else BOLD_RANK
            items.append(Heading(rank, to_int(found[1].group(2)) if found else 0, shown(lead.rstrip(TRAILING)), number, raw=text, shares_line=True,
                                  given=True, written=lead, form="" if found else "bold-lead"))  # fmt: skip
            items.append(Para(text[block.bold_lead :].strip(), number))
            continue
        if block.bold and len(text) <= HEADING_MAX and not _SENTENCE_CLOSED.search(text[:-1]) and not text.endswith(("：", ":", "，", ",")):
            rank = found[0] if found else BOLD_RANK
            number_of = to_int(found[1].group(2)) if found else 0
            items.append(Heading(rank, number_of, shown(text.rstrip(TRAILING)), number, raw=text, given=True, written=text, form="" if found else "bold"))
            continue
        label = _ARTICLE_LABEL.match(text, found[1].end()) if found and found[0] == ARTICLE_RANK else None
        if found and label:  # 第一条（追求）华为的追求是……: the article's number and its label are the heading
            items.append(Heading(found[0], to_int(found[1].group(2)), text[: label.end()].rstrip(), number, raw=text, shares_line=True, given=True))
            items.append(Para(text[label.end() :].strip(), number))
            continue
        end = HEADING_END.search(text)
        head = text[: end.start()] if end else text
        if found is None or len(head) > HEADING_MAX or len(head) == found[1].end() or index in tight:
            items.append(Para(text, number))
            continue
        rank, match = found
        prefix, digits, suffix = match.groups()
        rest = text[end.end() :].strip() if end else ""
        items.append(Heading(rank, to_int(digits), head.rstrip(TRAILING), number, prefix, suffix, text, bool(rest)))
        if rest:
            items.append(Para(rest, number))
    return items


def _numbered_lists(items: list[Item]) -> None:
    """Numbered lines that stand one under the other with no text between (1、积极配合…  2、做好…) are
    the items of a list, each said as a sentence: a heading governs text of its own. Two headings
    whose text between the cleaner took out are still headings (their lines stand apart)."""

    def follows(item: Item, before: Item) -> bool:
        return (
            isinstance(item, Heading) and not item.given and not item.shares_line and item.rank != CLOSING_RANK
            and item.rank == before.rank and item.line - before.line <= _LIST_GAP  # type: ignore[union-attr]
        )  # fmt: skip

    k = 0
    while k < len(items):
        end = k + 1
        if follows(items[k], items[k]):
            while end < len(items) and follows(items[end], items[end - 1]):
                end += 1
        if end - k >= _LIST_MIN:
            items[k:end] = [Para(item.raw, item.line) for item in items[k:end]]  # type: ignore[union-attr]
        k = end


_LIST_GAP = 2
"""Source lines from one list item to the next at most: the next line, or the one after a blank."""
_LIST_MIN = 2


def accept_headings(build: Build) -> None:
    """Keep candidates whose numbers run in sequence; the rest go back to being body text.

    A number may skip ahead (a lost heading) when a same-rank heading came before it in the same
    scope, or when the next one follows it: 二、 opening a scope counts only if 三、 comes next.
    """
    _numbered_lists(build.items)
    expected: dict[int, int] = {}
    items = build.items
    # Headings alone on their line, two or more of a rank, are headings even out of sequence: an
    # excerpt starts at 十、, a report skips from 十、 to 十五、.
    alone = Counter(i.rank for i in items if isinstance(i, Heading) and not i.given and not i.shares_line and i.rank != CLOSING_RANK)
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if not isinstance(item, Heading) or item.rank == CLOSING_RANK or item.given:
            continue
        want = expected.get(item.rank, 1)
        seen_before = want > 1
        gap_ok = want < item.number <= want + 2 and (seen_before or next_number(items, index - 1) == item.number + 1)
        standalone = not item.shares_line and alone[item.rank] >= 2 and item.number > want
        # An excerpt that starts mid-outline (（十三）…（十四）…): Chinese numbers that run on from each
        # other are a sequence wherever it starts (digits also number a speech's paragraphs: 18. 19.).
        runs_on = item.rank < FIRST_DIGIT_RANK and item.number > want and next_number(items, index - 1) == item.number + 1
        standalone = standalone or runs_on
        if item.number != want and not gap_ok and not standalone:
            items[index - 1 : index + item.shares_line] = [Para(item.raw, item.line)]
            continue
        if item.number != want and not gap_ok:
            build.warnings.append(Warn.OUT_OF_SEQUENCE(line=item.line, title=item.title))
        elif item.number != want:
            build.gaps.append((item, want))
        expected[item.rank] = item.number + 1
        for deeper in [rank for rank in expected if rank > item.rank]:
            del expected[deeper]


_PLAIN_MAX = 20
"""A heading without a number is short: a line of at most this many characters."""
_ANY_PUNCT = re.compile(r"[，。、；：！？,.;:!?“”\"（）()《》【】…—·]")
_PLAIN_RANK = GIVEN_RANK + 8


def plain_headings(build: Build) -> None:
    """Short lines with no punctuation at all, standing between paragraphs that end sentences, are
    headings when there are several (a speech headed 感謝與承擔 … 結語) or when they sit beside
    numbered headings of the same shape; they take the outermost numbered rank, else one of their own."""
    items = build.items

    def ends_sentence(item: Item) -> bool:
        return isinstance(item, Heading) or bool(PARAGRAPH_END.search(item.text))

    def long_para(k: int) -> bool:
        item = items[k]
        return isinstance(item, Para) and len(item.text) > _PLAIN_MAX

    paras = {k: item for k, item in enumerate(items) if isinstance(item, Para)}
    found = [
        k
        for k, para in paras.items()
        if len(para.text) <= _PLAIN_MAX
        and not _ANY_PUNCT.search(para.text)
        and not any(ch.isascii() and ch.isalnum() for ch in para.text)
        and (k == 0 or ends_sentence(items[k - 1]))
        and (k + 1 == len(items) or long_para(k + 1))
    ]
    numbered = [i for i in items if isinstance(i, Heading) and not i.given and i.rank != CLOSING_RANK and not i.shares_line]
    if len(found) < (1 if numbered else 3):
        return
    rank = min(i.rank for i in numbered) if numbered else _PLAIN_RANK
    for k in found:
        para = paras[k]
        items[k] = Heading(rank, 0, shown(para.text), para.line, raw=para.text, given=True, written=para.text, form="plain")


def next_number(items: list[Item], index: int) -> int | None:
    rank = items[index].rank  # type: ignore[union-attr]
    for item in items[index + 1 :]:
        if isinstance(item, Heading) and 0 <= item.rank <= rank:
            return item.number if item.rank == rank else None
    return None


def weighed(items: list[Item]) -> list[tuple[Heading, dict[str, float]]]:
    weighed = [item for item in items if isinstance(item, Heading) and item.form]
    paragraphs = sum(isinstance(item, Para) for item in items) + sum(not h.shares_line for h in weighed)
    by_form: dict[str, list[str]] = {}
    for heading in weighed:
        by_form.setdefault(heading.form, []).append(heading.title)
    numbered = any(isinstance(i, Heading) and not i.given and i.rank != CLOSING_RANK for i in items)
    context = Context(paragraphs, by_form, numbered)
    found = []
    for k, item in enumerate(items):
        if not (isinstance(item, Heading) and item.form):
            continue
        following = items[k + 1] if k + 1 < len(items) else None
        previous = items[k - 1] if k else None
        beyond = items[k + 1 + item.shares_line] if k + 1 + item.shares_line < len(items) else None
        candidate = Candidate(
            item.written or item.title, item.form, len(following.text) if isinstance(following, Para) else 0,
            previous is None or isinstance(previous, Heading) or bool(PARAGRAPH_END.search(previous.text)),
            isinstance(beyond, Heading), k / max(len(items) - 1, 1),
            next((n for n, other in enumerate(items[k + 1 + item.shares_line :]) if isinstance(other, Heading)), len(items) - k) + item.shares_line,
        )  # fmt: skip
        found.append((item, heading_features(candidate, context)))
    return found


def weigh_headings(build: Build, weights: Weights) -> None:
    """A candidate the evidence does not carry goes back to being the text it was (bold emphasis in
    running speech, a short line that is no topic)."""
    rejected = {id(h) for h, features in weighed(build.items) if weights.score(features) < weights.threshold}
    rejected |= {id(i) for i in build.items if isinstance(i, Heading) and i.rank != CLOSING_RANK and topicless(i.title)}
    items: list[Item] = []
    opened = -1
    """The line of a rejected heading that shared its line: the rest of that line is in its raw text."""
    for item in build.items:
        if isinstance(item, Para) and item.line == opened:
            opened = -1
            continue
        if isinstance(item, Heading) and id(item) in rejected:
            opened = item.line if item.shares_line else -1
            item = Para(item.raw, item.line)
        items.append(item)
    build.items = items
