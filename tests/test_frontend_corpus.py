"""Acceptance of the front end on the seed manuscript, the public entry points, and a 50,000-character document."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import random
import time
from collections import Counter
from pathlib import Path

import docx
import pytest
from frontend_util import FIXTURES, assert_accounted, assert_chunks_cover, corpus_file, visible

from pipeline.errors import InputError
from pipeline.model import Reason, Script, Warn
from pipeline.text.clean import clean
from pipeline.text.load import read_text
from pipeline.text.manuscript import load_script
from pipeline.text.outline import describe
from pipeline.text.scriptmd import from_markdown, to_markdown
from pipeline.text.split import split_script
from pipeline.text.structure import build_script

SECTIONS = ["", "一、增强宗旨意识", "二、坚决廉洁从政", "三、提高个人修养", "四、狠抓作风建设", ""]  # closing words: no heading of their own


@pytest.fixture(scope="module")
def seed() -> Script:
    return load_script(corpus_file(".txt"))


def test_every_junk_line_is_removed_and_reported(seed: Script) -> None:
    with corpus_file(".junk.tsv").open(encoding="utf-8") as table:
        junk = [(int(row["line"]), row["text"]) for row in csv.DictReader(table, delimiter="\t")]
    assert len(junk) == 10
    reported = [(item.line, " ".join(item.text.split())) for item in seed.removed]
    assert reported == [(line, " ".join(text.split())) for line, text in junk]
    assert all(item.reason for item in seed.removed)


def test_nothing_else_is_lost(seed: Script) -> None:
    text = read_text(corpus_file(".txt"))
    cleaned = clean(text)
    assert_accounted(text, cleaned)
    kept = Counter(visible("".join(line for _, line in cleaned.lines)))
    headed = seed.title + seed.salutation + "".join(s.title * (s.kind == "section") + "".join(s.paragraphs) for s in seed.sections)
    spoken = Counter(visible(headed))
    # The recovered heading gains its number 一、; the four headings lose the 。 that ended them in the source.
    assert spoken - kept == Counter("一、") and kept - spoken == Counter("。。。。")


def test_title_salutation_and_sections(seed: Script) -> None:
    assert seed.title == "在机关主题党日活动后的讲话"
    assert seed.salutation == "同志们："
    assert [s.title for s in seed.sections] == SECTIONS
    assert [s.kind for s in seed.sections] == ["opening", "section", "section", "section", "section", "closing"]
    assert seed.sections[1].note.startswith("recovered")
    assert [Warn.of(w) for w in seed.warnings] == [Warn.HEADING_RECOVERED] and seed.warnings[0].fields["missing"] == "一、"


def test_paragraphs_match_the_reference_reading(seed: Script) -> None:
    reference = from_markdown(read_text(corpus_file(".expected.md")))
    assert (reference.title, reference.salutation) == (seed.title, seed.salutation)
    assert [(s.title, s.kind, s.level, s.paragraphs) for s in seed.sections] == [(s.title, s.kind, s.level, s.paragraphs) for s in reference.sections]


def test_in_paragraph_enumerations_stay_in_their_paragraphs(seed: Script) -> None:
    assert seed.sections[1].paragraphs[1].startswith("一是勇于率先垂范。")
    assert "三是要坚持深入实际调查研究。" in seed.sections[3].paragraphs[0]
    assert not any(s.title.startswith(("一是", "三是", "四是", "五是")) for s in seed.sections)


@pytest.mark.parametrize(
    ("encoding", "bom"), [("gb18030", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)]
)
def test_other_encodings_give_the_same_script(seed: Script, tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "seed.txt"
    path.write_bytes(bom + read_text(corpus_file(".txt")).encode(encoding))
    assert dataclasses.replace(load_script(path), source="") == dataclasses.replace(seed, source="")


def test_seed_chunks_cover_the_speech(seed: Script) -> None:
    for limit in (40, 120, 300):
        chunks = split_script(seed, limit)
        assert_chunks_cover(seed, chunks, limit)
        sections = [c for c in chunks if c.pause_after == "section"]
        assert len(sections) == len(seed.sections) - 1


def test_outline_tells_the_whole_story(seed: Script) -> None:
    text = describe(seed)
    assert "在机关主题党日活动后的讲话" in text and "同志们：" in text
    for title in SECTIONS[1:]:
        assert title in text
    assert "[recovered]" in text and "一、 is missing" in text
    assert "line    2  advert: brand name that recurs in adverts: 酷乐文行" in text
    minutes = round(sum(len(visible(p)) for s in seed.sections for p in s.paragraphs) / 260)
    assert f"about {minutes}:" in text or f"about {minutes - 1}:" in text


def test_an_unmarked_markdown_file_is_a_manuscript(tmp_path: Path) -> None:
    script = load_script(FIXTURES / "speech.md")
    assert script.title == "在青年干部座谈会上的讲话" and script.source.endswith("speech.md")
    assert [(s.title, s.level) for s in script.sections[1:]] == [
        ("一、坚定理想信念", 1),
        ("（一）加强理论学习", 2),
        ("二、练就过硬本领", 1),
        ("结束语", 1),
    ]  # the author's own heading: spoken
    # Its comments are an author's markup, not our script's warnings: reported, not obeyed.
    assert script.warnings == []
    assert [(r.line, r.reason, r.kind) for r in script.removed] == [
        (3, Reason.HTML_COMMENT, "markup"), (7, Reason.HTML_TAG, "markup"), (16, Reason.IMAGE, "markup"), (24, Reason.HTML_COMMENT, "markup"),
    ]  # fmt: skip


def test_only_a_marked_script_is_taken_as_given(tmp_path: Path) -> None:
    seed = load_script(corpus_file(".txt"))
    path = tmp_path / "script.md"
    path.write_text(to_markdown(seed), encoding="utf-8")
    edited = path.read_text(encoding="utf-8").replace("## 二、坚决廉洁从政", "## 二、坚决廉洁从政（改）")
    path.write_text(edited, encoding="utf-8")
    script = load_script(path)
    assert [s.title for s in script.sections][2] == "二、坚决廉洁从政（改）"
    assert [s.title for s in script.sections][:2] == [s.title for s in seed.sections][:2]
    assert script.warnings == seed.warnings


def test_load_script_reads_docx(tmp_path: Path) -> None:
    document = docx.Document()
    for paragraph in read_text(corpus_file(".txt")).split("\n"):
        document.add_paragraph(paragraph)
    path = tmp_path / "seed.docx"
    document.save(str(path))
    script = load_script(path)
    assert [s.title for s in script.sections] == SECTIONS


def test_a_file_of_only_adverts_holds_no_speech(tmp_path: Path) -> None:
    path = tmp_path / "ads.txt"
    path.write_text("仅供学习 禁止外传\n酷乐文行整理，咨询QQ206157060\n\n扫码关注公众号\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"holds no Chinese speech after cleaning \(3 lines"):
        load_script(path)


_PHRASES = [
    "我们要坚持以人民为中心的发展思想",
    "全市地区生产总值增长5.2%",
    "一般公共预算收入达到286.4亿元",
    "三次产业结构调整为4.0∶37.7∶58.3",
    "2023年新增城镇就业6.8万人",
    "要把“放管服”改革不断引向深入",
    "认真学习《中国共产党纪律处分条例》",
    "切实把好事办好、实事办实",
    "推动高质量发展取得新成效",
    "各级领导干部要以身作则、率先垂范",
]


def _long_document(target: int) -> tuple[str, int]:
    """A 50,000-character speech from varied sentences, with 一、 and （一） headings in sequence."""
    rng = random.Random(2024)
    lines = ["在全市经济工作会议上的讲话", "同志们："]
    sections = 0
    while sum(map(len, lines)) < target:
        sections += 1
        lines.append(f"{_chinese(sections)}、第{sections}项重点工作")
        for sub in range(1, 4):
            lines.append(f"（{_chinese(sub)}）第{sub}个方面的要求。" + "，".join(rng.sample(_PHRASES, 3)) + "。")
            for _ in range(3):
                sentences = ["，".join(rng.sample(_PHRASES, rng.randint(2, 4))) + rng.choice("。！；") for _ in range(4)]
                lines.append("".join(sentences).replace("；", "。", 1))
    lines.append("谢谢大家！")
    return "\n".join(lines), sections


def _chinese(number: int) -> str:
    digits = "零一二三四五六七八九"
    tens, units = divmod(number, 10)
    return (digits[tens] if tens > 1 else "") + ("十" if tens else "") + (digits[units] if units else "") if tens else digits[units]


def test_fifty_thousand_characters_quickly_and_completely() -> None:
    text, sections = _long_document(50_000)
    assert len(text) >= 50_000 and sections > 10
    started = time.perf_counter()
    cleaned = clean(text)
    script = build_script(cleaned)
    chunks = split_script(script, 300)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"clean+structure+split of {len(text)} characters took {elapsed:.2f} s"
    assert cleaned.removed == []
    assert_accounted(text, cleaned)
    assert_chunks_cover(script, chunks, 300)
    level_one = [s.title for s in script.sections if s.level == 1 and s.kind == "section"]
    assert level_one == [f"{_chinese(n)}、第{n}项重点工作" for n in range(1, sections + 1)]
    assert sum(s.level == 2 for s in script.sections) == 3 * sections
    assert script.sections[-1].kind == "closing" and script.warnings == []


# --- a hard-wrapped copy (text taken out of a PDF) ------------------------------------------------

WRAP = 34
"""Characters a line, as a PDF page of the speech would hold them."""


def hard_wrapped(text: str, keep: set[int]) -> tuple[str, int]:
    """`text` with every kept line longer than WRAP cut into WRAP-character lines and a page mark
    between two of them now and then; and how many of the cuts fall right after a sentence end
    (those cannot be told from paragraph ends)."""
    out: list[str] = []
    ambiguous = 0
    for number, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if number not in keep or len(line) <= WRAP:
            out.append(line)
            continue
        pieces = [line[i : i + WRAP] for i in range(0, len(line), WRAP)]
        ambiguous += sum(piece[-1] in "。！？!?：:；;…”’」』）)】》" for piece in pieces[:-1])
        for index, piece in enumerate(pieces):
            out.append(piece)
            if index == 1 and number % 3 == 0:
                out.append(f"- {number} -")  # a page number between two lines of one paragraph
    return "\n".join(out), ambiguous


def test_a_hard_wrapped_copy_reads_as_the_original(seed: Script) -> None:
    original = read_text(corpus_file(".txt"))
    wrapped, ambiguous = hard_wrapped(original, {n for n, _ in clean(original).lines})
    script = build_script(clean(wrapped))
    assert (script.title, script.salutation) == (seed.title, seed.salutation)
    assert [s.title for s in script.sections] == [s.title for s in seed.sections]
    for mine, theirs in zip(script.sections, seed.sections):
        assert "".join(mine.paragraphs) == "".join(theirs.paragraphs)
    paragraphs = sum(len(s.paragraphs) for s in script.sections)
    assert paragraphs == sum(len(s.paragraphs) for s in seed.sections) + ambiguous
    assert Warn.JOINED_LINES in map(Warn.of, script.warnings)
    assert Warn.JOINED_LINES not in map(Warn.of, seed.warnings)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_manuscripts_with_a_paragraph_a_line_are_not_rejoined(name: str) -> None:
    assert Warn.JOINED_LINES not in map(Warn.of, load_script(FIXTURES / name).warnings)
