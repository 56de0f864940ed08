"""Hostile manuscripts, made here by the test (never stored): each is refused in one sentence, or read,
within 30 s and 500 MB, with no traceback — a damaged or crafted file must not take the machine with it."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

SECONDS = 30
MEGABYTES = 500
_CONTENT_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')  # fmt: skip
_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')  # fmt: skip
_BODY = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
SPEECH = "同志们：今天我们召开全县工作会议，主要任务是总结工作、部署任务，请大家认真学习。"


def _docx(path: Path, document_xml: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document_xml)
    return path


def broken_xml(folder: Path) -> Path:
    return _docx(folder / "broken.docx", f'<?xml version="1.0"?>{_BODY}{SPEECH}')


def entity_bomb(folder: Path) -> Path:
    entities = '<!ENTITY e0 "哈哈哈哈哈哈哈哈哈哈">' + "".join(f'<!ENTITY e{k} "{f"&e{k - 1};" * 10}">' for k in range(1, 10))
    return _docx(folder / "entities.docx", f'<?xml version="1.0"?><!DOCTYPE d [{entities}]>{_BODY}&e9;</w:t></w:r></w:p></w:body></w:document>')


def stream_bomb(folder: Path) -> Path:
    """A one-page PDF whose content stream is 400 KB packed and 300 MB unpacked."""
    packed = zlib.compress(b"0 0 m\n" * 50_000_000, 9)
    head = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
            b"4 0 obj<</Length " + str(len(packed)).encode() + b"/Filter/FlateDecode>>stream\n")  # fmt: skip
    path = folder / "bomb.pdf"
    path.write_bytes(head + packed + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return path


def huge_text(folder: Path) -> Path:
    path = folder / "huge.txt"
    path.write_text((SPEECH + "\n") * (9 * 1024 * 1024 // len((SPEECH + "\n").encode())), encoding="utf-8")
    return path


def huge_page(folder: Path) -> Path:
    path = folder / "huge.html"
    paragraph = f"<p>{SPEECH}</p>\n"
    path.write_text(f"<html><head><title>讲话</title></head><body>{paragraph * (9 * 1024 * 1024 // len(paragraph.encode()))}</body></html>", encoding="utf-8")
    return path


def deep_page(folder: Path) -> Path:
    path = folder / "deep.html"
    path.write_text(f"<html><body>{'<div>' * 100_000}<p>{SPEECH}</p>{'</div>' * 100_000}</body></html>", encoding="utf-8")
    return path


def undefined_charset(folder: Path) -> Path:
    path = folder / "charset.html"
    path.write_text(f'<html><head><meta charset="undefined"><title>讲话</title></head><body><p>{SPEECH}</p></body></html>', encoding="utf-8")
    return path


REFUSED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "broken XML in a .docx": (broken_xml, "is not a readable .docx file"),
    "an entity bomb in a .docx": (entity_bomb, "is not a readable .docx file"),
    "a PDF stream that unpacks to 300 MB": (stream_bomb, "far more than a manuscript holds"),
    "9 MB of text": (huge_text, "far more than any speech"),
    "9 MB of web page": (huge_page, "far more than any speech"),
}


def _run_alone(args: list[str], cwd: Path) -> tuple[int, str, str, float, float]:
    """One CLI run inside a fresh Python whose only child it is: its peak memory is that run's."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.monotonic()\n"
        "p = subprocess.run([sys.executable, '-m', 'pipeline', *sys.argv[1:]], capture_output=True, text=True, timeout={timeout})\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([p.returncode, p.stdout, p.stderr, time.monotonic() - t, peak]))\n"
    ).replace("{timeout}", str(SECONDS * 2))
    done = subprocess.run([sys.executable, "-c", probe, *args], cwd=cwd, capture_output=True, text=True, timeout=SECONDS * 3)
    assert done.returncode == 0, done.stderr
    code, out, err, seconds, peak = json.loads(done.stdout)
    return code, out, err, seconds, peak


@pytest.mark.slow
@pytest.mark.parametrize("attack", list(REFUSED))
def test_a_hostile_manuscript_is_refused_in_one_sentence_quickly_and_in_little_memory(attack: str, tmp_path: Path) -> None:
    make, words = REFUSED[attack]
    path = make(tmp_path)
    code, out, err, seconds, peak = _run_alone(["outline", path.name], tmp_path)
    assert code == 2 and out == "" and "Traceback" not in err, (code, err[-600:])
    assert err.count("\n") == 1 and err.startswith("speechcast: ") and words in err, err
    assert seconds < SECONDS and peak < MEGABYTES, (seconds, peak)


def test_a_page_with_a_charset_no_codec_reads_is_read_as_utf8(tmp_path: Path) -> None:
    code, out, err, seconds, peak = _run_alone(["outline", undefined_charset(tmp_path).name], tmp_path)
    assert code == 0 and "Traceback" not in err and "同志们：" in out, (code, err[-600:])
    assert seconds < SECONDS and peak < MEGABYTES, (seconds, peak)


def test_a_hundred_thousand_nested_elements_are_answered_quickly(tmp_path: Path) -> None:
    """Read, or (its one short paragraph is no article) refused in one sentence: never a parse
    whose time grows with the square of the depth."""
    code, out, err, seconds, peak = _run_alone(["outline", deep_page(tmp_path).name], tmp_path)
    assert "Traceback" not in err and ((code == 0 and "同志们：" in out) or (code == 2 and err.count("\n") == 1)), (code, err[-600:])
    assert seconds < SECONDS and peak < MEGABYTES, (seconds, peak)
