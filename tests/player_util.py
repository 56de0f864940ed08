"""Renders for the player tests: a manifest laid out like the render step's, with real MP3s.

Times are synthetic but exact: every chunk gets a known length and pause, sections tile the
programme, a track spans its level-1 section and the sub-sections under it, and each track's
MP3 is exactly as long as its span (ffmpeg), so the page can seek anywhere in it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import imageio_ffmpeg

from pipeline.publish.staging import safe_filename

SEED_MD = Path(__file__).resolve().parent / "corpus" / "000_f942a4ce7236a7e5.expected.md"

PAUSES = {"clause": 60, "sentence": 120, "paragraph": 250, "section": 400, "title": 300, "end": 0}


@dataclass
class Part:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    level: int = 1
    kind: str = "section"
    spoken: bool = True
    """Whether the heading is read out (an opening or a 结束语 label is not)."""


def split_sentences(paragraph: str) -> list[str]:
    return [s for s in re.findall(r"[^。！？]+[。！？]*[”’」』）》】]*", paragraph) if s.strip()]


def split_parts(sentence: str, limit: int = 60) -> list[str]:
    """Cut an over-long sentence after the last ， before the limit, as the splitter does."""
    parts = []
    while len(sentence) > limit and "，" in sentence[:limit]:
        cut = sentence.rindex("，", 0, limit) + 1
        parts.append(sentence[:cut])
        sentence = sentence[cut:]
    return parts + [sentence]


def seed_parts(path: Path = SEED_MD) -> tuple[str, str, list[Part]]:
    """Title, salutation and sections of the seed manuscript's reference reading."""
    text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    title = blocks.pop(0).lstrip("# ")
    salutation = blocks.pop(0)
    parts = [Part("开场", kind="opening", spoken=False)]
    for b in blocks:
        if b.startswith("#"):
            level = len(b) - len(b.lstrip("#")) - 1
            name = b.lstrip("# ")
            closing = name == "结束语"
            parts.append(Part(name, level=level, kind="closing" if closing else "section", spoken=not closing))
        else:
            parts[-1].paragraphs.append(b)
    return title, salutation, parts


def chunk_ms(text: str) -> int:
    return 150 + 4 * len(text)


def build_manifest(title: str, salutation: str, parts: list[Part], *, length=chunk_ms, track_name=None, sha256: str = "ab" * 32) -> dict:
    """A manifest with exactly the render step's keys, timed from `length(text)` and PAUSES."""
    chunks: list[dict] = []
    t = 0

    def say(text: str, section: int, paragraph: int, sentence: int, role: str, pause: str) -> None:
        nonlocal t
        for n, piece in enumerate(split_parts(text)):
            last = n == len(split_parts(text)) - 1
            end = t + length(piece)
            chunks.append(
                {
                    "text": piece,
                    "section": section,
                    "paragraph": paragraph,
                    "sentence": sentence,
                    "part": n,
                    "role": role,
                    "pause_after": pause if last else "clause",
                    "start_ms": t,
                    "end_ms": end,
                }
            )
            t = end + PAUSES[pause if last else "clause"]

    say(title, 0, -1, 0, "title", "title")
    if salutation:
        say(salutation, 0, -1, 1, "salutation", "paragraph")
    section_starts = []
    for si, part in enumerate(parts):
        section_starts.append(0 if si == 0 else t)
        if part.spoken:
            say(part.title, si, -1, 0, "heading", "paragraph")
        for pi, paragraph in enumerate(part.paragraphs):
            said = split_sentences(paragraph)
            for ni, s in enumerate(said):
                end_of = "section" if pi == len(part.paragraphs) - 1 else "paragraph"
                say(s, si, pi, ni, "body", "sentence" if ni < len(said) - 1 else end_of)
    duration = t
    sections = []
    for si, part in enumerate(parts):
        end = section_starts[si + 1] if si + 1 < len(parts) else duration
        sections.append({"index": si, "title": part.title, "level": part.level, "kind": part.kind, "track": 0, "start_ms": section_starts[si], "end_ms": end})
    tracks: list[dict] = []
    for s in sections:
        if s["level"] == 1 or not tracks:
            n = len(tracks) + 1
            name = track_name(n, s["title"]) if track_name else f"{n:02d}-{s['title']}.mp3"
            tracks.append({"number": n, "title": s["title"], "file": name, "lrc": name[:-4] + ".lrc", "start_ms": s["start_ms"], "end_ms": s["end_ms"]})
        tracks[-1]["end_ms"] = s["end_ms"]
        s["track"] = tracks[-1]["number"]
    stem = safe_filename(title)  # as the writer names its files: a title may hold '/'
    return {
        "speechcast": "0.1.0",
        "title": title,
        "salutation": salutation,
        "source": {"path": f"{title}.txt", "sha256": sha256, "removed_lines": 0, "removed": []},
        "engine": "edge",
        "voice": {"preset": "news", "engine": "edge", "voice": "zh-CN-YunyangNeural", "rate": "+0%", "pitch": "+0Hz", "volume": "+0%"},
        "settings": {"pauses": PAUSES},
        "sample_rate": 24000,
        "duration_ms": duration,
        "files": {"full": f"{stem}.mp3", "m4b": None, "srt": f"{stem}.srt", "lrc": f"{stem}.lrc", "playlist": "playlist.m3u8", "player": "index.html"},
        "tracks": tracks,
        "sections": sections,
        "chunks": chunks,
        "cues": [],
        "script": "",
    }


def write_tracks(out_dir: Path, manifest: dict, *, bitrate: str = "32k", rate: int = 16000) -> None:
    """One real MP3 per track, exactly as long as its span (equal spans are encoded once)."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    made: dict[int, Path] = {}
    for tr in manifest["tracks"]:
        ms = tr["end_ms"] - tr["start_ms"]
        target = out_dir / tr["file"]
        if ms in made:
            shutil.copyfile(made[ms], target)
            continue
        subprocess.run(
            [
                ffmpeg,
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:sample_rate={rate}:duration={ms / 1000}",
                "-ac",
                "1",
                "-ar",
                str(rate),
                "-b:a",
                bitrate,
                str(target),
            ],
            check=True,
        )
        made[ms] = target


def sentence_times(manifest: dict) -> list[tuple[int, int, str]]:
    """(start, end, text) of every sentence, in time order: what the page should highlight."""
    out: list[tuple[int, int, str]] = []
    key = None
    for c in manifest["chunks"]:
        k = (c["section"], c["paragraph"], c["sentence"])
        if k == key:
            s, _, text = out[-1]
            out[-1] = (s, c["end_ms"], text + c["text"])
        else:
            out.append((c["start_ms"], c["end_ms"], c["text"]))
        key = k
    return sorted(out, key=lambda x: x[0])
