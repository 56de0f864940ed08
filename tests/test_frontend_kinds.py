"""Each kind of matter that is not spoken, and each heading form, on real excerpts of the corpus.

Every document here is real (tests/corpus/SOURCES.md names its repository, path and commit); the
lines asserted are those documents' own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from frontend_util import spoken_text as spoken

from pipeline import load_script
from pipeline.model import Reason, Script, Warn
from pipeline.text.split import spoken_heading

CORPUS = Path(__file__).resolve().parent / "corpus"


def corpus(prefix: str) -> Path:
    found = [p for p in CORPUS.iterdir() if p.name.startswith(prefix) and p.suffix in (".txt", ".md")]
    assert len(found) == 1, f"expected one corpus document starting {prefix}, found {found}"
    return found[0]


def removed_at(script: Script, line: int) -> list[tuple[str, str]]:
    return [(r.kind, r.reason) for r in script.removed if r.line == line]


def headings(script: Script) -> list[tuple[str, int]]:
    return [(s.title, s.level) for s in script.sections if s.kind != "opening"]


# --- notes ---------------------------------------------------------------------------------------


def test_inline_note_marks_and_a_note_block_after_the_speech() -> None:
    script = load_script(corpus("204_"))
    assert [r.text for r in script.removed if r.line == 8 and r.reason == Reason.NOTE_MARK] == ["⑴", "⑵", "⑶"]
    assert removed_at(script, 17) == [("notes", Reason.NOTE)]  # 注　　释, spread with full-width spaces
    assert ("notes", Reason.NOTE) in removed_at(script, 19)  # 〔1〕 凯丰（一九○六——一九五五）……
    assert "凯丰（一九○六" not in spoken(script) and "刚才凯丰同志讲了" in spoken(script)


def test_a_note_block_of_bracketed_numbers_in_markdown() -> None:
    script = load_script(corpus("203_"))
    assert removed_at(script, 13) == [("notes", Reason.NOTE)]  # 注释
    assert all(removed_at(script, n) == [("notes", Reason.NOTE)] for n in (15, 17, 19, 21))  # [1] … [4]
    assert "愚公移山的故事，见《列子" not in spoken(script)


def test_the_editors_headnote_under_the_title() -> None:
    script = load_script(corpus("204_"))
    assert removed_at(script, 6) == [("notes", Reason.HEADNOTE)]  # 这是毛泽东在延安干部会上的讲演。
    assert script.date == "一九四二年二月八日"


@pytest.mark.parametrize(("prefix", "line"), [("401_", 10), ("402_", 20), ("404_", 10), ("405_", 23)])
def test_an_editors_lead_in(prefix: str, line: int) -> None:
    script = load_script(corpus(prefix))
    assert removed_at(script, line) == [("notes", Reason.LEAD_IN)]  # 【导读】 / 【导  读】


def test_a_quoted_lead_in_and_an_editors_gloss() -> None:
    script = load_script(corpus("404_"))
    assert removed_at(script, 12) == [("notes", Reason.QUOTED_LEAD_IN)]  # > 流程建设最大的难度……
    assert removed_at(script, 20) == [("notes", Reason.EDITORIAL_PARENTHESIS)]  # （指找出人员名单列表差异）


def test_the_bloggers_words_before_the_full_text() -> None:
    script = load_script(corpus("407_"))
    assert removed_at(script, 19) == [("notes", Reason.BEFORE_FULL_TEXT)]  # 以下是原文……
    assert removed_at(script, 13)[0][0] == "notes"


def test_a_note_on_the_speech_after_it() -> None:
    script = load_script(corpus("108_"))
    assert removed_at(script, 24) == [("notes", Reason.EDITORIAL_LINE)]  # ※这是……讲话的一部分。


# --- publication data ---------------------------------------------------------------------------


def test_front_matter_is_publication_data() -> None:
    script = load_script(corpus("201_"))
    assert {kind for n in range(1, 6) for kind, _ in removed_at(script, n)} == {"publication"}
    assert "volume" not in spoken(script)


def test_front_matter_without_its_opening_fence() -> None:
    script = load_script(corpus("407_"))
    assert removed_at(script, 1) == [("publication", Reason.FRONT_MATTER)]  # title: "看 ‘北大最短毕业致辞’ 的感受"


def test_source_author_editor_and_date_lines() -> None:
    script = load_script(corpus("305_"))
    for line in (9, 11, 13, 15, 17, 19, 21):  # 标题： 作者： 发表日期： 来源：<a href… 主题归类： CDS收藏： 版权说明：
        assert removed_at(script, line)[0][0] == "publication", line
    assert removed_at(script, 7) == [("publication", Reason.PUBLICATION_HEADING)]  # CDT 档案卡
    editors = load_script(corpus("104_"))
    assert all(removed_at(editors, n)[0][0] == "publication" for n in (20, 22, 24, 26))  # 作者 文字编辑 新媒体编辑 审核


def test_a_letterhead_document_number_and_distribution_list() -> None:
    script = load_script(corpus("406_"))
    assert removed_at(script, 17) == [("publication", Reason.DOCUMENT_NUMBER)]  # 总 裁 办 电 子 邮 件
    assert removed_at(script, 21)[0] == ("publication", Reason.DOCUMENT_NUMBER)  # 电邮讲话【2016】099号
    assert removed_at(script, 59)[0][0] == removed_at(script, 61)[0][0] == "publication"  # 报送： 抄送：
    assert removed_at(script, 55) == [("publication", Reason.AFTER_CLOSING)]


def test_photo_captions() -> None:
    script = load_script(corpus("107_"))
    for line in (12, 20, 31):
        assert removed_at(script, line) == [("publication", Reason.PHOTO_CAPTION)], line
    assert "新华社记者" not in spoken(script)


def test_image_captions_under_images() -> None:
    script = load_script(corpus("305_"))
    for line in (31, 49, 59, 77):
        assert removed_at(script, line) == [("publication", Reason.IMAGE_CAPTION)], line


# --- markup -------------------------------------------------------------------------------------


def test_html_blocks_images_and_badges() -> None:
    blog = load_script(corpus("403_"))
    assert removed_at(blog, 15) == [("markup", Reason.HTML_MARKUP)]  # <div>
    assert "word-break" not in spoken(blog) and "<" not in spoken(blog)
    badge = load_script(corpus("404_"))
    assert removed_at(badge, 2) == [("markup", Reason.HTML_MARKUP)]  # the visitor badge <img …>
    report = load_script(corpus("101_"))
    assert ("markup", Reason.HTML_TAG) in removed_at(report, 4) and "<h5>" not in spoken(report)


def test_a_scrapers_dump_of_a_data_structure() -> None:
    script = load_script(corpus("304_"))
    assert removed_at(script, 5)[-1] == ("markup", Reason.SCRAPER_DUMP)


# --- page furniture -----------------------------------------------------------------------------


def test_a_title_the_page_repeats() -> None:
    """The copy the format declares a heading stays the title; the page's later copy goes (and the
    date and speaker under it are still the title block's)."""
    script = load_script(corpus("107_"))
    assert removed_at(script, 1) == [] and removed_at(script, 8) == [("furniture", Reason.REPEATED_TITLE)]
    assert script.title == "在中央城市工作会议上的讲话" and (script.date, script.speaker) == ("2025年7月14日", "习近平")
    repost = load_script(corpus("720_"))  # a forum's copy of the headline is the page's, not the title
    assert repost.title.startswith("校长毕业典礼演讲串网络热词 7700学子高喊根叔")
    assert repost.salutation.startswith("亲爱的2010届毕业生同学们") and "附：华中科技大学校长李培根演讲稿" not in spoken(repost)


# --- appendices ---------------------------------------------------------------------------------


def test_an_appendix_is_kept_apart_and_spoken_only_when_asked() -> None:
    path = corpus("403_")
    script = load_script(path)
    assert [a.title for a in script.appendices] == ["附：Karmada社区技术交流地址"]
    assert removed_at(script, 56)[-1] == ("appendix", Reason.APPENDIX)
    assert "项目地址" not in spoken(script)
    spoken_too = load_script(path, appendix=True)
    assert spoken_too.sections[-1].title == "附：Karmada社区技术交流地址" and not spoken_too.appendices
    assert all(r.kind != "appendix" for r in spoken_too.removed)


# --- heading forms ------------------------------------------------------------------------------


def test_numbered_headings_of_official_documents() -> None:
    script = load_script(corpus("103_"))
    assert headings(script)[:4] == [
        ("一、新时代实施乡村振兴战略的重大意义", 1),
        ("二、实施乡村振兴战略的总体要求", 1),
        ("（一）指导思想", 2),
        ("（二）目标任务", 2),
    ]


def test_an_excerpt_whose_numbers_start_late() -> None:
    script = load_script(corpus("303_"))
    assert headings(script)[0] == ("十、推动绿色发展，促进人与自然和谐共生", 1)
    assert ("十五、坚定不移全面从严治党，深入推进新时代党的建设新的伟大工程", 1) in headings(script)


def test_traditional_headings_plain_lines_and_the_texts_own_closing_word() -> None:
    script = load_script(corpus("301_"))
    titles = [t for t, _ in headings(script)]
    assert titles[:3] == ["感謝與承擔", "為年輕人打造一個更好的國家", "第一、經濟結構的轉型"]
    assert titles[-1] == "結語" and script.sections[-1].kind == "closing"
    assert spoken_heading(script.sections[-1]) == "結語"  # the text has it: spoken as written
    assert script.salutation == "各位友邦的元首與貴賓、各國駐台使節及代表、現場的好朋友，全體國人同胞，大家好"  # its colon lost


def test_first_comma_headings_and_cues() -> None:
    script = load_script(corpus("107_"))
    assert [t for t, _ in headings(script)][:2] == ["第一，着力优化现代化城市体系", "第二，着力建设富有活力的创新城市"]


def test_articles_with_labels_and_1_headings() -> None:
    script = load_script(corpus("401_"))
    assert headings(script) == [("第一条（追求）", 1), ("1、以客户的价值观为导向，以客户满意度作评价标准", 2), ("第七条（社会责任）", 1)]


def test_markdown_headings_html_headings_and_bold_only_paragraphs() -> None:
    markdown = load_script(corpus("402_"))
    assert markdown.title.startswith("华为的冬天")
    blog = load_script(corpus("403_"))
    assert headings(blog)[:3] == [("云原生多云多集群的典型阶段", 1), ("阶段一：一群孤岛", 2), ("阶段二：威尼斯水城", 2)]


def test_bold_sentences_in_running_speech_are_emphasis_not_sections() -> None:
    """A 公众号 copy bolds a sentence in most paragraphs (南开大学的100年，是……的100年 ×4, 展望新百年 ×4):
    emphasis, weighed as such; the speech stays one stretch, its marks never spoken."""
    script = load_script(corpus("636_"))
    titles = [s.title for s in script.sections]
    assert not any(t.startswith(("南开大学的100年", "展望新百年", "2019年")) for t in titles), titles
    assert "**" not in spoken(script) and "展望新百年，我们要不忘初心，为国育才" in spoken(script)


def test_bold_lines_that_head_a_few_sections_stay_headings() -> None:
    script = load_script(corpus("634_"))
    assert [s.title for s in script.sections if s.kind == "section"] == [
        "当以爱国奉公之担当引领青春航向",
        "当以创新超越之作为点燃青春梦想",
        "当以百折不挠之坚守彰显青春力量",
    ]
    script = load_script(corpus("406_"))
    assert "**" not in spoken(script) and script.title.startswith("聚焦为客户创造价值，实现有质量的增长")


def test_the_items_of_a_list_written_line_under_line_are_points_not_sections(tmp_path) -> None:
    """A tight list (1. **Flask** 收到请求… / 2. … line under line) holds the points of one paragraph;
    the same numbers standing apart, each over its own text, are the speech's sections. A bold word
    that runs on into its sentence is stressed, not a heading."""
    demo = load_script(corpus("712_"))
    assert not any(s.title.startswith(("1. Flask", "3. 写到", "4. 每天凌晨")) for s in demo.sections), [s.title for s in demo.sections]
    assert "Flask 收到请求，不直接写库" in spoken(demo)
    path = tmp_path / "讲话.md"
    body = "这项工作要抓紧抓实，确保按期完成，各单位要高度重视。"
    path.write_text(f"# 讲话\n\n同志们：\n\n1. 提高站位\n\n{body}\n\n2. 压实责任\n\n{body}\n\n"
                    "要点如下：\n\n1. 查隐患\n2. 抓整改\n3. 建台账\n\n谢谢大家！\n", encoding="utf-8")  # fmt: skip
    assert [s.title for s in load_script(path).sections if s.kind == "section"] == ["1. 提高站位", "2. 压实责任"]


def test_a_byline_above_a_declared_title() -> None:
    script = load_script(corpus("407_"))
    assert script.title == "做自己尊重的人 致辞：饶毅（教师代表、科学家）"
    assert headings(script) == []


def test_outline_groups_what_it_removed_by_kind_before_the_list() -> None:
    from pipeline.text.outline import describe

    text = describe(load_script(corpus("305_")))
    summary = text[text.index("Removed (") : text.index("Removed, line by line:")]
    counts = dict(line.split()[:2] for line in summary.splitlines()[1:] if line.strip())
    assert set(counts) == {"publication", "markup"}
    script = load_script(corpus("305_"))
    assert {k: int(v) for k, v in counts.items()} == {k: sum(r.kind == k for r in script.removed) for k in counts}
    assert text.index("Removed, line by line:") < text.index("line    9  ")


# --- several speeches in one file -----------------------------------------------------------


def test_a_note_block_between_two_speeches_ends_where_the_next_speech_begins(tmp_path) -> None:
    """A collection: one speech with its 注释 block (〔1〕… definitions), then the next speech. The notes
    go; the second speech, from its title on, is heard."""
    first = corpus("204_").read_text(encoding="utf-8").rstrip()
    second = corpus("203_").read_text(encoding="utf-8").replace("# 愚公移山", "愚公移山")
    path = tmp_path / "collection.txt"
    path.write_text(first + "\n\n" + second, encoding="utf-8")
    script = load_script(path)
    heard = spoken(script)
    assert "我们开了一个很好的大会" in heard and "现在中国正在开着两个大会" in heard
    notes = [r.text for r in script.removed if r.reason is Reason.NOTE]
    speech = second.split("注释")[0]
    assert sum(text in first for text in notes) >= 12 and not any(text in speech for text in notes), "a line of the second speech was taken for a note"


def test_a_render_is_warned_when_much_of_the_text_goes(tmp_path) -> None:
    """A note block that swallowed half a file would go unheard without a word: above a share of
    the text removed, the script carries a warning (render and outline print it)."""
    path = tmp_path / "notes-heavy.txt"
    speech = corpus("204_").read_text(encoding="utf-8")
    path.write_text(speech, encoding="utf-8")
    assert Warn.MUCH_REMOVED in map(Warn.of, load_script(path).warnings)
    path.write_text(speech.split("注　　释")[0], encoding="utf-8")
    assert Warn.MUCH_REMOVED not in map(Warn.of, load_script(path).warnings)


def test_an_editors_box_of_key_points_before_the_speech_is_not_spoken(tmp_path) -> None:
    path = tmp_path / "box.txt"
    path.write_text("在全市营商环境大会上的讲话\n\n核心观点：\n\n· 营商环境就是生产力\n\n· 企业是城市发展的主体\n\n同志们：\n\n"
                    "今天我们召开全市营商环境大会，主要任务是部署今年的工作。\n\n谢谢大家！\n", encoding="utf-8")  # fmt: skip
    script = load_script(path)
    assert [r.line for r in script.removed if r.reason is Reason.LEAD_IN] == [3, 5, 7]
    assert script.salutation == "同志们：" and "营商环境就是生产力" not in spoken(script)


# --- what a script tells its speaker or its recording ---------------------------------------------


def test_a_transcripts_clock_and_tags_are_never_spoken_its_words_are() -> None:
    youtube = load_script(corpus("700_"))
    assert removed_at(youtube, 1) == [("furniture", Reason.TIME_CODE)] and "哈囉歡迎來到思想實驗室" in spoken(youtube)
    subtitles = load_script(corpus("702_"))
    assert removed_at(subtitles, 2) == [("furniture", Reason.TIME_CODE)]  # 00:00:00,000 --> 00:00:03,000
    assert "2 扫码报工" in spoken(subtitles)  # a step of the tutorial that says 扫码: speech, not a prompt to follow
    meeting = load_script(corpus("701_"))
    assert removed_at(meeting, 1) == [("furniture", Reason.TIME_TAG)] and "今天天遇到降温。" in spoken(meeting)
    assert "Speaker" not in spoken(meeting) and "0:02" not in spoken(meeting)


def test_slide_cues_and_stage_directions_on_their_own_lines_are_not_spoken() -> None:
    talk = load_script(corpus("711_"))
    assert removed_at(talk, 11) == [("furniture", Reason.SLIDE_CUE)]  # ## 第1页 · 封面
    assert removed_at(talk, 13) == [("stage", Reason.STAGE_DIRECTION)]  # **（上台站定，扫视一圈，微笑开场）**
    assert not any(s.title.startswith("第1页") for s in talk.sections)
    demo = load_script(corpus("712_"))
    assert removed_at(demo, 33) == [("stage", Reason.STAGE_DIRECTION)]  # 【切到本地终端】
    assert "保存后数据超了会收到订阅消息" in spoken(demo)  # a speech that mentions 订阅 is no advert
    assert removed_at(load_script(corpus("710_")), 15) == [("furniture", Reason.SLIDE_CUE)]  # (切ppt)
    assert removed_at(demo, 124) == [("stage", Reason.STAGE_DIRECTION)]  # 【点「完成并登录」】: a click on a named control
    assert removed_at(demo, 49) == [("markup", Reason.CODE)]  # python sim_runner.py … inside ```bash
    assert "X-API-Key" not in spoken(demo) and "systemctl" not in spoken(demo) and "我用 curl 模拟一次上报" in spoken(demo)


def test_a_fence_of_speech_is_spoken_and_a_fence_of_code_is_not(tmp_path) -> None:
    """Preformatted Chinese prose (a manuscript pasted inside ``` or <pre>) is speech; a command or a
    program, even with a Chinese word in it, is not, in Markdown and on a web page alike."""
    speech = "同志们：今天我们召开全县安全生产工作会议，主要任务是总结去年工作，部署今年任务。"
    command = 'curl -X POST https://example.org/api -d \'{"name":"演示用户","city":"重庆"}\''
    md = tmp_path / "讲话.md"
    md.write_text(f"# 讲话\n\n```\n{speech}\n```\n\n```\n{command}\n```\n\n谢谢大家！\n", encoding="utf-8")
    html = tmp_path / "讲话.html"
    html.write_text(f"<html><head><title>讲话</title></head><body><h1>讲话</h1><pre>{speech}</pre><pre>{command}</pre><p>谢谢大家！</p></body></html>",
                    encoding="utf-8")  # fmt: skip
    for path in (md, html):
        script = load_script(path)
        assert "全县安全生产工作会议" in spoken(script) and "curl" not in spoken(script), path.name
        assert [r.reason for r in script.removed if "curl" in r.text] == [Reason.CODE], path.name


def test_a_sponsor_label_over_a_long_list_of_names_is_credits() -> None:
    show = load_script(corpus("632_"))
    assert removed_at(show, 198) == [("publication", Reason.CREDITS)]  # 特别支持合作伙伴： 百度财经、淘宝直播、……


def test_a_bracketed_date_or_subtitle_is_no_stage_direction(tmp_path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text(
        "在全县工作会议上的讲话\n（2024年3月5日）\n同志们：\n（一）\n今天我们开会。\n（鼓掌）\n（全体起立，奏国歌）\n谢谢大家！\n", encoding="utf-8"
    )
    script = load_script(path)
    assert script.date and "2024" in script.date
    assert removed_at(script, 7) == [("stage", Reason.STAGE_DIRECTION)]
    assert "全体起立" not in spoken(script) and "今天我们开会。" in spoken(script)


def test_a_reports_appendices_after_its_closing_are_kept_apart() -> None:
    report = load_script(corpus("730_"))
    assert removed_at(report, 25) == [("appendix", Reason.APPENDIX)]  # 附件1, a third of the way in
    assert "名词解释" not in spoken(report) and "各位代表！" in spoken(report)


def test_points_counted_first_second_under_each_section_are_its_subsections() -> None:
    speech = load_script(corpus("731_"))
    assert [(t[:3], level) for t, level in headings(speech)] == [
        ("一、充", 1), ("二、全", 1), ("第一，", 2), ("第二，", 2), ("第三，", 2), ("第四，", 2),
        ("三、着", 1), ("第一，", 2), ("第二，", 2), ("第三，", 2), ("第四，", 2),
    ]  # fmt: skip


def test_a_news_reports_highlights_and_its_full_text_follows_line_are_not_spoken() -> None:
    address = load_script(corpus("721_"))
    assert removed_at(address, 35) == [("notes", Reason.BEFORE_FULL_TEXT)]  # 新华社北京12月31日电 ……全文如下：
    assert "■" not in spoken(address) and spoken(address).count("梦虽遥，追则能达") == 1  # said once, in the speech


def test_an_appendix_is_titled_without_its_colon(tmp_path) -> None:
    path = tmp_path / "讲话.txt"
    body = "同志们：今天我们召开全县安全生产工作会议，部署今年的重点任务，请大家认真抓好落实。"
    path.write_text(f"在全县安全生产工作会议上的讲话\n\n{body}\n\n谢谢大家！\n\n附件：\n\n安全生产责任清单共十二项，请各单位对照落实。\n", encoding="utf-8")
    script = load_script(path)
    assert [a.title for a in script.appendices] == ["附件"] and script.appendices[0].paragraphs
