"""Deterministic speech manuscripts of any length, for the benchmarks.

A manuscript is a title, a salutation, numbered sections (一、…) with sub-sections (（一）…), a
closing and a thank-you, in the style of the corpus. Every sentence carries numbers drawn from a
seeded generator, so no two sentences are alike and the chunk cache cannot dedupe the work away.
The same size and seed always give the same text.
"""

from __future__ import annotations

import random
from pathlib import Path

import cn2an

SECTION_CHARS = 4000
"""A level-1 heading about every this many characters."""
SUBSECTION_CHARS = 1300
PARAGRAPH_SENTENCES = (3, 6)

_TITLE = "在全市高质量发展推进会上的讲话"
_SALUTATION = "同志们："
_OPENING = (
    "今天，我们召开全市高质量发展推进会，主要任务是总结前一阶段工作，分析当前形势，部署下一步重点任务。"
    "刚才，几个部门和单位作了交流发言，讲得都很好，我都同意。下面，我再讲几点意见。"
)
_CLOSING = "同志们，目标已经明确，任务已经下达，关键在于落实。让我们以更加务实的作风、更加有力的措施，奋力开创高质量发展新局面！"
_THANKS = "谢谢大家！"

_SECTION_TOPICS = (
    "提高站位，充分认识高质量发展的重大意义", "突出重点，扎实推进产业转型升级", "深化改革，持续优化营商环境",
    "守牢底线，统筹发展和安全", "改善民生，不断增强群众获得感", "强化担当，切实转变工作作风",
    "聚焦创新，加快培育发展新动能", "协调联动，推动城乡融合发展",
)  # fmt: skip
_SUBSECTION_TOPICS = (
    "抓好重点项目建设", "抓好招商引资工作", "抓好安全生产监管", "抓好生态环境保护",
    "抓好就业社保工作", "抓好基层治理创新", "抓好财政金融服务", "抓好农业农村发展",
)  # fmt: skip
# {a} {b} {c}: small counts, {p}: a percentage, {y}: a year, {m}: a month, {k}: thousands.
_SENTENCES = (
    "今年以来，全市共开工重点项目{a}个，完成投资{k}亿元，同比增长{p}%。",
    "我们要坚持问题导向，对排查出的{b}处隐患逐一建立台账，限期整改到位。",
    "截至{m}月底，全市新增市场主体{k}户，其中高新技术企业{a}家。",
    "各级各部门要把思想和行动统一到市委的决策部署上来，确保第{a}批任务按期完成。",
    "{y}年，我们将围绕“{c}个一批”目标，集中力量办成一批打基础、利长远的大事。",
    "要健全责任清单、问题清单、整改清单，对第{b}项督办事项实行闭环管理。",
    "全市城镇新增就业{k}人，城镇调查失业率控制在{p}%以内，民生底线进一步兜牢。",
    "一些干部还存在等靠要思想，工作推一推动一动，这种状态必须在{m}月前彻底扭转。",
    "我们要深入开展“{c}大行动”，聚焦企业反映强烈的{b}个堵点问题，逐项研究解决。",
    "去年全市空气质量优良天数达到{a}天，主要河流断面水质达标率提升{p}个百分点。",
    "各县区要对照全年目标，倒排工期、挂图作战，确保第{c}季度实现时间过半、任务过半。",
    "要加强对{b}个重点行业领域的安全监管，坚决遏制较大以上事故发生。",
    "市财政今年安排专项资金{k}万元，重点支持{a}个民生项目和{c}个产业园区建设。",
    "要把招商引资作为“一把手”工程，全年力争引进亿元以上项目{a}个。",
    "对工作不力、进度滞后的{c}个单位，市委督查室要跟踪问效，必要时约谈主要负责同志。",
    "农村人居环境整治要再下功夫，年内完成{b}个行政村的改厕和污水治理任务。",
    "我们必须清醒地看到，当前经济恢复的基础还不牢固，{c}类风险隐患依然存在。",
    "要持续深化“放管服”改革，把企业开办时间压缩到{c}个工作日以内。",
    "各级领导干部要带头深入一线，每人每月至少走访{c}家企业，帮助解决实际困难。",
    "今年我们计划新建改建农村公路{a}公里，实施老旧小区改造{b}个。",
)

_DIGIT_FIELDS = {
    "a": lambda r: r.randint(12, 980),
    "b": lambda r: r.randint(3, 360),
    "c": lambda r: r.randint(2, 9),
    "p": lambda r: f"{r.randint(1, 29)}.{r.randint(1, 9)}",
    "y": lambda r: r.randint(2019, 2030),
    "m": lambda r: r.randint(1, 12),
    "k": lambda r: r.randint(1200, 98000),
}


def _sentence(rng: random.Random) -> str:
    template = rng.choice(_SENTENCES)
    return template.format(**{name: make(rng) for name, make in _DIGIT_FIELDS.items()})


def _paragraph(rng: random.Random) -> str:
    return "".join(_sentence(rng) for _ in range(rng.randint(*PARAGRAPH_SENTENCES)))


def manuscript(chars: int, seed: int = 0) -> str:
    """A manuscript of about `chars` characters (never fewer), the same for the same arguments."""
    rng = random.Random(f"speechcast-bench-{seed}")
    lines = [_TITLE, _SALUTATION, _OPENING]
    ending = [_CLOSING, _THANKS]
    size = sum(len(line) + 1 for line in lines + ending)
    section = 0
    while size < chars:
        section += 1
        heading = f"{cn2an.an2cn(section)}、{_SECTION_TOPICS[(section - 1) % len(_SECTION_TOPICS)]}"
        lines.append(heading)
        size += len(heading) + 1
        section_end = size + SECTION_CHARS
        sub = 0
        while size < min(section_end, chars):
            sub += 1
            subheading = f"（{cn2an.an2cn(sub)}）{_SUBSECTION_TOPICS[(sub - 1) % len(_SUBSECTION_TOPICS)]}"
            lines.append(subheading)
            size += len(subheading) + 1
            sub_end = size + SUBSECTION_CHARS
            while size < min(sub_end, chars):
                paragraph = _paragraph(rng)
                lines.append(paragraph)
                size += len(paragraph) + 1
    return "\n".join(lines + ending) + "\n"


def write_manuscript(folder: Path, chars: int, seed: int = 0) -> Path:
    """The manuscript of `chars` characters as folder/speech-<chars>.txt (UTF-8)."""
    path = Path(folder) / f"speech-{chars}.txt"
    path.write_text(manuscript(chars, seed), encoding="utf-8")
    return path
