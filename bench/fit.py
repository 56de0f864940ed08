"""Fit the weights the front end decides by (pipeline/text/weights.json), on the development half only.

    pip install -e '.[fit]'      # scikit-learn, for the fit and its cross-validation
    python bench/fit.py          # fit, cross-validate across repositories, write the weights
    python bench/fit.py --check  # cross-validate only; write nothing

For every heading candidate the rules propose without the format declaring it (a bold line, a bold
sentence opening a paragraph, a short unpunctuated line), its features (pipeline.text.evidence) and
whether the annotation calls that line a heading. The documents are read as given and with the
site's junk injected (bench/frontend.py), so the weights do not hinge on clean copies. The validation
half is never read here. Cross-validation leaves out one repository at a time: the figures say how the
weights do on repositories they were not fitted on.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import frontend  # noqa: E402

WEIGHTS = ROOT / "pipeline" / "text" / "weights.json"
READINGS = ("as given", "injected")
#: Inverse regularisation strength: small, so that no feature's weight rests on a handful of lines.
STRENGTH = 0.5


def candidates(decision: str) -> tuple[list[list[float]], list[int], list[str], list[str]]:
    """(features, label, repository, where) of every line weighed for `decision` in the development half:
    "heading" (is this candidate a heading?) or "junk" (is this line, kept by every rule, not speech?)."""
    from pipeline.model import Script
    from pipeline.text.clean import junk_evidence
    from pipeline.text.evidence import HEADING_FEATURES, JUNK_FEATURES
    from pipeline.text.manuscript import read_cleaned, read_source
    from pipeline.text.structure import heading_evidence

    names = HEADING_FEATURES if decision == "heading" else JUNK_FEATURES
    rows: list[list[float]] = []
    labels: list[int] = []
    groups: list[str] = []
    where: list[str] = []
    repos = frontend.repositories()
    with tempfile.TemporaryDirectory(prefix="speechcast-fit-") as tmp:
        for document in frontend.documents(half="development"):
            annotation = frontend.Annotation.read(document)
            for name, reading in frontend.variants(document, annotation).items():
                if name not in READINGS:
                    continue
                path = Path(tmp) / name.replace(" ", "-") / document.name
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(reading.data)
                original = _original_lines(len(reading.data.decode("utf-8").split("\n")), reading.injected)
                if decision == "heading":
                    cleaned = read_cleaned(path)
                    found = [] if isinstance(cleaned, Script) else heading_evidence(cleaned)
                else:
                    source = read_source(path)
                    found = [] if isinstance(source, Script) else junk_evidence(source.source, source.removed)
                for line, text, features in found:
                    number = original.get(line, 0)
                    rows.append([features[name] for name in names])
                    labels.append(_label(decision, annotation, number, text))
                    groups.append(repos[document.name])
                    where.append(f"{document.name}:{number or 'injected'} {text[:30]}")
    return rows, labels, groups, where


def _label(decision: str, annotation: frontend.Annotation, number: int, text: str) -> int:
    """What the annotation says of the line: a heading there (for "heading"), or junk (for "junk":
    an injected line is junk)."""
    if decision == "junk":
        return int(number == 0 or annotation.labels.get(number, "").startswith("junk:"))
    said, heard = frontend.letters(annotation.headings.get(number, "")), frontend.letters(text)
    return int(bool(said and heard and (heard in said or said in heard)))


def _original_lines(count: int, injected: set[int]) -> dict[int, int]:
    """1-based line of a reading → 1-based line of the stored document (injected lines left out)."""
    mapping, original = {}, 0
    for index in range(count):
        if index not in injected:
            original += 1
            mapping[index + 1] = original
    return mapping


def fit(decision: str, threshold: float, check: bool, show: bool) -> dict[str, object]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict

    from pipeline.text.evidence import HEADING_FEATURES, JUNK_FEATURES

    names = HEADING_FEATURES if decision == "heading" else JUNK_FEATURES
    rows, labels, groups, where = candidates(decision)
    x, y = np.array(rows), np.array(labels)
    model = LogisticRegression(C=STRENGTH, max_iter=5000)
    folds = len(set(groups))
    predicted = cross_val_predict(model, x, y, groups=groups, cv=LeaveOneGroupOut(), method="predict_proba")[:, 1]
    decided = predicted >= threshold
    right = int((decided == y.astype(bool)).sum())
    false_yes = int((decided & (y == 0)).sum())
    false_no = int((~decided & (y == 1)).sum())
    yes, no = ("heading", "emphasis") if decision == "heading" else ("junk", "speech")
    print(f"{decision}: {len(y)} lines weighed ({int(y.sum())} {yes}) from {folds} repositories")
    print(f"  leave-one-repository-out at {threshold}: {right}/{len(y)} right ({right / len(y):.1%}); "
          f"{false_yes} {no} taken for {yes}, {false_no} {yes} missed")  # fmt: skip
    if show:
        for p, truth, place in zip(predicted, y, where):
            if (p >= threshold) != bool(truth):
                print(f"    {yes if truth else no} scored {p:.2f}: {place}")
    model.fit(x, y)
    weights = {name: round(float(w), 4) for name, w in zip(names, model.coef_[0])}
    for name, w in sorted(weights.items(), key=lambda kv: -abs(kv[1]))[:8]:
        print(f"    {name:<18} {w:+.3f}")
    return {
        "weights": weights, "bias": round(float(model.intercept_[0]), 4), "threshold": threshold,
        "fitted_on": f"{len(y)} lines ({int(y.sum())} {yes}) of the development half, read {' and '.join(READINGS)}",
        "cross_validation": f"leave one repository out ({folds} folds): {right / len(y):.1%} right, {false_yes} {no} taken for {yes}, {false_no} {yes} missed",
    }  # fmt: skip


#: A line goes as junk only when the evidence is strong; between UNSURE (clean.py) and this, it is
#: kept and listed as unsure. A heading needs an even chance.
THRESHOLDS = {"heading": 0.5, "junk": 0.9}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="cross-validate only; leave weights.json as it is")
    parser.add_argument("--show", action="store_true", help="list the lines the cross-validated model gets wrong")
    parser.add_argument("--only", choices=tuple(THRESHOLDS), help="one decision only")
    args = parser.parse_args(argv)
    data = json.loads(WEIGHTS.read_text(encoding="utf-8")) if WEIGHTS.exists() else {}
    for decision, threshold in THRESHOLDS.items():
        if args.only in (None, decision):
            data[decision] = fit(decision, threshold, args.check, args.show)
    if not args.check:
        WEIGHTS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
