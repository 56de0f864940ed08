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
import re
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

    def __eq__(self, other: object) -> bool:
        """The same template saying the same (a warning read back from a script, its fields now
        text, equals the one first made); a plain string equals the message whose English it is."""
        if isinstance(other, Message):
            return self.template == other.template and self.say() == other.say()
        if isinstance(other, str):
            return self.say() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.template, self.say()))

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{self.fields!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (self.template, self.fields))


def _rebuilt(template: str, fields: dict[str, Any]) -> Message:
    return Message(template, **fields)


AND = Message(" and ")
LIST = Message("; ")


class Joined(Message):
    """Several messages said as one field ("its M4B and its cover"), joined the language's way
    (by `separator`: AND, or LIST for a list of reasons)."""

    __slots__ = ("parts", "separator")

    def __init__(self, *parts: Message, separator: Message = AND) -> None:
        super().__init__(separator.template)
        self.parts, self.separator = parts, separator

    def say(self, language: Language = Language.ENGLISH) -> str:
        return self.separator.say(language).join(part.say(language) for part in self.parts)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_joined, (self.parts, self.separator))


def _joined(parts: tuple[Message, ...], separator: Message) -> Joined:
    return Joined(*parts, separator=separator)


def parse(text: str) -> Message:
    """The message whose English `text` is, read back (a warning kept in a script's comment): the
    catalogue template it fits, with its fields; an unknown text stays itself."""
    for template, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found:
            return Message(template, **found.groupdict())
    return Message(text)


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every template with fields as a pattern, the most specific (most fixed text) first."""
    # (GNUTranslations keeps its messages in _catalog: the one way to list them.)
    templates = [t for t in _catalogue(Language.CHINESE)._catalog if isinstance(t, str) and "{" in t]  # type: ignore[attr-defined]
    found = []
    for template in templates:
        if re.search(r"\{\w+[:!]", template):
            continue  # a field with a format: what was said cannot be formatted again
        parts = re.split(r"\{(\w+)\}", template)
        fixed = "".join(parts[0::2])
        names = parts[1::2]
        if len(set(names)) != len(names):
            continue  # a field said twice cannot be read back unambiguously
        pattern = "".join(re.escape(p) if k % 2 == 0 else f"(?P<{p}>.+?)" for k, p in enumerate(parts))
        found.append((len(fixed), template, re.compile(pattern, re.S)))
    return [(template, pattern) for _, template, pattern in sorted(found, key=lambda f: -f[0])]


def both(message: Message | str) -> dict[str, str]:
    """What the page shows: the Chinese, and the English to put beside it in small."""
    if isinstance(message, str):
        return {"zh": message, "en": message}
    return {"zh": message.say(Language.CHINESE), "en": message.say(Language.ENGLISH)}
