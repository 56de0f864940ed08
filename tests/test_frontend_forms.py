"""Matter known by its form and place, on real documents of the corpus's development half.

Each test names the kind, the document it comes from (tests/corpus/SOURCES.md gives its repository)
and the lines that show it; a second case shows the speech that looks alike and must stay.
"""

from __future__ import annotations

from pathlib import Path

from frontend_util import spoken_text as spoken

from pipeline import load_script
from pipeline.model import Reason, Script
from pipeline.text.clean import clean
from pipeline.text.keywords import keyword_verdicts
from pipeline.text.opening import speaker_of

CORPUS = Path(__file__).resolve().parent / "corpus"
SPEECH = "同志们，今年我们要坚持稳中求进，推动经济增长5.2%左右。"


def corpus(prefix: str) -> Script:
    found = [p for p in CORPUS.iterdir() if p.name.startswith(prefix) and p.suffix in (".txt", ".md")]
    assert len(found) == 1, found
    return load_script(found[0])


def reasons_at(script: Script, line: int) -> list[Reason]:
    return [r.reason for r in script.removed if r.line == line]


def test_a_speaker_who_says_the_speech_is_over_has_said_it_all() -> None:
    talk = corpus("710_")  # 以上就是我们的展示, 谢谢! then the team's notes for questions
    assert reasons_at(talk, 73) == [] and "以上就是我们的展示" in spoken(talk)
    assert reasons_at(talk, 79) == [Reason.AFTER_CLOSING]  # 项目的难度在哪里?
    assert reasons_at(talk, 92) == [Reason.AFTER_CLOSING]  # a paragraph of sentences: still after the end
    assert "关于如何找出PyTorch框架的大模型训练瓶颈" not in spoken(talk)
    remarks = corpus("662_")  # 我的发言完毕，谢谢大家！ in the first half, a site's report after it
    assert reasons_at(remarks, 11) == [] and reasons_at(remarks, 14) == [Reason.AFTER_CLOSING]


def test_a_new_speech_after_a_sign_off_is_spoken() -> None:
    text = f"{SPEECH}\n以上是我的发言，谢谢大家。\n同志们：\n{SPEECH}"
    cleaned = clean(text)
    assert cleaned.removed == [] and len(cleaned.lines) == 4


def test_closing_thanks_after_the_sign_off_stay_with_it() -> None:
    cleaned = clean(f"{SPEECH}\n{SPEECH}\n以上就是我的汇报。\n谢谢大家，欢迎指正。\n扫码关注我们")
    assert [line for _, line in cleaned.lines][-1] == "谢谢大家，欢迎指正。"


def test_a_markdown_table_of_contents_is_not_read() -> None:
    report = corpus("614_")  # - [工作总结](#工作总结) …
    assert all(reasons_at(report, n) == [Reason.CONTENTS] for n in range(6, 12))
    assert "工作总结" in [s.title for s in report.sections]  # the heading itself is spoken


def test_a_reading_time_and_a_header_that_ends_on_the_minute() -> None:
    article = corpus("624_")
    assert reasons_at(article, 2) == [Reason.PUBLICATION_DATA]  # 奇安信 CERT   2023-07-20 15:40
    assert reasons_at(article, 5) == [Reason.PUBLICATION_DATA]  # 本篇文章共7953字，预计阅读需要37分钟。
    verdicts = keyword_verdicts(["我在2023年7月20日到了会场。", "全文共分三个部分，第一部分讲形势。"])
    assert verdicts == {}


def test_an_account_is_a_number_or_an_id_not_a_word() -> None:
    article = corpus("624_")
    assert reasons_at(article, 120) == [] and "微信群在内的IM实时推送" in spoken(article)
    assert keyword_verdicts(["某某文库整理，咨询QQ306157061", "微信：abc_123"]) == {0: Reason.CONTACT, 1: Reason.CONTACT}


def test_a_recordings_clock_past_the_hour_and_slide_numbers_in_words() -> None:
    assert reasons_at(corpus("671_"), 157) == [Reason.TIME_CODE]  # 104:41
    assert reasons_at(corpus("617_"), 3) == [Reason.SLIDE_CUE]  # 第三页
    assert reasons_at(corpus("861_"), 112) == [Reason.SLIDE_CUE]  # 出表
    assert keyword_verdicts(["第三页我们看到了增长。"]) == {}


def test_a_page_mark_framed_by_rules() -> None:
    booklet = corpus("870_")
    assert reasons_at(booklet, 84) == [Reason.PAGE_MARK]  # ==========第11页==========


def test_a_list_a_blank_line_apart_is_a_list() -> None:
    report = corpus("800_")  # 1. 代码量：…  2. 项目：…  3. 文章：…
    titles = [s.title for s in report.sections]
    assert not any(t.startswith(("1. 代码量", "2. 项目", "3. 文章")) for t in titles)
    assert "截止 12.18，今年总共有 752 个提交" in spoken(report)


def test_numbers_in_brackets_with_a_pdfs_space_and_an_outline_that_starts_mid_way() -> None:
    address = corpus("646_")  # (一 ) 引言 … (十一 ) 結語, extracted from the Hansard's PDF
    assert {"(一 ) 引言", "(二 ) 經濟發展", "(十一 ) 結語"} <= {s.title for s in address.sections}
    excerpt = corpus("730_")  # the report's last two sections, （十三） and （十四）
    assert [s.title[:4] for s in excerpt.sections if s.kind == "section"] == ["（十三）", "（十四）"]


def test_the_empty_bold_around_a_heading() -> None:
    talk = corpus("625_")  # **** **增长收敛**
    assert ("增长收敛", 1) in [(s.title, s.level) for s in talk.sections]


def test_a_spread_out_title_and_a_speaker_set_apart_from_the_office() -> None:
    report = corpus("611_")
    assert report.title.startswith("政府工作报告——2019年3月4日")
    assert report.speaker == "呼伦贝尔市海拉尔区人民政府代区长 萨国文"
    assert report.salutation == "各位代表："
    assert speaker_of("县委书记  张三") == "县委书记 张三" and speaker_of("全面推进乡村振兴的总负责人　　好") == ""


def test_radical_glyphs_copied_out_of_a_pdf_are_read_as_their_characters() -> None:
    talk = corpus("663_")  # 当从⽂件、⽤户、⽹络或其他外部接⼝中获取数据时
    assert "当从文件、用户、网络或其他外部接口中获取数据时" in spoken(talk) and "⽂" not in spoken(talk)
