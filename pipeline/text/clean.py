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
from dataclasses import dataclass, field

from ..model import RemovedLine

#: Longest line a keyword rule may remove whole; a longer line is speech that mentions the word.
_JUNK_MAX = 60
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
    r"|(?P<entity>&(?:nbsp|ensp|emsp|thinsp);)"
    r"|(?P<stage>[（(]\s*(?:热烈|长时间|全场|会场|台下)*(?:掌声|鼓掌|笑声|欢笑|大笑|众笑|笑|停顿|稍停|起立|奏乐|欢呼)"
    r"[^（）()\n]{0,6}[）)])"
    rf"|(?P<debris>(?:(?<=[{_CJK}])|^)[ \t]*(?:[\x21-\x7e]{{1,3}}[ \t]+){{2,}}[\x21-\x7e]{{1,3}}[ \t]*(?=[{_CJK}]|$))"
)

_FRAGMENT_REASONS = {
    "control": "control character",
    "comment": "HTML comment",
    "tag": "HTML tag",
    "entity": "HTML entity",
    "stage": "stage note (not spoken)",
    "debris": "anti-scraping debris",
}

#: The only fragments taken out of a .md script: it is taken as given, so no heuristics.
MARKUP_FRAGMENTS = frozenset({"control", "tag", "entity"})
ALL_FRAGMENTS = frozenset(_FRAGMENT_REASONS)

_ADVERT = "advert"
#: Reasons that mark the site's own promotion; slogan lines between two of these are promotion too.
_PROMOTION = (_ADVERT, "watermark")
_LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "watermark: not for redistribution",  # starts with an entry of _PROMOTION
        re.compile(r"仅供(?:学习|个人|内部)|禁止(?:外传|转载|复制|商用)|请勿(?:外传|转载|复制)|版权(?:所有|归)|侵权必究|未经(?:授权|许可)"),
    ),
    (
        f"{_ADVERT}: contact",
        re.compile(
            r"(?:QQ|qq|ＱＱ|微信|VX|vx|wx)[号群]?[:：\s]*[\w-]{5,}|咨询(?:QQ|qq|微信|电话)|QQ群|qq群|(?:加|添加)(?:微信|QQ|qq)"
        ),
    ),
    (
        f"{_ADVERT}: subscription",
        re.compile(
            r"订阅|会员(?:群|资料|材料|权益|专享|免费|下载)|(?:开通|成为|升级)会员|免费(?:下载|领取|赠送)|倒卖|充值|VIP|vip"
        ),
    ),
    (f"{_ADVERT}: WeChat account", re.compile(r"扫码|扫一扫|二维码|公众号|微信号|长按(?:识别|关注)")),
    ("web address", re.compile(r"https?://|www\.|[A-Za-z0-9-]+\.(?:com|cn|net|org)\b")),
    (
        "web page: source or editor",
        re.compile(
            r"^(?:稿件|文章|信息|新闻)?来源[:：]|^(?:责任编辑|编辑|作者|发布时间|发布日期|发布者|发布人|审核|校对|供稿|录入|"
            r"浏览次数|阅读次数|点击数|访问量|当前位置|您的位置|你的位置)[:：]|免责声明|转载请注明|如有侵权|本文(?:来自|转载自)"
        ),
    ),
    (
        "page mark",
        re.compile(
            r"^(?:[-—–－]+\s*\d{1,4}\s*[-—–－]+|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页|\d{1,4}\s*/\s*\d{1,4}"
            r"|(?:Page|page|PAGE)\s*\d+(?:\s*of\s*\d+)?|\d{1,4})$"
        ),
    ),
    (
        "web page: buttons and links",
        re.compile(
            r"^(?:[\s【】\[\]|｜/·•>＞]*(?:字号[:：]?|默认|大|中|小|下载|打印|全屏|收藏|加入收藏|分享|分享到|微博|QQ空间|返回顶部|"
            r"顶部|关闭|关闭窗口|首页|上一篇|下一篇|上一页|下一页|点赞|评论|纠错|推荐|复制链接|阅读全文|展开全文|打开APP|"
            r"相关阅读|相关文章|热门推荐|猜你喜欢|延伸阅读|返回列表)[:：]?)+[\s【】\[\]|｜/·•]*$|^(?:上一篇|下一篇)[:：]"
        ),
    ),
)

_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十\d]+)")
_SENTENCE_END = re.compile(r"[。！？!?]$")
_NON_WORD = re.compile(r"[\W_]+")


@dataclass
class Cleaned:
    """The manuscript's lines that remain, and the report of what went."""

    lines: list[tuple[int, str]]
    """(1-based line number, kept text stripped of surrounding whitespace); blank lines omitted."""
    removed: list[RemovedLine] = field(default_factory=list)
    """Whole lines and in-line fragments, in line order."""


def strip_fragments(raw: str, line: int, kinds: frozenset[str] = ALL_FRAGMENTS) -> tuple[str, list[RemovedLine]]:
    """`raw` without the in-line debris of the given kinds, and the report of each piece taken."""
    removed: list[RemovedLine] = []

    def take(match: re.Match[str]) -> str:
        kind = match.lastgroup or ""
        text = match.group()
        if kind not in kinds or (kind == "debris" and not _is_debris(text)):
            return text
        removed.append(RemovedLine(line, text.strip() or text, _FRAGMENT_REASONS[kind]))
        return ""

    return _FRAGMENT.sub(take, raw), removed


def _is_debris(text: str) -> bool:
    """Anti-scraping noise mixes letters and symbols; real ASCII in a speech (GDP, 5G, 3.5%) does not."""
    return sum(c in _DEBRIS_SYMBOLS for c in text) >= 2 and any(c.isalpha() for c in text)


def clean(text: str) -> Cleaned:
    removed: list[RemovedLine] = []
    rows: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        kept, fragments = strip_fragments(raw, number)
        removed.extend(fragments)
        rows.append((number, kept.strip()))
    verdicts = _keyword_verdicts(rows)
    verdicts.update(_brand_verdicts(rows, verdicts))
    verdicts.update(_repeat_verdicts(rows, verdicts))
    verdicts.update(_advert_block_verdicts(rows, verdicts))
    removed.extend(RemovedLine(number, line, verdicts[number]) for number, line in rows if number in verdicts)
    removed.sort(key=lambda item: item.line)  # stable: fragments of a line keep their order
    return Cleaned([(n, line) for n, line in rows if line and n not in verdicts], removed)


def _keyword_verdicts(rows: list[tuple[int, str]]) -> dict[int, str]:
    verdicts: dict[int, str] = {}
    for number, line in rows:
        if not line or len(line) > _JUNK_MAX:
            continue
        for reason, pattern in _LINE_RULES:
            if pattern.search(line):
                verdicts[number] = reason
                break
    return verdicts


def _brand_verdicts(rows: list[tuple[int, str]], verdicts: dict[int, str]) -> dict[int, str]:
    """A short bare name that recurs inside junk lines (酷乐文行 in 酷乐文行整理，咨询QQ…) is the site's brand."""
    junk = [line for number, line in rows if number in verdicts]
    found: dict[int, str] = {}
    for number, line in rows:
        if number in verdicts or not 2 <= len(line) <= 12 or _NON_WORD.search(line):
            continue
        if sum(line in other for other in junk) >= 2:
            found[number] = "advert: brand name that recurs in adverts"
    return found


def _repeat_verdicts(rows: list[tuple[int, str]], verdicts: dict[int, str]) -> dict[int, str]:
    counts = Counter(line for number, line in rows if line and number not in verdicts)
    repeated = {
        line
        for line, count in counts.items()
        if count >= _REPEAT_MIN_COUNT
        and len(line) <= _REPEAT_MAX
        and not _SENTENCE_END.search(line)
        and not _NUMBERED.match(line)
    }
    return {
        number: f"repeated header or footer ({counts[line]} times)"
        for number, line in rows
        if line in repeated and number not in verdicts
    }


def _advert_block_verdicts(rows: list[tuple[int, str]], verdicts: dict[int, str]) -> dict[int, str]:
    """Short slogan lines wedged between two promotion lines of one block (no blank line between)
    are part of the advert. Page furniture does not count as a bound: a title can sit between those."""
    found: dict[int, str] = {}
    block: list[tuple[int, str]] = []
    for number, line in [*rows, (len(rows) + 1, "")]:
        if line:
            block.append((number, line))
            continue
        advert_at = [i for i, (n, _) in enumerate(block) if verdicts.get(n, "").startswith(_PROMOTION)]
        for first, last in zip(advert_at, advert_at[1:]):
            inner = block[first + 1 : last]
            if all(_slogan_like(n, text, verdicts) for n, text in inner):
                found.update((n, "advert: slogan between advert lines") for n, _ in inner if n not in verdicts)
        block = []
    return found


def _slogan_like(number: int, line: str, verdicts: dict[int, str]) -> bool:
    if number in verdicts:
        return True
    return len(line) <= _BLOCK_LINE_MAX and not _SENTENCE_END.search(line) and not _NUMBERED.match(line)
