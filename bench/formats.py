"""The corpus in the formats people are handed: each document printed to PDF by Chromium and saved
as a web page inside a site's chrome, read back and compared with the plain reading of the same file.

    python bench/formats.py                 # every corpus document, both formats
    python bench/formats.py --only 30       # documents whose name starts so

For each document and format: the same headings as the file itself (title, level, kind), speech lost
(the file's spoken paragraphs not heard in the format's reading), and page furniture or site chrome
removed (the printer's header and footer lines; the page's navigation, breadcrumb, share bar,
related links, editor line and footer). Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import html
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from frontend import CHROMIUM, documents  # noqa: E402
from frontend_util import spoken_text as spoken  # noqa: E402

CHROME = ["首页 | 新闻中心 | 领导讲话 | 政务公开 | 互动交流", "当前位置：首页 > 新闻中心 > 领导讲话", "分享到：微信 微博 QQ空间",
          "【字号：大 中 小】【打印】【关闭窗口】", "相关新闻", "全县召开防汛工作会议部署汛期安全", "县长调研安全生产工作",
          "版权所有：某某县人民政府办公室 ICP备12345678号", "技术支持：某某信息科技有限公司", "责任编辑：张三"]  # fmt: skip


def letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def web_page(script, encoding: str) -> bytes:
    """The document as a government site would publish it: its chrome around the article."""
    from pipeline.text.split import spoken_heading

    body = [f"<h1>{html.escape(script.title)}</h1>"] if script.title else []
    body.append(f'<p class="info">{html.escape(CHROME[-1])}</p>')
    if script.salutation:
        body.append(f"<p>{html.escape(script.salutation)}</p>")
    for section in script.sections:
        if section.kind != "opening" and section.title and spoken_heading(section):  # a label we gave is not the page's
            tag = f"h{min(section.level + 1, 4)}"
            body.append(f"<{tag}>{html.escape(section.title)}</{tag}>")
        body += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
    related = "".join(f"<li><a href='/n{k}'>{html.escape(t)}</a></li>" for k, t in enumerate(CHROME[5:7]))
    page = (
        f'<!DOCTYPE html><html><head><meta charset="{encoding}"><title>{html.escape(script.title)}_某某县人民政府网</title></head><body>\n'
        f'<div class="nav">{CHROME[0]}</div>\n<div class="crumb">{CHROME[1]}</div>\n<div class="tools">{CHROME[2]} {CHROME[3]}</div>\n'
        f'<div class="article">\n' + "\n".join(body) + "\n</div>\n"
        f'<div class="related"><h3>{CHROME[4]}</h3><ul>{related}</ul></div>\n'
        f'<div class="footer"><p>{CHROME[7]}</p><p>{CHROME[8]}</p></div>\n</body></html>\n'
    )
    return page.encode(encoding)


def printed(document: Path, work: Path) -> Path:
    """The document opened in the browser as it is and printed, as a user prints a file."""
    copy = work / document.name
    copy.write_bytes(document.read_bytes())
    pdf = work / (document.stem + ".pdf")
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--print-to-pdf={pdf}", copy.as_uri()],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    return pdf


def compare(reference, other) -> dict:
    """How `other` (a format's reading) stands against `reference` (the file's own reading)."""
    heard = letters(spoken(other))
    paragraphs = [p for s in reference.sections for p in s.paragraphs] + [reference.title, reference.salutation]
    lost = [p for p in paragraphs if letters(p) and letters(p) not in heard]
    same = [(s.title, s.level, s.kind) for s in other.sections] == [(s.title, s.level, s.kind) for s in reference.sections]
    return {"same_headings": same, "lost": len(lost), "lost_text": [p[:40] for p in lost], "paragraphs": len(paragraphs)}


def run(only: str = "") -> dict:
    import pdfplumber

    from pipeline import load_script

    results = {}
    with tempfile.TemporaryDirectory(prefix="speechcast-formats-") as tmp:
        work = Path(tmp)
        for k, document in enumerate(documents(only)):
            reference = load_script(document)
            pdf = printed(document, work)
            with pdfplumber.open(str(pdf)) as opened:
                pages = len(opened.pages)
            as_pdf = load_script(pdf)
            furniture = sum(1 for r in as_pdf.removed if r.kind == "furniture" and r.reason.startswith(("running", "page number")))
            page = work / f"{document.stem}.html"
            encoding = "gbk" if k % 2 else "utf-8"
            try:
                page.write_bytes(web_page(reference, encoding))
            except UnicodeEncodeError:
                encoding = "utf-8"
                page.write_bytes(web_page(reference, encoding))
            as_web = load_script(page)
            heard = letters(spoken(as_web))
            chrome_kept = [c for c in CHROME if letters(c) in heard]
            results[document.name] = {
                "pdf": {**compare(reference, as_pdf), "furniture": 2 * pages, "furniture_removed": min(furniture, 2 * pages)},
                "web": {
                    **compare(reference, as_web),
                    "encoding": encoding,
                    "chrome": len(CHROME),
                    "chrome_removed": len(CHROME) - len(chrome_kept),
                    "chrome_kept": chrome_kept,
                },
            }
    return results


def markdown(results: dict) -> str:
    lines = ["| document | PDF: same headings | PDF: paragraphs lost | PDF: header/footer lines removed | page: same headings | page: paragraphs lost | page: chrome removed |",
             "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    totals = {"pdf_same": 0, "pdf_lost": 0, "furniture": 0, "furniture_removed": 0, "web_same": 0, "web_lost": 0, "chrome": 0, "chrome_removed": 0}
    for name, r in results.items():
        p, w = r["pdf"], r["web"]
        lines.append(f"| {name} | {'yes' if p['same_headings'] else '**no**'} | {p['lost']}/{p['paragraphs']} | {p['furniture_removed']}/{p['furniture']} | "
                     f"{'yes' if w['same_headings'] else '**no**'} | {w['lost']}/{w['paragraphs']} | {w['chrome_removed']}/{w['chrome']} ({w['encoding']}) |")  # fmt: skip
        totals["pdf_same"] += p["same_headings"]
        totals["pdf_lost"] += p["lost"]
        totals["furniture"] += p["furniture"]
        totals["furniture_removed"] += p["furniture_removed"]
        totals["web_same"] += w["same_headings"]
        totals["web_lost"] += w["lost"]
        totals["chrome"] += w["chrome"]
        totals["chrome_removed"] += w["chrome_removed"]
    n = len(results)
    t = totals
    lines.append(f"| **total ({n})** | {t['pdf_same']}/{n} | {t['pdf_lost']} | {t['furniture_removed']}/{t['furniture']} "
                 f"({t['furniture_removed'] / max(t['furniture'], 1):.1%}) | {t['web_same']}/{n} | {t['web_lost']} | "
                 f"{t['chrome_removed']}/{t['chrome']} ({t['chrome_removed'] / max(t['chrome'], 1):.1%}) |")  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="")
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args(argv)
    results = run(args.only)
    print(markdown(results))
    if args.details:
        for name, r in results.items():
            for fmt in ("pdf", "web"):
                for text in r[fmt]["lost_text"]:
                    print(f"{name}\t{fmt}\tlost\t{text}")
            for text in r["web"]["chrome_kept"]:
                print(f"{name}\tweb\tchrome kept\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
