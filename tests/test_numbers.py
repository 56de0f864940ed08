from __future__ import annotations

import pytest

from pipeline.text.numbers import cardinal, digits, in_words


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        # years, digit by digit
        ("2023年", "二零二三年"),
        ("1949年10月1日", "一九四九年十月一日"),
        ("2021-2025年", "二零二一到二零二五年"),
        ("1000年", "一千年"),  # not a calendar year: a quantity
        # dates
        ("2023年5月1日", "二零二三年五月一日"),
        ("2023年05月01日", "二零二三年五月一日"),
        ("2023-05-01", "二零二三年五月一日"),
        ("2023/5/1", "二零二三年五月一日"),
        ("2023.05.01", "二零二三年五月一日"),
        # percentages
        ("3.5%", "百分之三点五"),
        ("增长12.5%", "增长百分之十二点五"),
        ("3%-5%", "百分之三到百分之五"),
        ("3-5%", "百分之三到百分之五"),
        ("5‰", "千分之五"),
        # decimals and integers
        ("0.05", "零点零五"),
        ("3.50元", "三点五零元"),
        ("1,234", "一千二百三十四"),
        ("共1,234,567.5元", "共一百二十三万四千五百六十七点五元"),
        ("100000000", "一亿"),
        ("第3名", "第三名"),
        ("温度-3度", "温度负三度"),
        # phone numbers and long codes, digit by digit
        ("13812345678", "一三八一二三四五六七八"),
        ("拨打010-12345678", "拨打零一零 一二三四五六七八"),
        ("400-800-1234", "四零零 八零零 一二三四"),
        ("编号007", "编号零零七"),
        # ranges
        ("3-5天", "三到五天"),
        ("10~20人", "十到二十人"),
        ("3至5年", "三到五年"),
        # times
        ("14:30", "十四点三十分"),
        ("14：30开会", "十四点三十分开会"),
        ("下午2:05", "下午两点零五分"),
        ("9:00", "九点整"),
        ("8:15:30", "八点十五分三十秒"),
        # ratios
        ("4.0∶37.7∶58.3", "四点零比三十七点七比五十八点三"),
        ("1:2", "一比二"),
        # full-width digits
        ("２０２３年", "二零二三年"),
        # Latin letters stay
        ("5G网络", "五G网络"),
        ("COVID-19", "COVID-十九"),
        ("没有数字。", "没有数字。"),
    ],
)
def test_normalize(text: str, spoken: str) -> None:
    assert in_words(text) == spoken


def test_no_digit_survives_a_mixed_paragraph() -> None:
    text = "2023年GDP增长5.2%，全年接待游客1,234万人次，热线12345678901，会议14:30开始，为期3-5天。"
    spoken = in_words(text)
    assert not any(ch.isdigit() and ch.isascii() for ch in spoken)
    assert spoken == ("二零二三年GDP增长百分之五点二，全年接待游客一千二百三十四万人次，热线一二三四五六七八九零一，会议十四点三十分开始，为期三到五天。")


def test_helpers() -> None:
    assert digits("0571") == "零五七一"
    assert cardinal("10") == "十"
    assert cardinal("1001") == "一千零一"
