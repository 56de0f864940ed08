"""What the page shows, as JSON: a Script as the outline reads it, and the voices on offer."""

from __future__ import annotations

from typing import Any

from ..i18n import both
from ..model import Script
from ..text.duration import script_ms, spoken_chars
from ..text.split import split_sentences


def understood(script: Script) -> dict[str, Any]:
    """Title, salutation, sections with their levels and counts, the estimate, doubts and removals."""
    sections = []
    estimate_ms, section_ms = script_ms(script)
    total = spoken_chars(script.title + "".join(script.byline) + script.salutation)
    for index, section in enumerate(script.sections):
        chars = spoken_chars(section.title if section.kind == "section" else "") + sum(spoken_chars(p) for p in section.paragraphs)
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


def voice_list() -> dict[str, Any]:
    """The presets (each saying whether it needs the network) and the Edge voices without a preset."""
    from ..speech.engines import get_engine
    from ..speech.presets import DEFAULT_PRESET, load_presets

    presets = load_presets()
    if DEFAULT_PRESET in presets:  # listed first: the page checks the first voice
        presets = {DEFAULT_PRESET: presets[DEFAULT_PRESET]} | presets
    online = {engine: get_engine(engine).needs_network for engine in {p.settings.engine for p in presets.values()}}
    listed = [{
        "name": p.name, "engine": p.settings.engine, "voice": p.settings.voice, "description": p.description,
        "offline": not online[p.settings.engine], "fallback": p.fallback,
    } for p in presets.values()]  # fmt: skip
    taken = {p.settings.voice for p in presets.values()}
    edge = [{"name": v.name, "locale": v.locale, "gender": v.gender, "description": v.description}
            for v in get_engine("edge").voices() if v.name not in taken]  # fmt: skip
    return {"presets": listed, "edge_voices": edge}
