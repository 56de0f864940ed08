"""Settings flow defaults → voice preset → CLI flags, and are validated once, here, where they enter."""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .errors import SettingsError

_RATE = re.compile(r"^[+-]\d+%$")
_PITCH = re.compile(r"^[+-]\d+Hz$")


@dataclass(frozen=True)
class Pauses:
    """Silence in milliseconds placed after a chunk, by what follows it (docs/architecture.md, "The timeline")."""

    clause: int = 250
    """Between the pieces of a long sentence that had to be split."""
    sentence: int = 650
    paragraph: int = 1100
    subsection: int = 1500
    section: int = 2200
    title: int = 2500
    lead_in: int = 500
    """Before the first word of the whole speech."""
    tail: int = 1500
    """After the last word of the whole speech."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            if not 0 <= getattr(self, f.name) <= PAUSE_MAX_MS * 5:
                raise SettingsError("A {name} pause of {ms} ms is not a pause: give 0 to {most} ms.", name=f.name, ms=getattr(self, f.name), most=PAUSE_MAX_MS)

    def scaled(self, pace: float) -> Pauses:
        """All pauses multiplied by `pace` (1.0 = defaults, 0.5 = brisk, 1.5 = solemn)."""
        if not 0.1 <= pace <= 5.0:
            raise SettingsError("--pace must be between 0.1 and 5.0, not {pace}.", pace=pace)
        return Pauses(**{f.name: round(getattr(self, f.name) * pace) for f in dataclasses.fields(self)})

    def after(self, kind: str) -> int:
        if kind == "end":
            return self.tail
        return getattr(self, kind)


PAUSE_MAX_MS = 60_000
"""The longest pause one may ask for (a minute); with --pace it may grow to five."""


@dataclass(frozen=True)
class VoiceSettings:
    """What an engine needs to speak: validated on creation, so engines can trust it."""

    engine: str
    voice: str
    rate: str = "+0%"
    pitch: str = "+0Hz"
    volume: str = "+0%"

    def __post_init__(self) -> None:
        if not _RATE.match(self.rate) or not -90 <= int(self.rate[:-1]) <= 200:
            raise SettingsError("Rate '{rate}' is not valid: use a signed percentage from -90% to +200%, e.g. +10% or -20%.", rate=self.rate)
        if not _RATE.match(self.volume) or not -100 <= int(self.volume[:-1]) <= 100:
            raise SettingsError("Volume '{volume}' is not valid: use a signed percentage from -100% to +100%, e.g. -10%.", volume=self.volume)
        if not _PITCH.match(self.pitch) or not -100 <= int(self.pitch[:-2]) <= 100:
            raise SettingsError("Pitch '{pitch}' is not valid: use signed hertz from -100Hz to +100Hz, e.g. +5Hz.", pitch=self.pitch)

    @property
    def rate_percent(self) -> int:
        return int(self.rate[:-1])

    @property
    def pitch_hz(self) -> int:
        return int(self.pitch[:-2])

    @property
    def volume_percent(self) -> int:
        return int(self.volume[:-1])


@dataclass(frozen=True)
class RenderSettings:
    """Everything `render` needs besides the manuscript and the voice."""

    pauses: Pauses = field(default_factory=Pauses)
    loudness: float = -16.0
    """Integrated loudness target in LUFS for every file written."""
    true_peak: float = -1.5
    """True-peak ceiling in dBTP."""
    bitrate: str = "64k"
    jobs: int = 4
    """Parallel engine requests (Edge throttles an IP that opens too many)."""
    max_chunk_chars: int | None = None
    """Overrides the engine's own chunk length when set."""
    formats: tuple[str, ...] = ("mp3",)
    """The whole speech as "mp3", as an "m4b" audiobook, or both (section tracks are MP3 always)."""
    cover: Path | None = None
    """A JPEG or PNG image for the files' cover art."""

    MAX_JOBS = 8
    FORMATS = ("mp3", "m4b")

    def __post_init__(self) -> None:
        if not 1 <= self.jobs <= self.MAX_JOBS:
            raise SettingsError("--jobs must be between 1 and {most}: more gets the IP throttled by the service.", most=self.MAX_JOBS)
        if not -40.0 <= self.loudness <= -5.0:
            raise SettingsError("--loudness must be between -40 and -5 LUFS, not {loudness}.", loudness=self.loudness)
        if self.max_chunk_chars is not None and not 20 <= self.max_chunk_chars <= 500:
            raise SettingsError("--max-chars must be between 20 and 500.")
        if not self.formats or any(f not in self.FORMATS for f in self.formats):
            raise SettingsError("--format is mp3, m4b or both, not {given}.", given="/".join(self.formats) or "nothing")
        if self.cover is not None:
            _ = self.cover_image  # unreadable or not an image: said now, before any synthesis

    @classmethod
    def formats_named(cls, name: str) -> tuple[str, ...]:
        """The formats `--format NAME` stands for: mp3, m4b, or both."""
        choices = {"mp3": ("mp3",), "m4b": ("m4b",), "both": ("mp3", "m4b")}
        if not isinstance(name, str) or name.lower() not in choices:
            raise SettingsError("--format is mp3, m4b or both, not '{name}'.", name=name)
        return choices[name.lower()]

    @functools.cached_property
    def cover_image(self) -> bytes | None:
        """The cover's bytes (None without one), read once; SettingsError unless it is a JPEG or PNG file."""
        if self.cover is None:
            return None
        try:
            data = Path(self.cover).read_bytes()
        except OSError as exc:
            raise SettingsError("--cover {cover} cannot be read ({strerror}): give a JPEG or PNG image.", cover=self.cover, strerror=exc.strerror) from None
        if cover_mime(data) is None:
            raise SettingsError("--cover {cover} is not a JPEG or PNG image: give one of those.", cover=self.cover)
        return data


COVER_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
"""The cover images players show, known by their first bytes."""


def cover_mime(data: bytes) -> str | None:
    """ "image/jpeg" or "image/png" for a cover image, None for anything else."""
    return next((mime for magic, mime in COVER_TYPES.items() if data.startswith(magic)), None)


_Number = TypeVar("_Number", int, float)


def positive_from_environment(variable: str, kind: type[_Number], example: str) -> _Number | None:
    """The positive number an environment variable holds, None when it is unset; anything else is
    a settings mistake, said in one sentence."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        value = kind(0)
    if not value > 0:
        raise SettingsError("{variable} must be {example}, not '{raw}': fix or unset it.", variable=variable, example=example, raw=raw)
    return value
