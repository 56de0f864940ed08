"""structure.build_script: title, salutation, numbered sections in sequence, closing, recovery."""

from __future__ import annotations

from frontend_util import FIXTURES

from pipeline.model import Script, Warn
from pipeline.text.clean import clean
from pipeline.text.load import read_text
from pipeline.text.structure import build_script

BODY = "我们要坚持问题导向，把各项工作抓实抓细抓到位，确保取得实实在在的成效。"


def script_of(*lines: str) -> Script:
    return build_script(clean("\n".join(lines)))


def outline(script: Script) -> list[tuple[str, int, str, int]]:
    return [(s.title, s.level, s.kind, len(s.paragraphs)) for s in script.sections]


def test_title_salutation_and_opening() -> None:
    script = script_of("在全市工作会议上的讲话", "同志们：", BODY, "一、统一思想", BODY)
    assert (script.title, script.salutation) == ("在全市工作会议上的讲话", "同志们：")
    assert outline(script) == [("", 1, "opening", 1), ("一、统一思想", 1, "section", 1)]
    assert script.warnings == []


def test_subtitle_joins_the_title_and_salutation_may_share_its_line() -> None:
    script = script_of("政府工作报告", "——在市人民代表大会上", "各位代表：现在，我代表市人民政府向大会报告工作。")
    assert script.title == "政府工作报告——在市人民代表大会上"
    assert script.salutation == "各位代表："
    assert script.sections[0].paragraphs == ["现在，我代表市人民政府向大会报告工作。"]


def test_no_title_when_the_first_line_is_speech() -> None:
    script = script_of(BODY, BODY)
    assert script.title == "" and script.sections[0].paragraphs == [BODY, BODY]
    assert Warn.NO_TITLE in map(Warn.of, script.warnings)


def test_heading_sharing_its_line_with_body_text() -> None:
    script = script_of("标题", "一、统一思想。" + BODY, "二、坚决廉洁从政：严格自律，坚决抵制各种腐朽思想的侵袭。")
    assert outline(script)[1:] == [("一、统一思想", 1, "section", 1), ("二、坚决廉洁从政", 1, "section", 1)]
    assert script.sections[1].paragraphs == [BODY]
    assert script.sections[2].paragraphs == ["严格自律，坚决抵制各种腐朽思想的侵袭。"]


def test_four_levels_nest() -> None:
    script = script_of(
        "标题", "一、总体要求", BODY, "（一）指导思想", BODY, "1.坚持党的领导", BODY, "（1）加强组织领导", BODY,
        "（2）完善工作机制", BODY, "2.坚持人民至上", BODY, "（二）基本原则", BODY, "二、重点任务", BODY,
    )  # fmt: skip
    assert [(s.title, s.level) for s in script.sections[1:]] == [
        ("一、总体要求", 1), ("（一）指导思想", 2), ("1.坚持党的领导", 3), ("（1）加强组织领导", 4),
        ("（2）完善工作机制", 4), ("2.坚持人民至上", 3), ("（二）基本原则", 2), ("二、重点任务", 1),
    ]  # fmt: skip


def test_parts_and_chapters_sit_above_numbered_headings() -> None:
    script = script_of("标题", "第一部分 形势分析", BODY, "一、成绩", BODY, "第二部分 工作任务", BODY, "一、重点", BODY)
    assert [(s.title, s.level) for s in script.sections[1:]] == [
        ("第一部分 形势分析", 1), ("一、成绩", 2), ("第二部分 工作任务", 1), ("一、重点", 2),
    ]  # fmt: skip


def test_enumerations_inside_paragraphs_are_not_sections() -> None:
    lines = ["一是加强学习。二是改进作风。", "第一，要提高认识。第二，要狠抓落实。", "首先，要统一思想。其次，要明确责任。"]
    script = script_of("标题", *lines)
    assert outline(script) == [("", 1, "opening", 3)]


def test_numbers_at_line_start_are_not_headings() -> None:
    lines = ["3.5亿元的专项资金已经全部到位。", "2023年全市经济运行稳中向好。", "3、4月份降雨偏多，给春耕生产带来不利影响。"]
    script = script_of("标题", *lines)
    assert outline(script) == [("", 1, "opening", 3)]
    assert script.sections[0].paragraphs == lines


def test_long_numbered_first_clause_is_a_paragraph_not_a_heading() -> None:
    long_line = "一、今年以来，在市委市政府的坚强领导下，全市上下认真贯彻落实中央和省委各项决策部署，经济社会发展取得了新的成绩。"
    assert outline(script_of("标题", long_line)) == [("", 1, "opening", 1)]


def test_numbers_out_of_sequence_are_body_text() -> None:
    script = script_of("标题", "一、统一思想", BODY, "二、明确任务", BODY, "一、这是正文中的重复编号", BODY)
    assert [s.title for s in script.sections] == ["", "一、统一思想", "二、明确任务"]
    assert script.sections[2].paragraphs == [BODY, "一、这是正文中的重复编号", BODY]


def test_gap_in_the_middle_is_accepted_and_warned() -> None:
    script = script_of("标题", "一、统一思想", BODY, "三、狠抓落实", BODY)
    assert [s.title for s in script.sections] == ["", "一、统一思想", "三、狠抓落实"]
    assert [Warn.of(w) for w in script.warnings] == [Warn.HEADING_NOT_FOUND]
    assert (script.warnings[0].fields["number"], script.warnings[0].fields["missing"]) == ("三、", "二、")


def test_a_lone_heading_number_above_one_needs_a_successor() -> None:
    script = script_of("标题", "二、坚决廉洁从政", BODY)
    assert outline(script) == [("", 1, "opening", 2)]


def test_lost_heading_is_recovered_from_a_parallel_sentence() -> None:
    script = script_of(
        "标题",
        "同志们：",
        "今天的会议很重要，大家都很关心。这件事意义重大，要高度重视。增强宗旨意识。切实深怀爱民之心，恪守为民之责：",
        "一是勇于率先垂范。要经常深入基层，倾听群众呼声。",
        "二、坚决廉洁从政。" + BODY,
        "三、提高个人修养。" + BODY,
    )
    assert [s.title for s in script.sections] == ["", "一、增强宗旨意识", "二、坚决廉洁从政", "三、提高个人修养"]
    assert script.sections[0].paragraphs == ["今天的会议很重要，大家都很关心。这件事意义重大，要高度重视。"]
    assert script.sections[1].paragraphs == ["切实深怀爱民之心，恪守为民之责：", "一是勇于率先垂范。要经常深入基层，倾听群众呼声。"]
    assert "recovered" in script.sections[1].note and "line 3" in script.sections[1].note
    assert Warn.of(script.warnings[0]) == Warn.HEADING_RECOVERED and script.warnings[0].fields["title"] == "一、增强宗旨意识"


def test_no_recovery_when_two_sentences_could_be_the_heading() -> None:
    script = script_of("标题", "增强宗旨意识。这件事很好。坚持人民至上。", "二、坚决廉洁从政。" + BODY, "三、提高个人修养。" + BODY)
    assert [s.title for s in script.sections] == ["", "二、坚决廉洁从政", "三、提高个人修养"]
    assert Warn.of(script.warnings[0]) == Warn.HEADING_NOT_FOUND


def test_closing_words_become_the_closing_section() -> None:
    script = script_of("标题", "一、统一思想", BODY, BODY, "同志们，让我们携手奋进！", "谢谢大家！")
    assert outline(script) == [
        ("", 1, "opening", 0), ("一、统一思想", 1, "section", 2), ("", 1, "closing", 2),
    ]  # fmt: skip


def test_no_closing_without_a_cue_and_a_section_is_never_emptied() -> None:
    assert outline(script_of("标题", "一、统一思想", BODY, BODY))[-1] == ("一、统一思想", 1, "section", 2)
    assert outline(script_of("标题", "一、统一思想", "以上是我的发言，谢谢大家！"))[-1][2] == "section"


def test_stage_notes_are_not_spoken() -> None:
    script = script_of("标题", "同志们：", "下面我讲三点意见。（掌声）", "谢谢大家！（热烈掌声）")
    spoken = "".join(p for s in script.sections for p in s.paragraphs)
    assert "掌声" not in spoken
    assert [r.text for r in script.removed] == ["（掌声）", "（热烈掌声）"]


def test_government_report_fixture() -> None:
    script = build_script(clean(read_text(FIXTURES / "gov_report.txt")))
    assert script.title.startswith("2024年政府工作报告——2024年1月15日")
    assert script.salutation == "各位代表："
    assert [(s.title, s.level) for s in script.sections[1:]] == [
        ("一、2023年工作回顾", 1), ("（一）经济运行稳中向好", 2), ("（二）创新动能持续增强", 2),
        ("（三）民生保障更加有力", 2), ("二、2024年工作安排", 1), ("（一）着力扩大有效需求", 2),
        ("1.扩大有效投资", 3), ("2.促进消费升级", 3), ("（二）着力推进科技创新", 2), ("（三）着力保障改善民生", 2),
        ("三、加强政府自身建设", 1), ("", 1),
    ]  # fmt: skip
    assert "3.5亿元的科技成果转化基金" in script.sections[3].paragraphs[1]
    assert "4.0∶37.7∶58.3" in script.sections[1].paragraphs[0]
    assert script.warnings == []


def test_speech_with_subsections_fixture() -> None:
    script = build_script(clean(read_text(FIXTURES / "subsections_speech.txt")))
    titles = [s.title for s in script.sections]
    assert titles[1] == "一、提高政治站位，切实增强做好安全生产工作的责任感"
    assert titles[4:8] == ["二、突出重点领域，全面开展隐患排查整治", "（一）抓好道路交通安全", "（三）抓好建筑施工安全", "（四）抓好消防安全"]
    assert script.sections[-1].kind == "closing" and script.sections[-1].paragraphs[-1] == "谢谢大家！"
    assert [Warn.of(w) for w in script.warnings] == [Warn.HEADING_NOT_FOUND] and script.warnings[0].fields["missing"] == "（二）"
    assert script.sections[3].paragraphs[1].startswith("第一，思想认识上还有差距。")


def test_traditional_fixture() -> None:
    script = build_script(clean(read_text(FIXTURES / "traditional_big5.txt")))
    assert script.title == "在慶祝教師節大會上的致辭"
    assert script.salutation == "各位同仁、各位來賓："
    assert [s.title for s in script.sections] == [
        "", "一、回顧過去，成績來之不易", "二、立足當下，堅守教育初心", "三、展望未來，共創美好明天", "",
    ]  # fmt: skip
    assert script.sections[-1].paragraphs == ["最後，祝全體老師節日快樂，身體健康，工作順利，闔家幸福！謝謝大家！"]


def test_a_byline_and_a_date_line_in_one_markdown_paragraph_stay_apart(tmp_path) -> None:
    from pipeline.text.manuscript import load_script

    path = tmp_path / "speech.md"
    path.write_text(
        "# 在全县安全生产工作会议上的讲话\n\n——县长 王某某\n2023年3月5日\n同志们：\n今天我们召开会议，\n研究部署安全生产工作。\n\n## 引　　言\n\n安全生产是底线。\n",
        encoding="utf-8",
    )
    script = load_script(path)
    assert (script.title, script.speaker, script.date) == ("在全县安全生产工作会议上的讲话", "县长 王某某", "2023年3月5日")
    assert script.salutation == "同志们："
    assert script.sections[0].paragraphs == ["今天我们召开会议，研究部署安全生产工作。"]
    assert [s.title for s in script.sections[1:]] == ["引言"]  # spread with full-width spaces, shown as one word


def test_a_long_reports_sections_go_on_past_ninety_nine(tmp_path) -> None:
    from pipeline.text.manuscript import load_script

    lines = ["关于一百零一项民生实事的报告", "", "各位代表：", "", "现将今年的民生实事报告如下。", ""]
    for n, numeral in enumerate(["九十八", "九十九", "一百", "一百零一"], 98):
        lines += [f"{numeral}、第{n}项民生实事", "", f"这一项工作已经全面完成，群众满意度达到百分之九十以上。第{n}项。", ""]
    path = tmp_path / "report.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    titles = [s.title for s in load_script(path).sections if s.kind == "section"]
    assert titles == ["九十八、第98项民生实事", "九十九、第99项民生实事", "一百、第100项民生实事", "一百零一、第101项民生实事"]
