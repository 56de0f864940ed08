"""Readings a person sets once hold in every render: the lexicon (user file, the file beside the
manuscript, the script's 读音 lines), the homophones Edge is sent, the pinyin the offline voice is
given, `speechcast pronounce` and `outline --readings`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypinyin import Style, lazy_pinyin

from pipeline.errors import InputError
from pipeline.text.readings import Lexicon, as_pinyin, entry, gathered, parse, read_file, readings, sent_text, toml_text, uncertain

FIXTURE = Path(__file__).parent / "fixtures" / "readings" / "lexicon.tsv"


def read_back(text: str) -> list[str]:
    return lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)


def lexicon_rows() -> list[tuple[str, str, str]]:
    rows = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "word\treading\tkind"
    return [tuple(row.split("\t")) for row in rows[1:] if row.strip()]  # type: ignore[misc]


def test_the_lexicon_under_test_is_large_and_of_every_kind() -> None:
    rows = lexicon_rows()
    assert len(rows) >= 200 and len({w for w, _, _ in rows}) == len(rows)
    assert {k for _, _, k in rows} == {"surname", "place", "report", "name"}


@pytest.mark.parametrize("context", ["{w}", "我们在{w}开会。", "关于{w}的讲话：{w}，{w}！"])
def test_every_entry_is_sent_so_that_it_reads_back_as_set(context: str) -> None:
    """What Edge is sent, read back through pypinyin, says every lexicon word as the lexicon says."""
    rows = lexicon_rows()
    wrong = []
    for word, reading, _ in rows:
        lexicon = entry(word, reading)
        text = context.format(w=word)
        sent = sent_text(text, lexicon)
        assert len(sent) == len(text)  # one character for one: the word boundaries Edge reports still fit
        at = text.index(word)
        heard = read_back(sent)[at : at + len(word)] if all("\u4e00" <= c <= "\u9fff" for c in sent[: at + len(word)]) else None
        if heard is None:  # punctuation before the word: pypinyin keeps it as one piece; read the word alone
            heard = read_back(sent[at : at + len(word)])
        if heard != reading.split():
            wrong.append((word, reading, sent, heard))
    assert not wrong, wrong[:10]


def test_a_word_is_replaced_only_where_it_stands_as_a_word() -> None:
    lexicon = entry("乐队", "yue4 dui4").over(entry("重庆", "chong2 qing4"))
    sent = sent_text("重庆的乐队很快乐，快乐队伍在重庆。", lexicon)
    assert sent.count("快乐") == 2  # 快乐 is another word: its 乐 is left alone
    assert read_back(sent)[:5] == ["chong2", "qing4", "de5", "yue4", "dui4"]
    assert sent_text("今天很快乐。", lexicon) == "今天很快乐。"


def test_a_manuscript_with_no_lexicon_is_sent_as_it_is() -> None:
    text = "银行行长说还要长期重视。"
    assert sent_text(text, Lexicon()) == text


def test_a_replacement_is_said_instead_and_read_as_said() -> None:
    lexicon = entry("区块链", "驱块链")
    assert sent_text("推进区块链建设", lexicon) == "推进驱块链建设"
    assert [r for _, r in readings("区块链", lexicon)] == ["qu1 kuai4 lian4"]


def test_later_lexicons_win_and_the_script_wins_over_files(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("SPEECHCAST_CONFIG_DIR", str(config))
    (config / "pronunciations.toml").write_text('"单" = "dan1"\n"曾国藩" = "zeng1 guo2 fan1"\n', encoding="utf-8")
    folder = tmp_path / "talks"
    folder.mkdir()
    (folder / "pronunciations.toml").write_text('"单" = "shan4"\n', encoding="utf-8")
    lexicon = gathered(folder / "讲话.txt", {"曾国藩": "ceng2 guo2 fan1"})
    assert lexicon.syllables == {"单": ("shan4",), "曾国藩": ("ceng2", "guo2", "fan1")}
    assert gathered(None).syllables == {"单": ("dan1",), "曾国藩": ("zeng1", "guo2", "fan1")}
    written = toml_text(lexicon)  # what `pronounce` writes reads back as it was
    assert written.startswith("#") and (tmp_path / "x.toml").write_text(written, encoding="utf-8")
    assert read_file(tmp_path / "x.toml") == lexicon
    assert parse(["单 = shan4", "# a note", "", "曾国藩 = zeng1 guo2 fan1"], "lines").syllables == {"单": ("shan4",), "曾国藩": ("zeng1", "guo2", "fan1")}


@pytest.mark.parametrize(
    ("word", "reading", "complaint"),
    [
        ("重庆", "chong qing", "tone-numbered pinyin syllable for each of its 2 characters"),
        ("重庆", "chong2", "for each of its 2 characters"),
        ("重庆", "chonk2 qing4", "not a reading of 重庆"),
        ("abc", "a1 b2 c3", "not a word to set a reading for"),
        ("重庆", "", "Give 重庆 a reading"),
    ],
)
def test_a_reading_that_cannot_be_one_is_refused_in_a_sentence(word: str, reading: str, complaint: str) -> None:
    with pytest.raises(InputError, match=complaint):
        entry(word, reading)


def test_the_offline_voice_is_given_pinyin_with_the_lexicon_first() -> None:
    assert as_pinyin("银行行长说，还要长大。") == "yin2 hang2 hang2 zhang3 shuo1 , hai2 yao4 zhang3 da4 ."
    assert as_pinyin("单雄信来了", entry("单雄信", "shan4 xiong2 xin4")) == "shan4 xiong2 xin4 lai2 le5"
    assert as_pinyin("绿色发展") == "lv4 se4 fa1 zhan3"  # ü as v: espeak-ng reads lü4 as English


def test_names_worth_checking_are_listed_with_the_reading_that_will_be_used() -> None:
    found = dict(uncertain("单雄信和曾国藩在重庆银行见到了查良镛。"))
    assert found["单雄信"] == "dan1 xiong2 xin4" and found["曾国藩"] == "ceng2 guo2 fan1" and "查良镛" in found
    assert "重庆" not in found and "银行" not in found  # pypinyin's phrase data settles these
    assert "单雄信" not in dict(uncertain("单雄信来了。", entry("单雄信", "shan4 xiong2 xin4")))


SPEECH = (
    "在全县文化工作会议上的讲话\n\n同志们：\n\n隋唐英雄单雄信的故事，大家都熟悉。\n\n"
    "曾国藩说过，做事要有恒心。\n\n今年要把乐队建设好，让群众快乐。\n\n谢谢大家！\n"
)


@pytest.mark.slow
def test_edge_is_sent_the_readings_the_subtitles_keep_the_manuscript_and_a_change_redoes_one_sentence(edge_service, tmp_path: Path) -> None:
    from pipeline.render import choose_voice, render

    folder = tmp_path / "talks"
    folder.mkdir()
    source = folder / "文化工作会议讲话.txt"
    source.write_text(SPEECH, encoding="utf-8")
    (folder / "pronunciations.toml").write_text('"单雄信" = "shan4 xiong2 xin4"\n"乐队" = "yue4 dui4"\n', encoding="utf-8")
    voice = choose_voice("xiaoxiao", "auto")
    first = render(source, voice, out_root=tmp_path / "out", cache=tmp_path / "cache")
    asked = "".join(edge_service.texts)
    assert "善雄信" in asked and "单雄信" not in asked and "月队" in asked and "快乐" in asked
    assert "曾国藩" in asked  # no reading set for it: sent as written
    srt = next(first.out_dir.glob("*.srt")).read_text(encoding="utf-8")
    assert "单雄信" in srt and "乐队" in srt and "善雄信" not in srt and "月队" not in srt
    lyrics = "".join(p.read_text(encoding="utf-8") for p in first.out_dir.glob("*.lrc"))
    assert "单雄信" in lyrics and "善雄信" not in lyrics
    assert "单雄信" in (first.out_dir / "index.html").read_text(encoding="utf-8")

    # One more reading, for a word of one sentence: that sentence alone is spoken again.
    (folder / "pronunciations.toml").write_text('"单雄信" = "shan4 xiong2 xin4"\n"乐队" = "yue4 dui4"\n"曾国藩" = "zeng1 guo2 fan1"\n', encoding="utf-8")
    edge_service.reset_records()
    again = render(source, voice, out_root=tmp_path / "out", cache=tmp_path / "cache")
    assert not again.up_to_date and again.synthesis.unique - again.synthesis.cached == 1
    assert len(edge_service.texts) == 1 and "增国藩" in edge_service.texts[0]


@pytest.mark.slow
def test_the_offline_voice_speaks_the_readings_and_the_script_carries_them(tmp_path: Path, cli) -> None:
    (tmp_path / "讲话.txt").write_text(SPEECH, encoding="utf-8")
    assert cli.run("outline", "讲话.txt", "-o", "讲话.md").returncode == 0
    script = (tmp_path / "讲话.md").read_text(encoding="utf-8")
    (tmp_path / "讲话.md").write_text(script.replace("\n\n同志们：", "\n\n<!-- 读音：单雄信 = shan4 xiong2 xin4 -->\n\n同志们：", 1), encoding="utf-8")
    said = cli.run("outline", "讲话.md", "--readings")
    assert said.returncode == 0, said.stderr
    lines = said.stdout.splitlines()
    at = lines.index("隋唐英雄单雄信的故事，大家都熟悉。")
    assert lines[at + 1].strip().startswith("sui2 tang2 ying1 xiong2 shan4 xiong2 xin4 de5")
    assert "  曾国藩 = ceng2 guo2 fan1" in lines and not any(line.startswith("  单雄信") for line in lines)
    done = cli.run("render", "讲话.md", "-e", "espeak", "--pace", "0.2", "-q")
    assert done.returncode == 0, done.stderr


def test_pronounce_adds_a_reading_shows_one_and_refuses_a_bad_one(cli, tmp_path: Path) -> None:
    lexicon = tmp_path / "词.toml"
    done = cli.run("pronounce", "单雄信", "shan4", "xiong2", "xin4", "--file", lexicon)
    assert done.returncode == 0 and done.stdout.startswith("单雄信 = shan4 xiong2 xin4 ("), done.stderr
    assert "sent to Edge as 善雄信" in done.stdout
    assert cli.run("pronounce", "曾国藩", "zeng1 guo2 fan1", "--file", lexicon).returncode == 0
    assert read_file(lexicon).syllables == {"单雄信": ("shan4", "xiong2", "xin4"), "曾国藩": ("zeng1", "guo2", "fan1")}
    shown = cli.run("pronounce", "单雄信", "--file", lexicon)
    assert shown.stdout == "单雄信 = shan4 xiong2 xin4\n"
    assert "not a reading of 重庆" in cli.error("pronounce", "重庆", "chong", "qing", "--file", lexicon, code=2)
