"""split: sentences, pieces of long sentences, chunk positions and the pauses between them."""

from __future__ import annotations

import random

import pytest
from frontend_util import FIXTURES, assert_chunks_cover

from pipeline.model import Script, Section
from pipeline.text.clean import clean
from pipeline.text.load import read_text
from pipeline.text.split import chinese_marks, split_script, split_sentences
from pipeline.text.structure import build_script


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("等等...", "等等……"),
        ("等等。。。", "等等……"),
        ("等等⋯⋯", "等等……"),
        ("这就是--改革", "这就是——改革"),
        ("增长５．２％，共１２３项", "增长5．2％，共123项"),
        ("不被俘虏;要耐得住清贫,树立正确的利益观!好吗?", "不被俘虏；要耐得住清贫，树立正确的利益观！好吗？"),
        ("共1,000元, 约3.5%", "共1,000元， 约3.5%"),
    ],
)
def test_normalise(raw: str, normal: str) -> None:
    assert chinese_marks(raw) == normal


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("他说：“好！”我们走吧。", ["他说：“好！”", "我们走吧。"]),
        ("（这是第一点。）第二点。", ["（这是第一点。）", "第二点。"]),
        ("真的吗？！是的……我们出发。", ["真的吗？！", "是的……", "我们出发。"]),
        ("GDP增长5.2%。CPI上涨0.2%", ["GDP增长5.2%。", "CPI上涨0.2%"]),
        ("第一句。\n。", ["第一句。。"]),
        ("……好的。", ["……好的。"]),
        ("Made in China 2025 is a plan。", ["Made in China 2025 is a plan。"]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def _script(*paragraphs: str, title: str = "标题") -> Script:
    return Script(title=title, sections=[Section("", 1, list(paragraphs), "opening")])


def _bodies(paragraph: str, limit: int, floor: int = 10) -> list[str]:
    return [c.text for c in split_script(_script(paragraph), limit, floor) if c.role == "body"]


def test_long_sentence_breaks_at_semicolon_before_comma() -> None:
    sentence = "要耐得住清贫，树立正确的利益观；要抗得住诱惑，严格坚持自重自省；还要慎重交友，慎重用权。"
    assert _bodies(sentence, 32) == ["要耐得住清贫，树立正确的利益观；要抗得住诱惑，严格坚持自重自省；", "还要慎重交友，慎重用权。"]


def test_long_sentence_breaks_at_the_last_comma_before_the_limit() -> None:
    sentence = "随着改革开放的深入推进，新情况不断出现，党风廉政建设面临新的挑战，往往抓了这方面的问题，又冒出那方面的问题。"
    pieces = _bodies(sentence, 40)
    assert pieces == ["随着改革开放的深入推进，新情况不断出现，党风廉政建设面临新的挑战，", "往往抓了这方面的问题，又冒出那方面的问题。"]


def test_enumeration_comma_then_dash_when_nothing_better() -> None:
    assert _bodies("学习型机关、服务型机关、创新型机关、廉洁型机关、和谐型机关。", 20) == ["学习型机关、服务型机关、创新型机关、", "廉洁型机关、和谐型机关。"]
    assert _bodies("这就是我们要走的路——一条充满希望的中国特色社会主义道路。", 20) == ["这就是我们要走的路——", "一条充满希望的中国特色社会主义道路。"]


def test_never_breaks_inside_titles_quotes_or_numbers() -> None:
    sentence = "我们认真学习了《关于加强和改进新时代党的建设，推动全面从严治党向纵深发展的决定》，共投入1,000,000元。"
    pieces = _bodies(sentence, 50)
    assert pieces[0].endswith("》，")
    quoted = "正如“功成不必在我，功成必定有我”所说的那样，我们要接续奋斗。"
    assert _bodies(quoted, 24)[0] == "正如“功成不必在我，功成必定有我”所说的那样，"


def test_no_punctuation_cuts_at_word_boundaries_and_keeps_numbers_whole() -> None:
    words = ["坚持以人民为中心的发展思想", "地区生产总值增长5.2%", "咨询电话13812345678", "十四五规划", "推动高质量发展", "全面深化改革开放"]
    rng = random.Random(7)
    paragraph = "".join(rng.choice(words) for _ in range(400))
    while len(paragraph) < 3000:
        paragraph += rng.choice(words)
    assert len(paragraph) >= 3000 and not any(p in paragraph for p in "，。、；")
    pieces = _bodies(paragraph, 80)
    assert "".join(pieces) == paragraph
    assert all(len(p) <= 80 for p in pieces) and len(pieces) >= 3000 // 80
    for protected in ["5.2%", "13812345678", "十四五"]:
        offset = 0
        for piece in pieces[:-1]:
            offset += len(piece)
            start = paragraph.rfind(protected, 0, offset)
            assert start < 0 or start + len(protected) <= offset, f"{protected} cut at {offset}"


def test_tiny_sentences_join_a_neighbour() -> None:
    assert _bodies("好！我们开始今天的会议，先请大家看一段片子。", 80) == ["好！我们开始今天的会议，先请大家看一段片子。"]
    assert _bodies("我们开始今天的会议，先请大家看一段片子。好！", 80) == ["我们开始今天的会议，先请大家看一段片子。好！"]
    assert _bodies("好！", 80) == ["好！"]


def test_punctuation_alone_is_never_a_chunk() -> None:
    chunks = split_script(_script("我们要坚定信心，勇往直前。", "……", "同志们，加油！"), 80)
    assert [c.text for c in chunks] == ["标题", "我们要坚定信心，勇往直前。……", "同志们，加油！"]


def test_chunk_positions_roles_and_pauses() -> None:
    script = Script(
        title="在会议上的讲话",
        salutation="同志们：",
        sections=[
            Section("", 1, ["今天开会，主要是部署工作。会议很重要，请大家认真听。"], "opening"),
            Section("一、统一思想", 1, ["思想是行动的先导，我们必须统一思想。"]),
            Section("（一）提高认识", 2, ["认识到位才能行动到位，这是基本规律。"]),
            Section("", 1, ["以上是我的发言，谢谢大家，祝大家工作顺利！"], "closing"),
        ],
    )
    got = [(c.text, c.section, c.paragraph, c.sentence, c.part, c.role, c.pause_after) for c in split_script(script, 80)]
    assert got == [
        ("在会议上的讲话", 0, -1, 0, 0, "title", "title"),
        ("同志们：", 0, -1, 1, 0, "salutation", "paragraph"),
        ("今天开会，主要是部署工作。", 0, 0, 0, 0, "body", "sentence"),
        ("会议很重要，请大家认真听。", 0, 0, 1, 0, "body", "section"),
        ("一、统一思想", 1, -1, 0, 0, "heading", "paragraph"),
        ("思想是行动的先导，我们必须统一思想。", 1, 0, 0, 0, "body", "subsection"),
        ("（一）提高认识", 2, -1, 0, 0, "heading", "paragraph"),
        ("认识到位才能行动到位，这是基本规律。", 2, 0, 0, 0, "body", "section"),
        ("以上是我的发言，谢谢大家，祝大家工作顺利！", 3, 0, 0, 0, "body", "end"),
    ]


def test_pieces_of_one_sentence_are_separated_by_clause_pauses() -> None:
    chunks = split_script(_script("要耐得住清贫，树立正确的利益观；要抗得住诱惑，严格坚持自重自省。下一句话在这里结束。"), 20)
    body = [(c.sentence, c.part, c.pause_after) for c in chunks if c.role == "body"]
    assert body == [(0, 0, "clause"), (0, 1, "sentence"), (1, 0, "end")]


def _fixture_scripts() -> list[Script]:
    names = ["gov_report.txt", "subsections_speech.txt", "scraped_copy.txt", "traditional_big5.txt"]
    return [build_script(clean(read_text(FIXTURES / name))) for name in names]


@pytest.mark.parametrize("limit", [30, 80, 300])
def test_chunks_cover_every_fixture(limit: int) -> None:
    for script in _fixture_scripts():
        chunks = split_script(script, limit)
        assert_chunks_cover(script, chunks, limit)
        assert chunks[-1].pause_after == "end"
        assert [c.section for c in chunks] == sorted(c.section for c in chunks)


def test_the_closing_label_we_added_is_not_spoken_but_a_written_one_is() -> None:
    ours = Script(title="标题", sections=[Section("", 1, [], "opening"), Section("", 1, ["谢谢大家！"], "closing")])
    assert [c.text for c in split_script(ours, 80)] == ["标题", "谢谢大家！"]
    written = Script(title="标题", sections=[Section("", 1, [], "opening"), Section("五、几点希望", 1, ["谢谢大家！"], "closing")])
    assert [c.text for c in split_script(written, 80)] == ["标题", "五、几点希望", "谢谢大家！"]
