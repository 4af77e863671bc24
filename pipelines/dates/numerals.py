"""Chinese numerals in dates and times → Arabic digits, before any date pattern runs.

Pages print 二〇二二年五月九日, 二0二二年 (a digit zero among Chinese numerals), 零七年八月二十九号
(a two-digit year), 十月31, 四月十三 (no 日), 十一点半 and 晚上七点零九分. Rewriting all of these to
digits once lets one set of digit patterns read every spelling. Only numerals glued to a date or
time unit (年/月/日/号/时/点/分/秒) are rewritten, so 十分重要 or 一点 in prose stay words unless a
date or time pattern later claims them.
"""
from __future__ import annotations

import re

CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "两": 2,
             "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUM = "〇○零Ｏ一二两兩三四五六七八九十"
_DIGIT_CLASS = "〇○零Ｏ一二两兩三四五六七八九0-9"
# a year spelt digit by digit: 二〇二二 / 二0二二 / 二零一七 (at least one Chinese numeral in it)
CN_YEAR4_RE = re.compile(rf"(?<![{_DIGIT_CLASS}])([{_DIGIT_CLASS}O]{{4}})(\s*年)")
# a two-digit year spelt digit by digit (零七年, 九零年, 一七年) only when a month follows
CN_YEAR2_RE = re.compile(rf"(?<![{_DIGIT_CLASS}十])([{_DIGIT_CLASS}]{{2}})(\s*年\s*[{CN_NUM}\d]{{1,3}}\s*月)")
# ROC years: 民國111年, 中華民國一一一年, 民国一百一十一年
ROC_YEAR_RE = re.compile(rf"(?:中華民國|中华民国|民國|民国)\s*([\d{CN_NUM}百]{{1,6}})\s*年")
# [C][C]{0,2} is [C]{1,3}, written so that the engine can skip ahead to a numeral
CN_UNIT_RE = re.compile(rf"([{CN_NUM}][{CN_NUM}]{{0,2}})\s*(月|日|号|號|时|時|點|点|分|秒)")
# 七月二十三 / 四月十三 (a day without 日 at the end of a month-day)
BARE_DAY_RE = re.compile(rf"(\d{{1,2}}\s*月)\s*([{CN_NUM}]{{1,3}})(?![{CN_NUM}\d月])")
SPOKEN_MIN_RE = re.compile(r"(\d{1,2}\s*[点點时時])\s*([零〇一二三四五六七八九十]{1,3})(?![\d分秒刻半钟鐘一二三四五六七八九十])")
HALF_RE = re.compile(r"(\d{1,2})\s*[时時点點]\s*半")
OCLOCK_RE = re.compile(r"(\d{1,2})\s*(?:点钟|點鐘)")
QUARTER_RE = re.compile(r"(\d{1,2})\s*[时時点點]\s*([一三1-3])\s*刻")


def cn_number(s: str) -> int | None:
    """十二 → 12, 二十九 → 29, 三十一 → 31, 九 → 9, 〇九 → 9, 一百一十一 → 111, 一一一 → 111."""
    if not s:
        return None
    if "百" in s:
        left, _, right = s.partition("百")
        hundreds = CN_DIGITS.get(left, 1) if left else 1
        rest = cn_number(right.lstrip("零〇")) if right.strip("零〇") else 0
        return None if rest is None else hundreds * 100 + rest
    if "十" in s:
        left, _, right = s.partition("十")
        if len(left) > 1 or len(right) > 1:
            return None
        tens = CN_DIGITS.get(left) if left else 1
        ones = CN_DIGITS.get(right) if right else 0
        return None if tens is None or ones is None else tens * 10 + ones
    value = 0
    for ch in s:
        if ch not in CN_DIGITS:
            return None
        value = value * 10 + CN_DIGITS[ch]
    return value


def _digits(run: str) -> str:
    return "".join(str(CN_DIGITS[c]) if c in CN_DIGITS else c for c in run)


# capital numerals (贰零贰伍年捌月拾伍日) and 廿/卅 (二十/三十) as the ordinary ones
_CAPITALS = {"壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "肆": "四", "伍": "五",
             "陆": "六", "陸": "六", "柒": "七", "捌": "八", "玖": "九", "拾": "十"}
_PLAIN_KEYS = tuple(_CAPITALS)


# a character one of arabise's rewrites needs (a numeral, O for 〇, 民 of 民国, 半/刻/钟 of the
# spoken clock): without one, arabise returns its text as it is, so it need not run at all
_NEEDED_RE = re.compile(f"[{CN_NUM}百民O半刻钟鐘廿卅{''.join(_PLAIN_KEYS)}]")
# gates: a part every match of the pattern named holds, in a form the engine finds fast (it opens
# with a character class); the rewrite runs only when its gate is found. The patterns open with
# a repeat or a look-behind, so on a whole page they are tried at every character.
# The year rewrites change only runs with a numeral or an O in them (digits stay digits).
_SPELT = "〇○零Ｏ一二两兩三四五六七八九"
_YEAR4_GATE = re.compile(rf"[{_SPELT}O][{_DIGIT_CLASS}O]{{0,3}}\s*年")
_YEAR2_GATE = re.compile(rf"[{_SPELT}][{_DIGIT_CLASS}]?\s*年")
_BARE_DAY_GATE = re.compile(rf"月\s*[{CN_NUM}]")
_HALF_GATE = re.compile(r"[时時点點]\s*半")
_QUARTER_GATE = re.compile(r"[时時点點]\s*[一三1-3]\s*刻")
_SPOKEN_MIN_GATE = re.compile(r"[点點时時]\s*[零〇一二三四五六七八九十]")


def arabise(text: str) -> str:
    """Every Chinese-numeral year, month, day, hour, minute and second of ``text`` in digits.

    Runs on whole pages too, so each rewrite runs only when the text holds what its pattern
    cannot match without (a plain ``in`` test or a gate: far cheaper than the pattern's scan)."""
    if not _NEEDED_RE.search(text):
        return text
    for capital in _PLAIN_KEYS:  # str.translate with a dict costs ~30 ns a character; these are rare
        if capital in text:
            text = text.replace(capital, _CAPITALS[capital])
    text = text.replace("廿", "二十").replace("卅", "三十")
    if "民" in text:
        text = ROC_YEAR_RE.sub(lambda m: f"民国{cn_number(m[1]) if cn_number(m[1]) is not None else m[1]}年",
                               text)
    if "年" in text:
        if _YEAR4_GATE.search(text):
            text = CN_YEAR4_RE.sub(lambda m: _digits(m[1]) + m[2], text)
        if _YEAR2_GATE.search(text):
            text = CN_YEAR2_RE.sub(lambda m: _digits(m[1]) + m[2], text)

    def unit(m: re.Match) -> str:
        n = cn_number(m[1])
        if n is None:
            return m[0]
        return f"{n:02d}{m[2]}" if m[2] in "分秒" else f"{n}{m[2]}"

    text = CN_UNIT_RE.sub(unit, text)
    if _BARE_DAY_GATE.search(text):
        text = BARE_DAY_RE.sub(lambda m: f"{m[1]}{cn_number(m[2])}日" if cn_number(m[2]) else m[0], text)
    # spoken clock: 十一点半 → 11:30, 3点一刻 → 3:15, 八点钟 → 8点
    if _HALF_GATE.search(text):
        text = HALF_RE.sub(r"\1:30", text)
    if _QUARTER_GATE.search(text):
        text = QUARTER_RE.sub(lambda m: f"{m[1]}:{15 * int(_digits(m[2])):02d}", text)
    if "点钟" in text or "點鐘" in text:
        text = OCLOCK_RE.sub(r"\1点", text)
    if not _SPOKEN_MIN_GATE.search(text):
        return text
    # 九点零九 / 八点十五 (minutes without 分)
    return SPOKEN_MIN_RE.sub(lambda m: f"{m[1]}{cn_number(m[2]):02d}" if cn_number(m[2]) is not None
                             and cn_number(m[2]) < 60 else m[0], text)
