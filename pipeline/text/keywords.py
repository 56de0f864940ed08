"""Lines that are not speech, known by their words: a watermark, a sponsor's credits, a site's
buttons, a page number, a publication label. Each rule says what it takes and why a speech line
would not match it; a keyword rule removes only a short line (a longer one is speech that mentions
the word), except the few labels that never open a sentence of a speech."""

from __future__ import annotations

import re

from ..model import Reason
from .delivery import RULES as DELIVERY_RULES
from .delivery import is_direction

#: Longest line a keyword rule may remove whole; a longer line is speech that mentions the word.
_JUNK_MAX = 60

_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[\s、，,]+[\u4e00-\u9fff·]{2,4}){0,3}"
#: Who made the page (文 | 张三, 摄影/李四, 整理：王五): the label then names only.
_CREDIT_LABEL = (
    r"(?:文|图|文图|图文|摄影|摄|视频|撰文|撰稿|记者|通讯员|编辑|责编|主编|整理|作者|策划|设计|排版|美编|校对|审核|审校|监制|出品人|供图|制图|翻译|编译)"
)
#: Who paid for or lent a hand to the event (战略合作伙伴：……, 特别支持单位：……, 联合出品：……).
_SPONSOR_LABEL = r"[\u4e00-\u9fff]{0,6}(?:合作伙伴|支持单位|合作媒体|合作平台|媒体支持|出品方?|赞助商?|鸣谢|主办方?|承办方?|协办方?|指定用\w{1,2}|\w{0,4}支持)"
_CONTACT_FIELD = r"(?:地址|通讯地址|邮编|邮政编码|电话|联系电话|传真|邮箱|电子邮箱|E-?mail|网址)"
#: Reasons that mark the site's own promotion; slogan lines between two of these are promotion too.
PROMOTION = frozenset({Reason.WATERMARK, Reason.CONTACT, Reason.SUBSCRIPTION, Reason.FOLLOW, Reason.APP, Reason.BRAND, Reason.SLOGAN, Reason.PROMOTION})
_LINE_RULES: tuple[tuple[Reason, re.Pattern[str]], ...] = (
    (Reason.WATERMARK, re.compile(r"仅供(?:学习|个人|内部)|禁止(?:外传|转载|复制|商用)|请勿(?:外传|转载|复制)|版权(?:所有|归)|侵权必究|未经(?:授权|许可)")),
    (
        Reason.CONTACT,
        # An account to add is a number or a Latin id (QQ306157061, 微信：abc_123): 微信群在内的推送 is a sentence.
        re.compile(
            r"(?:QQ|qq|ＱＱ|微信|VX|vx|wx)[号群]?[:：\s]*[A-Za-z0-9_-]{5,}|咨询(?:QQ|qq|微信|电话)|QQ群|qq群|(?:加|添加)(?:微信|QQ|qq)"
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
    (
        Reason.PROMOTION,
        re.compile(
            r"^[「『【][^」』】]{1,20}[」』】].{0,12}(?:系列|专栏|栏目|第\s*\d+\s*期|第[一二三四五六七八九十百]+期)[^，。：:]{0,8}$"
            r"|(?:点击|戳|扫码|长按)\S{0,10}(?:查看|观看|阅读|收听|收看|获取)\S{0,10}(?:全文|完整|原文|视频|回放|直播|PPT|课件)"
            r"|^(?:直播预告|活动预告|精彩预告|预告|往期回顾|往期推荐|收看\S{0,8}回放|点击\S{0,6}(?:报名|预约))[:：!！]?$|^跳转到\s*\S{1,12}\s*查看$"
        ),
    ),
    (
        Reason.DATELINE,
        re.compile(r"^[（(]?(?:新华社|中新社|中新网|人民网|新华网|央视网|本报|本刊|本台)?[\u4e00-\u9fff]{0,8}\d{1,2}月\d{1,2}日(?:电|讯)[）)]?$"),
    ),
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
            r"^(?:[-—–－]+\s*\d{1,4}\s*[-—–－]+|[=＝*#~_]{3,}\s*第?\s*\d{1,4}\s*页?\s*[=＝*#~_]{3,}|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页|\d{1,4}\s*/\s*\d{1,4}"
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
    # A document number standing as a line of its own (路卫发〔2011〕76号); one cited inside a sentence
    # (根据……（浙人才〔1993〕73号）文件精神) is speech. A letter-spaced letterhead (中 共 某 某 委 员 会) too,
    # but not a letter-spaced title (政 府 工 作 报 告, 讲 话 稿): it ends on what the text is.
    (
        Reason.DOCUMENT_NUMBER,
        re.compile(
            r"^[\W_]*[\u4e00-\u9fffA-Za-z]{0,12}\s*[【〔\[［]\d{4}[】〕\]］]\s*\d{1,4}\s*号(?:\s+签发人\s*[:：]\s*[\u4e00-\u9fff·]{2,5})?[\W_]*$|^(?:[\u4e00-\u9fff][ \u3000]+){3,}[\u4e00-\u9fff](?<![告话言辞词结稿])$"
        ),
    ),
    (Reason.SCRAPER_DUMP, re.compile(r"^\[?\{\s*['\"]\w+['\"]\s*:|['\"]\s*\}\s*\]\s*$")),
    # An article's reading time (本篇文章共7953字，预计阅读需要37分钟), and a line that ends on the
    # minute it was posted (奇安信 CERT 2023-07-20 15:40): a page's header; nobody says either.
    (
        Reason.PUBLICATION_DATA,
        re.compile(
            r"^\W{0,2}(?:本篇文章|本文|全文)(?:共|约|长|全文)?\s*[\d,，.]+\s*[万千]?字.{0,30}$|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s+\d{1,2}:\d{2}(?::\d{2})?\s*$"
        ),
    ),
    # A sponsor label over a list of names, however long the list: names only, no sentence.
    (Reason.CREDITS, re.compile(rf"^\W*{_SPONSOR_LABEL}\W*[:：][^。！？!?，,；;：:]*$")),
)
_LONG_LINE_MAX = 400


def keyword_verdicts(probes: list[str]) -> dict[int, Reason]:
    verdicts: dict[int, Reason] = {}
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
