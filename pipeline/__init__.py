"""speechcast: Chinese speech manuscripts to audio people listen to.

The library API, as the command line uses it::

    from pipeline import load_script, render
    script = load_script("speech.txt")          # the Script: title, salutation, sections, closing
    result = render("speech.txt", voices=["xiaoxiao"])

Names are imported on first use, so `import pipeline` (and `speechcast --help`) stays cheap.
"""

from __future__ import annotations

import importlib
import sys
import types
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
    "Voice", "VoiceSettings", "__version__", "choose_voice", "load_script", "render",
]  # fmt: skip

if TYPE_CHECKING:
    from .errors import SpeechcastError
    from .model import Chunk, RemovedLine, Script, Section
    from .render import RenderResult, Voice, choose_voice, render
    from .settings import Pauses, RenderSettings, VoiceSettings
    from .text.manuscript import load_script


class _Package(types.ModuleType):
    """`pipeline.render` is the library call, though `pipeline/render.py` is a module of this package
    too: loading that module makes the import system bind its name here to the module, which would
    hide the function. The name is held by this property instead (the module stays in sys.modules)."""

    @property
    def render(self) -> Any:
        from .render import render

        return render

    @render.setter
    def render(self, module: types.ModuleType) -> None:
        pass  # the import system announcing pipeline/render.py: reachable as sys.modules["pipeline.render"]


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
