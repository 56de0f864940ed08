"""scriptmd: the editable Markdown script, read as given and written so it reads back the same."""

from __future__ import annotations

import pytest
from frontend_util import FIXTURES, corpus_file

from pipeline.model import Reason, Script
from pipeline.text.clean import clean
from pipeline.text.load import read_text
from pipeline.text.scriptmd import from_markdown, to_markdown
from pipeline.text.structure import build_script


def _structure(script: Script) -> tuple:
    return (script.title, script.salutation, script.sections, script.warnings)


@pytest.mark.parametrize(
    "path",
    [FIXTURES / "gov_report.txt", FIXTURES / "subsections_speech.txt", FIXTURES / "scraped_copy.txt", FIXTURES / "traditional_big5.txt", corpus_file(".txt")],
    ids=lambda p: p.name,
)
def test_round_trip_keeps_the_structure(path) -> None:
    script = build_script(clean(read_text(path)))
    again = from_markdown(to_markdown(script))
    assert _structure(again) == _structure(script)
    assert to_markdown(again) == to_markdown(script)


def test_markdown_layout() -> None:
    script = build_script(clean(read_text(corpus_file(".txt"))))
    text = to_markdown(script)
    assert text.startswith("<!-- speechcast script v1 -->\n\n# 在机关主题党日活动后的讲话\n\n<!-- warning: line 24: numbering jumps to 二、")
    assert "\n\n同志们：\n\n今天这次参观见学活动" in text
    assert "\n\n## 一、增强宗旨意识\n\n<!-- note: recovered: line 22" in text
    assert "\n\n## 结束语\n\n千里之行，始于足下" in text


def test_markdown_fixture_is_taken_as_given() -> None:
    script = from_markdown(read_text(FIXTURES / "speech.md"), source="speech.md")
    assert script.title == "在青年干部座谈会上的讲话"
    assert script.salutation == "同志们："
    assert script.warnings == ["checked by hand on 2024-03-01"]
    assert [(s.title, s.level, s.kind, s.note) for s in script.sections] == [
        ("", 1, "opening", ""),
        ("一、坚定理想信念", 1, "section", ""),
        ("（一）加强理论学习", 2, "section", ""),
        ("二、练就过硬本领", 1, "section", ""),
        ("", 1, "closing", "a closing written by hand"),
    ]
    assert script.sections[0].paragraphs == ["很高兴和大家座谈交流。刚才，几位青年干部谈了体会，讲得很实在。"]
    assert script.sections[1].paragraphs == ["青年干部要把坚定理想信念作为第一位的要求，在学思践悟中筑牢信仰之基。"]
    assert script.sections[2].paragraphs == ["要原原本本学，联系实际学。"]
    assert [(r.line, r.text, r.reason) for r in script.removed] == [
        (7, '<img src="banner.png" alt="广告"/>', Reason.HTML_TAG),
        (16, "![二维码](qr.png)", Reason.IMAGE),
    ]


def test_no_heuristics_on_markdown_beyond_the_salutation() -> None:
    text = "# 标题\n\n各位来宾：\n\n仅供学习 禁止外传\n\n二、这里没有一\n\n增强宗旨意识。\n\n### 深一层\n\n正文 English words\njoined here。\n"
    script = from_markdown(text)
    assert script.salutation == "各位来宾："
    assert script.sections[0].paragraphs == ["仅供学习 禁止外传", "二、这里没有一", "增强宗旨意识。"]
    assert [(s.title, s.level) for s in script.sections[1:]] == [("深一层", 2)]
    assert script.sections[1].paragraphs == ["正文 English words joined here。"]
    assert script.warnings == [] and script.removed == []


def test_comments_are_not_spoken_and_keep_line_numbers() -> None:
    script = from_markdown("# 标题\n\n第一段<!-- 这里\n\n还有 -->续。\n\n<br>第二段。\n")
    assert script.sections[0].paragraphs == ["第一段", "续。", "第二段。"]
    assert [(r.line, r.text) for r in script.removed] == [(7, "<br>")]


def test_removed_lines_and_appendices_stay_in_the_script_as_comments() -> None:
    text = "\n".join([
        "关于做好防汛工作的讲话", "同志们：", "今年汛期来得早，我们要早作部署，确保安全度汛。",
        "谢谢大家！", "附件1", "防汛责任人名单（略）", "来源：某某县人民政府网",
    ])  # fmt: skip
    script = build_script(clean(text))
    markdown = to_markdown(script)
    assert "<!-- removed, line 7, publication-data (web page: source, author, editor or date): 来源：某某县人民政府网 -->" in markdown
    assert "<!-- appendix (not spoken; remove this comment's marks to speak it):\n\n## 附件1\n\n防汛责任人名单（略）\n\n-->" in markdown
    again = from_markdown(markdown)
    assert [(r.line, r.text, r.reason, r.kind) for r in again.removed] == [(r.line, r.text, r.reason, r.kind) for r in script.removed if r.kind != "appendix"]
    assert [(a.title, a.paragraphs) for a in again.appendices] == [("附件1", ["防汛责任人名单（略）"])]
    assert "防汛责任人名单" not in "".join(p for s in again.sections for p in s.paragraphs)


def test_a_paragraph_that_opens_with_a_hash_stays_a_paragraph_through_the_script(tmp_path) -> None:
    """A .txt line "# 第一点……" is a paragraph; written to the script and read back (as the web app
    and `outline -o` do), it must not turn into a heading."""
    from pipeline.text.manuscript import load_script

    path = tmp_path / "speech.txt"
    path.write_text("在全县工作会议上的讲话\n\n同志们：\n\n# 第一点，大家要高度重视安全生产工作。\n\n谢谢大家！\n", encoding="utf-8")
    direct = load_script(path)
    again = from_markdown(to_markdown(direct))
    assert [(s.kind, s.title, s.paragraphs) for s in again.sections] == [(s.kind, s.title, s.paragraphs) for s in direct.sections]
    assert any(p.startswith("# 第一点") for s in again.sections for p in s.paragraphs)
