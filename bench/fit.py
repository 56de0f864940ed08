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


def candidates() -> tuple[list[list[float]], list[int], list[str], list[str]]:
    """(features, label, repository, where) of every heading candidate in the development half."""
    from pipeline.text.evidence import HEADING_FEATURES
    from pipeline.text.manuscript import read_cleaned
    from pipeline.text.structure import heading_evidence

    rows: list[list[float]] = []
    labels: list[int] = []
    groups: list[str] = []
    where: list[str] = []
    repos = frontend.repositories()
    with tempfile.TemporaryDirectory(prefix="speechcast-fit-") as tmp:
        for document in frontend.documents(half="development"):
            annotation = frontend.Annotation.read(document)
            for reading, (data, _, injected) in frontend.variants(document, annotation).items():
                if reading not in READINGS:
                    continue
                path = Path(tmp) / reading.replace(" ", "-") / document.name
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(data)
                original = _original_lines(len(data.decode("utf-8").split("\n")), injected)
                cleaned = read_cleaned(path)
                for line, title, features in heading_evidence(cleaned):  # type: ignore[arg-type]
                    number = original.get(line, 0)
                    annotated = annotation.headings.get(number, "")
                    said, heard = frontend.letters(annotated), frontend.letters(title)
                    rows.append([features[name] for name in HEADING_FEATURES])
                    labels.append(int(bool(said and heard and (heard in said or said in heard))))
                    groups.append(repos[document.name])
                    where.append(f"{document.name}:{number} {title[:30]}")
    return rows, labels, groups, where


def _original_lines(count: int, injected: set[int]) -> dict[int, int]:
    """1-based line of a reading → 1-based line of the stored document (injected lines left out)."""
    mapping, original = {}, 0
    for index in range(count):
        if index not in injected:
            original += 1
            mapping[index + 1] = original
    return mapping


def main(argv: Sequence[str] | None = None) -> int:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict

    from pipeline.text.evidence import HEADING_FEATURES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="cross-validate only; leave weights.json as it is")
    parser.add_argument("--show", action="store_true", help="list the candidates the cross-validated model gets wrong")
    args = parser.parse_args(argv)
    rows, labels, groups, where = candidates()
    x, y = np.array(rows), np.array(labels)
    model = LogisticRegression(C=STRENGTH, max_iter=2000)
    folds = len(set(groups))
    predicted = cross_val_predict(model, x, y, groups=groups, cv=LeaveOneGroupOut(), method="predict_proba")[:, 1]
    threshold = 0.5
    decided = predicted >= threshold
    right = int((decided == y.astype(bool)).sum())
    false_yes = int((decided & (y == 0)).sum())
    false_no = int((~decided & (y == 1)).sum())
    print(f"heading candidates: {len(y)} ({int(y.sum())} headings) from {folds} repositories")
    print(f"leave-one-repository-out: {right}/{len(y)} right ({right / len(y):.1%}); {false_yes} emphasis kept as headings, {false_no} headings lost")
    if args.show:
        for p, truth, place in zip(predicted, y, where):
            if (p >= threshold) != bool(truth):
                print(f"  {'heading' if truth else 'emphasis'} scored {p:.2f}: {place}")
    model.fit(x, y)
    weights = {name: round(float(w), 4) for name, w in zip(HEADING_FEATURES, model.coef_[0])}
    for name, w in sorted(weights.items(), key=lambda kv: -abs(kv[1])):
        print(f"  {name:<16} {w:+.3f}")
    if not args.check:
        data = json.loads(WEIGHTS.read_text(encoding="utf-8")) if WEIGHTS.exists() else {}
        data["heading"] = {
            "weights": weights, "bias": round(float(model.intercept_[0]), 4), "threshold": threshold,
            "fitted_on": f"{len(y)} candidates ({int(y.sum())} headings) of the development half, read {' and '.join(READINGS)}",
            "cross_validation": f"leave one repository out ({folds} folds): {right / len(y):.1%} right, {false_yes} false headings, {false_no} headings lost",
        }  # fmt: skip
        WEIGHTS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
