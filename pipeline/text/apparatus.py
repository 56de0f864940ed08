"""The editors' apparatus around a speech, and where the speech ends.

Published speeches carry matter no speaker said: a lead-in or headnote under the title (【编者按】,
【导读】, a quoted or italic summary, "这是……在……上的讲话。"), editorial lines ((根据录音整理)), a note
block after the speech (注释 and its 〔1〕… lines), appendices (附件, 附录, 名词解释), and after the
closing words the site's own matter. Each is recognised by its kind and its place, never by one
document's wording, and goes to the report: nothing is lost, a person can bring it back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Reason
from .blocks import Block
from .dates import date_of
from .markers import marker
from .opening import is_salutation, is_subtitle, speaker_of

Verdicts = dict[int, Reason]

#: Words that end a speech (simplified; traditional text is matched through its simplified form).
CLOSING_END = re.compile(
    r"谢谢(?:大家|各位|！|!|。|$)|祝(?:大家|各位|同志们|全体)|讲话到此|就讲到这里|就讲这些|讲这么多|以上是我的|我的发言完了|我的讲话完了|我的发言到此|我就说这些|我就讲到这"
)
_SIGN_OFF = re.compile(
    r"(?:^|[，,。.！!；;\s])(?:以上就是|以上是)[^，,。！!]{0,16}(?:发言|汇报|展示|报告|讲话|演讲|分享|介绍|述职内容|演示)[^，,。！!]{0,4}"
    r"(?:[，,]?\s*谢谢[^，,。！!]{0,4})?[。.！!]?$"
    r"|(?:我的|本次|今天的)(?:发言|汇报|展示|报告|讲话|演讲|分享|介绍|述职|演示|会议)(?:完毕|到此结束|就到这里|就到这儿|结束了)(?:[，,]?\s*谢谢[^，,。！!]{0,4})?[。.！!]?$"
    r"|我今天(?:要)?(?:讲|说)的就是这些(?:[，,]?\s*谢谢[^，,。！!]{0,4})?[。.！!]?$"
)
"""Words by which a speaker says the whole speech is over (以上就是我们的展示，谢谢！ 我的发言完毕。): the
line that ends on them is the speech's last, wherever it stands."""
_HEAD_ROWS = 8
"""How many rows from the top an editor's lead-in may stand in (title, byline, lead-in, salutation)."""
_LEAD_IN = re.compile(
    r"^[A-Za-z]{0,6}[【\[［〔]?(?:编者按|编者的话|编辑按|编者注|编后|导读|导语|摘要|内容提要|提要|核心提示|按语|引言提要|核心观点|精彩观点|本文要点|要点速览|观点速览|金句)[】\]］〕]?[：:]?"
)
_BOX_LABEL = re.compile(r"^[【\[［〔]?(?:核心观点|精彩观点|本文要点|要点速览|观点速览|金句|划重点|本文导读|内容提要)[】\]］〕]?[：:]?$")
_BULLET = re.compile(r"^(?:[·•●▪■◆◇○\-—*]|\d{1,2}[.、．)）]|[①-⑩])")
_BOX_ROWS = 12
_LEAD_IN_BRACKETED = re.compile(
    r"^[A-Za-z]{0,6}[【\[［〔](?:编者按|编者的话|编辑按|编者注|导读|导语|摘要|内容提要|提要|核心提示|按语|核心观点|精彩观点|本文要点)[】\]］〕]"
)
_HEADNOTE = re.compile(r"^[※*＊]?这是.{2,120}?(?:讲话|讲演|演讲|演说|报告|发言|致辞|谈话|讲稿|总结|答记者问|开幕词|闭幕词|祝词|贺词)[^。]{0,30}[。.]$")
_EDITOR_IN_BRACKETS = re.compile(r"^[（(](?:责编|责任编辑|编辑|来源|作者|记者|通讯员)[：:][^）)]*[）)]$")
_EDITORIAL_LINE = re.compile(
    r"^[（(](?:根据[^）)]{0,40}整理|据[^）)]{0,30}整理|有删节|节选|摘录|编者注[：:].*|本文[^）)]{0,80}|原载[^）)]*|选自[^）)]*|"
    r"转载自[^）)]*|注[：:].*|此文[^）)]{0,60}|这是[^）)]{0,80})[）)]$"
    r"|^[*＊]?(?:本文|此文)(?:为|是|系|根据|整理自|摘自|选自|原载)[^。]{4,120}(?:讲话|讲演|演讲|发言|致辞|报告|讲座|讲课|整理|删节).{0,80}$"
)
_SPACES = re.compile(r"\s+")
_LETTERS = re.compile(r"[\W_]+")
_NOTES_HEAD = re.compile(
    r"^#*\s*[【\[]?(?:注释|注解|注|附注|尾注|脚注|参考文献|参考资料|译注|校注|校订记录|校勘记|校记|勘误|编后记|编者后记|整理说明|版本说明|修订记录)[】\]]?[：:]?$"
)
_NOTE_LINE_SAFE = re.compile(r"^(?:〔\d{1,3}〕|［\d{1,3}］|\[\d{1,3}\]|\[注\s?\d{1,3}\s?\]|\[\^[^\]\s]{1,20}\]|注\s*\d{1,3}\s*[：:．.、]|[⑴-⒇])")
"""Note definitions that never open a speech paragraph."""
_NOTE_LINE_CIRCLED = re.compile(r"^[①-⑳]")
_NOTE_MARK_CIRCLED = re.compile(r"\S[①-⑳]")
_APPENDIX = re.compile(r"^(?:附件|附录|附表)\s*[0-9０-９一二三四五六七八九十]*\s*(?:[：:．.、]|$|\s)|^名词解释[：:]?$|^附[：:]")
_SPEECH_WORD = r"(?:演讲|讲话|致辞|致词|发言|报告|分享|对话|演说|讲演|演讲辞|讲辞)"
_FULL_TEXT_FOLLOWS = re.compile(
    rf"^(?:以下(?:是|为).{{0,60}}?{_SPEECH_WORD}?(?:原文|全文|实录|内容|整理|精华|摘编|节选)|{_SPEECH_WORD}?全文如下|{_SPEECH_WORD}(?:原文|全文|实录)[：:]?$)"
    rf"|^.{{2,80}}{_SPEECH_WORD}(?:原文|全文|实录)(?:如下)?[：:]$"
    # A news report ending "全文如下：", or a repost's "附：……演讲稿" over the speech it carries.
    rf"|^.{{2,200}}(?:全文|原文|实录)如下[：:]$|^附[：:].{{0,40}}(?:{_SPEECH_WORD}稿?|全文)$"
)
"""A line saying the speech itself follows: whatever stands between the title and it is the editor's."""
_APPENDIX_MAX = 60
_BARE_APPENDIX = 8
_SENTENCE = re.compile(r"[。！？!?；;…]")
_PLAIN_CONTINUATION = 16
"""A paragraph of this many characters with a sentence in it, after the closing, continues the speech."""


def apparatus_verdicts(rows: Sequence[Block], probes: Sequence[str], verdicts: Verdicts) -> Verdicts:
    """Rows that are the editors', not the speaker's: lead-ins, editorial lines, notes, appendices,
    and the site's matter after the closing words. `probes` are the rows' texts in simplified
    characters; rows already in `verdicts` keep their verdict."""
    found: Verdicts = {}
    taken = dict(verdicts)

    def take(i: int, reason: Reason) -> None:
        if i not in taken and probes[i]:
            found[i] = taken[i] = reason

    filled = [i for i, p in enumerate(probes) if p]
    # The head of the speech: its first rows that are not site matter already (a banner above
    # the title does not push the lead-in out of it).
    head = [i for i in filled if i not in verdicts][:_HEAD_ROWS]
    for i in head:
        lead = _lead_in(rows[i], _SPACES.sub("", probes[i]))
        if lead:
            take(i, lead)
        elif _BOX_LABEL.match(_SPACES.sub("", probes[i])):
            # 核心观点 over its points: the editor's box, the label and each point under it.
            take(i, Reason.LEAD_IN)
            for j in [j for j in filled if j > i][:_BOX_ROWS]:
                if not (rows[j].kind in ("list", "quote") or _BULLET.match(probes[j])):
                    break
                take(j, Reason.LEAD_IN)
    # (A repost may put a long report first: the line may stand up to three quarters down, with the
    # speech after it.)
    follows = next((k for k, i in enumerate(filled[: max(len(filled) * 3 // 4, _HEAD_ROWS)]) if _FULL_TEXT_FOLLOWS.match(probes[i])), None)
    if follows is not None:
        for k, i in enumerate(filled[: follows + 1]):
            titled = k == 0 and len(probes[i]) <= 60 and not _SENTENCE.search(probes[i])
            if rows[i].kind != "heading" and not titled:
                take(i, Reason.BEFORE_FULL_TEXT)
    for i in filled:
        if _EDITOR_IN_BRACKETS.match(probes[i]):
            take(i, Reason.PUBLICATION_IN_BRACKETS)
        if _EDITORIAL_LINE.match(probes[i]) or (probes[i][:1] in "※＊" and _HEADNOTE.match(probes[i])):
            take(i, Reason.EDITORIAL_LINE)
    for k, i in enumerate(head):
        again = [j for j in head[k + 1 :] if _LETTERS.sub("", probes[j]) == _LETTERS.sub("", probes[i])]
        if again and len(probes[i]) <= 60 and not _SENTENCE.search(probes[i]):  # a title, not a sentence
            # The copy the format declares a heading stays the title; the page's other copies go.
            for j in again if rows[i].kind == "heading" else [i]:
                take(j, Reason.REPEATED_TITLE)
    half = filled[len(filled) // 2] if filled else 0
    # A bare appendix head (附件1, 名词解释) on its own line opens the appendix after the first quarter
    # already: a report's appendices (十件民生实事, a glossary) can be a third of the file.
    quarter = filled[len(filled) // 4] if filled else 0
    appendix = next((i for i in filled if i not in taken and _APPENDIX.match(probes[i]) and len(probes[i]) <= _APPENDIX_MAX
                     and not _FULL_TEXT_FOLLOWS.match(probes[i])
                     and (i >= half or (i >= quarter and len(probes[i]) <= _BARE_APPENDIX))), None)  # fmt: skip
    notes = _notes_start(probes, filled, half, taken)
    if appendix is not None:
        for i in filled:
            if i >= appendix:
                take(i, Reason.APPENDIX)
    while notes is not None:  # a file of several speeches has a note block after each
        block = _note_block(rows, probes, filled, notes, taken)
        for i in block:
            take(i, Reason.NOTE)
        rest = [i for i in filled if i > block[-1]]
        notes = _notes_start(probes, rest, half, taken) if len(rest) > 3 else None
    if filled and rows[filled[-1]].kind == "heading" and probes[filled[-1]].endswith(("：", ":")):
        take(filled[-1], Reason.EMPTY_LABEL)  # 视频： over a video the copy lost
    last_closing = _closing(probes, filled, half, taken)
    if last_closing is not None:
        after = [i for i in filled if i > last_closing and i not in taken]
        if not any(_continues_speech(probes[i]) for i in after):
            for i in after:
                take(i, Reason.AFTER_CLOSING)
    signed_off = next((i for i in reversed(filled) if i not in taken and _SIGN_OFF.search(probes[i].rstrip())), None)
    if signed_off is not None:
        after = [i for i in filled if i > signed_off and i not in taken]
        while after and CLOSING_END.search(probes[after[0]]):  # 以上是我的汇报。 谢谢大家，欢迎指正。
            after.pop(0)
        # A speaker who says the speech is over has said it all, whatever sentences follow (the
        # site's report on the event, notes for questions); a new speech opens with its own
        # salutation or heading.
        if not any(rows[i].kind == "heading" or is_salutation(probes[i]) for i in after):
            for i in after:
                take(i, Reason.AFTER_CLOSING)
    return found


def _lead_in(row: Block, probe: str) -> Reason | None:
    if _LEAD_IN.match(probe) and (_LEAD_IN_BRACKETED.match(probe) or len(probe) > 6):
        return Reason.LEAD_IN
    if _HEADNOTE.match(probe) and len(probe) <= 200:
        return Reason.HEADNOTE
    if row.kind == "quote" and not (is_subtitle(probe) or date_of(probe) or speaker_of(probe)):  # > ——在……上的讲话 is the title block's
        return Reason.QUOTED_LEAD_IN
    if row.italic and len(probe) > 10:
        return Reason.ITALIC_SUMMARY
    return None


def _notes_start(probes: Sequence[str], filled: Sequence[int], half: int, taken: Verdicts) -> int | None:
    """Where the note block after the speech begins: a notes heading (after the first rows), or the
    first of a run of note definitions — 〔1〕 and [1] anywhere, circled numbers only in the second
    half and where the text carries circled note marks (elsewhere ① opens a list item)."""
    circled_marks = any(_NOTE_MARK_CIRCLED.search(probes[i]) for i in filled[: max(len(filled) // 2, 1)])
    for position, i in enumerate(filled):
        if i in taken:
            continue
        probe = probes[i]
        if position >= 3 and _NOTES_HEAD.match(_SPACES.sub("", probe)):
            return i
        safe = _NOTE_LINE_SAFE.match(probe)
        if safe or (i >= half and circled_marks and _NOTE_LINE_CIRCLED.match(probe)):
            run = [j for j in filled if j >= i][:2]
            if len(run) < 2 or all(_NOTE_LINE_SAFE.match(probes[j]) or _NOTE_LINE_CIRCLED.match(probes[j]) or j in taken for j in run):
                return i
    return None


def _note_block(rows: Sequence[Block], probes: Sequence[str], filled: Sequence[int], start: int, taken: Verdicts) -> list[int]:
    """The rows of the note block that opens at `start`: its head, its definitions, and the lines that
    run on from one (no blank line between, or one or two lines between two definitions). It ends
    where the speech resumes — a heading, a title, a salutation, a paragraph no definition holds — so
    a note block in the middle of a file (one of several speeches) takes nothing after it."""
    after = [i for i in filled if i >= start]
    marked = {i for i in after if i == start or _NOTE_LINE_SAFE.match(probes[i]) or _NOTE_LINE_CIRCLED.match(probes[i])}
    block: list[int] = []
    for k, i in enumerate(after):
        if i in marked:
            block.append(i)
            continue
        if i in taken:
            continue  # a page mark or a site's line inside the block: neither ends nor extends it
        if _resumes(rows[i], probes[i]):
            break
        runs_on = i == block[-1] + 1 or rows[i].continues
        next_marked = next((n for n, j in enumerate(after[k:]) if j in marked), None)
        if runs_on or (next_marked is not None and next_marked <= _NOTE_RUN_ON):
            block.append(i)
        else:
            break
    return block


_NOTE_RUN_ON = 2
"""Unmarked lines that may stand between two note definitions and still belong to them."""


def _resumes(row: Block, probe: str) -> bool:
    """A line that no note holds: a heading (declared or numbered), a title, or a salutation."""
    title = len(probe) <= _TITLE_MAX and not _SENTENCE.search(probe) and not re.search(r"[，,：:]", probe)
    return row.kind == "heading" or marker(probe) is not None or is_salutation(probe) or title or bool(_NOTES_HEAD.match(_SPACES.sub("", probe)))


_TITLE_MAX = 40


def _closing(probes: Sequence[str], filled: Sequence[int], half: int, taken: Verdicts) -> int | None:
    """The last row, in the second half, that holds the speech's closing words."""
    for i in reversed(filled):
        if i < half:
            return None
        if i not in taken and CLOSING_END.search(probes[i]):
            return i
    return None


def _continues_speech(probe: str) -> bool:
    return len(probe) >= _PLAIN_CONTINUATION and bool(_SENTENCE.search(probe))
