"""Voice presets: named engine + voice + prosody, shipped in the wheel and extended by the user."""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import SettingsError, VoiceError
from ..paths import config_dir
from ..settings import VoiceSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_PRESET = "xiaoxiao"
#: An Edge voice id given directly to --voice (zh-CN-YunxiNeural) becomes an ad-hoc preset.
_EDGE_ID = re.compile(r"^[a-z]{2,3}-[A-Z]{2}(-[a-z]+)?-[A-Za-z]+Neural$")


@dataclass(frozen=True)
class Preset:
    name: str
    settings: VoiceSettings
    description: str = ""
    fallback: str = ""
    """Preset to use when this one's engine cannot be reached (an offline one)."""
    origin: str = "built-in"
    """"built-in", or the path of the user's file that defined it."""


def _parse(data: dict, origin: str, stem: str) -> Preset:
    try:
        settings = VoiceSettings(
            engine=str(data["engine"]),
            voice=str(data["voice"]),
            rate=str(data.get("rate", "+0%")),
            pitch=str(data.get("pitch", "+0Hz")),
            volume=str(data.get("volume", "+0%")),
        )
    except KeyError as missing:
        raise SettingsError("Voice preset {origin} lacks the key {missing}: add it (see README, 'Adding a voice').", origin=origin, missing=missing) from None
    except SettingsError as err:
        raise SettingsError("Voice preset {origin}: {err}", origin=origin, err=err) from None
    return Preset(
        name=str(data.get("name", stem)), settings=settings, description=str(data.get("description", "")), fallback=str(data.get("fallback", "")), origin=origin
    )


def _read(text: str, origin: str, stem: str) -> Preset:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SettingsError("Voice preset {origin} is not valid TOML ({err}): fix or remove it.", origin=origin, err=err) from None
    return _parse(data, origin, stem)


def load_presets() -> dict[str, Preset]:
    """Built-in presets, then the user's (which add to or override them by name)."""
    found: dict[str, Preset] = {}
    for entry in sorted(resources.files("pipeline.voices").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            preset = _read(entry.read_text(encoding="utf-8"), "built-in", entry.name[:-5])
            found[preset.name] = preset
    user = config_dir() / "voices"
    if user.is_dir():
        for path in sorted(user.glob("*.toml")):
            preset = _read(path.read_text(encoding="utf-8"), str(path), path.stem)
            found[preset.name] = preset
    return found


def resolve(name: str, presets: dict[str, Preset] | None = None) -> Preset:
    """A preset by name; an Edge voice id works too. Unknown names get close matches suggested."""
    presets = presets if presets is not None else load_presets()
    if name in presets:
        return presets[name]
    if _EDGE_ID.match(name):
        return Preset(name=name, settings=VoiceSettings("edge", name), fallback="offline-female", origin="voice id")
    close = difflib.get_close_matches(name, list(presets), n=3, cutoff=0.5)
    if close:
        raise VoiceError("There is no voice preset called '{name}': did you mean {close}? run `speechcast voices` to list them.",
                         name=name, close=", ".join(close))  # fmt: skip
    raise VoiceError("There is no voice preset called '{name}': run `speechcast voices` to list them.", name=name)


def with_overrides(preset: Preset, rate: str | None, pitch: str | None, volume: str | None) -> Preset:
    """CLI flags win over the preset; VoiceSettings validates the result."""
    s = preset.settings
    settings = VoiceSettings(s.engine, s.voice, rate or s.rate, pitch or s.pitch, volume or s.volume)
    return Preset(preset.name, settings, preset.description, preset.fallback, preset.origin)


def user_presets_dir() -> Path:
    return config_dir() / "voices"


#: Edge's Chinese voices by the names their speakers go by in Chinese (Microsoft's own): a listener
#: picks 晓晓 or 云希, not an id. Voices of other languages keep their id.
EDGE_CHINESE_NAMES = {
    "zh-CN-XiaoxiaoNeural": "晓晓", "zh-CN-XiaoyiNeural": "晓伊", "zh-CN-XiaochenNeural": "晓辰",
    "zh-CN-XiaohanNeural": "晓涵", "zh-CN-XiaomengNeural": "晓梦", "zh-CN-XiaomoNeural": "晓墨",
    "zh-CN-XiaoqiuNeural": "晓秋", "zh-CN-XiaoruiNeural": "晓睿", "zh-CN-XiaoshuangNeural": "晓双",
    "zh-CN-XiaoxuanNeural": "晓萱", "zh-CN-XiaoyanNeural": "晓颜", "zh-CN-XiaoyouNeural": "晓悠",
    "zh-CN-XiaozhenNeural": "晓甄", "zh-CN-YunjianNeural": "云健", "zh-CN-YunxiNeural": "云希",
    "zh-CN-YunxiaNeural": "云夏", "zh-CN-YunyangNeural": "云扬", "zh-CN-YunfengNeural": "云枫",
    "zh-CN-YunhaoNeural": "云皓", "zh-CN-YunyeNeural": "云野", "zh-CN-YunzeNeural": "云泽",
    "zh-CN-liaoning-XiaobeiNeural": "晓北", "zh-CN-shaanxi-XiaoniNeural": "晓妮",
    "zh-HK-HiuGaaiNeural": "曉佳", "zh-HK-HiuMaanNeural": "曉曼", "zh-HK-WanLungNeural": "雲龍",
    "zh-TW-HsiaoChenNeural": "曉臻", "zh-TW-HsiaoYuNeural": "曉雨", "zh-TW-YunJheNeural": "雲哲",
}  # fmt: skip
_HAN = re.compile(r"[\u3400-\u9fff]")


def display_name(preset: Preset) -> str:
    """What the page calls a voice: its Edge voice's Chinese name; else the head of its description
    when that is Chinese (a preset's description opens with its name: "离线女声（espeak-ng 普通话）：…");
    else its own name."""
    if preset.settings.engine == "edge" and preset.settings.voice in EDGE_CHINESE_NAMES:
        return EDGE_CHINESE_NAMES[preset.settings.voice]
    head = preset.description.split("：", 1)[0].strip()
    return head if _HAN.search(head) and len(head) <= 24 else preset.name
