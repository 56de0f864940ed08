"""The top of a speech: the title block (title, subtitle, speaker, date) and the salutation.

The commonest 讲话稿 opens so, the speaker and date lines in either order:

    凝心聚力 攻坚克难 推动安全生产形势持续稳定向好
    ——在全县安全生产工作会议上的讲话
    县委书记  张三
    （2024年3月5日）
    同志们：

Title and subtitle make the title; the speaker and the date are kept apart (tags, manifest, player
page, feed) and read once after the title; the salutation is found after them. A title a PDF or a
hard break wrapped over two lines is one title, joined without a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import Block
from .dates import date_of
from .hanzi import simplified
from .markers import marker, shown
from .names import is_name
from .wrapping import gap

_TITLE_MAX = 60
_BYLINE_MAX = 20
_TITLE_BLOCK_ROWS = 6
"""Rows after the title the block may run to (a second title line, subtitle, speaker, date)."""
# Simplified and traditional forms side by side: manuscripts come in both.
_ADDRESS = re.compile(
    r"同志[们們]|各位|代表|[来來]宾|[来來]賓|嘉[宾賓]|朋友[们們]|[领領][导導]|老[师師][们們]|同[学學]|女士[们們]|先生[们們]|同仁|[乡鄉]亲[们們]|[战戰]友[们們]|家人[们們]"
    r"|校友|家[长長]|[观觀]众|[听聽]众|[员員]工[们們]|伙伴[们們]|青年朋友"
)
_ADDRESS_OPENING = re.compile(r"^(?:各位|尊敬的|敬爱的|亲爱的|同志们|女士们|先生们|老师们|同学们|朋友们)")
_SALUTATION = re.compile(r"^[^。！？!?]{1,40}?[：:！!]")
#: A formal address that lists the dignitaries one by one (終審法院首席法官、律政司司長、……、各位嘉賓、在座各位：):
#: longer than any sentence-like opening, but only names, one after another, and an audience last.
_ROLL_CALL = re.compile(r"^(?:[^。！？!?，,、丶：:]{2,24}[、，,丶]\s*){2,8}(?P<last>[^。！？!?，,、丶：:]{2,24})[：:]$")
_SPEAKING = re.compile(r"[我讲谈说汇报]")
_SENTENCE_CLOSED = re.compile(r"[。！？!?]")

#: Words a title of office ends with, before the holder's name (县委书记  张三, 轮值CEO 徐直军).
_OFFICE = (
    r"(?:书记|主任|市长|县长|区长|州长|省长|镇长|乡长|局长|部长|厅长|司长|主席|校长|院长|董事长|总经理|经理|总裁|总监|处长|科长|"
    r"委员|秘书长|总理|教授|理事长|会长|社长|政委|所长|行长|主编|总编辑|创始人|董事|总工程师|负责人|代表|队长|组长|站长|馆长|"
    r"台长|团长|司令员|总统|首席执行官|研究员|院士|CEO|CTO|CFO|COO|President)"
)
_SPEAKER = re.compile(rf"^(?P<office>.{{0,30}}?{_OFFICE})[\s\u3000]*(?P<name>[\u4e00-\u9fff·]{{2,5}})$")
_SPEAKERS_LABELLED = re.compile(rf"^(?:[\u4e00-\u9fff]{{0,8}}{_OFFICE}\s*[:：]\s*[\u4e00-\u9fff·]{{2,4}}\s*){{1,3}}$")
_SPEAKER_BRACKETED = re.compile(r"^(?P<name>[\u4e00-\u9fff·]{2,5})\s*[（(](?P<office>[^（）()]{2,30})[）)]$")
_SPEAKER_LABEL = re.compile(r"^(?:主讲人|主讲|讲话人|报告人|发言人|演讲人|演讲者|致辞人|授课人|讲授人|讲者)\s*[:：]\s*(?P<who>.{2,30})$")
#: A subtitle without its dash: (在……上的讲话), 在……会议上的发言, 张三同志在……的报告.
_KIND_WORD = r"(?:讲话|发言|报告|致辞|致词|演讲|演说|讲演|讲稿|党课|贺词|献词|主持词|讲课|讲座|总结|讲)"
_SUBTITLE = re.compile(rf"^[（(]?.{{0,30}}在.{{2,50}}{_KIND_WORD}(?:稿|提纲|摘要)?[）)]?$")
_DASH = ("—", "－", "--")
#: A line cannot end with these when it is a whole title: the next line goes on with it.
_OPEN_END = re.compile(r"(?:的|和|与|及|在|为|对|关于|暨|之|上|中|和谐|以及|——)$")
_WRAPPED_TAIL = re.compile(rf"^[\u4e00-\u9fff（）()]{{1,14}}{_KIND_WORD}[）)]?$")


@dataclass(frozen=True)
class TitleBlock:
    """What the top of a manuscript says about it."""

    title: str = ""
    """The title with its subtitle (凝心聚力……——在全县安全生产工作会议上的讲话)."""
    speaker: str = ""
    """The speaker as the manuscript names them (县委书记 张三), whitespace runs closed to one space."""
    date: str = ""
    """The date as the manuscript writes it, brackets taken off (2024年3月5日)."""


def is_salutation(text: str) -> bool:
    """A short address that ends in ：/！ and names the audience (同志们：, 各位代表、各位来宾：)."""
    match = _SALUTATION.match(text)
    addressed = bool(match and match.end() == len(text) and _ADDRESS.search(text) and not _SPEAKING.search(text))
    return addressed or _bare_address(text) or _roll_call(text)


def _roll_call(text: str) -> bool:
    found = _ROLL_CALL.match(text)
    return bool(found and _ADDRESS.search(found.group("last")) and not _SPEAKING.search(text))


def _bare_address(text: str) -> bool:
    """An address line that lost its colon (各位友邦的元首與貴賓、各國駐台使節及代表): it opens with
    a form of address and names the audience, and holds no sentence."""
    return len(text) <= _TITLE_MAX and bool(_ADDRESS_OPENING.match(simplified(text))) and bool(_ADDRESS.search(text)) and not _SENTENCE_CLOSED.search(text)


def speaker_of(text: str) -> str:
    """The speaker a speaker line names (县委书记 张三, 张三, 张三（县委书记）); "" when it names none."""
    line = text.strip().strip("*").strip().lstrip("—－-").strip()
    probe = simplified(line)
    label = _SPEAKER_LABEL.match(probe)
    if label:
        return _spaced(line[label.start("who") :])
    if marker(line) is not None or _SENTENCE_CLOSED.search(line) or len(line) > 40:
        return ""
    compact = re.sub(r"[\s\u3000]+", "", probe)
    if is_name(compact):
        return compact if len(compact) == len(line) else re.sub(r"[\s\u3000]+", "", line)
    if _SPEAKERS_LABELLED.match(probe):  # 党委书记：杨庆山  校长：曹雪涛, as a 贺词 is signed
        return _spaced(line)
    found = _SPEAKER.match(probe) or _SPEAKER_BRACKETED.match(probe)
    # A name set apart from its office by a wide gap (代区长  萨国文) is a name, whatever its surname.
    apart = bool(found) and bool(re.search(r"(?:[ \t]{2,}|\u3000)[\u4e00-\u9fff·]{2,5}$", probe))
    if found and (is_name(found["name"]) or apart) and not re.search(r"[，,：:；;]", found["office"]):
        return _spaced(line)
    return ""


def _spaced(text: str) -> str:
    return re.sub(r"[\s\u3000]+", " ", text).strip()


def names_a_speech(text: str) -> bool:
    """A line that ends by naming what the text is (在机关主题党日活动后的讲话, 政府工作报告): a title."""
    return bool(_NAMES_KIND.search(simplified(text.strip().strip("*").strip())))


_NAMES_KIND = re.compile(rf"{_KIND_WORD}(?:稿|提纲)?[）)]?$")


def is_subtitle(text: str) -> bool:
    """——在……会议上的讲话, or the same without its dash (in brackets, or 在……的讲话 alone)."""
    line = text.strip().strip("*").strip()
    return line.startswith(_DASH) or (len(line) <= _TITLE_MAX and bool(_SUBTITLE.match(simplified(line))) and not _SENTENCE_CLOSED.search(line))


def _title_like(text: str, limit: int) -> bool:
    return (
        len(text) <= limit
        and len(re.sub(r"[\W_]", "", text)) >= 2  # a stray bracket or rule is no title
        and not re.search(r"[。！？!?：:；;，,]$", text)
        and marker(text) is None
        and not is_salutation(text)
    )


def take_title(lines: list[Block]) -> tuple[TitleBlock, list[Block]]:
    """The title block at the top of `lines`, and the lines after it."""
    if not lines:
        return TitleBlock(), lines
    first = lines[0]
    top = min((b.level for b in lines if b.kind == "heading"), default=0)
    if first.kind != "heading" and len(lines) > 2 and lines[1].kind == "heading" and lines[1].level == top and len(first.text) <= _BYLINE_MAX * 2:
        # A byline above the title (致辞：某某) belongs to the title the format declared under it.
        who = speaker_of(first.text)
        if who:
            return TitleBlock(shown(lines[1].text), who), lines[2:]
        return TitleBlock(shown(lines[1].text) + " " + first.text), lines[2:]
    declared = first.kind == "heading" and first.level == top
    untitled = not declared and bool(date_of(first.text) or speaker_of(first.text))
    if not declared and not untitled and not _title_like(first.text, _TITLE_MAX):
        return TitleBlock(), lines
    # A copy whose title went elsewhere (into the page's metadata) may open on the speaker or the date.
    title = "" if untitled else shown(first.text.strip())  # 政 府 工 作 报 告, spread out as a cover sets it, read as one word
    speaker = date = ""
    rest = lines[0 if untitled else 1 :]
    parts = 1
    while rest and parts <= _TITLE_BLOCK_ROWS:
        text = rest[0].text.strip()
        if not text or is_salutation(text):
            break
        if not date and (found := date_of(text)):
            date = found
        elif not speaker and (found := speaker_of(text)):
            speaker = found
        elif is_subtitle(text) and not speaker and not date:
            title += text.strip("*").strip() if text.startswith(_DASH) else "——" + text.strip("*").strip().strip("（）()")
        elif _continues(title, text, rest[0]) and not speaker and not date:
            title += text
        elif parts == 1 and _second_title_line(text, rest) and not speaker and not date:
            title += gap(title, text) + text
        elif not speaker and _unlabelled_speaker(text, rest):
            speaker = _spaced(text)
        else:
            break
        parts += 1
        rest = rest[1:]
    if not rest:
        return TitleBlock(), lines
    return TitleBlock(title, speaker, date), rest


def _continues(title: str, text: str, block: Block) -> bool:
    """The rest of a title or subtitle that a page margin or a hard break moved to the next line."""
    if block.kind == "heading" or len(text) > _TITLE_MAX or marker(text) is not None:
        return False
    probe = simplified(text)
    return bool(_OPEN_END.search(simplified(title)) and _title_like(text, _BYLINE_MAX * 2)) or (
        bool(_WRAPPED_TAIL.match(probe)) and not re.search(rf"{_KIND_WORD}[）)]?$", simplified(title))
    )


def _second_title_line(text: str, rest: list[Block]) -> bool:
    """A title set in two lines (高举……旗帜 / 为……而团结奋斗): the second is title-like and the block
    goes on under it (a subtitle, speaker, date or the salutation), so it is no heading of the speech."""
    if rest[0].kind == "heading" or not _title_like(text, 40) or len(rest) < 2:
        return False
    following = rest[1].text.strip()
    return is_subtitle(following) or bool(date_of(following)) or bool(speaker_of(following)) or is_salutation(following)


def _unlabelled_speaker(text: str, rest: list[Block]) -> bool:
    """A short line with no punctuation directly over a date, the salutation or a subtitle: whoever
    the manuscript names there, in a form the speaker rules do not know (陈教授, 本报评论员)."""
    if len(rest) < 2 or len(text) > _BYLINE_MAX or re.search(r"[，。、；：！？,.;:!?《》“”]", text) or marker(text) is not None:
        return False
    following = rest[1].text.strip()
    return bool(date_of(following)) or is_salutation(following)


def take_signature(lines: list[Block]) -> tuple[TitleBlock, list[Block]]:
    """A speaker and a date signed under the speech's last line (a 贺词, a letter), and the lines above."""
    speaker = date = ""
    rest = list(lines)
    while rest and len(lines) - len(rest) < 2 and rest[-1].kind != "heading":
        text = rest[-1].text.strip()
        if not date and len(text) <= _BYLINE_MAX and (found := date_of(text)):
            date = found
        elif not speaker and (found := speaker_of(text)):
            speaker = found
        else:
            break
        rest.pop()
    return TitleBlock("", speaker, date), rest


def take_salutation(lines: list[Block]) -> tuple[str, list[Block]]:
    """The salutation at the top of `lines` (over two lines too: 尊敬的各位领导，/ 亲爱的同学们：)."""
    said, rest = _one_salutation(lines)
    while said and not said.endswith(("：", ":")) and rest:
        more, after = _one_salutation(rest)
        if not more:
            break
        said, rest = said + more, after
    return said, rest


def _one_salutation(lines: list[Block]) -> tuple[str, list[Block]]:
    if not lines or lines[0].kind == "heading":
        return "", lines
    text = lines[0].text
    if _bare_address(text) or _roll_call(text):
        return text, lines[1:]
    match = _SALUTATION.match(text) or _GREETING.match(text)
    if not match or not (_ADDRESS.search(match.group()) or _GREETING.match(match.group())) or _SPEAKING.search(match.group()):
        return "", lines
    rest = text[match.end() :].strip()
    return match.group().strip(), ([lines[0].with_text(rest)] if rest else []) + lines[1:]


#: 大家好！ alone or opening the first sentence (大家好，我是……): the audience greeted as a whole.
_GREETING = re.compile(
    r"^(?:(?:尊敬的|敬爱的|亲爱的|各位)[^。！？!?]{0,50}?|[^。！？，,]{0,20}[，,、]\s*)?(?:大家|各位|你们)(?:好|晚上好|上午好|下午好|早上好)[！!，,。]?"
)
