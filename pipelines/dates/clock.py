"""Times of day as Chinese pages print them: day parts (上午, 下午, 晚, 凌晨 ...) and the 12-hour
clock they imply. Spelt-out forms (十一点半, 七点零九分) are already digits here (numerals.arabise).
"""
from __future__ import annotations

PRECISIONS = ("month", "day", "hour", "minute", "second")  # coarse to fine

# longest first, so 晚上 is not read as 晚 + 上
DAYPART = ("早上|早晨|清晨|上午|中午|下午|傍晚|晚上|晚间|晚間|夜里|夜裡|夜间|夜間|深夜|午夜|凌晨|早|晚|"
           "AM|PM|am|pm|a\\.m\\.|p\\.m\\.")
_AFTERNOON = {"下午", "傍晚", "PM", "pm", "p.m."}
_EVENING = {"晚上", "晚间", "晚間", "晚", "夜里", "夜裡", "夜间", "夜間", "深夜"}
_SMALL_HOURS = {"凌晨", "午夜", "AM", "am", "a.m.", "上午", "早上", "早晨", "清晨", "早"}


def hour24(hour: int, part: str | None) -> int:
    """下午3 → 15, 晚8 → 20, 中午1 → 13, 凌晨12 → 0, 夜里2 → 2 (after midnight), 晚上11 → 23,
    夜里12 → 0 (of the same date: the day a page prints is the one it means)."""
    if part in _AFTERNOON and hour < 12:
        return hour + 12
    if part in _EVENING and 5 <= hour < 12:
        return hour + 12
    if part in _EVENING and hour == 12:  # 夜里12点: midnight
        return 0
    if part == "中午" and hour < 11:
        return hour + 12
    if part in _SMALL_HOURS and hour == 12:
        return 0
    return hour


# a time after a date: [day part] H:MM[:SS] or [day part] H时 (hour alone); NFKC has made ： a colon
# and arabise has made 10时21分33秒 / 十一点半 digits; this pattern reads what they left
TIME = (rf"(?:({DAYPART})\s*)?(\d{{1,2}})\s*(?:[:时時点點]\s*(\d{{1,2}})\s*分?(?:\s*[:]\s*(\d{{1,2}})|\s*(\d{{1,2}})\s*秒)?"
        rf"|[时時点點](?!\s*\d))")
