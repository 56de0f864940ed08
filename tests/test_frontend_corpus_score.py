"""The development corpus holds together, and the front end's score on it can only go up.

The floors are the totals bench/frontend.py measured when they were set (docs/benchmarks.md): a
change that removes less junk, loses a speech line, finds fewer headings or invents more fails here.
Raise a floor when the front end gets better; never lower one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
sys.path.insert(0, str(ROOT / "bench"))

import frontend  # noqa: E402  (bench/frontend.py, the scorer the benchmarks report)

JUNK_RECALL_FLOOR = 0.984
HEADINGS_FOUND_FLOOR = 0.974
FALSE_HEADINGS_CEILING = 1
LABELS = re.compile(r"^(?:title|subtitle|speaker|date|byline|salutation|end|heading:[1-4]|junk:(?:notes|publication|markup|furniture|appendix)|inline:(?:notes|publication|markup))$")


def test_the_corpus_has_two_dozen_annotated_documents_each_with_its_source() -> None:
    documents = frontend.documents()
    assert len(documents) >= 24
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for document in documents:
        assert f"`{document.name}`" in sources, f"{document.name} has no row in tests/corpus/SOURCES.md"


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


def test_the_score_only_goes_up() -> None:
    total = frontend.run(halves=["development"])["halves"]["development"]
    assert total["speech_lost"] == 0, f"speech lines lost: {total['lost']}"
    assert total["crashed"] == 0
    assert total["recall"] >= JUNK_RECALL_FLOOR, f"junk recall {total['recall']:.1%} fell below {JUNK_RECALL_FLOOR:.1%}"
    assert total["found"] >= HEADINGS_FOUND_FLOOR, f"headings found {total['found']:.1%} fell below {HEADINGS_FOUND_FLOOR:.1%}"
    assert total["false_headings"] <= FALSE_HEADINGS_CEILING
    assert total["levels_right"] == total["headings_found"], "a heading was found at the wrong level"


def test_the_scorer_counts_what_it_should(tmp_path: Path) -> None:
    """The scorer itself: a junk line the front end keeps is not removed, a speech line it drops is lost."""
    document = tmp_path / "x_doc.txt"
    document.write_text("讲话标题\n同志们：\n今天我们开会，研究部署工作。\n一、统一思想\n大家要统一思想，提高认识。\n谢谢大家！\n来源：某某网\n", encoding="utf-8")
    (tmp_path / "x_doc.ann.tsv").write_text(
        "line\tlabel\ttext\n1\ttitle\t讲话标题\n4\theading:1\t一、统一思想\n6\tend\t谢谢大家！\n7\tjunk:publication\t来源：某某网\n", encoding="utf-8"
    )
    annotation = frontend.Annotation.read(document)
    data = document.read_bytes()
    score = frontend.score_variant(document, annotation, data, "utf-8", set(), tmp_path / "work")
    assert (score.junk, score.junk_removed, score.speech_lost, score.headings_found, score.false_headings) == (1, 1, 0, 1, 0)
    (tmp_path / "x_doc.ann.tsv").write_text("line\tlabel\ttext\n3\tjunk:notes\t今天我们开会，研究部署工作。\n6\tend\t谢谢大家！\n", encoding="utf-8")
    score = frontend.score_variant(document, frontend.Annotation.read(document), data, "utf-8", set(), tmp_path / "work2")
    assert score.junk_removed == 0 and score.false_headings == 1  # kept "junk", and 一、统一思想 is no annotated heading
