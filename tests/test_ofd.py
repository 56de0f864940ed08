"""OFD (GB/T 33190), the national format for electronic official documents, on a real one
(tests/fixtures/ofd/SOURCES.md); damaged and hostile OFDs are made here, not stored."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from frontend_util import spoken_text as spoken

from pipeline import load_script
from pipeline.errors import InputError
from pipeline.model import Reason

REAL = Path(__file__).resolve().parent / "fixtures" / "ofd" / "lu-wei-fa-2011-76-reply.ofd"


def test_a_real_official_document_reads_as_paragraphs_without_its_furniture() -> None:
    script = load_script(REAL)
    text = spoken(script)
    # Lines wrapped at the page's margin are one paragraph again; a document number cited inside a
    # sentence is speech, the one standing under the letterhead is not; page marks are furniture.
    assert "你院《关于给张阿三同志辞职的请示》（路中医发〔2011〕10号）收悉。" in text
    assert "根据《浙江省专业技术人员和管理人员辞职暂行办法》（浙人才〔1993〕73号）文件精神，经研究，同意张阿三同志辞职。" in text
    assert [(r.text, r.reason) for r in script.removed] == [
        ("路卫发〔2011〕76号", Reason.DOCUMENT_NUMBER), ("— 1 —", Reason.PAGE_MARK), ("— 2 —", Reason.PAGE_MARK),
    ]  # fmt: skip
    assert script.warnings == []


def test_the_cli_renders_an_ofd_as_any_manuscript(cli, tmp_path: Path) -> None:
    (tmp_path / "批复.ofd").write_bytes(REAL.read_bytes())
    done = cli.run("outline", "批复.ofd")
    assert done.returncode == 0 and "同意张阿三同志辞职" not in done.stderr and "Removed (3)" in done.stdout, done.stderr


def _ofd(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({"Doc_0/Document.xml": b"<Document/>"}, "is not an OFD we can read"),  # no OFD.xml
        ({"OFD.xml": b"<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody>"}, "is not an OFD we can read"),  # cut short
        ({"OFD.xml": b"<OFD/>"}, "is not an OFD we can read"),  # names no document
    ],
)
def test_a_damaged_ofd_is_refused_in_one_sentence(tmp_path: Path, members: dict[str, bytes], words: str) -> None:
    path = _ofd(tmp_path / "坏.ofd", members)
    with pytest.raises(InputError, match=words) as raised:
        load_script(path)
    assert "\n" not in str(raised.value) and "print it to PDF" in str(raised.value)


def test_an_ofd_that_would_unpack_to_hundreds_of_megabytes_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _ofd(tmp_path / "炸弹.ofd", {"OFD.xml": b"<OFD/>", "Doc_0/Pages/Page_0/Content.xml": b" " * (300 * 1024 * 1024)})
    with pytest.raises(InputError, match="unpacks to 300 MB"):
        load_script(path)
    with pytest.raises(InputError, match="print it to PDF"):
        load_script(path)
    assert path.stat().st_size < 2 * 1024 * 1024


def test_an_ofd_is_known_by_its_suffix(tmp_path: Path) -> None:
    """.ofd is read by its suffix only (its signature is a zip's, shared with .docx)."""
    from pipeline.text.readers import READABLE, reader_for

    assert ".ofd" in READABLE and reader_for(tmp_path / "x.ofd").name == "OFD"
    assert reader_for(REAL).name == "OFD"
