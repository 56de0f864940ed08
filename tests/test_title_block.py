"""The commonest 讲话稿 title block, in every format a manuscript comes in: the title with its subtitle,
the speaker and the date kept apart (and read once after the title), the salutation found after them.
"""

from __future__ import annotations

import html
from pathlib import Path

import docx
import pdfplumber
import pytest
from test_pdf import CHROMIUM, print_to_pdf

from pipeline import load_script
from pipeline.model import Script
from pipeline.text.split import split_script

TITLE = "凝心聚力 攻坚克难 推动安全生产形势持续稳定向好"
SUBTITLE = "——在全县安全生产工作会议上的讲话"
BODY = [
    "今天，我们召开全县安全生产工作会议，主要任务是总结去年全县安全生产工作，分析当前形势，部署今年的重点任务。",
    "一、充分肯定成绩，切实增强做好安全生产工作的信心",
    "过去的一年，全县上下坚持人民至上、生命至上，安全生产形势总体平稳，事故起数和死亡人数实现双下降。",
    "二、清醒认识形势，切实增强做好安全生产工作的紧迫感",
    "当前，全县安全生产仍处于爬坡过坎期，一些行业领域风险隐患仍然突出，我们必须保持清醒头脑，不能有丝毫松懈。",
    "同志们，安全生产责任重于泰山。让我们以更加务实的作风，推动全县安全生产形势持续稳定向好！",
]
HEADINGS = ["一、充分肯定成绩，切实增强做好安全生产工作的信心", "二、清醒认识形势，切实增强做好安全生产工作的紧迫感"]


def top(*block: str) -> list[str]:
    return [*block, "同志们：", *BODY]


def assert_read(script: Script, title: str = TITLE + SUBTITLE, speaker: str = "县委书记 张三") -> None:
    assert (script.title, script.speaker, script.date, script.salutation) == (title, speaker, "2024年3月5日", "同志们：")
    assert script.sections[0].paragraphs[0] == BODY[0], "the date or the speaker was read as the first paragraph"
    assert [s.title for s in script.sections if s.kind == "section"] == HEADINGS


@pytest.mark.parametrize(
    "block",
    [
        (TITLE, SUBTITLE, "县委书记  张三", "（2024年3月5日）"),
        (TITLE, SUBTITLE, "（2024年3月5日）", "县委书记  张三"),
        (TITLE, SUBTITLE, "县委书记 张三", "2024年3月5日"),
    ],
    ids=["speaker-then-date", "date-then-speaker", "no-brackets"],
)
def test_a_plain_text_title_block(tmp_path: Path, block: tuple[str, ...]) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text("\n".join(top(*block)) + "\n", encoding="utf-8")
    assert_read(load_script(path))


@pytest.mark.parametrize(
    ("salutation", "first"),
    [
        # A roll call of the dignitaries, longer than any one-line address (traditional characters, 丶 for 、).
        ("終審法院首席法官丶律政司司長丶律師會會長、各位司法人員丶法律界同業、尊貴的嘉賓、女士們及先生們：", "今天是法律年度開啟典禮。"),
        # The audience greeted with 大家好 straight after it is named, no comma between.
        ("尊敬的各位领导、院士，各位专家来宾，媒体朋友们大家好！", "今天很高兴来到这里。"),
        ("你们好！", "今天是你们毕业的日子。"),
    ],
)
def test_an_address_in_any_of_its_common_forms_is_the_salutation(tmp_path: Path, salutation: str, first: str) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text(f"在典礼上的讲话\n\n{salutation}\n\n{first}我们要继续努力。\n\n谢谢大家！\n", encoding="utf-8")
    script = load_script(path)
    assert script.salutation == salutation and script.sections[0].paragraphs[0].startswith(first)


def test_a_sentence_that_announces_the_speakers_points_is_no_salutation(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text("在全县工作会议上的讲话\n\n下面，我代表县委、县政府，讲几点意见：\n\n一、提高站位\n\n要抓紧抓实。\n", encoding="utf-8")
    script = load_script(path)
    assert script.salutation == "" and script.sections[0].paragraphs[0] == "下面，我代表县委、县政府，讲几点意见："


def test_the_name_alone_is_the_speaker_and_no_section(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text("\n".join(top(TITLE, SUBTITLE, "张三", "（2024年3月5日）")) + "\n", encoding="utf-8")
    assert_read(load_script(path), speaker="张三")


def test_a_title_wrapped_by_a_hard_break_is_one_title_without_a_space(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text("\n".join(top(TITLE + "——在全县安全生产工作会议", "上的讲话", "县委书记  张三", "（2024年3月5日）")) + "\n", encoding="utf-8")
    assert_read(load_script(path))


def test_the_speaker_and_the_date_are_heard_once_right_after_the_title(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text("\n".join(top(TITLE, SUBTITLE, "县委书记  张三", "（2024年3月5日）")) + "\n", encoding="utf-8")
    chunks = split_script(load_script(path), 300)
    assert [c.text for c in chunks[:4]] == [TITLE + SUBTITLE, "县委书记 张三", "2024年3月5日", "同志们："]
    assert [c.role for c in chunks[:4]] == ["title", "title", "title", "salutation"]
    assert [c.pause_after for c in chunks[:3]] == ["sentence", "sentence", "title"]
    assert sum("张三" in c.text for c in chunks) == 1


def test_a_word_title_block(tmp_path: Path) -> None:
    document = docx.Document()
    for text in top(TITLE, SUBTITLE, "县委书记  张三", "（2024年3月5日）"):
        document.add_paragraph(text)
    path = tmp_path / "讲话.docx"
    document.save(path)
    assert_read(load_script(path))


def page(lines: list[str]) -> str:
    head, body = lines[:4], lines[4:]
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in [*head[1:], *body])
    # A narrow column, as a document site sets it: the long title wraps when printed.
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(head[0])}_某某县人民政府网</title>'
        "<style>body{width:11em;font-size:16px}</style></head><body>"
        f"<h1 style='font-size:16px'>{html.escape(head[0])}</h1>{paragraphs}</body></html>"
    )


def test_a_web_page_title_block(tmp_path: Path) -> None:
    path = tmp_path / "讲话.html"
    path.write_text(page(top(TITLE, SUBTITLE, "县委书记  张三", "（2024年3月5日）")), encoding="utf-8")
    assert_read(load_script(path))


@pytest.mark.slow
@pytest.mark.browser
def test_a_printed_title_block_wrapped_by_the_page(tmp_path: Path) -> None:
    source = tmp_path / "page" / "讲话.html"
    source.parent.mkdir()
    source.write_text(page(top(TITLE, SUBTITLE, "县委书记  张三", "（2024年3月5日）")), encoding="utf-8")
    pdf = print_to_pdf(source, tmp_path)
    with pdfplumber.open(pdf) as printed:
        layer = printed.pages[0].extract_text()
    lines = layer.split("\n")[1:]  # the first is Chromium's header, which holds the page's <title>
    assert not any(line.startswith("凝") and line.rstrip().endswith("好") for line in lines), "the title was not wrapped: the case is not tested"
    assert_read(load_script(pdf))


def test_chromium_is_there_for_the_printed_case() -> None:
    assert Path(CHROMIUM).exists(), "the printed title block needs Chromium: .ci/run installs it"
