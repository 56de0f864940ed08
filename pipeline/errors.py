"""One exception family: every message is a plain sentence that tells the user what to do."""

from __future__ import annotations


class SpeechcastError(Exception):
    """Base class of every error speechcast reports to a user (the CLI prints it, no traceback)."""

    exit_code = 1


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
