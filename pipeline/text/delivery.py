"""What a script tells its speaker or its recording, not its audience: a recording's time codes, the
cues of a slide talk, stage directions on their own line.

Talk scripts carry slide cues ((切ppt), 【第3页】, ## 第2页 · 标题, PPT 4); a host's or a speaker's
script carries stage directions ((翻页，停顿2秒), （奏国歌）, （全体起立）); a transcript or a subtitle
file carries its clock (0:05, 00:00:03,000 --> 00:00:06,600, 说话人1 00:12). None of it is spoken.
Each is known by its form on the whole line, never by a word inside a sentence.
"""

from __future__ import annotations

import re

from ..model import Reason

CLOCK = r"\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
"""A recording's clock: 4:05, 01:02:03, 00:00:03,000, and past the hour in minutes (104:41)."""

_SLIDE = (
    r"(?:第\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*(?:页|张)(?:\s*(?:PPT|ppt|幻灯片))?|(?:PPT|ppt|幻灯片|Slide|slide|SLIDE)\s*[#:：-]?\s*\d{1,3}|P\d{1,3})"
)
_CUE_WORDS = r"(?:切|翻|换|下一|上一)\s*(?:ppt|PPT|页|张|幻灯片|屏|画面|镜头)|(?:PPT|ppt|幻灯片|屏幕|画面|镜头|演示|视频|音乐|动画)"
#: A date or a speech's place in its title block, which may stand in brackets on its own line.
_NOT_DIRECTION = re.compile(r"\d{4}\s*年|[一二〇○零]{4}年|年.{0,3}月|月.{0,3}日|^在.{2,40}(?:讲话|发言|报告|致辞|演讲)$|^[一二三四五六七八九十\d]{1,3}$")
_DIRECTION = re.compile(
    r"^[（(]([^（）()]{1,40})[）)]$"
    r"|^[【\[]((?:切|翻|打开|关闭|敲|点击|点(?=[「“『\"])|进入|滚动|输入|拖动|登录|刷新|展开|展示|演示|播放|回到|返回|手机|屏幕|镜头|画面|停顿|暂停|音乐|视频|PPT|ppt|幻灯片)[^】\]]{0,30})[】\]]$"
)

RULES: tuple[tuple[Reason, re.Pattern[str]], ...] = (
    (Reason.TIME_CODE, re.compile(rf"^[\[【(（]?{CLOCK}(?:\s*(?:-->|[-–—~])\s*{CLOCK})?[\]】)）]?$|^(?:说话人|发言人|發言人|Speaker)\s*\d{{1,2}}\s+{CLOCK}$")),
    # A slide's number, alone or with the slide's own title after it (第2页 · 前沿赛道), or a cue to change it.
    # Bare, a cue is one of the few words that turn or show a slide (翻页, 出图): no sentence is that short.
    (
        Reason.SLIDE_CUE,
        re.compile(
            rf"^[\[【(（]?{_SLIDE}[\]】)）]?(?:\s*[·:：|｜—-]\s*.{{0,40}})?$|^[\[【(（]\s*(?:{_CUE_WORDS})[^\]】)）]{{0,30}}[\]】)）]$"
            r"|^(?:翻页|换页|切页|下一张|出图|出表|切(?:ppt|PPT))[。.!！]?$"
        ),
    ),
)


def is_direction(line: str) -> bool:
    """A line that is one bracketed direction (（上台站定，微笑开场）, （奏国歌）, (切ppt)): not a
    date, not the title block's 在……上的讲话, not a heading's number alone."""
    found = _DIRECTION.match(line.strip())
    return found is not None and not _NOT_DIRECTION.search((found.group(1) or found.group(2)).strip())
