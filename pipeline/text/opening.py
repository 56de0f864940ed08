"""The top of a speech: its title (with the subtitle or byline under it) and the salutation."""

from __future__ import annotations

import re

from .blocks import Block
from .hanzi import simplified
from .markers import marker, shown

_TITLE_MAX = 60
_BYLINE_MAX = 20
# Simplified and traditional forms side by side: manuscripts come in both.
_ADDRESS = re.compile(
    r"同志[们們]|各位|代表|[来來]宾|[来來]賓|嘉[宾賓]|朋友[们們]|[领領][导導]|老[师師][们們]|同[学學][们們]|女士[们們]|先生[们們]|同仁|[乡鄉]亲[们們]|[战戰]友[们們]|家人[们們]"
)
_ADDRESS_OPENING = re.compile(r"^(?:各位|尊敬的|敬爱的|亲爱的|同志们|女士们|先生们|老师们|同学们|朋友们)")
_SALUTATION = re.compile(r"^[^。！？!?]{1,40}?[：:！!]")
_SENTENCE_CLOSED = re.compile(r"[。！？!?]")


def is_salutation(text: str) -> bool:
    """A short address that ends in ：/！ and names the audience (同志们：, 各位代表、各位来宾：)."""
    match = _SALUTATION.match(text)
    return bool(match and match.end() == len(text) and _ADDRESS.search(text)) or _bare_address(text)


def _bare_address(text: str) -> bool:
    """An address line that lost its colon (各位友邦的元首與貴賓、各國駐台使節及代表): it opens with
    a form of address and names the audience, and holds no sentence."""
    return (
        len(text) <= _TITLE_MAX
        and bool(_ADDRESS_OPENING.match(simplified(text)))
        and bool(_ADDRESS.search(text))
        and not _SENTENCE_CLOSED.search(text)
    )


def take_title(lines: list[Block]) -> tuple[str, list[Block]]:
    if not lines:
        return "", lines
    first = lines[0]
    top = min((b.level for b in lines if b.kind == "heading"), default=0)
    if first.kind != "heading" and len(lines) > 2 and lines[1].kind == "heading" and lines[1].level == top and len(first.text) <= _BYLINE_MAX * 2:
        # A byline above the title (致辞：某某) belongs to the title the format declared under it.
        return shown(lines[1].text) + " " + first.text, lines[2:]
    declared = first.kind == "heading" and first.level == top
    if not declared and not _title_like(first.text, _TITLE_MAX):
        return "", lines
    parts = [shown(first.text) if declared else first.text]
    rest = lines[1:]
    # A subtitle (——在…会议上的讲话) or a byline (date, speaker) directly under the title belongs to it.
    while rest and len(parts) < 3 and rest[0].kind != "heading" and (rest[0].text.startswith("—") or _title_like(rest[0].text, _BYLINE_MAX)):
        parts.append(rest[0].text)
        rest = rest[1:]
    if not rest:
        return "", lines
    return "".join(p if p.startswith("—") or i == 0 else " " + p for i, p in enumerate(parts)), rest


def _title_like(text: str, limit: int) -> bool:
    return (
        len(text) <= limit
        and len(re.sub(r"[\W_]", "", text)) >= 2  # a stray bracket or rule is no title
        and not re.search(r"[。！？!?：:；;，,]$", text)
        and marker(text) is None
        and not is_salutation(text)
    )


def take_salutation(lines: list[Block]) -> tuple[str, list[Block]]:
    if not lines or lines[0].kind == "heading":
        return "", lines
    text = lines[0].text
    if _bare_address(text):
        return text, lines[1:]
    match = _SALUTATION.match(text)
    if not match or not _ADDRESS.search(match.group()):
        return "", lines
    rest = text[match.end() :].strip()
    return match.group().strip(), ([lines[0].with_text(rest)] if rest else []) + lines[1:]
