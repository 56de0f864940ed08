"""Decisions by evidence: several features of a line's form and place, weighed together into one score.

What the format says outright stays a rule (a Markdown heading, a Word heading style, a numbering that
runs in sequence). Whether a bold or short line heads a section or only stresses a sentence is not
said outright: it is weighed here. The weights are data (`weights.json` beside this module), fitted
on the development half of the corpus by `bench/fit.py` and checked there by cross-validation across
repositories; this module only reads them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

_SENTENCE_END = re.compile(r"[。！？!?]$")
_INNER_SENTENCE = re.compile(r"[。！？!?](?=.)")
_COMMA = re.compile(r"[，、；,;]")
#: An ordinal with no topic after it (第一, 其次): a cue in the speech's enumeration, no heading.
_ORDINAL_ONLY = re.compile(r"^(?:第[一二三四五六七八九十\d]+|首先|其次|再次|最后|其一|其二|其三)[。：:，,！!]?$")
_QUOTE = re.compile(r"[“”「」『』\"]")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Candidate:
    """A line (or a paragraph's bold lead) the format did not declare a heading, as structure found it."""

    title: str
    form: str
    """How it stands out: "bold" (a bold-only line), "bold-lead" (a bold sentence opening a
    paragraph), "plain" (a short line with no punctuation between paragraphs)."""
    body_after: int
    """Characters of text that follow before the next candidate (the rest of its line, or the next paragraph)."""
    previous_ends: bool
    """The text before it ends a sentence (or is a heading)."""
    next_is_heading: bool
    position: float
    """Where it stands in the manuscript, 0 at the top to 1 at the bottom."""
    span: int = 0
    """Paragraphs from it to the next heading or candidate: a heading governs a stretch of text."""


@dataclass(frozen=True)
class Context:
    """What the whole manuscript says about its candidates."""

    paragraphs: int
    by_form: Mapping[str, Sequence[str]]
    """The titles of every candidate of each form."""
    numbered: bool
    """Numbered headings run in sequence elsewhere in the manuscript."""


HEADING_FEATURES = (
    "length", "short", "long", "sentence_end", "inner_sentence", "commas", "colon_end", "question", "quoted",
    "latin_share", "bold", "bold_lead", "plain", "form_share", "form_count", "few", "parallel", "body_after", "span",
    "previous_ends", "next_is_heading", "near_end", "numbered",
)  # fmt: skip


def heading_features(candidate: Candidate, context: Context) -> dict[str, float]:
    """The features a heading-or-emphasis decision weighs, each about 0…1."""
    title = candidate.title.strip()
    same = context.by_form.get(candidate.form, ())
    return {
        "length": min(len(title), 60) / 20,
        "short": float(len(title) <= 15),
        "long": float(len(title) > 30),
        "sentence_end": float(bool(_SENTENCE_END.search(title))),
        "inner_sentence": float(bool(_INNER_SENTENCE.search(title))),
        "commas": min(len(_COMMA.findall(title)), 3) / 3,
        "colon_end": float(title.endswith(("：", ":"))),
        "question": float(title.endswith(("？", "?"))),
        "quoted": float(bool(_QUOTE.search(title))),
        "latin_share": len(_ASCII_WORD.findall(title)) / max(len(title), 1),
        "bold": float(candidate.form == "bold"),
        "bold_lead": float(candidate.form == "bold-lead"),
        "plain": float(candidate.form == "plain"),
        "form_share": min(len(same) / max(context.paragraphs, 1), 1.0),
        "form_count": math.log1p(len(same)) / 3,
        "few": float(2 <= len(same) <= 5),
        "parallel": float(_parallel(title, same)),
        "body_after": min(candidate.body_after, 300) / 100,
        "span": min(candidate.span, 10) / 10,
        "previous_ends": float(candidate.previous_ends),
        "next_is_heading": float(candidate.next_is_heading),
        "near_end": float(candidate.position > 0.9),
        "numbered": float(context.numbered),
    }


def topicless(title: str) -> bool:
    """An ordinal with nothing after it (第一, 其次) is a cue in the speech's enumeration: a heading
    states a topic."""
    return bool(_ORDINAL_ONLY.match(title.strip()))


def _parallel(title: str, others: Sequence[str]) -> bool:
    """Another candidate of the same form opens with the same three characters (展望新百年，… ×4)."""
    head = title[:3]
    return len(head) == 3 and sum(other.strip()[:3] == head for other in others) >= 2


@dataclass(frozen=True)
class Line:
    """A line the rules kept, where it stands among the others."""

    text: str
    """Its text in simplified characters."""
    kind: str
    """What its format said of it (text, heading, quote, list, table, html)."""
    bold: bool
    italic: bool
    linked: bool
    position: float
    """0 at the manuscript's first line of text, 1 at its last."""
    junk_near: int
    """Lines the rules took out among the two before it and the two after it."""
    junk_before: bool
    junk_after: bool
    before_salutation: bool
    """It stands above the salutation (between the title and 同志们：)."""
    after_closing: bool
    """It stands below the speech's last closing words (谢谢大家)."""
    repeated: int
    """How many other lines say the same."""


JUNK_FEATURES = (
    "length", "short", "sentences", "ends_sentence", "position", "head", "tail", "junk_near", "junk_before", "junk_after",
    "before_salutation", "after_closing", "latin", "digits", "symbols", "pipe", "label", "promotion", "narration",
    "bracketed", "heading", "quote", "list", "table", "bold", "italic", "linked", "repeated",
)  # fmt: skip
#: Words of the publishing around a speech: each is weak evidence alone, several together are strong.
_PROMOTION_WORDS = re.compile(
    r"预告|直播|报名|福利|活动|点击|链接|回放|查看|下载|关注|转发|分享|推荐|合作|赞助|广告|课程|购买|优惠|限时|免费|会员|订阅|扫码|二维码|"
    r"商务|投稿|联系|微信|公众号|小程序|视频号|原文|来源|编辑|作者|整理|图片|版权|转载|声明|出品|主办|承办|嘉宾|栏目|专栏|本期|往期|系列"
)
#: Words an editor writes about a talk, not the speaker in it.
_NARRATION_WORDS = re.compile(r"本文|笔者|记者|编者|小编|演讲者|他说|她说|他表示|她表示|指出|认为|介绍|演讲中|讲话中|发表了|发表演讲|作了|以下是|以下为")
_SYMBOL = re.compile(r"[^\w\s\u3000-\u303f\uff00-\uffef。，、；：？！“”‘’（）《》【】…—·,.;:?!'\"()\[\]<>-]")


def junk_features(line: Line) -> dict[str, float]:
    """The features a junk-or-speech decision weighs, each about 0…1."""
    text = line.text
    size = max(len(text), 1)
    return {
        "length": math.log1p(len(text)) / 6,
        "short": float(len(text) <= 20),
        "sentences": min(len(_SENTENCE_MARKS.findall(text)), 4) / 4,
        "ends_sentence": float(bool(_PARAGRAPH_END.search(text))),
        "position": line.position,
        "head": float(line.position < 0.1),
        "tail": float(line.position > 0.9),
        "junk_near": line.junk_near / 4,
        "junk_before": float(line.junk_before),
        "junk_after": float(line.junk_after),
        "before_salutation": float(line.before_salutation),
        "after_closing": float(line.after_closing),
        "latin": len(re.findall(r"[A-Za-z]", text)) / size,
        "digits": len(re.findall(r"\d", text)) / size,
        "symbols": min(len(_SYMBOL.findall(text)), 5) / 5,
        "pipe": float("|" in text or "｜" in text),
        "label": float(bool(re.match(r"^[\w\s]{1,8}[：:]", text))),
        "promotion": min(len(_PROMOTION_WORDS.findall(text)), 3) / 3,
        "narration": min(len(_NARRATION_WORDS.findall(text)), 2) / 2,
        "bracketed": float(text[:1] in "【[「『" or text[-1:] in "】]」』"),
        "heading": float(line.kind == "heading"),
        "quote": float(line.kind == "quote"),
        "list": float(line.kind == "list"),
        "table": float(line.kind == "table"),
        "bold": float(line.bold),
        "italic": float(line.italic),
        "linked": float(line.linked),
        "repeated": min(line.repeated, 3) / 3,
    }


_SENTENCE_MARKS = re.compile(r"[。！？!?；;]")
_PARAGRAPH_END = re.compile(r"[。！？!?…”’」』）)]$")


@dataclass(frozen=True)
class Weights:
    """A logistic model: a weight per feature, a bias and the score above which the answer is yes."""

    names: tuple[str, ...]
    values: tuple[float, ...]
    bias: float
    threshold: float = 0.5

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Weights:
        weights = data["weights"]
        assert isinstance(weights, Mapping)
        return cls(tuple(weights), tuple(float(v) for v in weights.values()), float(data["bias"]), float(data.get("threshold", 0.5)))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        return {"weights": dict(zip(self.names, self.values)), "bias": self.bias, "threshold": self.threshold}

    def score(self, features: Mapping[str, float]) -> float:
        """The probability the model gives the answer yes."""
        z = self.bias + sum(w * features.get(name, 0.0) for name, w in zip(self.names, self.values))
        return 1 / (1 + math.exp(-max(min(z, 40), -40)))


@cache
def fitted(decision: str) -> Weights:
    """The weights `bench/fit.py` wrote for a decision ("heading")."""
    data = json.loads(resources.files(__package__).joinpath("weights.json").read_text(encoding="utf-8"))
    return Weights.from_dict(data[decision])
