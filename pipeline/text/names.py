"""Whether a short run of characters is a Chinese personal name: a surname from the common list, then
one to three given-name characters (or a name with a middle dot, 买买提·艾力).

Only used where a name is expected (a speaker line under a title), so a common surname is evidence
enough; words that open with a surname character but are no name (谢谢, 同志们) are refused.
"""

from __future__ import annotations

import re

#: The surnames of about 99 % of the population (simplified forms; lines are simplified before
#: they are asked about), then the compound ones.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲"
    "翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫"
    "米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥"
    "南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相"
    "初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利"
    "於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由习洪"
)
_COMPOUND = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "端木",
    "西门",
    "南宫",
    "独孤",
    "呼延",
    "申屠",
)
#: Runs that open with a surname character but are words (谢谢, 高度, 同志们…) or forms of address.
_NOT_NAME = re.compile(r"们|大家|谢谢|我们|你们|同志|先生|女士|老师|领导|朋友|各位|全体|开幕|闭幕|前言|结语|总结|讲话|致辞|报告|发言|附件|目录|说明")
_DOTTED = re.compile(r"^[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}(?:·[\u4e00-\u9fff]{1,8})?$")


def is_name(text: str) -> bool:
    """`text` (simplified, no spaces) reads as a personal name."""
    if _DOTTED.match(text):
        return True
    if not 2 <= len(text) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in text) or _NOT_NAME.search(text):
        return False
    if text[:2] in _COMPOUND:
        return len(text) >= 3
    return text[0] in _SURNAMES
