"""PDF manuscripts: real corpus documents printed to PDF by Chromium, as a user prints them, read back.

Chromium prints a header (date, title) and a footer (the file's address, "N/M") on every page and
wraps lines at the margin; its text layer carries Kangxi-radical glyphs (⼯ ⼤ ⺠). Each printed copy
must read like the plain-text file: the same headings, every speech line heard, no running matter.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from frontend_util import spoken_text as spoken

from pipeline import SpeechcastError, load_script
from pipeline.text.hanzi import unified_glyphs

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CORPUS = Path(__file__).resolve().parent / "corpus"
PRINTED = ["103_rural-revitalization-opinions-2018.txt", "301_tsai-2016-inaugural.txt", "303_cpc-20th-congress-report.txt",
           "204_mao-oppose-party-stereotype.txt", "000_f942a4ce7236a7e5.txt"]  # fmt: skip
_RADICALS = re.compile(r"[\u2e80-\u2eff\u2f00-\u2fdf]")


def print_to_pdf(source: Path, out: Path) -> Path:
    """`source` opened in Chromium and printed to PDF with its default header and footer."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install -y chromium fonts-noto-cjk` (the PDF tests print with it).")
    copy = out / source.name
    shutil.copyfile(source, copy)
    pdf = out / (source.stem + ".pdf")
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         f"--print-to-pdf={pdf}", copy.as_uri()],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return pdf


def _ends(paragraphs: list[str]) -> set[int]:
    """Where each paragraph ends, counted in letters from the section's start."""
    ends, at = set(), 0
    for paragraph in paragraphs:
        at += len(letters(paragraph))
        ends.add(at)
    return ends


def letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("printed")
    # One Chromium process a document, all at once: each mostly starts up, and they start side by side.
    with ThreadPoolExecutor(len(PRINTED)) as pool:
        return dict(zip(PRINTED, pool.map(lambda name: print_to_pdf(CORPUS / name, out), PRINTED)))


@pytest.mark.browser
@pytest.mark.parametrize("name", PRINTED)
def test_a_printed_manuscript_reads_like_its_text(printed: dict[str, Path], name: str) -> None:
    text = load_script(CORPUS / name)
    pdf = load_script(printed[name])
    assert [(s.title, s.level, s.kind) for s in pdf.sections] == [(s.title, s.level, s.kind) for s in text.sections]
    assert letters(spoken(pdf)) == letters(spoken(text))  # every character heard, nothing added
    # Paragraph ends come from the page: a line break inside a paragraph never ends it. (A paragraph
    # whose last line happens to fill the line cannot be told from its successor's start, so
    # two may become one; never the other way round.)
    for ours, theirs in zip(pdf.sections, text.sections):
        assert _ends(ours.paragraphs) <= _ends(theirs.paragraphs), ours.title
    assert not _RADICALS.search(spoken(pdf))
    assert "file://" not in spoken(pdf) and not re.search(r"\d{1,2}:\d{2}\s*[AP]M", spoken(pdf))


@pytest.mark.browser
def test_running_headers_and_footers_are_reported_as_page_furniture(printed: dict[str, Path]) -> None:
    import pdfplumber

    path = printed["103_rural-revitalization-opinions-2018.txt"]
    with pdfplumber.open(str(path)) as pdf:
        pages = len(pdf.pages)
    furniture = [r for r in load_script(path).removed if r.kind == "furniture"]
    assert len(furniture) == 2 * pages  # the date and title above, the address and N/M below, on every page
    assert all(r.text.startswith("file://") or re.match(r"\d{1,2}/\d{1,2}/\d{2}", r.text) for r in furniture)


def test_glyphs_are_normalised_as_readers_expect() -> None:
    assert unified_glyphs("⼯作⾦额⼈⺠⻓期⻔⼝⻛险⸺") == "工作金额人民长期门口风险——"
    assert unified_glyphs("第⼀、（⼆）") == "第一、（二）"
    assert unified_glyphs("⸺在全县工作会议上的讲话") == "——在全县工作会议上的讲话"  # a dash alone, no radical beside it
    assert unified_glyphs("ＡＢＣ１２３，。") == "ＡＢＣ１２３，。"  # only radical glyphs change: full-width text stays as written


def test_a_scan_without_a_text_layer_says_what_to_do(tmp_path: Path, cli) -> None:
    from PIL import Image

    path = tmp_path / "scan.pdf"
    Image.new("RGB", (600, 800), "white").save(path)
    with pytest.raises(SpeechcastError, match="no text layer"):
        load_script(path)
    done = cli.run("render", "scan.pdf", "--engine", "espeak", "-o", "out")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "OCR" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.browser
def test_an_encrypted_pdf_says_what_to_do(printed: dict[str, Path], tmp_path: Path, cli) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(str(printed["000_f942a4ce7236a7e5.txt"])).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as f:
        writer.write(f)
    done = cli.run("outline", "locked.pdf")
    assert done.returncode == 2 and "is encrypted" in done.stderr and done.stderr.count("\n") == 1


def test_a_broken_pdf_says_what_to_do(tmp_path: Path, cli) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    done = cli.run("outline", "broken.pdf")
    assert done.returncode == 2 and done.stderr.startswith("speechcast: ") and done.stderr.count("\n") == 1


@pytest.mark.browser
def test_a_stray_code_point_of_the_other_script_is_read_in_the_documents_own(tmp_path: Path) -> None:
    """A CJK font draws 户 and 戶 with one glyph, and a text layer may carry either: in a simplified
    speech the listener's subtitles must not show 客戶. A traditional speech keeps its own script."""
    page = tmp_path / "page" / "讲话.html"
    page.parent.mkdir()
    body = "同志们：我们要服务好每一位客戶，做好入戶走访工作，这是我们对人民群众的承诺，也是为人民办实事的具体行动，礼序乾坤。"
    page.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>讲话</title></head><body><p>{body}</p></body></html>', encoding="utf-8")
    heard = spoken(load_script(print_to_pdf(page, tmp_path)))
    assert "客户" in heard and "入户" in heard and "戶" not in heard
    assert "乾坤" in heard  # 乾 is simplified too: read by the phrase, never turned into 干
    traditional = tmp_path / "tw" / "講話.html"
    traditional.parent.mkdir()
    traditional.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>講話</title></head><body><p>各位貴賓：我們要服務好每一位客戶，這是對人民的承諾。</p></body></html>',
        encoding="utf-8",
    )
    assert "客戶" in spoken(load_script(print_to_pdf(traditional, tmp_path)))


def test_a_word_set_in_code_stays_on_its_line(tmp_path: Path) -> None:
    """A page shows program names in a monospace font (`PR`, `antd`): printed, the word starts lower
    than the Chinese beside it, and must still be read in its sentence, not as a line of its own."""
    page = tmp_path / "page" / "述职.html"
    page.parent.mkdir()
    items = "<li><p><code>PR</code>：全年为千星项目提4个<code>PR</code></p></li><li><p><strong>bug：</strong>近三个月，迭代开发出的<code>bug</code>基本上都是马虎造成的，明年需要更仔细。</p></li>"
    page.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>述职</title></head><body><p>同志们：</p><ol>{items}</ol></body></html>', encoding="utf-8"
    )
    heard = spoken(load_script(print_to_pdf(page, tmp_path)))
    assert "PR全年为千星项目提4个PR" in letters(heard) and "迭代开发出的bug基本上" in heard
