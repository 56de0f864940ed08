"""Traditional characters matched as simplified: rules are written once, in simplified characters.

Only for matching: the text spoken is never converted (a traditional manuscript is read as written).
OpenCC's character table maps one character to one, so a match's positions hold in the original too.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _converter() -> Any:
    import opencc  # loads its dictionaries (about 10 ms): only when a manuscript is cleaned

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """`text` in simplified characters, of the same length (falls back to `text` if a phrase changed it)."""
    if text.isascii():
        return text
    converted = _converter().convert(text)
    return converted if len(converted) == len(text) else text
