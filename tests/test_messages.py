"""Messages in the reader's language: the catalogue is complete and in step with the code, a Chinese
terminal reads Chinese, and an error keeps both languages across a process boundary."""

from __future__ import annotations

import gettext
import os
import pickle
import re
import subprocess
from pathlib import Path

import pytest
from catalogue import MO, templates, translations
from conftest import Cli

from pipeline.errors import InputError
from pipeline.i18n import Language, Message, both, user_language

_FIELD = re.compile(r"\{(\w+)[^}]*\}")


def test_the_catalogue_holds_every_message_of_the_code_each_translated() -> None:
    code, known = set(templates()), translations()
    assert len(code) > 100, "the extractor found too few messages: are the keywords right?"
    assert sorted(code - known.keys()) == [], "untranslated: run `python -m tests.catalogue` and translate them"
    assert sorted(known.keys() - code) == [], "translated but no longer in the code: run `python -m tests.catalogue`"
    for english, chinese in known.items():
        assert re.search(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]", chinese), (english, chinese)  # Chinese, or its punctuation
        # Every field of the English is in the Chinese (a plural ending alone has no place in Chinese).
        assert set(_FIELD.findall(english)) - {"plural"} == set(_FIELD.findall(chinese)), (english, chinese)


def test_the_compiled_catalogue_says_what_the_po_says() -> None:
    with MO.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for english, chinese in translations().items():
        assert compiled.gettext(english) == chinese, english


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, Language.CHINESE),
        ({"LANG": "zh_TW.UTF-8"}, Language.CHINESE),
        ({"LANG": "en_US.UTF-8"}, Language.ENGLISH),
        ({"LANGUAGE": "en:zh", "LANG": "zh_CN.UTF-8"}, Language.ENGLISH),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, Language.CHINESE),
        ({}, Language.ENGLISH),
    ],
)
def test_the_language_is_read_from_the_variables_gettext_reads_in_its_order(environ: dict[str, str], language: Language) -> None:
    assert user_language(environ) is language


def test_a_chinese_terminal_reads_the_error_in_chinese_and_any_other_in_english(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    command = Cli.command("render", "讲话.txt")
    (tmp_path / "讲话.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    said = {}
    for lang in ("zh_CN.UTF-8", "C.UTF-8"):
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env={**base, "LANG": lang}, timeout=60)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        said[lang] = done.stderr.strip()
    assert said["zh_CN.UTF-8"] == "speechcast: 讲话.txt 是 PNG 图片，不是文本：请给出讲稿（.txt/.md/.docx/.pdf/.html/.ofd）。"
    assert said["C.UTF-8"] == "speechcast: 讲话.txt is a PNG image, not text: give a manuscript (.txt/.md/.docx/.pdf/.html/.ofd)."


def test_an_error_inside_an_error_is_said_in_one_language_and_crosses_a_process_whole() -> None:
    inner = InputError("{path} is empty: put the manuscript's text in it, or give another file.", path="讲话.txt")
    outer = InputError("Voice preset {origin}: {err}", origin="a.toml", err=inner)
    again = pickle.loads(pickle.dumps(outer))
    assert type(again) is InputError and str(again) == str(outer)
    assert again.say(Language.CHINESE) == "声音预设 a.toml：讲话.txt 是空的：请放入讲稿文字，或换一个文件。"
    assert both(Message("Not found.")) == {"zh": "找不到。", "en": "Not found."}


def test_each_removal_reason_is_said_in_chinese_in_the_outline_and_the_page() -> None:
    from pipeline import load_script
    from pipeline.text.outline import describe
    from pipeline.web.views import understood

    script = load_script(next((Path(__file__).parent / "corpus").glob("632_*.md")))
    row = next(r for r in understood(script)["removed"] if r["line"] == 198)  # 特别支持合作伙伴：……
    assert (row["reason"], row["description"], row["description_en"]) == (
        "credits",
        "署名：撰稿、编辑、摄影或赞助",
        "credits: who wrote, edited, photographed or sponsored it",
    )
    assert "line  198  署名：撰稿、编辑、摄影或赞助: 特别支持合作伙伴" in describe(script, Language.CHINESE)
    assert "line  198  credits: who wrote" in describe(script)


def test_a_warning_is_said_in_chinese_and_survives_the_script_round_trip() -> None:
    """The seed lacks its 一、: the warning reaches the page in Chinese (and English), and a script
    written and read back (as the web app does) still knows which warning it was."""
    from frontend_util import corpus_file

    from pipeline import load_script
    from pipeline.text.scriptmd import from_markdown, to_markdown
    from pipeline.web.views import understood

    seed = load_script(corpus_file(".txt"))
    again = from_markdown(to_markdown(seed))
    assert again.warnings == seed.warnings and again.warnings[0].template == seed.warnings[0].template
    shown = understood(again)
    assert shown["warnings"][0].startswith("第 24 行：编号跳到了 二、：缺少 一、；已从第 22 行恢复 一、增强宗旨意识")
    assert shown["warnings_en"][0].startswith("line 24: numbering jumps to 二、: 一、 is missing; recovered 一、增强宗旨意识 from line 22")
