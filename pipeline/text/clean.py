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
from .delivery import CLOCK, is_direction
from .delivery import RULES as DELIVERY_RULES
from .evidence import Line, fitted, junk_features
from .hanzi import simplified
from .dates import date_of
from .opening import is_salutation, speaker_of

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

_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[\s、，,]+[\u4e00-\u9fff·]{2,4}){0,3}"
#: Who made the page (文 | 张三, 摄影/李四, 整理：王五): the label then names only.
_CREDIT_LABEL = r"(?:文|图|文图|图文|摄影|摄|视频|撰文|撰稿|记者|通讯员|编辑|责编|主编|整理|作者|策划|设计|排版|美编|校对|审核|审校|监制|出品人|供图|制图|翻译|编译)"
#: Who paid for or lent a hand to the event (战略合作伙伴：……, 特别支持单位：……, 联合出品：……).
_SPONSOR_LABEL = r"[\u4e00-\u9fff]{0,6}(?:合作伙伴|支持单位|合作媒体|合作平台|媒体支持|出品方?|赞助商?|鸣谢|主办方?|承办方?|协办方?|指定用\w{1,2}|\w{0,4}支持)"
_CONTACT_FIELD = r"(?:地址|通讯地址|邮编|邮政编码|电话|联系电话|传真|邮箱|电子邮箱|E-?mail|网址)"
#: Reasons that mark the site's own promotion; slogan lines between two of these are promotion too.
PROMOTION = frozenset({Reason.WATERMARK, Reason.CONTACT, Reason.SUBSCRIPTION, Reason.FOLLOW, Reason.APP, Reason.BRAND, Reason.SLOGAN, Reason.PROMOTION})
_LINE_RULES: tuple[tuple[Reason, re.Pattern[str]], ...] = (
    (
        Reason.WATERMARK,
        re.compile(r"仅供(?:学习|个人|内部)|禁止(?:外传|转载|复制|商用)|请勿(?:外传|转载|复制)|版权(?:所有|归)|侵权必究|未经(?:授权|许可)"),
    ),
    (
        Reason.CONTACT,
        re.compile(
            r"(?:QQ|qq|ＱＱ|微信|VX|vx|wx)[号群]?[:：\s]*[\w-]{5,}|咨询(?:QQ|qq|微信|电话)|QQ群|qq群|(?:加|添加)(?:微信|QQ|qq)"
            # A site's or an office's address block: two labelled fields (地址：… 邮编：… 电话：…).
            rf"|^\W*{_CONTACT_FIELD}[:：].{{0,60}}{_CONTACT_FIELD}[:：]"
        ),
    ),
    (
        Reason.SUBSCRIPTION,
        re.compile(
            # Subscribing is promotion when it is asked for (现在订阅立享…), not when a speech mentions it.
            r"(?:现在|立即|马上|点击|欢迎|免费|一键)订阅|订阅(?:立享|即享|本号|我们|公众号|专栏|频道|会员|获取)|订阅号[「“:：]|订户|会员(?:群|资料|材料|权益|专享|免费|下载)|(?:开通|成为|升级)(?:会员|VIP|vip)|(?:VIP|vip)(?:会员|专享|资料|下载)|免费(?:下载|领取|赠送)|倒卖|充值"
        ),
    ),
    # A prompt to follow or scan, not a mention: (微信公众号：吴晓波频道) after a name is attribution.
    (
        Reason.FOLLOW,
        re.compile(
            # Scanning is promotion when it is for something (扫码关注, 长按扫码▲立即了解), not when
            # a speech says it (2 扫码报工, 手机扫码打开).
            r"(?:扫码|扫一扫)\W{0,3}\w{0,4}?(?:关注|了解|报名|加入|进群|下载|领取|添加|获取|订阅|观看|收听|阅读|购买|咨询|打开此内容|查看)|"
            r"^\W*(?:微信)?扫一扫\W*$|扫描(?:下方|上方|文末)?(?:的)?二维码|识别(?:图中)?二维码|长按(?:识别|关注|二维码|图片)|关注(?:我们|本号|本(?:微信)?公众号|(?:微信)?公众号)|"
            r"^(?:微信)?公众号[:：]|^微信号[:：]|(?:搜索|添加|置顶|星标)(?:微信)?公众号|公众号(?:后台)?(?:搜索|回复)|点击(?:上方|下方|蓝字|关注)"
        ),
    ),
    (Reason.CREDITS, re.compile(rf"^(?:\W*{_CREDIT_LABEL}\W*(?:\s*[|｜/／丨:：]\s*|\s+){_NAMES}\W*)+$|^\W*{_SPONSOR_LABEL}\W*[:：]")),
    # The tail of an image's address a line break cut off (…/640?wx_fmt=png)), a figure's label (图2).
    (Reason.IMAGE, re.compile(r"^[\w./?=&%:~+-]{3,}\)$")),
    (Reason.IMAGE_CAPTION, re.compile(r"^(?:图|圖|Figure|Fig\.?)\s*\d{1,2}(?:[-–—.．]\d{1,2})?(?:(?:[：:.．、]|\s+)[^。！？]{0,40})?$")),
    # Promotion of the series or of the full talk: 「大师课」第3期, 点击阅读原文观看完整演讲.
    (Reason.PROMOTION, re.compile(
        r"^[「『【][^」』】]{1,20}[」』】].{0,12}(?:系列|专栏|栏目|第\s*\d+\s*期|第[一二三四五六七八九十百]+期)[^，。：:]{0,8}$"
        r"|(?:点击|戳|扫码|长按)\S{0,10}(?:查看|观看|阅读|收听|收看|获取)\S{0,10}(?:全文|完整|原文|视频|回放|直播|PPT|课件)"
        r"|^(?:直播预告|活动预告|精彩预告|预告|往期回顾|往期推荐|收看\S{0,8}回放|点击\S{0,6}(?:报名|预约))[:：!！]?$|^跳转到\s*\S{1,12}\s*查看$"
    )),
    (Reason.DATELINE, re.compile(r"^[（(]?(?:新华社|中新社|中新网|人民网|新华网|央视网|本报|本刊|本台)?[\u4e00-\u9fff]{0,8}\d{1,2}月\d{1,2}日(?:电|讯)[）)]?$")),
    (Reason.APP, re.compile(r"下载(?:客户端|APP|App|app)|打开(?:APP|App|app|客户端)")),
    (Reason.WEB_ADDRESS, re.compile(r"https?://|www\.|[A-Za-z0-9-]+\.(?:com|cn|net|org|info|pro)(?![A-Za-z0-9])")),
    (
        Reason.PUBLICATION_DATA,
        re.compile(
            r"^\W{0,2}(?:稿件|文章|信息|新闻|图片|资料|头图|题图|封面|配图|封面图)?来源[:：]|^(?:转入|查看)?(?:文章)?(?:首发|原文)(?:地址|链接)|^(?:责任编辑|责编|编辑|主编|作者|记者|通讯员|撰稿|撰文|摄影|图片|编审|审核|审校|校对|"
            r"供稿|录入|整理|翻译|译者|发布时间|发布日期|发布者|发布人|发稿时间|更新时间|时间|日期|发表于|原标题|原题|原文|原文链接|"
            r"原文地址|原载|出处|分类|标签|关键词|关键字|阅读量|阅读数|阅读|浏览次数|浏览量|阅读次数|点击数|点击量|访问量|"
            r"字数|当前位置|现在位置|您的位置|你的位置|所在位置|标题|发表日期|发表时间|收藏|签发人|报送|抄送|主送|印发)[:：]|签发人[:：]|免责声明|转载请注明|如有侵权|本文(?:来自|转载自|来源于)|^(?:文章|本文|原文)?(?:来自|转自|转载自)(?:微信|公众号|网络|\S{0,12}[：:])|"
            r"^(?:相关报道|相关新闻|相关链接|相关文章|相关阅读|延伸阅读|推荐阅读|热点推荐|往期回顾|往期精彩)[:：]?|"
            r"记者\S{1,12}摄|^图为|^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$|ICP[备证]|公网安备|Copyright|©|版权声明|主办单位[:：]|承办单位[:：]|技术支持[:：]|联系我们|网站地图|返回(?:目录|首页|索引)"
        ),
    ),
    (
        Reason.PAGE_MARK,
        re.compile(
            r"^(?:[-—–－]+\s*\d{1,4}\s*[-—–－]+|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页|\d{1,4}\s*/\s*\d{1,4}"
            r"|(?:Page|page|PAGE)\s*\d+(?:\s*of\s*\d+)?|\d{1,4}|[·•]\s*\d{1,4}\s*[·•])$"
        ),
    ),
    (
        Reason.SITE_BUTTONS,
        re.compile(
            r"^(?:[\s【】\[\]|｜/·•>＞]*(?:字号[:：]?|默认|大|中|小|下载|打印|全屏|收藏|加入收藏|分享|分享到|微博|QQ空间|返回顶部|"
            r"顶部|关闭|关闭窗口|首页|上一篇|下一篇|上一页|下一页|点赞|评论|纠错|推荐|复制链接|阅读全文|展开全文|打开APP|"
            r"相关阅读|相关文章|热门推荐|猜你喜欢|延伸阅读|返回列表|在看|赞|转发|举报|微信|朋友圈|添加收藏夹|收藏本站|设为首页|关于我们|联系我们|"
            r"网站地图|打印本页|正文|图集|加载更多|查看更多|更多|写留言|留言|听过|分析|视频|小程序|使用小程序|使用完整服务|知道了|取消|允许|"
            r"微信扫一扫|扫一扫|关注该公众号|继续滑动看下一个|轻触阅读原文|阅读原文|向上滑动看下一个|预览时标签不可点|喜欢此内容的人还喜欢|"
            r"[，,]?轻点两下取消(?:赞|在看)|收录于合集|收录于话题|赞赏|分享收藏|END|THE\s*END|THEEND|完|全文完)[:：]?)+[\s【】\[\]|｜/·•—\-]*$"
            r"|^(?:上一篇|下一篇)[:：]|^点击(?:进入|查看|阅读|这里)"
        ),
    ),
    *DELIVERY_RULES,
)

#: Lines that go whatever their length: a publication label at the start (来源：, 责任编辑：,
#: 新媒体编辑：…) never opens a sentence of a speech, nor a photo caption ending in "记者 某某 摄", nor
#: a scraper's dump of a data structure ([{'type': …).
_LONG_LINE_RULES: tuple[tuple[Reason, re.Pattern[str]], ...] = (
    (
        Reason.PUBLICATION_DATA,
        re.compile(
            r"^[A-Za-z]{0,4}\s*(?:稿件|文章|信息|新闻|图片|资料|文字|新媒体|美术|视觉|网络|值班|责任)?(?:来源于|来源|出处|作者|原文|编辑|责编|主编|审核|"
            r"审校|校对|监制|出品|制作|统筹|策划|记者|通讯员|撰稿|摄影|原标题|原文链接|原文地址|收藏|发布时间|发布日期|发表日期|主办单位|主办|承办单位)[：:]|"
            r"^\d{4}[年/-]\d{1,2}[月/-]\d{1,2}日?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:来源|作者|编辑|责任编辑)[：:]"
        ),
    ),
    (Reason.PHOTO_CAPTION, re.compile(r"(?:记者|摄影)[\s\u4e00-\u9fff·、，,]{2,40}?/?摄\s*[）)]?$|^图为")),
    (Reason.DOCUMENT_NUMBER, re.compile(r"[【〔\[]\d{4}[】〕\]]\s*\d{1,4}\s*号|^(?:[\u4e00-\u9fff][ \u3000]+){3,}[\u4e00-\u9fff]$")),
    (Reason.SCRAPER_DUMP, re.compile(r"^\[?\{\s*['\"]\w+['\"]\s*:|['\"]\s*\}\s*\]\s*$")),
    # A sponsor label over a list of names, however long the list: names only, no sentence.
    (Reason.CREDITS, re.compile(rf"^\W*{_SPONSOR_LABEL}\W*[:：][^。！？!?，,；;：:]*$")),
)
_LONG_LINE_MAX = 400

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
        rows.append(block.with_text(kept.strip()))
    probes = [simplified(row.text) for row in rows]
    verdicts = _keyword_verdicts(probes)
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
    head = filled[: _SALUTATION_ROWS]
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
            sections.append(Section(row.text, 1, [], "section"))
        else:
            sections[-1].paragraphs.append(row.text)
    return sections


_APPENDIX_HEAD = re.compile(r"^(?:附件|附录|附表|名词解释)")


def _keyword_verdicts(probes: list[str]) -> Verdicts:
    verdicts: Verdicts = {}
    for i, line in enumerate(probes):
        if not line or len(line) > _LONG_LINE_MAX:
            continue
        rules = _LONG_LINE_RULES + (_LINE_RULES if len(line) <= _JUNK_MAX else ())
        for reason, pattern in rules:
            if pattern.search(line):
                verdicts[i] = reason
                break
        else:
            if is_direction(line):
                verdicts[i] = Reason.STAGE_DIRECTION
    return verdicts


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
        if count >= _REPEAT_MIN_COUNT
        and len(line) <= _REPEAT_MAX
        and not _SENTENCE_END.search(line)
        and not _NUMBERED.match(line)
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
    return len(line) <= _BLOCK_LINE_MAX and not _SENTENCE_END.search(line) and not _NUMBERED.match(line)
