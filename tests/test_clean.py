"""clean: junk goes, speech stays, and every removal is reported so the characters add up."""

from __future__ import annotations

import pytest
from frontend_util import FIXTURES, assert_accounted

from pipeline.model import Reason
from pipeline.text.clean import clean
from pipeline.text.load import read_text

SPEECH = "同志们，今年我们要坚持稳中求进，推动经济增长5.2%左右。"


def _removed(text: str) -> dict[int, str]:
    cleaned = clean(text)
    assert_accounted(text, cleaned)
    return {item.line: item.reason for item in cleaned.removed}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("仅供学习 禁止外传", Reason.WATERMARK),
        ("本文版权归原作者所有，侵权必究", Reason.WATERMARK),
        ("某某文库整理，咨询QQ123456789", Reason.CONTACT),
        ("加微信 fanwen2023 领取全套资料", Reason.CONTACT),
        ("现在订阅立享前3年的所有权益和资料", Reason.SUBSCRIPTION),
        ("开通会员即可免费下载全文", Reason.SUBSCRIPTION),
        ("扫码关注公众号，获取更多范文", Reason.FOLLOW),
        ("https://www.example.com/article/123.html", Reason.WEB_ADDRESS),
        ("来源：新华网", Reason.PUBLICATION_DATA),
        ("责任编辑：王五", Reason.PUBLICATION_DATA),
        ("免责声明：本站文章均来自网络", Reason.PUBLICATION_DATA),
        ("— 3 —", Reason.PAGE_MARK),
        ("- 12 -", Reason.PAGE_MARK),
        ("第3页 共10页", Reason.PAGE_MARK),
        ("3/10", Reason.PAGE_MARK),
        ("【字号：大 中 小】【打印】【关闭窗口】", Reason.SITE_BUTTONS),
        ("下载 | 打印 | 全屏 | 收藏", Reason.SITE_BUTTONS),
        ("上一篇：在全市工作会议上的讲话", Reason.SITE_BUTTONS),
        # Portal and 公众号 matter around a talk, by its form.
        ("整理 | 曹思颀  编辑 | 靖宇", Reason.CREDITS),
        ("摄影/王晓明", Reason.CREDITS),
        ("战略合作伙伴：极氪智能科技", Reason.CREDITS),
        ("新华社北京1月30日电", Reason.DATELINE),
        ("图2", Reason.IMAGE_CAPTION),
        ("640?wx_fmt=png&from=appmsg)", Reason.IMAGE),
        ("「大师课」系列第3期", Reason.PROMOTION),
        ("点击阅读原文观看完整演讲视频", Reason.PROMOTION),
        ("END", Reason.SITE_BUTTONS),
        ("继续滑动看下一个", Reason.SITE_BUTTONS),
        ("，轻点两下取消在看", Reason.SITE_BUTTONS),
        ("文章来自微信公众号：故问研修班", Reason.PUBLICATION_DATA),
    ],
)
def test_junk_lines_are_removed_with_a_reason(line: str, reason: Reason) -> None:
    text = f"{SPEECH}\n{line}\n{SPEECH}"
    assert _removed(text) == {2: reason}


@pytest.mark.parametrize(
    "line",
    [
        "以上意见仅供参考，不妥之处请大家批评指正。",
        "各会员单位要加强自律，切实维护行业秩序和消费者权益。",
        "我们要加强知识产权保护，严厉打击侵权盗版行为，营造良好的创新环境。",
        "我们要坚持以人民为中心的发展思想，具体政策请登录www.gov.cn查询了解，切实把好事办好、实事办实，让人民群众有更多获得感。",
        "一、坚持稳中求进",
        "2023年",
        "GDP增长5.2%，CPI上涨0.2%，5G基站达到3.2万个。",
        "谢谢大家！",
        # One word never decides: a VIP customer is a customer, an account named is no prompt to follow it.
        "二、做好vip客户回访工作",
        "演讲 / 吴晓波（微信公众号：吴晓波频道）",
        "我们的文化建设要图文并茂、形式多样。",
        "图书馆是学校的心脏。",
    ],
)
def test_speech_lines_are_kept(line: str) -> None:
    cleaned = clean(f"{SPEECH}\n{line}\n{SPEECH}")
    assert cleaned.removed == []
    assert cleaned.lines == [(1, SPEECH), (2, line), (3, SPEECH)]


@pytest.mark.parametrize(
    ("line", "kept", "fragment", "reason"),
    [
        ("要坚定信念。/ G- k; W% a%要勇于担当。", "要坚定信念。要勇于担当。", "/ G- k; W% a%", Reason.SCRAPING_DEBRIS),
        ("下面我讲三点意见。（掌声）", "下面我讲三点意见。", "（掌声）", Reason.STAGE_NOTE),
        ("<p>同志们：</p>", "同志们：", "<p>", Reason.HTML_TAG),
        ('会议很成功<img src="a.png"/>。', "会议很成功。", '<img src="a.png"/>', Reason.HTML_TAG),
        ("坚持&nbsp;创新", "坚持创新", "&nbsp;", Reason.HTML_ENTITY),
        ("坚持\x07创新\u200b发展", "坚持创新发展", "\x07", Reason.CONTROL),
    ],
)
def test_fragments_inside_a_line_are_cut_out_and_reported(line: str, kept: str, fragment: str, reason: Reason) -> None:
    cleaned = clean(line)
    assert_accounted(line, cleaned)
    assert cleaned.lines == [(1, kept)]
    assert cleaned.removed[0].text == fragment and cleaned.removed[0].reason is reason


def test_ascii_in_speech_is_not_debris() -> None:
    line = "我们的 GDP 增长了 5.2 %，A 股和 B 股市场平稳运行。"
    assert clean(line).lines == [(1, line)]


def test_repeated_footer_goes_but_a_repeated_sentence_stays() -> None:
    footer = "XX市人民政府办公室"
    sentence = "我们要坚持不懈！"
    text = "\n".join([footer, SPEECH, footer, sentence, SPEECH, sentence, footer, sentence])
    removed = _removed(text)
    assert removed == dict.fromkeys((1, 3, 7), Reason.REPEATED)


def test_brand_of_the_adverts_is_removed_alone_too() -> None:
    text = "\n".join(["某某文库", SPEECH, "某某文库整理，咨询QQ12345678", SPEECH, "某某文库出品 加微信 abc12345"])
    assert _removed(text) == {1: Reason.BRAND, 3: Reason.CONTACT, 5: Reason.CONTACT}


def test_slogans_between_adverts_go_but_a_title_between_page_furniture_stays() -> None:
    adverts = "\n".join(["仅供学习 禁止外传", "自建平台、实时分享", "现在订阅立享全部资料", "", "讲话标题"])
    assert _removed(adverts)[2] == Reason.SLOGAN
    furniture = "\n".join(["来源：某某网", "在全市工作会议上的讲话", "责任编辑：张三", SPEECH])
    assert set(_removed(furniture)) == {1, 3}


def test_a_line_of_only_a_stage_note_disappears_from_the_kept_lines() -> None:
    cleaned = clean(f"{SPEECH}\n（热烈掌声）\n{SPEECH}")
    assert [n for n, _ in cleaned.lines] == [1, 3]
    assert [(r.line, r.text) for r in cleaned.removed] == [(2, "（热烈掌声）")]


@pytest.mark.parametrize("name", ["gov_report.txt", "subsections_speech.txt", "scraped_copy.txt", "traditional_big5.txt"])
def test_fixtures_account_for_every_character(name: str) -> None:
    text = read_text(FIXTURES / name)
    cleaned = clean(text)
    assert_accounted(text, cleaned)
    assert cleaned.lines


def test_scraped_copy_loses_exactly_its_furniture() -> None:
    text = read_text(FIXTURES / "scraped_copy.txt")
    cleaned = clean(text)
    whole = {r.line for r in cleaned.removed if r.text.strip() == text.split("\n")[r.line - 1].strip()}
    assert whole == {1, 2, 4, 9, 10, 13, 14, 17, 19, 20, 21, 22, 23, 24}
    kinds = [r.reason for r in cleaned.removed if r.line in (6, 8)]
    assert kinds == [Reason.HTML_TAG, Reason.SCRAPING_DEBRIS, Reason.HTML_TAG, Reason.SCRAPING_DEBRIS]
    kept = dict(cleaned.lines)
    assert kept[5] == "同志们："
    assert "各会员单位" in kept[12] and "www.example.gov.cn" in kept[12]


def test_a_removed_piece_put_back_stays_where_it_stood(tmp_path) -> None:
    """What a person restores (a whole line, a fragment, a piece the reader took out) is spoken, in
    its place, and only that leaves the report."""
    from pipeline.text.manuscript import load_script

    path = tmp_path / "speech.md"
    path.write_text("# 在全市会议上的讲话\n\n同志们：\n\n<div>欢迎关注公众号</div>\n\n## 一、抓好安全\n\n"
                    "我们要抓好安全生产工作。\n\n第2页\n\n## 二、抓好发展\n\n我们要抓好发展。\n\n谢谢大家！\n", encoding="utf-8")  # fmt: skip
    script = load_script(path)
    removed = {r.text: r for r in script.removed}
    assert {"欢迎关注公众号", "<div> </div>"} <= set(removed), removed
    for text, r in removed.items():
        kept = load_script(path, keep=frozenset({(r.line, r.text)}))
        assert [x.text for x in kept.removed] == [x.text for x in script.removed if x is not r]
        spoken = [p for s in kept.sections for p in s.paragraphs]
        assert text in spoken, (text, spoken)
    advert = removed["欢迎关注公众号"]
    kept = load_script(path, keep=frozenset({(advert.line, advert.text)}))
    assert kept.sections[0].paragraphs == ["欢迎关注公众号"]  # before the first section, where it stood
