"""The embedded offline engine: espeak-ng through espeakng-loader and ctypes.

Robotic but always there: no network, no system package, about 1,500× faster than real time.
The library keeps global state (one voice, one callback, one output), so every call into it holds
one process-wide lock; calls from many threads or tasks are safe and simply take turns.
"""

from __future__ import annotations

import asyncio
import ctypes
import difflib
import io
import threading
import wave
from pathlib import Path
from typing import TYPE_CHECKING

import espeakng_loader

from ...errors import EngineError, VoiceError
from ...settings import VoiceSettings
from ...text import numbers
from . import Engine, Speech, VoiceInfo

if TYPE_CHECKING:
    from ...text.readings import Lexicon

_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE, _VOLUME, _PITCH = 1, 2, 3
"""espeak_PARAMETER values from speak_lib.h."""
_DEFAULT_WPM, _MIN_WPM, _MAX_WPM = 175, 80, 450
_DEFAULT_PITCH = 50
_DEFAULT_VOLUME = 100

_LANGUAGES = {"cmn": ("zh-CN", "普通话"), "yue": ("zh-HK", "粤语")}
# Variants worth offering in a list; check_voice accepts every variant file the data ships.
_LISTED_VARIANTS = ("f1", "f2", "f3", "f4", "f5", "m1", "m2", "m3", "m4", "m5", "m6", "m7")


def _mandarin(voice: VoiceSettings) -> bool:
    return voice.voice.split("+")[0] == "cmn"


_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Library:
    """The loaded, initialised libespeak-ng. Use only while holding `_lock`."""

    def __init__(self) -> None:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        self.sample_rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if self.sample_rate <= 0:
            raise EngineError("espeak-ng could not start: reinstall the espeakng-loader package.")
        self.version = lib.espeak_Info(None).decode()
        self._samples: list[bytes] = []
        # Kept on self: ctypes would free the trampoline while the library still calls it.
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)
        self._lib = lib

    def _collect(self, wav: ctypes._Pointer, count: int, _events: int) -> int:
        if wav and count > 0:
            self._samples.append(ctypes.string_at(wav, count * 2))
        return 0

    def speak(self, text: str, voice: VoiceSettings) -> bytes:
        """Mono int16 samples at `sample_rate`."""
        if self._lib.espeak_SetVoiceByName(voice.voice.encode()) != 0:
            raise EngineError("espeak-ng could not load the voice '{voice}': reinstall espeakng-loader.", voice=voice.voice)
        wpm = round(_DEFAULT_WPM * (1 + voice.rate_percent / 100))
        self._lib.espeak_SetParameter(_RATE, min(max(wpm, _MIN_WPM), _MAX_WPM), 0)
        # espeak's pitch is 0–100 around 50; half a unit per hertz keeps ±100 Hz inside it.
        self._lib.espeak_SetParameter(_PITCH, min(max(_DEFAULT_PITCH + voice.pitch_hz // 2, 0), 100), 0)
        self._lib.espeak_SetParameter(_VOLUME, round(_DEFAULT_VOLUME * (1 + voice.volume_percent / 100)), 0)
        self._samples = []
        encoded = text.encode()
        status = self._lib.espeak_Synth(encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        self._lib.espeak_Synchronize()
        if status != 0:
            raise EngineError("espeak-ng failed to speak (error {status}): try again or use another voice.", status=status)
        return b"".join(self._samples)


_lock = threading.Lock()
_library: _Library | None = None


def _loaded() -> _Library:
    """The library, initialised on first use. Call with `_lock` held."""
    global _library
    if _library is None:
        _library = _Library()
    return _library


def _data_path() -> Path:
    return Path(espeakng_loader.get_data_path())


def _variants() -> set[str]:
    return {p.name for p in (_data_path() / "voices" / "!v").iterdir()}


def _languages() -> list[str]:
    """The Chinese languages this data ships (a dictionary file per language)."""
    return [lang for lang in _LANGUAGES if (_data_path() / f"{lang}_dict").exists()]


class EspeakEngine(Engine):
    """Mandarin ("cmn") and Cantonese ("yue"), with voice variants written "cmn+f3"."""

    id = "espeak"
    needs_network = False
    chunk_chars = 80

    @property
    def version(self) -> str:
        with _lock:
            library = _loaded()
        return f"espeak-ng {library.version}; numbers {numbers.VERSION}"

    @property
    def sample_rate(self) -> int:
        with _lock:
            return _loaded().sample_rate

    def voices(self) -> list[VoiceInfo]:
        found = []
        variants = _variants()
        for lang in _languages():
            locale, description = _LANGUAGES[lang]
            found.append(VoiceInfo(lang, locale, "", description))
            for variant in _LISTED_VARIANTS:
                if variant in variants:
                    gender = "Female" if variant.startswith("f") else "Male"
                    found.append(VoiceInfo(f"{lang}+{variant}", locale, gender, f"{description}（变体 {variant}）"))
        return found

    def check_voice(self, voice: str) -> None:
        lang, _, variant = voice.partition("+")
        if lang in _languages() and (not variant or variant in _variants()):
            return
        names = [v.name for v in self.voices()]
        close = difflib.get_close_matches(voice, names, n=3, cutoff=0.5)
        if close:
            raise VoiceError("espeak has no voice '{voice}': did you mean {close}?", voice=voice, close=", ".join(close))
        raise VoiceError("espeak has no voice '{voice}': use one of {names}, …", voice=voice, names=", ".join(names[:6]))

    async def synthesize(self, text: str, voice: VoiceSettings) -> Speech:
        return await asyncio.to_thread(self.synthesize_sync, text, voice)

    def sent(self, text: str, lexicon: Lexicon, voice: VoiceSettings) -> str:
        """Tone-numbered pinyin for a Mandarin voice: espeak-ng reads it as its own Mandarin, so the
        readings are ours (the lexicon, then pypinyin's phrase data) instead of its small
        dictionary's. A Cantonese voice reads the characters (pinyin is Mandarin's)."""
        from ...text.readings import as_pinyin

        return as_pinyin(numbers.in_words(text), lexicon) if _mandarin(voice) else ""

    def synthesize_sync(self, text: str, voice: VoiceSettings) -> Speech:
        """The blocking call behind `synthesize`, for callers without an event loop. Pinyin (what
        `sent` gives) is spoken as it is: its tone digits are not numbers. Other text is first made
        what `sent` would make it."""
        from ...text.readings import Lexicon, is_pinyin  # the converter loads when first needed

        spoken = text if is_pinyin(text) else self.sent(text, Lexicon(), voice) or numbers.in_words(text)
        with _lock:
            library = _loaded()
            samples = library.speak(spoken, voice)
        if not samples:
            raise EngineError("espeak-ng produced no audio for this text: check that it holds words to speak.")
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(library.sample_rate)
            w.writeframes(samples)
        return Speech(out.getvalue(), "wav")
