"""load.read_text: encodings, formats and the files it must refuse with one clear sentence."""

from __future__ import annotations

import codecs
from pathlib import Path

import docx
import pytest
from frontend_util import FIXTURES

from pipeline.errors import InputError
from pipeline.text.load import read_text

SIMPLIFIED = "同志们：\n今天我们召开全市经济工作会议，总结2023年工作，部署2024年任务。\n一、坚持稳中求进\n"
TRADITIONAL = "各位同仁：\n今天我們在這裡隆重集會，回顧過去一年的工作，展望新的一年。\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("gbk", b""), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)],
)
def test_simplified_text_in_every_encoding_reads_the_same(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = tmp_path / "speech.txt"
    path.write_bytes(prefix + SIMPLIFIED.encode(encoding))
    assert read_text(path) == SIMPLIFIED


@pytest.mark.parametrize("encoding", ["big5", "utf-8", "gb18030"])
def test_traditional_text_is_not_mistaken_for_another_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "speech.txt"
    path.write_bytes(TRADITIONAL.encode(encoding))
    assert read_text(path) == TRADITIONAL


def test_big5_fixture_decodes_to_traditional_characters() -> None:
    text = read_text(FIXTURES / "traditional_big5.txt")
    assert text.startswith("在慶祝教師節大會上的致辭\n")
    assert "「師者，所以傳道受業解惑也。」" in text


def test_newlines_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "speech.txt"
    path.write_bytes("第一行\r\n第二行\r第三行\x0c第四行\n".encode())
    assert read_text(path) == "第一行\n第二行\n第三行\n第四行\n"


def test_markdown_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "script.md"
    path.write_text("# 标题\n\n同志们：\n", encoding="utf-8")
    assert read_text(path) == "# 标题\n\n同志们：\n"


def test_docx_paragraphs_in_order(tmp_path: Path) -> None:
    document = docx.Document()
    for paragraph in ["在全市工作会议上的讲话", "同志们：", "一、统一思想。今天的会议很重要。"]:
        document.add_paragraph(paragraph)
    path = tmp_path / "speech.docx"
    document.save(str(path))
    assert read_text(path) == "在全市工作会议上的讲话\n同志们：\n一、统一思想。今天的会议很重要。"


def _refusal(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_text(path)
    message = str(caught.value)
    assert str(path) in message and message.count("\n") == 0 and message.endswith(".")
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in _refusal(tmp_path / "nothing.txt")


def test_directory(tmp_path: Path) -> None:
    assert "is a folder" in _refusal(tmp_path)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90d", "MP3"),
        (b"\x00\x01\x02\x03binary\x00stuff", "binary"),
    ],
)
def test_binary_files_renamed_txt_are_refused(tmp_path: Path, data: bytes, kind: str) -> None:
    path = tmp_path / "speech.txt"
    path.write_bytes(data)
    assert kind in _refusal(path)


@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t \n"])
def test_empty_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "speech.txt"
    path.write_bytes(content)
    assert "is empty" in _refusal(path)


def test_broken_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "speech.docx"
    path.write_bytes(b"this is not a zip file")
    assert "not a readable .docx" in _refusal(path)


def test_damaged_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "speech.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "讲话".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    assert "damaged" in _refusal(path)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_that_lost_its_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "讲话.txt"
    text = "在全县工作会议上的讲话\n\n同志们：\n\n今天我们召开全县工作会议，部署2024年的工作。\n"
    path.write_bytes(text.encode(encoding))
    assert read_text(path) == text
