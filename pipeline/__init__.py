"""speechcast: Chinese speech manuscripts to audio people listen to.

The library API, as the command line uses it::

    from pipeline import load_script
    from pipeline.render import choose_voice, render
    script = load_script("speech.txt")          # the Script: title, salutation, sections, closing
    result = render("speech.txt", choose_voice("xiaoxiao"))

The render call lives in its module (`pipeline.render.render`): a function of the package with the
module's name would be hidden by the module as soon as it loads. Names are imported on first use, so
`import pipeline` (and `speechcast --help`) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "choose_voice": "pipeline.render",
    "RenderResult": "pipeline.render",
    "Voice": "pipeline.render",
    "load_script": "pipeline.text.manuscript",
    "Script": "pipeline.model",
    "Section": "pipeline.model",
    "RemovedLine": "pipeline.model",
    "Chunk": "pipeline.model",
    "RenderSettings": "pipeline.settings",
    "VoiceSettings": "pipeline.settings",
    "Pauses": "pipeline.settings",
    "SpeechcastError": "pipeline.errors",
}
__all__ = [
    "Chunk", "Pauses", "RemovedLine", "RenderResult", "RenderSettings", "Script", "Section", "SpeechcastError",
    "Voice", "VoiceSettings", "__version__", "choose_voice", "load_script",
]  # fmt: skip

if TYPE_CHECKING:
    from .errors import SpeechcastError
    from .model import Chunk, RemovedLine, Script, Section
    from .render import RenderResult, Voice, choose_voice
    from .settings import Pauses, RenderSettings, VoiceSettings
    from .text.manuscript import load_script


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
