"""The development corpus holds together, and the front end's score on it can only go up.

The floors are the totals bench/frontend.py measured when they were set (docs/benchmarks.md): a
change that removes less junk, loses a speech line, finds fewer headings or invents more fails here.
Raise a floor when the front end gets better; never lower one.
"""

from __future__ import annotations

import multiprocessing
import re
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
sys.path.insert(0, str(ROOT / "bench"))

import frontend  # noqa: E402  (bench/frontend.py, the scorer the benchmarks report)

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

#: The totals of each half as bench/frontend.py measured them when they were set (docs/benchmarks.md),
#: for the text readings (as given, GB18030, junk injected) and the page readings (saved as a web page,
#: printed from it to PDF). The validation half is only ever scored; its floors say where
#: generalisation stands, and hold it there.
FLOORS = {
    ("development", "text"): {"recall": 0.932, "found": 0.815, "false_headings": 90, "speech_lost": 10},
    ("development", "page"): {"recall": 0.894, "found": 0.798, "false_headings": 118, "speech_lost": 42},
    ("validation", "text"): {"recall": 0.763, "found": 0.788, "false_headings": 43, "speech_lost": 3},
    ("validation", "page"): {"recall": 0.751, "found": 0.783, "false_headings": 35, "speech_lost": 5},
}
READINGS = {"text": ("as given", "gb18030", "injected"), "page": ("web page", "pdf")}
LABELS = re.compile(
    r"^(?:title|subtitle|speaker|date|byline|salutation|end|heading:[1-4]|junk:(?:notes|publication|markup|furniture|appendix)|inline:(?:notes|publication|markup))$"
)


def test_the_corpus_is_sixty_documents_from_two_dozen_repositories_split_by_repository() -> None:
    documents = frontend.documents()
    repos = frontend.repositories()
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for document in documents:
        assert f"`{document.name}`" in sources, f"{document.name} has no row in tests/corpus/SOURCES.md"
    assert len(documents) >= 60
    per_repo = Counter(repos[d.name] for d in documents)
    assert len(per_repo) >= 25 and max(per_repo.values()) <= 4, per_repo.most_common(3)
    halves = {half: {repos[d.name] for d in frontend.documents(half=half)} for half in frontend.HALVES}
    assert not halves["development"] & halves["validation"], "a repository is in both halves"
    assert min(len(frontend.documents(half=half)) for half in frontend.HALVES) >= 20


def test_every_annotation_row_names_its_line_exactly() -> None:
    for document in frontend.documents():
        lines = document.read_text(encoding="utf-8").split("\n")
        table = document.with_name(document.name.rsplit(".", 1)[0] + ".ann.tsv")
        rows = table.read_text(encoding="utf-8").splitlines()
        assert rows[0] == "line\tlabel\ttext", table.name
        ends = 0
        for row in rows[1:]:
            number, label, text = row.split("\t", 2)
            assert LABELS.match(label), f"{table.name}: unknown label {label!r}"
            source = lines[int(number) - 1].replace("\t", " ")
            if label.startswith(("inline:", "heading:")):
                assert text in source, f"{table.name} line {number}: {text!r} is not in the line"
            else:
                assert text == source, f"{table.name} line {number}: the row's text is not the line's"
            ends += label == "end"
        assert ends == 1, f"{table.name}: one end row, not {ends}"


@pytest.fixture(scope="module")
def scores(request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str], Future[dict]]]:
    """(half, readings) → the run that scores them, every one the session selected started at once
    in a process of its own: printing to PDF is one Chromium tab after another, so the halves print
    side by side while the others are read (each run reads its copies on every core, as
    bench/frontend.py does)."""
    selected = {(item.callspec.params["half"], item.callspec.params["readings"]) for item in request.session.items
                if getattr(item, "originalname", "") == "test_the_score_only_goes_up"}  # fmt: skip
    with ProcessPoolExecutor(max_workers=len(FLOORS), mp_context=multiprocessing.get_context("spawn")) as pool:
        # The page readings first: they take longest.
        order = sorted(selected, key=lambda key: key[1] != "page")
        yield {(half, readings): pool.submit(frontend.run, halves=[half], readings=READINGS[readings]) for half, readings in order}


@pytest.mark.bench
@pytest.mark.parametrize(("half", "readings"), [pytest.param(*key, marks=[pytest.mark.browser] if key[1] == "page" else []) for key in FLOORS])
def test_the_score_only_goes_up(scores: dict[tuple[str, str], Future[dict]], half: str, readings: str) -> None:
    if readings == "page" and not Path(frontend.CHROMIUM).exists():
        pytest.fail(f"{frontend.CHROMIUM} is missing: run `apt-get install -y chromium fonts-noto-cjk` (the PDF reading prints with it).")
    total = scores[half, readings].result()["halves"][half]
    floor = FLOORS[half, readings]
    assert total["readings"] == len(READINGS[readings]) * total["documents"]
    assert total["crashed"] == 0
    assert total["speech_lost"] <= floor["speech_lost"], f"speech lines lost: {total['lost'] if half == 'development' else total['speech_lost']}"
    assert total["recall"] >= floor["recall"], f"junk recall {total['recall']:.1%} fell below {floor['recall']:.1%}"
    assert total["found"] >= floor["found"], f"headings found {total['found']:.1%} fell below {floor['found']:.1%}"
    assert total["false_headings"] <= floor["false_headings"]
