"""Large manuscripts of each kind, read up to an outline: time and peak memory grow in step with the
size (nothing quadratic from upload to outline), and past the limit a file is refused at once.

    python bench/big_inputs.py                  # .txt .md .html .docx at 0.5, 1, 2, 4 and 7 MB, and 20 MB
    python bench/big_inputs.py --json r.json    # and the raw numbers

Each input is the same real speech (the seed manuscript's text) repeated under numbered headings
until it reaches the size, in each format. Each run is `speechcast outline` in a process of its own
(wall time, and peak memory from the kernel's account of that process). What matters is the time per
MB once the process's start (the outline of a one-line file, measured in the same run) is taken
off: flat when the work grows linearly with the size, doubling with each doubling when quadratic.
Past 8 MB (the limit for text, Markdown and HTML) the file must be refused at once.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "corpus" / "000_f942a4ce7236a7e5.txt"
SIZES_MB = (0.5, 1, 2, 4, 7)
REFUSED_MB = 20
KINDS = (".txt", ".md", ".html", ".docx")
_PROBE = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.monotonic()\n"
    "p = subprocess.run([sys.executable, '-m', 'pipeline', 'outline', sys.argv[1]], capture_output=True, text=True)\n"
    "print(json.dumps([p.returncode, time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,"
    " p.stderr[-300:]]))\n"
)


def paragraphs() -> list[str]:
    """The seed speech's own paragraphs (its lines with a sentence in them)."""
    return [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if "。" in line and len(line.strip()) > 30]


def manuscript(kind: str, megabytes: float, folder: Path) -> Path:
    """The speech repeated under 一、二、… headings until it holds `megabytes` of text, as `kind`."""
    body = paragraphs()
    rows: list[tuple[str, str]] = [("title", "在全县工作会议上的讲话"), ("text", "同志们：")]
    size, section = 0, 0
    while size < megabytes * 1024 * 1024:
        section += 1
        rows.append(("heading", f"{_numeral(section)}、第{section}方面的工作"))
        for paragraph in body:
            rows.append(("text", paragraph))
            size += len(paragraph.encode("utf-8"))
    path = folder / f"speech-{megabytes:g}MB{kind}"
    if kind == ".txt":
        path.write_text("\n".join(text for _, text in rows), encoding="utf-8")
    elif kind == ".md":
        path.write_text("\n\n".join(("# " if k == "title" else "## " if k == "heading" else "") + t for k, t in rows), encoding="utf-8")
    elif kind == ".html":
        from html import escape

        tags = {"title": "h1", "heading": "h2", "text": "p"}
        body_html = "\n".join(f"<{tags[k]}>{escape(t)}</{tags[k]}>" for k, t in rows)
        path.write_text(f"<!doctype html><html><head><meta charset=utf-8><title>{rows[0][1]}</title></head><body><article>{body_html}</article></body></html>",
                        encoding="utf-8")  # fmt: skip
    else:
        import docx

        document = docx.Document()
        for k, text in rows:
            if k == "text":
                document.add_paragraph(text)
            else:
                document.add_heading(text, level=1 if k == "title" else 2)
        document.save(str(path))
    return path


def _numeral(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        return ("" if n // 10 == 1 else digits[n // 10]) + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def measure(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    code, seconds, peak, err = json.loads(done.stdout)
    return {"file": path.name, "bytes": path.stat().st_size, "exit": code, "seconds": round(seconds, 2), "peak_mb": round(peak), "stderr": err.strip()}


def run(kinds: Sequence[str] = KINDS) -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="speechcast-big-") as tmp:
        tiny = Path(tmp) / "tiny.txt"
        tiny.write_text("同志们：今天开会。", encoding="utf-8")
        results["start"] = min(measure(tiny)["seconds"] for _ in range(3))
        for kind in kinds:
            rows = []
            for megabytes in (*SIZES_MB, REFUSED_MB):
                path = manuscript(kind, megabytes, Path(tmp))
                rows.append({"mb": megabytes, **measure(path)})
                path.unlink()
            results[kind] = rows
    return results


def markdown(results: dict) -> str:
    start = results["start"]
    lines = [f"Start of a process (outline of a one-line file): {start} s.", "",
             "| format | text | file | exit | seconds | seconds per MB of text after the start | peak MB |",
             "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for kind, rows in results.items():
        if kind == "start":
            continue
        for row in rows:
            per_mb = f"{(row['seconds'] - start) / row['mb']:.2f}" if row["exit"] == 0 else "refused"
            lines.append(f"| {kind} | {row['mb']:g} MB | {row['bytes'] / 2**20:.1f} MB | {row['exit']} | {row['seconds']} | {per_mb} | {row['peak_mb']} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    parser.add_argument("--kind", choices=KINDS, action="append", help="only this format (repeat for more)")
    args = parser.parse_args(argv)
    results = run(args.kind or KINDS)
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
