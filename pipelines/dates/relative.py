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

from pipelines.dates.clock import PRECISIONS, TIME, hour24
from pipelines.dates.numerals import cn_number

_NUM = r"\d+|[一二两兩三四五六七八九十〇零]{1,3}"
# unit → (seconds, or None for calendar months; months; precision)
_UNITS = {"毫秒": (0.001, 0, "second"), "秒": (1, 0, "second"), "秒钟": (1, 0, "second"), "秒鐘": (1, 0, "second"),
          "分钟": (60, 0, "minute"), "分鐘": (60, 0, "minute"), "分": (60, 0, "minute"),
          "刻钟": (900, 0, "minute"), "刻鐘": (900, 0, "minute"),
          "小时": (3600, 0, "hour"), "小時": (3600, 0, "hour"), "钟头": (3600, 0, "hour"),
          "鐘頭": (3600, 0, "hour"), "天": (86400, 0, "day"), "日": (86400, 0, "day"),
          "周": (7 * 86400, 0, "day"), "週": (7 * 86400, 0, "day"), "星期": (7 * 86400, 0, "day"),
          "礼拜": (7 * 86400, 0, "day"), "月": (None, 1, "month"), "年": (None, 12, "month")}
_UNIT_ALT = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
# one piece of a span: 3小时, 两个半小时, 一年半, 半个月, 十几分钟 is vague (几 is no count)
_PIECE = rf"(?:{_NUM}|半)\s*多?\s*[个個]?\s*半?\s*(?:{_UNIT_ALT})\s*半?"
PIECE_RE = re.compile(rf"({_NUM}|半)\s*多?\s*([个個])?\s*(半)?\s*({_UNIT_ALT})\s*(半)?")
# a span (1天3小时, 2小时30分钟) + 前; the count must not be the tail of a date (9日前 in
# 2024年5月9日前 is "before May 9"), and 前往/前夕/前列 ... are words, not "ago"
REL_RE = re.compile(rf"(?<![\d年月/.\-])(?<!\d\s)((?:{_PIECE}\s*零?\s*){{1,3}})(?:之|以)?前"
                    r"(?![往来去进夕后述面列提景身期沿线台排])")
EN_REL_RE = re.compile(r"\b(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                       r"(second|minute|min|hour|hr|day|week|month|year)s?\s+ago\b", re.I)
_EN_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_EN_UNIT = {"second": "s", "minute": "m", "min": "m", "hour": "h", "hr": "h", "day": "d",
            "week": "w", "month": "mo", "year": "y"}
# longest first: 大前天 is three days back, not 前天
_NAMED = {"大前天": 3, "前天": 2, "前日": 2, "昨天": 1, "昨日": 1, "昨晚": 1, "昨夜": 1, "今天": 0,
          "今日": 0, "本日": 0, "今晨": 0, "今早": 0, "今晚": 0, "当晚": 0, "當晚": 0, "当天": 0,
          "當天": 0, "today": 0, "yesterday": 1}
_NAMED_PART = {"昨晚": "晚上", "昨夜": "夜里", "今晨": "早上", "今早": "早上", "今晚": "晚上",
               "当晚": "晚上", "當晚": "晚上"}
NAMED_RE = re.compile(
    r"(大前天|前天|前日|昨天|昨日|昨晚|昨夜|今天|今日|本日|今晨|今早|今晚|当晚|當晚|当天|當天|\btoday\b|\byesterday\b)"
    rf"\s*(?:at\s*)?(?:{TIME}(?:\s*(am|pm|a\.m\.|p\.m\.)(?![a-z]))?)?", re.I)
JUST_NOW_RE = re.compile(r"刚刚|剛剛|刚才|剛才|\bjust now\b", re.I)


def _count(s: str) -> float | None:
    if s == "半":
        return 0.5
    return int(s) if s.isdigit() else cn_number(s)


def _span(text: str, base: datetime) -> tuple[datetime, str] | None:
    """3小时前, 1天3小时前, 两个半小时前, 一年半前, 半个月前: the moment, at the finest unit said."""
    seconds, months, finest = 0.0, 0.0, "month"
    for m in PIECE_RE.finditer(text):
        n = _count(m[1])
        if n is None:
            return None
        n += 0.5 if (m[3] or m[5]) and m[1] != "半" else 0
        secs, mons, prec = _UNITS[m[4]]
        if m[4] == "月" and not m[2]:  # 3月前 is "before March", 3个月前 is three months ago
            return None
        if secs is None:
            months += n * mons
        else:
            seconds += n * secs
        if PRECISIONS.index(prec) > PRECISIONS.index(finest):
            finest = prec
    if months > 1200 or seconds > 100 * 366 * 86400:  # beyond a century: no publication date
        return None
    whole = int(months)
    seconds += (months - whole) * 30 * 86400
    seconds = round(seconds)
    if seconds < 0 or whole < 0:
        return None
    if seconds % 86400 and finest in ("day", "month"):
        finest = "hour"
    if seconds % 3600 and finest == "hour":
        finest = "minute"
    if months != whole and finest == "month":
        finest = "day"
    y, mo = divmod(base.year * 12 + base.month - 1 - whole, 12)
    dt = base.replace(year=y, month=mo + 1, day=min(base.day, calendar.monthrange(y, mo + 1)[1]))
    dt = (dt - timedelta(seconds=seconds)).replace(microsecond=0)
    if finest in ("day", "month"):
        return dt.replace(hour=0, minute=0, second=0), finest
    return (dt if finest == "second" else dt.replace(second=0)), finest


def _ago(base: datetime, n: int, unit: str) -> tuple[datetime, str] | None:
    """English: 3 hours ago (unit one of s m h d w mo y), read as its Chinese span."""
    word = {"s": "秒", "m": "分钟", "h": "小时", "d": "天", "w": "周", "mo": "个月", "y": "年"}[unit]
    return _span(f"{n}{word}", base)


def relative(s: str, base: datetime) -> tuple[datetime, str] | None:
    """The moment a relative phrase in ``s`` names, with its precision; None when there is none."""
    if JUST_NOW_RE.search(s):
        return base.replace(second=0, microsecond=0), "minute"
    if (m := REL_RE.search(s)) and (got := _span(m[1], base)):
        return got
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
