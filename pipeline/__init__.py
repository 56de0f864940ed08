"""speechcast: Chinese speech manuscripts to audio people listen to."""

from __future__ import annotations

__version__ = "0.1.0"
