"""What Word hides: footnotes, comments, headers and footers, tracked deletions and hidden text are
not spoken; heading styles are headings; automatic numbering is spoken as the printed page shows it.

The documents are made with python-docx, their hidden parts written into the package as Word writes
them (word/footnotes.xml, word/comments.xml, numbering definitions, w:ins and w:del runs).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from frontend_util import spoken_text as spoken

from pipeline import load_script

SPEECH = "今天我们召开全县安全生产工作会议，主要任务是总结去年工作，部署今年任务。"


def _tracked(paragraph, text: str, tag: str) -> None:
    run = paragraph.add_run(text)
    wrapper = OxmlElement(tag)
    wrapper.set(qn("w:id"), str(abs(hash(text)) % 1000))
    wrapper.set(qn("w:author"), "审稿人")
    run._r.addprevious(wrapper)
    wrapper.append(run._r)
    if tag == "w:del":
        for t in run._r.findall(qn("w:t")):
            t.tag = qn("w:delText")


def _numbered(document, fmt: str, text: str) -> str:
    """A numbering definition (abstractNum + num) in the document's numbering part; its numId."""
    numbering = document.part.numbering_part.element
    abstract_id = str(100 + len(numbering.findall(qn("w:abstractNum"))))
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        f'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>'
    ))  # fmt: skip
    num_id = str(100 + len(numbering.findall(qn("w:num"))))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return num_id


def _number(paragraph, num_id: str, level: int = 0) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


@pytest.fixture
def report(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("在全县安全生产工作会议上的讲话", style="Title")
    document.add_paragraph("同志们：")
    intro = document.add_paragraph(SPEECH)
    _tracked(intro, "这句审稿时删掉了。", "w:del")
    _tracked(intro, "安全生产责任重于泰山。", "w:ins")
    hidden = intro.add_run("隐藏的批注文字")
    hidden.font.hidden = True
    num_id = _numbered(document, "chineseCounting", "%1、")
    for title, body in (("提高站位", "安全生产事关人民群众生命财产安全。"), ("压实责任", "各级各部门要切实担起责任。")):
        heading = document.add_paragraph(title, style="Heading 2")
        _number(heading, num_id)
        document.add_paragraph(body)
    sub = document.add_paragraph("加强隐患排查")
    _number(sub, num_id, level=1)
    document.add_paragraph("要紧盯重点行业领域。")
    document.add_paragraph("谢谢大家！")
    section = document.sections[0]
    section.header.paragraphs[0].text = "某某县人民政府办公室 内部资料"
    section.footer.paragraphs[0].text = "第 1 页"
    document.add_comment(intro.runs[0], text="此处数据请核实", author="审稿人")
    path = tmp_path / "report.docx"
    document.save(str(path))
    _add_footnote(path)
    return path


def _add_footnote(path: Path) -> None:
    """A footnote as Word stores it: a reference in the body, its text in word/footnotes.xml."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    parts["word/footnotes.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {w}>'
        '<w:footnote w:id="1"><w:p><w:r><w:t>脚注：数据来源于县应急管理局。</w:t></w:r></w:p></w:footnote></w:footnotes>'
    ).encode()
    body = parts["word/document.xml"].decode()
    body = body.replace("<w:t>同志们：</w:t></w:r>", '<w:t>同志们：</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>', 1)
    parts["word/document.xml"] = body.encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
    )
    rels = parts["word/_rels/document.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdFn1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
    )
    parts["word/_rels/document.xml.rels"] = rels.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_what_word_hides_is_not_spoken(report: Path) -> None:
    text = spoken(load_script(report))
    for hidden in ("脚注", "应急管理局", "此处数据请核实", "内部资料", "第 1 页", "这句审稿时删掉了", "隐藏的批注文字"):
        assert hidden not in text, hidden
    assert "安全生产责任重于泰山。" in text  # a tracked insertion is the page's text


def test_heading_styles_and_automatic_numbering(report: Path) -> None:
    script = load_script(report)
    assert script.title == "在全县安全生产工作会议上的讲话"
    assert script.salutation == "同志们："
    assert [(s.title, s.level) for s in script.sections if s.kind == "section"] == [
        ("一、提高站位", 1), ("二、压实责任", 1), ("（一）加强隐患排查", 2),
    ]  # fmt: skip
    assert script.sections[-1].kind == "closing"


def test_an_old_word_file_without_libreoffice_says_how_to_save_it(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("soffice") or shutil.which("libreoffice"):
        monkeypatch.setenv("PATH", str(tmp_path / "no-office"))  # LibreOffice out of reach: the message is what is tested
    (tmp_path / "speech.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    line = cli.error("render", "speech.doc", "--engine", "espeak", "-o", "out", code=2)
    assert "save it as .docx" in line and "LibreOffice" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_docx_that_would_unpack_to_hundreds_of_megabytes_is_refused_before_parsing(tmp_path: Path, cli) -> None:
    """A decompression bomb: a real .docx whose document part is a few MB of zeros packed to kilobytes.
    Refused from the zip's directory alone, in one sentence, quickly and without the memory."""
    import zipfile

    document = docx.Document()
    document.add_paragraph("同志们：今天开会。")
    plain = tmp_path / "plain.docx"
    document.save(plain)
    bomb = tmp_path / "讲话.docx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<!--" + b"0" * (300 * 1024 * 1024) + b"--></w:body>")
            target.writestr(item, data)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    line = cli.error("outline", str(bomb))
    assert "unpacks to" in line and "far more than a manuscript holds" in line
