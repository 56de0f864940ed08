"""The engine interface and its registry.

Built-in engines are registered through the ``speechcast.engines`` entry-point group in
pyproject.toml, exactly as a third-party package would register its own, so a new engine (a neural
offline voice, say) plugs in without touching the pipeline.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, ClassVar

from ...errors import SettingsError
from ...settings import VoiceSettings

if TYPE_CHECKING:
    from ...text.readings import Lexicon

ENTRY_POINT_GROUP = "speechcast.engines"


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers."""

    name: str
    """The engine's own id, e.g. "zh-CN-XiaoxiaoNeural" or "cmn"."""
    locale: str
    gender: str = ""
    description: str = ""


@dataclass(frozen=True)
class Speech:
    """Audio exactly as an engine produced it: what the chunk cache stores."""

    data: bytes
    format: str
    """A container soundfile can read: "mp3", "wav" or "flac"."""


class Engine(abc.ABC):
    """A TTS engine. Instances are cheap; heavy set-up happens on first use."""

    id: ClassVar[str]
    needs_network: ClassVar[bool]
    chunk_chars: ClassVar[int]
    """Preferred maximum characters a chunk (the splitter's limit for this engine)."""
    request_chars: ClassVar[int] = 0
    """Consecutive chunks may share one request of up to this many characters (0: one chunk a
    request). Fewer requests mean less waiting on a network service, fewer chances of throttling,
    and a voice that reads sentences in their context."""

    @property
    @abc.abstractmethod
    def version(self) -> str:
        """Changes whenever the same text could sound different: part of the cache key."""

    @abc.abstractmethod
    def voices(self) -> list[VoiceInfo]:
        """The voices this engine offers (offline: from a built-in table)."""

    @abc.abstractmethod
    def check_voice(self, voice: str) -> None:
        """Raise VoiceError, naming close matches, when `voice` is not one of this engine's."""

    @abc.abstractmethod
    async def synthesize(self, text: str, voice: VoiceSettings) -> Speech:
        """Speak `text` (one chunk, never punctuation only). Raise EngineError when it gives up."""

    async def synthesize_many(self, texts: Sequence[str], voice: VoiceSettings) -> list[Speech]:
        """Speak consecutive chunks (together at most `request_chars` long), one Speech each in
        order, in as few requests as the engine can."""
        return [await self.synthesize(text, voice) for text in texts]

    def sent(self, text: str, lexicon: Lexicon, voice: VoiceSettings) -> str:
        """What to send this engine for `text` so that it reads the lexicon's words as they are set
        ("" when `text` itself will do). An engine that reads characters gets homophones in place of
        a word it would misread; one that reads pinyin overrides this."""
        from ...text.readings import sent_text  # pypinyin and jieba: only when a reading is set

        sent = sent_text(text, lexicon)
        return "" if sent == text else sent

    async def available(self, timeout: float = 3.0) -> bool:
        """Whether the engine can speak right now (a quick probe; offline engines: True)."""
        return True


def engine_classes() -> dict[str, type[Engine]]:
    """Every registered engine class by id, built-in and third-party alike."""
    found: dict[str, type[Engine]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found[ep.name] = ep.load()
    return found


def get_engine(name: str) -> Engine:
    """One engine, loading only its own module (an offline render never imports the online client)."""
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if name not in found:
        known = ", ".join(sorted(found)) or "none"
        raise SettingsError("There is no engine called '{name}': use one of {known}.", name=name, known=known)
    return found[name].load()()
