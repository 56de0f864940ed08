"""What the app shows: a Script as the outline reads it and the voices on offer (as JSON), whether
the Edge voices can be reached, and the podcast feed of the library as it is now."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from ..i18n import Message, both
from ..model import Script, Warn
from ..text.duration import script_ms, spoken_chars
from ..text.outline import section_chars
from ..text.split import split_sentences


def understood(script: Script) -> dict[str, Any]:
    """Title, salutation, sections with their levels and counts, the estimate, doubts and removals."""
    sections = []
    estimate_ms, section_ms = script_ms(script)
    total = spoken_chars(script.title + "".join(script.byline) + script.salutation)
    for index, section in enumerate(script.sections):
        chars = section_chars(section)
        total += chars
        sections.append({
            "index": index, "title": section.title, "level": section.level, "kind": section.kind,
            "paragraphs": len(section.paragraphs), "sentences": sum(len(split_sentences(p)) for p in section.paragraphs),
            "chars": chars, "estimate_s": round(section_ms[index] / 1000), "note": section.note,
        })  # fmt: skip
    return {
        "title": script.title,
        "speaker": script.speaker,
        "date": script.date,
        "salutation": script.salutation,
        "sections": sections,
        "chars": total,
        "estimate_s": round(estimate_ms / 1000),
        "warnings": [both(w)["zh"] for w in script.warnings],
        "warnings_en": [w.say() for w in script.warnings],
        "warning_codes": [warning_code(w) for w in script.warnings],
        "appendices": [{"title": a.title, "paragraphs": len(a.paragraphs)} for a in script.appendices],
        "removed": [
            {
                "line": r.line,
                "text": r.text,
                "reason": r.reason.code,
                "kind": r.kind,
                "description": both(r.reason.message)["zh"],
                "description_en": r.reason.text,
            }
            for r in script.removed
        ],
        "unsure": [{"line": r.line, "text": r.text, "reason": r.reason.code} for r in script.unsure],
    }


READINGS_CHECKED_CHARS = 50_000
"""How much of a speech the reading check looks through for names (the tagger reads about 100,000
characters a second): a long document's first 50,000 characters, where its names first appear."""


def readings_to_check(script: Script) -> list[dict[str, Any]]:
    """The readings a person may want to confirm: those set for words of this speech (by them or
    their lexicon), then names whose reading is in doubt, each with the reading that will be used."""
    from ..text.readings import gathered, readings, uncertain

    lexicon = gathered(None, script.readings)
    text = "\n".join([script.title, script.salutation, *(p for s in script.sections for p in [s.title, *s.paragraphs])])[:READINGS_CHECKED_CHARS]
    chosen = [{"word": w, "reading": " ".join(r for _, r in readings(w, lexicon)), "set": True} for w in lexicon.words() if w in text]
    return chosen + [{"word": w, "reading": r, "set": False} for w, r in uncertain(text, lexicon)]


def warning_code(message: Message) -> str:
    """The warning's kind for a program to tell apart ("" for one a person wrote into the script)."""
    kind = Warn.of(message)
    return kind.code if kind is not None else ""


def voice_list() -> dict[str, Any]:
    """The presets (each saying whether it needs the network) and the Edge voices without a preset,
    each with the Chinese name the page shows first and what to say of it after."""
    from ..speech.engines import get_engine
    from ..speech.presets import DEFAULT_PRESET, EDGE_CHINESE_NAMES, display_name, load_presets

    presets = load_presets()
    if DEFAULT_PRESET in presets:  # listed first: the page checks the first voice
        presets = {DEFAULT_PRESET: presets[DEFAULT_PRESET]} | presets
    online = {engine: get_engine(engine).needs_network for engine in {p.settings.engine for p in presets.values()}}
    listed = [{
        "name": p.name, "label": display_name(p), "engine": p.settings.engine, "voice": p.settings.voice, "description": p.description,
        "about": _about(p.description, display_name(p)), "offline": not online[p.settings.engine], "fallback": p.fallback,
    } for p in presets.values()]  # fmt: skip
    taken = {p.settings.voice for p in presets.values()}
    edge = [{"name": v.name, "label": EDGE_CHINESE_NAMES.get(v.name, v.name), "engine": "edge", "locale": v.locale, "gender": v.gender,
             "description": v.description} for v in get_engine("edge").voices() if v.name not in taken]  # fmt: skip
    return {"presets": listed, "edge_voices": edge}


def _about(description: str, label: str) -> str:
    """A preset's description without the name it opens with (the page shows that name already)."""
    head, colon, rest = description.partition("：")
    return rest.strip() if colon and head.strip() == label and rest.strip() else description


EDGE_CHECK_SECONDS = 30.0
"""How long one answer to "does Edge answer?" stands: pages loaded meanwhile reuse it, so reloading
does not probe the service again and again."""
EDGE_PROBE_TIMEOUT = 3.0
"""How long the probe waits for Edge's voice list (the page says 正在检查… meanwhile)."""


class EdgeCheck:
    """Whether the Edge service answers, as `speechcast doctor` asks it, at most once in
    EDGE_CHECK_SECONDS; pages asking while a probe is under way wait for that one."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._answer: tuple[float, bool] | None = None

    async def reachable(self) -> bool:
        from ..doctor import engine_check  # the doctor's own probe: one way to ask, not two

        async with self._lock:
            if self._answer is None or time.monotonic() - self._answer[0] > EDGE_CHECK_SECONDS:
                check = await run_in_threadpool(engine_check, "edge", EDGE_PROBE_TIMEOUT)  # it blocks: off the event loop
                self._answer = (time.monotonic(), check.ok)
            return self._answer[1]


class LiveFeed:
    """The podcast feed of the library as it is now, built on each request by `speechcast feed`'s own
    builder, so a render made a moment ago is in it. Nothing is written: the chapter files of the
    feed last built are kept here to be served (a feed the user wrote into the library with
    `speechcast feed`, for another address, is left alone)."""

    def __init__(self, out_root: Path) -> None:
        self.out_root = out_root
        self._chapters: dict[str, str] = {}
        self._lock = threading.Lock()

    def xml(self, base: str, tracks: bool) -> bytes:
        from ..publish.feed import build_feed

        feed = build_feed(self.out_root, base, tracks=tracks)
        with self._lock:
            self._chapters = self._chapters | feed.chapters  # a phone may still fetch one the last feed named
        return feed.xml.encode("utf-8")

    def chapters(self, name: str) -> str | None:
        with self._lock:
            return self._chapters.get(name)
