"""Relative dates (3小时前, 两天前, 昨晚8时35分, 大前天, 2 days ago, yesterday 15:30), read against
the page's reference time (its fetched_at), never the clock, so a re-ingest gives the same answer.

Precision follows what the text says: seconds or minutes ago → minute, hours ago → hour, days and
longer → day (months and years ago → month). Vague forms (日前 "a few days ago", 近日, 最近) are
no date at all. Input has already been through NFKC and ``arabise`` (so 两/三/十 are digits where a
unit follows; the unit-less counts 两, 半, 几 are read here).
"""
from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta

from pipelines.dates.clock import TIME, hour24
from pipelines.dates.numerals import cn_number

_COUNT = r"(\d+|[一二两兩三四五六七八九十〇零]{1,3}|半)"
_UNITS = {"秒": "s", "秒钟": "s", "秒鐘": "s", "分钟": "m", "分鐘": "m", "分": "m", "小时": "h",
          "小時": "h", "个小时": "h", "個小時": "h", "钟头": "h", "鐘頭": "h", "个钟头": "h", "天": "d",
          "日": "d", "周": "w", "週": "w", "星期": "w", "个星期": "w", "個星期": "w", "个月": "mo",
          "個月": "mo", "月": "mo", "年": "y"}
_UNIT_ALT = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
# the count must not be the tail of a date (9日前 in 2024年5月9日前 is "before May 9")
REL_RE = re.compile(rf"(?<![\d年月/.\-])(?<!\d\s){_COUNT}\s*(?:多)?\s*({_UNIT_ALT})\s*(?:之|以)?前"
                    r"(?![往来去进夕后述面列提景身期沿线台排])")
EN_REL_RE = re.compile(r"\b(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                       r"(second|minute|min|hour|hr|day|week|month|year)s?\s+ago\b", re.I)
_EN_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_EN_UNIT = {"second": "s", "minute": "m", "min": "m", "hour": "h", "hr": "h", "day": "d",
            "week": "w", "month": "mo", "year": "y"}
# longest first: 大前天 is three days back, not 前天
_NAMED = {"大前天": 3, "前天": 2, "前日": 2, "昨天": 1, "昨日": 1, "昨晚": 1, "昨夜": 1, "今天": 0,
          "今日": 0, "本日": 0, "今晨": 0, "今早": 0, "今晚": 0, "today": 0, "yesterday": 1}
_NAMED_PART = {"昨晚": "晚上", "昨夜": "夜里", "今晨": "早上", "今早": "早上", "今晚": "晚上"}
NAMED_RE = re.compile(
    r"(大前天|前天|前日|昨天|昨日|昨晚|昨夜|今天|今日|本日|今晨|今早|今晚|\btoday\b|\byesterday\b)"
    rf"\s*(?:at\s*)?(?:{TIME}(?:\s*(am|pm|a\.m\.|p\.m\.)(?![a-z]))?)?", re.I)
JUST_NOW_RE = re.compile(r"刚刚|剛剛|刚才|剛才|\bjust now\b", re.I)


def _count(s: str) -> int | float | None:
    if s == "半":
        return 0.5
    if s.isdigit():
        return int(s)
    return cn_number(s)


def _ago(base: datetime, n: float, unit: str) -> tuple[datetime, str]:
    if unit == "s":
        return (base - timedelta(seconds=n)).replace(microsecond=0), "second"
    if unit == "m":
        return (base - timedelta(minutes=n)).replace(second=0, microsecond=0), "minute"
    if unit == "h":
        return (base - timedelta(hours=n)).replace(second=0, microsecond=0), "hour"
    midnight = dict(hour=0, minute=0, second=0, microsecond=0)
    if unit in ("d", "w"):
        days = n * (7 if unit == "w" else 1)
        return (base - timedelta(days=days)).replace(**midnight), "day"
    months = int(n * (12 if unit == "y" else 1))
    y, m = divmod(base.year * 12 + base.month - 1 - months, 12)
    day = min(base.day, calendar.monthrange(y, m + 1)[1])
    return base.replace(year=y, month=m + 1, day=day, **midnight), "month"


def relative(s: str, base: datetime) -> tuple[datetime, str] | None:
    """The moment a relative phrase in ``s`` names, with its precision; None when there is none."""
    if JUST_NOW_RE.search(s):
        return base.replace(second=0, microsecond=0), "minute"
    if m := REL_RE.search(s):
        n, unit = _count(m[1]), _UNITS[m[2]]
        if n == 0.5:  # 半小时前, 半天前, 半个月前, 半年前: the next smaller unit, counted
            n, unit = {"h": (30, "m"), "d": (12, "h"), "mo": (15, "d"), "y": (6, "mo")}.get(unit, (0, unit))
        if n:
            return _ago(base, n, unit)
    if m := EN_REL_RE.search(s):
        n = int(m[1]) if m[1].isdigit() else _EN_NUM[m[1].lower()]
        return _ago(base, n, _EN_UNIT[m[2].lower()])
    if m := NAMED_RE.search(s):
        word = m[1].lower() if m[1].isascii() else m[1]
        day = base - timedelta(days=_NAMED[word])
        if m[3]:
            part = m[2] or (m[7] or "").lower() or _NAMED_PART.get(word)
            hh = hour24(int(m[3]), part)
            mi = int(m[4]) if m[4] else 0
            sec = m[5] or m[6]
            ss = int(sec) if sec else None
            if hh < 24 and mi < 60 and (ss is None or ss < 60):
                prec = "second" if ss is not None else ("minute" if m[4] else "hour")
                return day.replace(hour=hh, minute=mi, second=ss or 0, microsecond=0), prec
            return None
        return day.replace(hour=0, minute=0, second=0, microsecond=0), "day"
    return None
