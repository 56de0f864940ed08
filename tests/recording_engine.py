"""A fake engine that records its calls (not a mock of our code: the orchestrator runs for real)."""

from __future__ import annotations

import asyncio
import io
import wave

from pipeline.errors import EngineError, VoiceError
from pipeline.settings import VoiceSettings
from pipeline.speech.engines import Engine, Speech, VoiceInfo

RATE = 16000


def tone_wav(samples: int, rate: int = RATE) -> bytes:
    """Deterministic non-silent mono int16 audio of exactly `samples` samples."""
    frames = bytes((i * 37) % 251 for i in range(samples * 2))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


class RecordingEngine(Engine):
    id = "recording"
    needs_network = False
    chunk_chars = 60

    def __init__(self, fail_on: str | None = None, delay: float = 0.0) -> None:
        self.calls: list[str] = []
        self.fail_on = fail_on
        self.delay = delay
        self.in_flight = 0
        self.most_in_flight = 0

    @property
    def version(self) -> str:
        return "recording-1"

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("test", "zh-CN")]

    def check_voice(self, voice: str) -> None:
        if voice != "test":
            raise VoiceError(f"unknown voice {voice}")

    async def synthesize(self, text: str, voice: VoiceSettings) -> Speech:
        self.calls.append(text)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if self.fail_on and self.fail_on in text:
                raise EngineError("the service refused it")
            return Speech(tone_wav(100 * len(text)), "wav")
        finally:
            self.in_flight -= 1


class SharingEngine(RecordingEngine):
    """Takes several chunks a request, as the Edge engine does: records each request's texts."""

    request_chars = 60

    def __init__(self, fail_on: str | None = None, delay: float = 0.0) -> None:
        super().__init__(fail_on, delay)
        self.requests: list[list[str]] = []

    async def synthesize_many(self, texts, voice: VoiceSettings) -> list[Speech]:
        self.requests.append(list(texts))
        return await super().synthesize_many(texts, voice)
