"""How the speech is read aloud: tone-numbered pinyin for each character, and a lexicon of readings
a person fixed once (重庆 = chong2 qing4, 单 = shan4 as a surname) that holds in every render.

Edge's free service takes no pronunciation markup, so the only lever on it is the text: a lexicon
word is sent with homophones whose reading is unambiguous (崇 for a 重 to be read chong2), chosen
from the pinyin and checked by reading the sent text back through pypinyin. The offline engine is
given pinyin itself (espeak-ng reads tone-numbered pinyin as its own Mandarin), converted here with
the lexicon first, then pypinyin's phrase data. Subtitles, the player page and the script keep the
manuscript's characters: only what an engine is sent changes.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..paths import lexicon_files

if TYPE_CHECKING:
    import jieba

SYLLABLE = re.compile(r"[a-z]{1,6}[1-5]")
"""A tone-numbered pinyin syllable (ü written v, the neutral tone 5)."""
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Lexicon:
    """Words and how they are read: each word's syllables (one a character), or the text to say
    instead ("replace"). Later sources win over earlier ones (`over`)."""

    syllables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    replace: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.syllables or self.replace)

    def over(self, earlier: Lexicon) -> Lexicon:
        """This lexicon laid over `earlier`: a word set here wins, however it was set there."""
        syllables = {w: s for w, s in earlier.syllables.items() if w not in self.replace} | self.syllables
        replace = {w: r for w, r in earlier.replace.items() if w not in self.syllables} | self.replace
        return Lexicon(syllables, replace)

    def words(self) -> list[str]:
        return [*self.syllables, *self.replace]

    def lines(self) -> list[str]:
        """The entries as `word = reading` lines (the script's comment block, `pronounce`'s file)."""
        return [f"{w} = {' '.join(s)}" for w, s in self.syllables.items()] + [f"{w} = {r}" for w, r in self.replace.items()]


def entry(word: str, reading: str) -> Lexicon:
    """One entry, checked: `reading` is tone-numbered pinyin, a syllable for each character of
    `word` (重庆 = chong2 qing4), or the text to say instead (重庆 = 崇庆). InputError says what is wrong."""
    word, reading = word.strip(), " ".join(reading.split())
    if not word or not _HAN.search(word) or len(word) > 20:
        raise InputError("'{word}' is not a word to set a reading for: give Chinese characters, e.g. 重庆 = chong2 qing4.", word=word)
    spelled = reading.lower().replace("ü", "v").split()
    if spelled and all(re.fullmatch(r"[a-z]+[0-5]?", s) for s in spelled):  # pinyin, not text to say
        if len(spelled) != len(word) or not all(SYLLABLE.fullmatch(s) and s[:-1] in _known_syllables() for s in spelled):
            raise InputError(
                "'{reading}' is not a reading of {word}: give a tone-numbered pinyin syllable for each of its {count} characters, e.g. chong2 qing4.",
                reading=reading, word=word, count=len(word),
            )  # fmt: skip
        return Lexicon(syllables={word: tuple(spelled)})
    if not reading:
        raise InputError("Give {word} a reading: tone-numbered pinyin (chong2 qing4) or the characters to say instead.", word=word)
    return Lexicon(replace={word: reading})


def parse(lines: Iterable[str], where: str) -> Lexicon:
    """`word = reading` lines (blank lines and # comments skipped), each checked with `entry`."""
    lexicon = Lexicon()
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip() if not line.lstrip().startswith('"') else line.strip()
        if not text:
            continue
        word, equals, reading = text.partition("=")
        if not equals:
            raise InputError("{where}, line {line}: write each reading as 词 = pin1 yin1.", where=where, line=number)
        try:
            lexicon = entry(word.strip().strip('"'), reading.strip().strip('"')).over(lexicon)
        except InputError as err:
            raise InputError("{where}, line {line}: {problem}", where=where, line=number, problem=err.message) from None
    return lexicon


def read_file(path: Path) -> Lexicon:
    """A pronunciations.toml: `"词" = "pin1 yin1"` lines (a TOML table of strings)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("Cannot read {path} ({reason}).", path=path, reason=exc) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError('{path} is not TOML ({reason}): write each reading as "词" = "pin1 yin1".', path=path, reason=exc) from None
    table = data.get("readings", data)
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise InputError('{path}: every reading is a string, as in "重庆" = "chong2 qing4".', path=path)
    return parse((f"{k} = {v}" for k, v in table.items()), str(path))


def toml_text(lexicon: Lexicon) -> str:
    """`lexicon` as a pronunciations.toml (what `speechcast pronounce` writes)."""
    import json

    body = [f"{json.dumps(w, ensure_ascii=False)} = {json.dumps(r, ensure_ascii=False)}" for w, r in (line.split(" = ", 1) for line in lexicon.lines())]
    return "# speechcast: how words are read (speechcast pronounce 词 pin1 yin1)\n" + "\n".join(body) + "\n"


def gathered(manuscript: Path | None, in_script: dict[str, str] | None = None) -> Lexicon:
    """The lexicon a render uses: the user's file, then one beside the manuscript, then the script's
    own block (word → reading), later ones winning."""
    lexicon = Lexicon()
    for path in lexicon_files(manuscript):
        lexicon = read_file(path).over(lexicon)
    if in_script:
        lexicon = parse((f"{w} = {r}" for w, r in in_script.items()), "the script's 读音 lines").over(lexicon)
    return lexicon


# --- reading --------------------------------------------------------------------------------------


def readings(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, str]]:
    """`text` as (what is written, how it is read) pairs: a Chinese character and its tone-numbered
    syllable (the lexicon's words first, then pypinyin with its phrase data); a word the lexicon
    says to replace and the syllables of what is said instead; anything else and itself."""
    out: list[tuple[str, str]] = []
    for piece, wanted in _pieces(text, lexicon):
        if wanted is None:
            out.extend(zip(piece, _plain(piece), strict=True))
        elif wanted:
            out.extend(zip(piece, wanted, strict=True))
        else:
            said = lexicon.replace[piece] if lexicon else piece
            out.append((piece, " ".join(r for _, r in readings(said))))
    return out


def is_pinyin(text: str) -> bool:
    """Whether `text` is what `as_pinyin` gives: tone-numbered syllables and no Chinese character."""
    return not _HAN.search(text) and bool(_PINYIN_WORD.search(text))


_PINYIN_WORD = re.compile(rf"(?<![A-Za-z]){SYLLABLE.pattern}(?![A-Za-z0-9])")


def as_pinyin(text: str, lexicon: Lexicon | None = None) -> str:
    """`text` as the offline voice is given it: syllables apart, punctuation where it stood (as
    ASCII, which espeak-ng pauses at), anything else as it is."""
    out: list[str] = []
    for written, reading in readings(text, lexicon):
        out.append(f" {reading} " if reading != written else _PUNCTUATION.get(written, written))
    return re.sub(r" +", " ", "".join(out)).strip()


_PUNCTUATION = {"，": ", ", "、": ", ", "；": "; ", "：": ": ", "。": ". ", "！": "! ", "？": "? ", "…": ". ", "—": ", "}


def _plain(piece: str) -> list[str]:
    """The reading of each character of `piece` (a non-Chinese character read as itself): a
    character read more than one way as pypinyin reads it where its phrase data holds the word
    the character is in, as pypinyin cuts the text (银行, 行长), else as g2pM's model of the context says (a neural
    converter trained on the CPP polyphone sentences); every other character as pypinyin reads it.
    Measured on CPP's test set (bench/readings.py): pypinyin alone 87.9 %, this 97.0 %."""
    read = _pypinyin(piece)
    polyphones = [k for k, char in enumerate(piece) if len(_listed(char)) > 1]
    if not polyphones:
        return read
    from pypinyin.phrases_dict import phrases_dict

    guessed = _g2pm()(piece, tone=True, char_split=True)
    settled = {k for start, word in _phrases(piece) if len(word) > 1 and word in phrases_dict for k in range(start, start + len(word))}
    for k in polyphones:
        guess = guessed[k].replace("u:", "v") if k < len(guessed) else ""
        if k not in settled and SYLLABLE.fullmatch(guess):
            read[k] = guess
    return read


def _pypinyin(piece: str) -> list[str]:
    """pypinyin's reading of each character of `piece` (with its phrase data): what Edge's sent text
    is checked against."""
    from pypinyin import Style, lazy_pinyin

    read = lazy_pinyin(piece, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda chars: list(chars))  # type: ignore[arg-type,return-value]
    out: list[str] = []
    for reading in read:
        out.extend([reading] if SYLLABLE.fullmatch(reading) else reading)
    return out if len(out) == len(piece) else [*piece]


@functools.cache
def _g2pm() -> Any:
    from g2pM import G2pM

    return G2pM()


def _phrases(piece: str) -> list[tuple[int, str]]:
    """`piece` cut as pypinyin cuts it to look up its phrase data, each piece with where it starts."""
    from pypinyin.seg.mmseg import seg

    out, at = [], 0
    for word in seg.cut(piece):
        out.append((at, word))
        at += len(word)
    return out


def sent_text(text: str, lexicon: Lexicon) -> str:
    """What Edge is sent for `text`: every lexicon word replaced by characters that read as it
    wants, character by character where the manuscript's own would be misread, so that pypinyin
    reads the result back as the lexicon says (InputError when no character can say a syllable)."""
    if not lexicon:
        return text
    out: list[str] = []
    for piece, wanted in _pieces(text, lexicon):
        if wanted is None:
            out.append(piece)
        elif piece in lexicon.replace:
            out.append(lexicon.replace[piece])
        else:
            out.append(_spelled(piece, wanted))
    return "".join(out)


def _spelled(word: str, wanted: tuple[str, ...]) -> str:
    """`word` with each character that would not be read as wanted swapped for a common one that is
    (checked by reading the word back: a swap must not change how its neighbours are read)."""
    chars = list(word)
    for k, (char, want) in enumerate(zip(word, wanted, strict=True)):
        if _pypinyin("".join(chars))[k] == want and _usual(char) == want:
            continue  # read as wanted, and as it usually is: an engine follows
        for swap in homophones(want):
            trial = [*chars[:k], swap, *chars[k + 1 :]]
            if _pypinyin("".join(trial))[k] == want:
                chars = trial
                break
        else:
            raise InputError("No character is read {syllable} without doubt: set {word} to the characters to say instead.", syllable=want, word=word)
    return "".join(chars)


def homophones(syllable: str) -> tuple[str, ...]:
    """Characters that say `syllable`, those for which it is the usual reading first, commonest first
    (by jieba's dictionary), those with no other reading before the rest."""
    return _homophones().get(syllable, ())


@functools.cache
def _homophones() -> dict[str, tuple[str, ...]]:
    import os

    import jieba

    # How common a character is: the uses of every word it is in (jieba's counts of single
    # characters alone are poor: 熷 would outrank 增).
    uses: dict[str, int] = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as words:
        for line in words:
            word, count, *_ = line.split(" ")
            for char in set(word):
                uses[char] = uses.get(char, 0) + int(count)
    found: dict[str, list[tuple[float, str]]] = {}
    for char, used in uses.items():
        listed = _listed(char)
        for rank, reading in enumerate(listed):
            # A common character beats a rare one whatever else it can be read as (增 for zeng1,
            # not 熷): an engine knows how a common one is usually said. One with no other reading
            # counts five times the uses of one with others; one for which this is not the usual
            # reading comes after every one for which it is (吒 for the ne2 of 哪吒 has no other).
            weight = -used * (0.2 if len(listed) > 1 else 1) + (0 if rank == 0 else 1e18)
            found.setdefault(reading, []).append((weight, char))
    return {syllable: tuple(c for _, c in sorted(chars)[:8]) for syllable, chars in found.items()}


def _listed(char: str) -> list[str]:
    """The readings pypinyin's dictionary lists for `char`, commonest first ([] for none)."""
    from pypinyin.pinyin_dict import pinyin_dict

    listed = pinyin_dict.get(ord(char))
    return [_tone3(r) for r in listed.split(",")] if listed else []


@functools.cache
def _tone3(reading: str) -> str:
    from pypinyin.style.tone import ToneConverter

    converted = ToneConverter().to_tone3(reading, neutral_tone_with_five=True).replace("ü", "v")
    return converted if converted[-1:].isdigit() else converted + "5"


def _usual(char: str) -> str:
    """The reading pypinyin lists first for `char` alone (its commonest; "" for none)."""
    listed = _listed(char)
    return listed[0] if listed else ""


@functools.cache
def _known_syllables() -> frozenset[str]:
    """Every syllable (without its tone) pypinyin knows: a reading outside them is a typing slip."""
    from pypinyin.pinyin_dict import pinyin_dict

    return frozenset(_tone3(r)[:-1] for listed in pinyin_dict.values() for r in listed.split(","))


def _pieces(text: str, lexicon: Lexicon | None) -> Iterator[tuple[str, tuple[str, ...] | None]]:
    """`text` cut into the lexicon's whole words (with their wanted syllables, or () for a replaced
    word) and the stretches between them (None): a word counts only where the segmentation, with
    the lexicon's words added, makes it a word of its own, never inside another."""
    if not lexicon:
        yield text, None
        return
    wanted = dict(lexicon.syllables) | dict.fromkeys(lexicon.replace, ())
    tokenizer = _tokenizer()
    with _jieba_lock:
        for word in wanted:
            if word not in _added:
                tokenizer.add_word(word, freq=tokenizer.suggest_freq(word, tune=False) * 10 + 1000)
                _added.add(word)
        words = list(tokenizer.cut(text, HMM=False))
    pending = ""
    for word in words:
        if word in wanted:
            if pending:
                yield pending, None
                pending = ""
            yield word, wanted[word]
        else:
            pending += word
    if pending:
        yield pending, None


_jieba_lock = threading.Lock()


_added: set[str] = set()
"""The lexicon words the segmenter has been told (every lexicon's this process has read)."""


@functools.cache
def _tokenizer() -> jieba.Tokenizer:
    """A segmenter of its own (the subtitles' one is left as it is) that learns the lexicons' words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


# --- what to check ------------------------------------------------------------------------------

_NAMES = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})
"""jieba's tags for names of people, places, organisations and other proper names."""


def uncertain(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, str]]:
    """Names whose reading may be wrong, each with the reading that will be used: a person's,
    place's or organisation's name (as jieba tags it) holding a character read more than one way,
    that neither the lexicon nor pypinyin's phrase data settles (重庆 is in the data; 单雄信 is not)."""
    import jieba
    import jieba.posseg
    from pypinyin.phrases_dict import phrases_dict

    jieba.setLogLevel(logging.WARNING)
    settled = set(lexicon.words()) if lexicon else set()
    found: dict[str, str] = {}
    with _jieba_lock:
        words = list(jieba.posseg.cut(text))
    for word, tag in words:
        if tag in _NAMES and word not in settled and word not in phrases_dict and any(len(_listed(c)) > 1 for c in word if _HAN.match(c)):
            found.setdefault(word, " ".join(r for _, r in readings(word, lexicon)))
    return list(found.items())
