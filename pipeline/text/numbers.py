"""Digits → spoken Mandarin, for offline engines that would otherwise read them badly.

Edge normalises on its side; espeak-ng reads "2023年" as a cardinal and "14:30" as two numbers, so
its text goes through `in_words` first. cn2an reads plain integers and decimals well but misreads
dates, phone numbers, ranges and times, so those get their own rules, applied before the general
ones. Each rule replaces its digits with Chinese, so a later rule never sees them again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

VERSION = "1"
"""Bump when any rule changes how a text is read: part of the espeak engine's cache key."""

_DIGITS = "零一二三四五六七八九"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９％．∶", "0123456789%.:")
_NUM = r"\d+(?:\.\d+)?"
# A number that can start or end a range: no leading zero (a code like 010-1234 is not a range).
_RANGE_NUM = r"(?:0|[1-9]\d{0,4})(?:\.\d+)?"
_DASH = r"\s*[-~～—–至]\s*"
_YEAR = r"(?:1[5-9]|2[01])\d\d"
# Longest integer read as a cardinal; longer digit runs are phone, ID or account numbers.
_MAX_CARDINAL_DIGITS = 10


def digits(number: str) -> str:
    """Read digit by digit: 2023 → 二零二三."""
    return "".join(_DIGITS[int(d)] for d in number)


def cardinal(number: str) -> str:
    """Read as a quantity: 1234 → 一千二百三十四, 3.50 → 三点五零."""
    import cn2an  # compiles its patterns when imported (0.1–0.4 s): only an offline voice reading numbers pays

    return cn2an.an2cn(number, "low")


def _hour(number: str) -> str:
    return "两" if int(number) == 2 else cardinal(str(int(number)))


def _minute(number: str) -> str:
    return digits(number) if number.startswith("0") else cardinal(number)


def _date(m: re.Match[str]) -> str:
    year, month, day = m.groups()
    return f"{digits(year)}年{cardinal(str(int(month)))}月{cardinal(str(int(day)))}日"


def _time(m: re.Match[str]) -> str:
    hour, minute, second = m.groups()
    spoken = f"{_hour(hour)}点"
    if second is not None:
        return f"{spoken}{_minute(minute)}分{_minute(second)}秒"
    return spoken + ("整" if minute == "00" else f"{_minute(minute)}分")


def _year_range(m: re.Match[str]) -> str:
    return f"{digits(m[1])}到{digits(m[2])}年"


def _percent_range(m: re.Match[str]) -> str:
    return f"百分之{cardinal(m[1])}到百分之{cardinal(m[2])}"


def _range(m: re.Match[str]) -> str:
    return f"{cardinal(m[1])}到{cardinal(m[2])}"


def _phone(m: re.Match[str]) -> str:
    return " ".join(digits(group) for group in m[0].split("-"))


def _ratio(m: re.Match[str]) -> str:
    return "比".join(cardinal(part) for part in re.split(r"\s*:\s*", m[0]))


def _number(m: re.Match[str]) -> str:
    number = m[0]
    if "." in number:
        return cardinal(number)
    too_long = len(number) > _MAX_CARDINAL_DIGITS
    if too_long or (number.startswith("0") and len(number) > 1):
        return digits(number)
    return cardinal(number)


# Order matters: the specific shapes first, the general number last.
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str]] = [
    (re.compile(r"(?<=\d)：(?=\d)"), ":"),
    # Thousands separators: 1,234,567 → 1234567.
    (re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d,])"), lambda m: m[0].replace(",", "")),
    # Leading zeros before date and clock units: 2023年05月01日 → 2023年5月1日.
    (re.compile(r"(?<![\d.])0+(?=\d+[月日号时分秒])"), ""),
    # Phone numbers with an area or hotline prefix: 010-12345678, 400-800-1234.
    (re.compile(r"(?<![\d.])(?:0\d{1,3}|400|800)(?:-\d{3,8})+(?![\d.])"), _phone),
    (re.compile(rf"(?<![\d.])({_YEAR})[-/.](\d{{1,2}})[-/.](\d{{1,2}})(?![\d.])"), _date),
    (re.compile(rf"(?<![\d.])({_YEAR}){_DASH}({_YEAR})年"), _year_range),
    (re.compile(rf"(?<![\d.])({_YEAR})(?=年)"), lambda m: digits(m[0])),
    (re.compile(r"(?<![\d.])([01]?\d|2[0-4]):([0-5]\d)(?::([0-5]\d))?(?![\d.])"), _time),
    (re.compile(rf"(?<![\d.]){_NUM}(?:\s*:\s*{_NUM})+(?![\d.])"), _ratio),
    (re.compile(rf"(?<![\d.])({_RANGE_NUM})%?{_DASH}({_RANGE_NUM})%"), _percent_range),
    (re.compile(rf"(?<![\d.])({_NUM})%"), lambda m: f"百分之{cardinal(m[1])}"),
    (re.compile(rf"(?<![\d.])({_NUM})‰"), lambda m: f"千分之{cardinal(m[1])}"),
    (re.compile(rf"(?<![\d.])({_RANGE_NUM}){_DASH}({_RANGE_NUM})(?![\d.])"), _range),
    (re.compile(r"(?<![A-Za-z0-9.])[-−](?=\d)"), "负"),
    (re.compile(_NUM), _number),
]


def in_words(text: str) -> str:
    """`text` with every Arabic number written out as spoken Mandarin; Latin letters untouched."""
    text = text.translate(_FULL_WIDTH)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
