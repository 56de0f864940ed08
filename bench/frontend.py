"""Front-end score on the corpus (tests/corpus): what a listener would hear, line by line.

    python bench/frontend.py                     # every annotated document, five readings each
    python bench/frontend.py --reading pdf       # only one reading (as given, gb18030, injected, web page, pdf)
    python bench/frontend.py --half development  # only one half (development or validation)
    python bench/frontend.py --json r.json       # and the raw numbers
    python bench/frontend.py --only 201          # documents whose name starts so

The corpus is split by repository into a development half (rules may be written looking at it) and a
validation half (annotated once, then only scored): see `half_of`. Both are reported, apart.

Each document is read as given, as a GB18030 copy, as a copy with document-site junk injected
between its paragraphs (banners, QQ adverts, page marks, a disclaimer), saved as a document site's
web page (menus above, related links below) and printed from that page to PDF by Chromium (with its
header and footer on each page). Against its annotation
(`<name>.ann.tsv`, see tests/corpus/SOURCES.md):

- junk recall: of the lines that must not be spoken (junk:*, and every injected line), the share
  whose text is not heard;
- speech lines lost: lines with no annotation (or title/byline/heading) whose text is not heard;
- headings found: annotated headings that are a section title of the Script (the text up to the
  heading's end), and of those, the share at the annotated level;
- false headings: section titles that are no annotated heading;
- title block: annotated speaker, date and salutation lines found as the Script's speaker, date and
  salutation.

"Heard" compares letters and digits only (punctuation, spaces and markup carry no speech), after
taking out note marks, which the annotation counts as junk inside a line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
HALVES = ("development", "validation")
#: Documents numbered from here on form the validation half.
FIRST_VALIDATION_ID = 800
SEED = "000_"
_SOURCE_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`([^`]+)`\s*\|(?:[^|]|\\\|)*\|\s*([^|\s]+)\s*\|")


def repositories() -> dict[str, str]:
    """Document file name → the repository it came from, as the corpus's SOURCES tables give it."""
    found: dict[str, str] = {}
    for table in [CORPUS / "SOURCES.md", *sorted((CORPUS / "incoming").glob("*.md"))]:
        if table.is_file():
            for row in table.read_text(encoding="utf-8").splitlines():
                match = _SOURCE_ROW.match(row)
                if match:
                    found[match.group(2)] = match.group(3)
                elif row.startswith(f"| `{SEED}"):  # the seed's own table: no repository, its owner's
                    found[row.split("`")[1]] = "(the project's owner)"
    return found


def half_of(document: Path, repository: str) -> str:
    """Which half a document is in, fixed before it was scored: documents numbered from 800 were
    gathered for the validation half and are only ever scored. Development is every document below
    800 (the 27 that formed the validation half until their per-line misses were once printed among
    them: seen, they no longer measure generalisation) and the documents of the repositories in SEEN."""
    number = int(document.name.split("_", 1)[0]) if document.name[:3].isdigit() else 0
    return "validation" if number >= FIRST_VALIDATION_ID and repository not in SEEN else "development"


#: Repositories gathered for the new validation half whose per-line results were printed once, by a
#: comparison run that used the split before this one, before any rule was written: they count as
#: seen and belong to development (docs/benchmarks.md, "The validation half, gathered again").
SEEN = frozenset(
    {
        "wang1xiang/blog",
        "echonoshy/Maozedong-xuanji",
        "zhanght86/qhbx",
        "luckywxn/manager.strongculture.cn",
        "South-Walker/Thesis",
        "g0v-data/g0v-hackmd-archive",
        "ProletRevDicta/Prolet",
    }
)


INJECTED_TOP = ["仅供学习 禁止外传", "会员群：          免费QQ群：", "现在订阅立享全部范文资料"]
INJECTED_MIDDLE = ["— {page} —", "某某文库整理，咨询QQ306157061", "第{page}页 共12页"]
INJECTED_BOTTOM = ["免责声明：本站文章均来自网络，如有侵权请联系删除", "扫码关注公众号，获取更多范文"]
_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<[^>]+>|&[#\w]+;")
_NOTE_MARK = re.compile(r"〔\d{1,3}〕|［\d{1,3}］|\[\d{1,3}\]|\[注\s?\d{1,3}\s?\]|\[\^[^\]\s]{1,20}\]|[⑴-⒇①-⑳¹²³⁴⁵⁶⁷⁸⁹⁰]")
_FRONT_MATTER_KEY = re.compile(r"^\s*title:\s*")
"""A title that only the front matter gives (title: 年度述职报告) is heard without its key."""
_LIST_MARK = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*+])\s+")
_LETTERS = re.compile(r"[^\w]|_", re.UNICODE)


#: Annotation label → the Script field that must hold the line.
_TITLE_BLOCK = {"speaker": "speaker", "date": "date", "salutation": "salutation"}
_NUMBERING = re.compile(r"^(?:第?[一二三四五六七八九十百零〇○\d]+(?:部分|章|节|条|篇)?)")


def _unnumbered(sound: str) -> str:
    """A heading's letters without its number (一、增强… and 增强… are the same heading)."""
    return _NUMBERING.sub("", sound) or sound


def letters(text: str) -> str:
    """What can be heard of `text`: letters and digits, markup and note marks taken out (a radical
    glyph sounds as the character it stands for: compared in NFKC)."""
    return _LETTERS.sub("", _NOTE_MARK.sub("", _MARKUP.sub("", unicodedata.normalize("NFKC", text)))).lower()


@dataclass
class Annotation:
    lines: list[str]
    labels: dict[int, str]
    """1-based line → label (title, byline, heading:N, junk:KIND, end)."""
    inline: dict[int, list[str]]
    headings: dict[int, str]
    """1-based line → the heading as it stands in that line (the whole line, or the part that is the heading)."""

    @classmethod
    def read(cls, document: Path) -> Annotation:
        lines = document.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
        labels: dict[int, str] = {}
        inline: dict[int, list[str]] = {}
        headings: dict[int, str] = {}
        ends: list[int] = []
        table = document.with_name(document.name.rsplit(".", 1)[0] + ".ann.tsv")
        for row in table.read_text(encoding="utf-8").splitlines()[1:]:
            if not row.strip():
                continue
            number, label, text = (row.split("\t", 2) + [""])[:3]
            if label.startswith("inline:"):
                inline.setdefault(int(number), []).append(text)
            elif label == "end":
                ends.append(int(number))  # may stand beside the line's own label (a last heading)
            else:
                labels[int(number)] = label
                if label.startswith("heading:"):
                    headings[int(number)] = text
        return cls(lines, labels, inline, headings)


_LINE_LISTS = ("lost", "kept_junk", "missed_headings", "false", "missed_title_block")
"""The Score fields that list lines (the validation half is reported without them)."""


@dataclass
class Score:
    junk: int = 0
    junk_removed: int = 0
    speech: int = 0
    speech_lost: int = 0
    headings: int = 0
    headings_found: int = 0
    levels_right: int = 0
    false_headings: int = 0
    title_block: int = 0
    title_block_right: int = 0
    crashed: int = 0
    lost: list[str] = field(default_factory=list)
    kept_junk: list[str] = field(default_factory=list)
    missed_headings: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    missed_title_block: list[str] = field(default_factory=list)

    def add(self, other: Score, document: str = "") -> None:
        for name in _LINE_LISTS:
            getattr(self, name).extend(f"{document}: {item}" for item in getattr(other, name))
        for name in (
            "junk",
            "junk_removed",
            "speech",
            "speech_lost",
            "headings",
            "headings_found",
            "levels_right",
            "false_headings",
            "title_block",
            "title_block_right",
            "crashed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def recall(self) -> float:
        return self.junk_removed / self.junk if self.junk else 1.0

    @property
    def found(self) -> float:
        return self.headings_found / self.headings if self.headings else 1.0


#: A document site's page around the text: each line is junk a web-page reading must drop.
PAGE_TOP = ["首页 | 范文大全 | 讲话稿 | 工作报告 | 登录 | 注册", "当前位置：首页 > 讲话稿 > 领导讲话"]
PAGE_BOTTOM = ["相关文章：", "在全县工作会议上的讲话范文（精选5篇）", "Copyright © 2024 某某范文网 版权所有  京ICP备12345678号-1"]
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Reading:
    """One copy of a document as a user might be handed it, and how to score it."""

    data: bytes
    suffix: str
    rows: list[str]
    """The lines the score walks: the document's own, then any added (see `injected`)."""
    injected: set[int] = field(default_factory=set)
    """0-based indexes into `rows` of lines that are not the document's (all junk)."""
    encoding: str = "utf-8"
    by_line: bool = True
    """Whether the file's line N is `rows[N-1]` (not so once a page was laid out in HTML or PDF)."""
    absent: set[int] = field(default_factory=set)
    """0-based indexes of the document's lines this copy does not hold (a Markdown file's front
    matter is metadata, never shown on its page)."""


def variants(document: Path, annotation: Annotation, printer: Printer | None = None) -> dict[str, Reading]:
    """name → the readings of one document: as given, GB18030, junk injected, saved as a web page and
    (with a printer) printed to PDF from that page."""
    text = "\n".join(annotation.lines)
    lines = annotation.lines
    blank = [i for i, line in enumerate(lines) if not line.strip() and i > 0]
    out: list[str] = []
    injected: set[int] = set()

    def inject(rows: Sequence[str]) -> None:
        for row in rows:
            out.extend(["", row, ""])
            injected.update((len(out) - 3, len(out) - 2, len(out) - 1))

    # A site's banner goes above the text; a Markdown file's front matter (its metadata) stays first.
    top = next((k for k, line in enumerate(lines) if line.strip()), 0)
    fence = next((k for k in range(top + 1, min(len(lines), 40)) if lines[top].strip() == "---" and lines[k].strip() == "---"), -1)
    out.extend(lines[: fence + 1])
    inject(INJECTED_TOP)
    step = max(len(blank) // 4, 1)
    marks = set(blank[step::step][:3])
    page = 2
    for i, line in enumerate(lines):
        if i <= fence:
            continue
        out.append(line)
        if i in marks:
            inject([row.format(page=page) for row in INJECTED_MIDDLE[: 1 + (page % 2)]])
            page += 1
    inject(INJECTED_BOTTOM)
    suffix = document.suffix
    readings = {
        "as given": Reading(text.encode("utf-8"), suffix, lines),
        "gb18030": Reading(text.encode("gb18030"), suffix, lines, encoding="gb18030"),
        "injected": Reading("\n".join(out).encode("utf-8"), suffix, out, injected),
    }
    page_rows = lines + PAGE_TOP + PAGE_BOTTOM
    added = set(range(len(lines), len(page_rows)))
    html = web_page(document, annotation, fence)
    metadata = set(range(fence + 1))
    readings["web page"] = Reading(html.encode("utf-8"), ".html", page_rows, added, by_line=False, absent=metadata)
    if printer is not None:
        # Printed as a user prints the page: the site's menus stay out (print styles hide them).
        pdf = printer.pdf(web_page(document, annotation, fence, furniture=False), document.stem)
        readings["pdf"] = Reading(pdf, ".pdf", lines, by_line=False, absent=metadata)
    return readings


def web_page(document: Path, annotation: Annotation, fence: int, furniture: bool = True) -> str:
    """The document as a document site serves it: Markdown laid out as HTML (a text file a paragraph
    a line), the page's title from its first line, menus above and related links below."""
    from html import escape

    from markdown_it import MarkdownIt

    body_lines = annotation.lines[fence + 1 :]
    if document.suffix == ".md":
        body = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable("table").render("\n".join(body_lines))
    else:
        body = "\n".join(f"<p>{escape(line)}</p>" for line in body_lines if line.strip())
    first = next((line.strip("# *") for line in body_lines if line.strip()), document.stem)
    top = "".join(f"<div class=nav>{escape(row)}</div>" for row in PAGE_TOP) if furniture else ""
    bottom = "".join(f"<div class=foot>{escape(row)}</div>" for row in PAGE_BOTTOM) if furniture else ""
    return (
        f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>{escape(first[:40])}_某某范文网</title></head>"
        f"<body><header>{top}</header><main><article>{body}</article></main><footer>{bottom}</footer></body></html>"
    )


class Printer:
    """Chromium, started once, printing pages to PDF with its default header and footer (date,
    title, address, page N/M) as a user prints a page."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self._playwright: Any = None
        self._browser: Any = None
        self._page: Any = None

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()

    def pdf(self, html: str, name: str) -> bytes:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            # One tab prints every document, as a user goes from page to page: a new tab is a new
            # renderer process, which cost more than the printing (the PDFs' text is the same).
            self._page = self._browser.new_page()
        where = self.work / f"{name}.html"
        where.write_text(html, encoding="utf-8")
        self._page.goto(where.as_uri())
        return bytes(self._page.pdf(display_header_footer=True, print_background=False))


def score_variant(document: Path, annotation: Annotation, reading: Reading, work: Path) -> Score:
    from pipeline import SpeechcastError, load_script

    work.mkdir(parents=True, exist_ok=True)
    path = work / (document.stem + reading.suffix)
    path.write_bytes(reading.data)
    injected = reading.injected
    score = Score()
    try:
        script = load_script(path)
    except SpeechcastError as exc:
        score.crashed = 1
        score.lost.append(f"load failed: {exc}")
        return score
    # Closing words with no heading have no title (shown as 结束语, never spoken): no false heading.
    titles = [s.title for s in script.sections if s.title and s.kind in ("section", "closing")]
    spoken_title = [s.title if s.kind in ("section", "closing") else "" for s in script.sections]
    top = script.title + "".join(getattr(script, "byline", ())) + script.salutation  # (no byline before the title block was read)
    heard_with = letters(top + "".join(t + "".join(s.paragraphs) for t, s in zip(spoken_title, script.sections)))
    # A heading recovered from inside a paragraph gains its number (一、): heard either way.
    heard_without = letters(top) + "".join(_unnumbered(letters(t)) + letters("".join(s.paragraphs)) for t, s in zip(spoken_title, script.sections))
    heard = heard_with + "\n" + heard_without
    rows = reading.rows
    # A junk line counts as removed when it is not heard, or when the report took it out at its line
    # (a short junk line such as a tag or a date may be heard elsewhere, in the speech itself).
    reported: dict[int, str] = {}
    for item in script.removed:
        reported[item.line] = reported.get(item.line, "") + letters(item.text)

    anywhere = "\n".join(reported.values())

    def removed(line: int, sound: str) -> bool:
        if reading.by_line:
            return not sound or sound not in heard or sound in reported.get(line, "")
        return not sound or sound not in heard or sound in anywhere

    original = 0
    annotated_headings: list[tuple[str, int]] = []
    for index, row in enumerate(rows):
        if index in injected:
            if not row:
                continue
            score.junk += 1
            if removed(index + 1, letters(row)):
                score.junk_removed += 1
            else:
                score.kept_junk.append(f"injected: {row}")
            continue
        original += 1
        if index in reading.absent:
            continue
        label = annotation.labels.get(original, "")
        content = _FRONT_MATTER_KEY.sub("", row) if label == "title" else row
        for fragment in annotation.inline.get(original, []):
            content = content.replace(fragment, "")
        sound = letters(content)
        if label.startswith("junk:"):
            score.junk += 1
            if removed(index + 1, sound):
                score.junk_removed += 1
            else:
                score.kept_junk.append(f"{original}: {row}")
        elif sound:
            score.speech += 1
            # Inline junk left in is not speech lost; nor is a list's number a page shows as a bullet.
            if sound not in heard and letters(row) not in heard and (reading.by_line or letters(_LIST_MARK.sub("", content)) not in heard):
                score.speech_lost += 1
                score.lost.append(f"{original}: {row}")
        if label in _TITLE_BLOCK and sound:
            score.title_block += 1
            if sound in letters(getattr(script, _TITLE_BLOCK[label], "")):
                score.title_block_right += 1
            else:
                score.missed_title_block.append(f"{label}: {row}")
        if label.startswith("heading:"):
            annotated_headings.append((_unnumbered(letters(annotation.headings.get(original) or row)), int(label.split(":")[1])))
    levels = {_unnumbered(letters(s.title)): s.level for s in script.sections if s.kind in ("section", "closing")}
    # A heading set in two lines (**01** over **群核的创业之路**) is one section: its number is found too.
    levels.update({letters(s.title): s.level for s in script.sections if s.kind == "section"})
    for sound, level in annotated_headings:
        score.headings += 1
        match = next((t for t in levels if t and (sound.startswith(t) or t.startswith(sound))), None)
        if match is None:
            score.missed_headings.append(sound)
            continue
        score.headings_found += 1
        score.levels_right += levels[match] == level
    heading_sounds = [sound for sound, _ in annotated_headings]
    for title in titles:
        sound = _unnumbered(letters(title))
        if sound and not any(h.startswith(sound) or sound.startswith(h) for h in heading_sounds):
            score.false_headings += 1
            score.false.append(title)
    return score


def documents(only: str = "", half: str = "") -> list[Path]:
    """The annotated documents (of one half, when `half` is given) whose name starts with `only`."""
    repos = repositories()
    found = []
    for table in sorted(CORPUS.glob("*.ann.tsv")):
        stem = table.name[: -len(".ann.tsv")]
        candidates = [CORPUS / f"{stem}{suffix}" for suffix in (".txt", ".md", ".docx") if (CORPUS / f"{stem}{suffix}").exists()]
        if not candidates or not stem.startswith(only) or candidates[0].name not in repos:
            continue
        if not half or half_of(candidates[0], repos[candidates[0].name]) == half:
            found.append(candidates[0])
    return found


def _summary(score: Score) -> dict:
    return {**asdict(score), "recall": score.recall, "found": score.found}


READINGS = ("as given", "gb18030", "injected", "web page", "pdf")


def run(only: str = "", halves: Sequence[str] = HALVES, readings: Sequence[str] = READINGS) -> dict:
    """Every document of the given halves in the given readings: per document and per half. (Printing
    to PDF needs Chromium; without it that reading is left out and the count of readings says so.)"""
    results: dict[str, dict] = {}
    totals: dict[str, Score] = {}
    counts: dict[str, int] = {}
    repos = repositories()
    # The copies are made here (one Chromium prints them all); reading and scoring them, which is
    # most of the time (pdfminer parses every page in Python), runs on every core, in the order given.
    with tempfile.TemporaryDirectory(prefix="speechcast-frontend-") as tmp, Printer(Path(tmp)) as shared, \
            ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=multiprocessing.get_context("fork")) as pool:  # fmt: skip
        printer = shared if "pdf" in readings and Path(CHROMIUM).exists() else None
        for half in halves:
            total = totals.setdefault(half, Score())
            scored = []
            for document in documents(only, half):
                annotation = Annotation.read(document)
                per: dict[str, dict] = {"half": half, "repository": repos[document.name]}  # type: ignore[dict-item]
                results[document.name] = per
                for name, reading in variants(document, annotation, printer).items():
                    if name in readings:
                        work = Path(tmp) / name.replace(" ", "-")
                        scored.append((document.name, per, name, pool.submit(score_variant, document, annotation, reading, work)))
            for document_name, per, name, future in scored:
                score = future.result()
                total.add(score, document_name)
                per[name] = _summary(score)
                counts[half] = counts.get(half, 0) + 1
    return {
        "documents": results,
        "halves": {
            half: {**_summary(t), "documents": sum(r["half"] == half for r in results.values()), "readings": counts.get(half, 0)} for half, t in totals.items()
        },
    }


def counted_only(report: dict) -> dict:
    """The report with the validation half's lines taken out (its counts kept): whoever reads the raw
    numbers must not see which lines it misses, or it is no longer a half nobody wrote rules from."""

    def counts(score: dict) -> dict:
        return {key: value for key, value in score.items() if key not in _LINE_LISTS}

    documents = {
        name: {key: counts(value) if isinstance(value, dict) and per["half"] == "validation" else value for key, value in per.items()}
        for name, per in report["documents"].items()
    }
    halves = {half: counts(total) if half == "validation" else total for half, total in report["halves"].items()}
    return {"documents": documents, "halves": halves}


def markdown(report: dict) -> str:
    lines = [
        "| document | half | variant | junk removed | speech lines lost | headings found | levels right | false headings | title block |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, per in report["documents"].items():
        for variant in READINGS:
            if variant not in per or per["half"] == "validation":  # the validation half is reported by its totals alone
                continue
            s = per[variant]
            lines.append(
                f"| {name} | {per['half'][:3]} | {variant} | {s['junk_removed']}/{s['junk']} | {s['speech_lost']}/{s['speech']} | "
                f"{s['headings_found']}/{s['headings']} | {s['levels_right']}/{s['headings_found']} | {s['false_headings']} | "
                f"{s['title_block_right']}/{s['title_block']} |"
            )
    return "\n".join(lines) + "\n\n" + totals(report)


def totals(report: dict) -> str:
    """One row per half: the figures the issue's floors are about."""
    lines = [
        "| half | documents | junk removed | speech lines lost | headings found | levels right | false headings | title block |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for half, t in report["halves"].items():
        per_ten = 10 * t["false_headings"] / max(t.get("readings", 3 * t["documents"]), 1)
        lines.append(
            f"| **{half}** | {t['documents']} | **{t['recall']:.1%}** ({t['junk_removed']}/{t['junk']}) | **{t['speech_lost']}** of {t['speech']} | "
            f"**{t['found']:.1%}** ({t['headings_found']}/{t['headings']}) | {t['levels_right']}/{t['headings_found']} | "
            f"**{t['false_headings']}** ({per_ten:.1f} per 10 readings) | {t['title_block_right']}/{t['title_block']} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="documents whose file name starts with this")
    parser.add_argument("--half", choices=HALVES, action="append", help="only this half (repeat for both; default both)")
    parser.add_argument("--reading", choices=READINGS, action="append", help="only this reading (repeat for more; default all)")
    parser.add_argument("--totals", action="store_true", help="print the halves' totals only")
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    parser.add_argument("--details", action="store_true", help="list every miss of the development half (the validation half is only scored)")
    args = parser.parse_args(argv)
    report = run(args.only, args.half or HALVES, args.reading or READINGS)
    print(totals(report) if args.totals else markdown(report))
    if args.details:
        for name, per in report["documents"].items():
            for variant in [r for r in READINGS if r in per] if per["half"] == "development" else ():
                for key in _LINE_LISTS:
                    for item in per[variant][key]:
                        print(f"{name}\t{variant}\t{key}\t{item}")
    if args.json:
        args.json.write_text(json.dumps(counted_only(report), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
