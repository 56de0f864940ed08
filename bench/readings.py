"""Polyphone accuracy of the offline voice's readings on a public test set.

    python bench/readings.py                  # the whole CPP test set (10,254 sentences)
    python bench/readings.py --split dev      # CPP's development split instead
    python bench/readings.py --limit 2000     # the first sentences only
    python bench/readings.py --json r.json    # and the raw numbers

The test set is CPP, the Chinese Polyphones with Pinyin sentences published with g2pM (Park & Lee,
Interspeech 2020): each sentence marks one polyphonic character (▁字▁) and gives its reading
(data/test.sent, data/test.lb of github.com/kakaobrain/g2pM at commit
170526efad0a3ef9b55a9ad4579f73218f9be06c, Apache-2.0; copied to bench/data/cpp/). A reading counts
when it is the labelled syllable with its tone (CPP writes ü as u:, we as v).

Four readers of the same sentences:
- **speechcast**: what the offline voice is given (pipeline.text.readings: pypinyin where its phrase
  data holds the word, g2pM's model elsewhere);
- **pypinyin alone** (with its phrase data), the converter the Edge text is checked with;
- **g2pM alone**;
- **espeak-ng's own**: the sentence's phonemes as espeak-ng's Mandarin makes them, against the
  phonemes of the same sentence with the marked character replaced by a character whose usual
  reading is the label (equal phonemes: espeak-ng read it as labelled).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.text import readings  # noqa: E402

DATA = ROOT / "bench" / "data" / "cpp"


def sentences(limit: int | None = None, split: str = "test") -> list[tuple[str, int, str]]:
    """(sentence, index of the marked character, its reading) of a split."""
    marked = (DATA / f"{split}.sent").read_text(encoding="utf-8").splitlines()
    labels = (DATA / f"{split}.lb").read_text(encoding="utf-8").splitlines()
    out = []
    for line, label in zip(marked[:limit], labels[:limit], strict=True):
        out.append((line.replace("▁", ""), line.index("▁"), label.replace("u:", "v")))
    return out


def _espeak() -> Callable[[str], str]:
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize(2, 0, espeakng_loader.get_data_path().encode(), 0)
    lib.espeak_SetVoiceByName(b"cmn")
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]

    def phonemes(text: str) -> str:
        buffer = ctypes.create_string_buffer(text.encode("utf-8"))
        pointer = ctypes.c_void_p(ctypes.addressof(buffer))
        out = []
        while pointer.value:
            out.append(lib.espeak_TextToPhonemes(ctypes.byref(pointer), 1, 2).decode("utf-8", "replace"))
        return " ".join(out)

    return phonemes


def run(limit: int | None = None, split: str = "test") -> dict:
    from g2pM import G2pM

    model = G2pM()
    phonemes = _espeak()
    readers: dict[str, Callable[[str, int, str], bool]] = {
        "speechcast": lambda s, i, label: readings._plain(s)[i] == label,
        "pypinyin alone": lambda s, i, label: readings._pypinyin(s)[i] == label,
        "g2pM alone": lambda s, i, label: model(s, tone=True, char_split=True)[i].replace("u:", "v") == label,
        "espeak-ng's own": lambda s, i, label: bool(readings.homophones(label)) and phonemes(s) == phonemes(s[:i] + readings.homophones(label)[0] + s[i + 1 :]),
    }
    test = sentences(limit, split)
    report: dict = {"split": split, "sentences": len(test), "source": f"kakaobrain/g2pM@170526efad0a3ef9b55a9ad4579f73218f9be06c data/{split}.*", "readers": {}}
    for name, right in readers.items():
        started = time.perf_counter()
        correct = sum(right(s, i, label) for s, i, label in test)
        seconds = time.perf_counter() - started
        report["readers"][name] = {"correct": correct, "accuracy": correct / len(test), "ms_per_sentence": 1000 * seconds / len(test)}
    lengths = [len(s) for s, _, _ in test]
    report["median_chars"] = statistics.median(lengths)
    return report


def markdown(report: dict) -> str:
    lines = [f"CPP {report['split']} split, {report['sentences']} sentences (median {report['median_chars']:.0f} characters), one marked polyphone each:", "",
             "| reader | right | accuracy | ms a sentence |", "| --- | --- | --- | --- |"]  # fmt: skip
    for name, r in report["readers"].items():
        lines.append(f"| {name} | {r['correct']} | {100 * r['accuracy']:.2f} % | {r['ms_per_sentence']:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = run(args.limit, args.split)
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
