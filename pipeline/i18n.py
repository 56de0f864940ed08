"""Messages in the reader's language.

The code says every message in English, as a template with named fields (`"{name} is empty"`);
the Chinese comes from a gettext catalogue (`locale/zh_CN/LC_MESSAGES/speechcast.po`, compiled to
the `.mo` beside it). A message is put into words only when it is shown, so one error can be said in
Chinese to the page and in English beside it. docs/translating.md says how the catalogue is kept.
"""

from __future__ import annotations

import enum
import functools
import gettext
import os
from pathlib import Path
from typing import Any

DOMAIN = "speechcast"
LOCALE_DIR = Path(__file__).parent / "locale"


class Language(enum.Enum):
    ENGLISH = "en"
    CHINESE = "zh"


@functools.cache
def _catalogue(language: Language) -> gettext.NullTranslations:
    if language is Language.ENGLISH:
        return gettext.NullTranslations()
    # No fallback: a package without its Chinese catalogue is broken, and a test says so.
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=["zh_CN"])


def user_language(environ: os._Environ[str] | dict[str, str] | None = None) -> Language:
    """The language of the person at the terminal, from the variables gettext reads, in its order."""
    env = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if value:
            first = value.split(":")[0].lower()
            return Language.CHINESE if first.startswith("zh") else Language.ENGLISH
    return Language.ENGLISH


class Message:
    """A sentence still to be put into words: an English template and the values of its fields.
    A field that is itself a Message (an error inside an error) is said in the same language."""

    __slots__ = ("fields", "template")

    def __init__(self, template: str, /, **fields: Any) -> None:
        self.template = template
        self.fields = fields

    def say(self, language: Language = Language.ENGLISH) -> str:
        text = _catalogue(language).gettext(self.template)
        if not self.fields:
            return text
        return text.format(**{k: v.say(language) if isinstance(v, Message) else v for k, v in self.fields.items()})

    def __str__(self) -> str:
        return self.say()

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{self.fields!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (self.template, self.fields))


def _rebuilt(template: str, fields: dict[str, Any]) -> Message:
    return Message(template, **fields)


def both(message: Message | str) -> dict[str, str]:
    """What the page shows: the Chinese, and the English to put beside it in small."""
    if isinstance(message, str):
        return {"zh": message, "en": message}
    return {"zh": message.say(Language.CHINESE), "en": message.say(Language.ENGLISH)}
