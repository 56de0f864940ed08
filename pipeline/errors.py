"""One exception family: every message is a plain sentence that tells the user what to do.

An error is raised with an English template and its fields (`InputError("{name} is empty.", name=…)`),
never an f-string, so that it can be said in Chinese too (`err.say(Language.CHINESE)`); `str(err)` is
the English.
"""

from __future__ import annotations

from typing import Any

from .i18n import Language, Message


class SpeechcastError(Exception):
    """Base class of every error speechcast reports to a user (the CLI prints it, no traceback)."""

    exit_code = 1

    def __init__(self, template: str | Message, /, **fields: Any) -> None:
        if isinstance(template, Message):
            self.message = template
        else:
            said = {k: v.message if isinstance(v, SpeechcastError) else v for k, v in fields.items()}
            self.message = Message(template, **said)
        super().__init__(self.message.say())

    def say(self, language: Language = Language.ENGLISH) -> str:
        return self.message.say(language)

    def __reduce__(self) -> tuple[Any, ...]:  # (crosses a process boundary whole, both languages intact)
        return (type(self), (self.message,))


class InputError(SpeechcastError):
    """The manuscript cannot be read or holds no speech."""

    exit_code = 2


class SettingsError(SpeechcastError):
    """A flag, preset or setting has a value we cannot use."""

    exit_code = 2


class VoiceError(SettingsError):
    """An unknown voice or preset."""


class EngineError(SpeechcastError):
    """A TTS engine failed for good (after its retries)."""

    exit_code = 3


class OutputError(SpeechcastError):
    """An output or cache folder cannot be written."""

    exit_code = 4


class Cancelled(SpeechcastError):
    """A render stopped because its user asked: nothing was written, finished chunks stay cached."""

    exit_code = 130
