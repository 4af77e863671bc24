"""One printed string + a reference time → (aware datetime in +08:00, precision), or (None, None).

The patterns run from the most to the least specific: labelled segments (publication first),
relative forms, compact ISO basic, full dates with a four-digit year, two-digit years, ROC years
(only with ``roc=True``), bare compact dates, RFC 822, clock-alone, year-less month-days, year-months,
then dateparser for latin month names. A candidate a pattern rejects (impossible, in the future,
before 1990, part of a range) is blanked out before the weaker patterns run, so 2016年 2月 5日 on a
page fetched in 2015 is not re-read as 2月 5日 of 2015: a rejected candidate is rejected whole.
Naive times are China Standard Time (UTC+8: the mainland, Hong Kong and Taiwan alike).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from pipelines.dates.clock import TIME, hour24
from pipelines.dates.labels import segments
from pipelines.dates.numerals import arabise
from pipelines.dates.relative import relative

CST = timezone(timedelta(hours=8), "CST")
MIN_YEAR = 1990

WEEKDAY_RE = re.compile(r"[（(]?\s*(?:星期|周|週|礼拜|禮拜)[一二三四五六日天]\s*[）)]?"
                        r"|[（(][一二三四五六日天月火水木金土][）)]")  # 2016年3月20日(日): a weekday too
_TZ = r"(Z|(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?(?![\d:])|UTC|GMT)"
_TAIL = rf"(?:\s*(?:T|-)?\s*{TIME}(?:\.\d+)?\s*{_TZ}?(?:\s*(AM|PM|am|pm))?)?"
# groups: y m d, daypart h mi s s2, tz, ampm
FULL_RE = re.compile(
    r"(?<![\d.])(\d{4})\s*(?:[-/.年]|\s)\s*(\d{1,2})\s*(?:[-/.月]|\s)\s*(\d{1,2})(?!\d)\s*[日号號]?" + _TAIL)
# 19年9月5日, 19-09-05, 19/9/5, 19.09.05 (dots: two-digit month and day, not a version number)
YY_RE = re.compile(
    r"(?<![\d./\-])(?<!\d:)(\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})|-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})"
    r"|\.(\d{2})\.(\d{2}))(?![\d./])\s*[日号號]?" + _TAIL)
ISO_BASIC_RE = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?")
COMPACT_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)" + _TAIL)
ROC_NUM_RE = re.compile(r"(?<![\d./\-])(?<!\d:)(\d{2,3})(?:\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})|([/.-])(\d{1,2})\4(\d{1,2}))"
                        r"(?![\d./])\s*[日号號]?" + _TAIL)
ROC_COMPACT_RE = re.compile(r"(?<!\d)(1[01]\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
# 9/5/2019 (month first, as US pages print it) and 05.09.2019 / 05-09-2019 (day first, European);
# the other reading when the first one is impossible
DMY_RE = re.compile(r"(?<![\d./\-])(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d{2})(?![\d./\-])" + _TAIL)
MONTH_RE = re.compile(r"(?<![\d.])(\d{4}|\d{2})\s*(?:年\s*(\d{1,2})\s*月|[/-](\d{1,2}))(?![\d/.\-])(?!\s*\d{1,2}\s*[日号])")
YEARLESS_RE = re.compile(r"(?<![\d年/.\-:])(\d{1,2})\s*(?:月\s*(\d{1,2})(?:\s*[日号號]|(?![\d/\-]))|[/-](\d{1,2})(?![\d/\-]))"
                         + _TAIL)
# a clock alone (15:37, 下午6:42:02, 15点30分, 凌晨3点): a minute, or an hour with a day part
CLOCK_ALONE_RE = re.compile(rf"^\s*(?:[^\d\s:]{{1,8}}:\s*)?{TIME}\s*$")
GLUED_COMPACT_RE = re.compile(r"(?<!\d)((?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))([01]\d|2[0-3])(?=:\d{2})")
GLUED_RE = re.compile(r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*)(\d{3,4})(?=\s*:\s*\d{2})")
# spans are no publication dates: 5月1日至5日, 2024.05.01-2024.05.03, 4月12-19日, 1-9月, 5月8日起
_TO = r"\s*(?:至|到|~|〜|—+|–|－|-)\s*"
RANGE_RE = re.compile(
    rf"(?:\d\s*[日号]|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d\s*月){_TO}(?:\d{{4}}\s*[年/.\-]\s*\d|\d{{1,2}}\s*[月日号])"
    rf"|月\s*\d{{1,2}}{_TO}\d{{1,2}}\s*[日号]|年\s*\d{{1,2}}{_TO}\d{{1,2}}\s*月"
    r"|(?:\d\s*[日号]|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})\s*(?:起|以来|至今|之后|以后)")
DAY_ALONE_RE = re.compile(r"^\s*(?:[^\d\s:]{1,8}:\s*)?(\d{1,2})\s*[日号號]" + _TAIL + r"\s*$")
MONTH_ALONE_RE = re.compile(r"^\s*(?:[^\d\s:]{1,8}:\s*)?(\d{1,2})\s*月(?:份)?\s*$")
ANCHOR_WORDS_RE = re.compile(r"今年|本年|去年|前年|本月|这个月|上个?月")
EPOCH_RE = re.compile(r"^\s*(1\d{9}|1\d{12})\s*$")
ROC_LABEL_RE = re.compile(r"民国\s*(\d{1,3})\s*年")
NOT_A_DATE_RE = re.compile(
    r"(?:农历|農曆|阴历|陰曆)\S*|"  # lunar dates are no Gregorian dates
    r"(?:今天是|今日是|今天日期)\s*[:：]?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|"  # a site header's clock
    r"第\s*\d{4}\s*期|\d{4}\s*年度|\d{3,4}-\d{7,8}|\(\d{3,4}\)\s*\d{7,8}|"
    r"(?:©|copyright|版权)\s*\d{4}\s*[-–~]\s*\d{4}|\d{4}\s*[-–~]\s*\d{4}\s*(?:版权|copyright)",
    re.IGNORECASE,
)
LATIN_MONTH_RE = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
LATIN_MONTH_YEAR_RE = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b", re.I)
_LATIN = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def _tz(s: str | None):
    if not s:
        return None
    s = s.replace(" ", "").upper()
    if s in ("Z", "UTC", "GMT"):
        return timezone.utc
    s = s.removeprefix("UTC").removeprefix("GMT")
    sign = 1 if s[0] == "+" else -1
    digits = s[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    if int(hours) > 14 or int(minutes) > 59:
        return None
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _make(y, mo, d, hh=None, mi=None, ss=None, tz=None, hour_only=False) -> tuple[datetime, str] | None:
    try:
        if hh is None:
            return datetime(y, mo, d, tzinfo=CST), "day"
        dt = datetime(y, mo, d, hh, mi or 0, ss or 0, tzinfo=tz or CST)
    except ValueError:
        return None
    prec = "second" if ss is not None else "hour" if hour_only else "minute"
    return dt.astimezone(CST), prec


def _sane(dt: datetime, base: datetime) -> bool:
    return dt.year >= MIN_YEAR and dt <= base + timedelta(days=1)


def _with_time(y: int, mo: int, d: int, m: re.Match, at: int) -> tuple[datetime, str] | None:
    """The date y-mo-d with the time groups of ``m`` starting at group ``at`` (see _TAIL)."""
    part, hh, mi, ss, ss2, tz, ampm = (m[at + i] for i in range(7))
    if hh is None:
        return _make(y, mo, d)
    sec = ss or ss2
    return _make(y, mo, d, hour24(int(hh), part or ampm), int(mi) if mi else None,
                 int(sec) if sec else None, _tz(tz), hour_only=mi is None)


def _century(yy: int, mo: int, d: int, base: datetime) -> int | None:
    """A two-digit year's century: the latest reading not after the reference and not before 1990."""
    for year in (2000 + yy, 1900 + yy):
        try:
            if MIN_YEAR <= year and datetime(year, mo, d, tzinfo=CST) <= base + timedelta(days=1):
                return year
        except ValueError:
            return None
    return None


def _unglue(m: re.Match) -> str:
    """2016年6月2911:30 → 2016年6月29 11:30, only when one split gives a valid day and hour."""
    run = m[2]
    splits = [(run[:i], run[i:]) for i in (1, 2) if len(run) - i in (1, 2)]
    ok = [(d, h) for d, h in splits if 1 <= int(d) <= 31 and int(h) <= 23]
    if len(ok) != 1:
        return m[0]
    return f"{m[1]}{ok[0][0]} {ok[0][1]}"


def _first(rx: re.Pattern, s: str, build, base: datetime) -> tuple[tuple[datetime, str] | None, str]:
    """The first match of ``rx`` that ``build`` turns into a sane date; every rejected match is
    blanked out of the string returned, so no weaker pattern can read a piece of it."""
    for m in rx.finditer(s):
        got = build(m)
        if got and _sane(got[0], base):
            return got, s
        s = s[:m.start()] + "#" * (m.end() - m.start()) + s[m.end():]
    return None, s


def canonical(text: str) -> str:
    """NFKC, not-a-date phrases blanked, numerals in digits, weekdays dropped, glued times split."""
    s = unicodedata.normalize("NFKC", str(text)).strip()[:300]
    s = NOT_A_DATE_RE.sub(" ", s)
    s = arabise(s)
    s = WEEKDAY_RE.sub(" ", s)
    s = GLUED_RE.sub(_unglue, s)
    s = GLUED_COMPACT_RE.sub(r"\1 \2", s)
    return re.sub(r"\s+", " ", s)


def normalize_date(text: str, base: datetime | None = None,
                   roc: bool = False) -> tuple[datetime | None, str | None]:
    """One string + a reference time → (aware datetime in +08:00, precision) or (None, None).

    ``base`` is the page's fetched_at (the clock only when none is given): it resolves relative,
    year-less, two-digit-year and clock-alone forms and rejects dates in the future (beyond one
    day of slack). ``roc``: the page is evidently Taiwanese (民國 label, .tw host, zh-Hant), so
    numeric years like 111/07/01 and 1110527 are Republic-of-China years."""
    if text is None:
        return None, None
    base = (base or datetime.now(CST)).astimezone(CST)
    for part in segments(unicodedata.normalize("NFKC", str(text))):
        got = _normalise_one(part, base, roc)
        if got is not None:
            return got
    return None, None


def _anchor(s: str, base: datetime) -> str:
    """今年/去年/前年 before a month and 本月/上月 before a day, written out against the reference."""
    if not ANCHOR_WORDS_RE.search(s):
        return s
    for word, back in (("今年|本年", 0), ("去年", 1), ("前年", 2)):
        s = re.sub(rf"(?:{word})\s*(?=\d{{1,2}}\s*月)", f"{base.year - back}年", s)
    prev = (base.replace(day=1) - timedelta(days=1))
    s = re.sub(r"(?:本月|这个月)\s*(?=\d{1,2}\s*[日号])", f"{base.year}年{base.month}月", s)
    return re.sub(r"(?:上个?月)\s*(?=\d{1,2}\s*[日号])", f"{prev.year}年{prev.month}月", s)


def _normalise_one(text: str, base: datetime, roc: bool) -> tuple[datetime, str] | None:
    s = canonical(text)
    if not s or RANGE_RE.search(s):
        return None
    if m := EPOCH_RE.match(s):  # 1715224860 or 1715224860000 in a meta tag or a data attribute
        dt = datetime.fromtimestamp(int(m[1][:10]), CST)
        return (dt, "second") if _sane(dt, base) else None
    s = _anchor(s, base)
    s = ROC_LABEL_RE.sub(lambda m: f"{int(m[1]) + 1911}年", s)

    got, s = _first(ISO_BASIC_RE, s, lambda m: _make(
        int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]) if m[6] else None, _tz(m[7])), base)
    if got:
        return got
    got, s = _first(FULL_RE, s, lambda m: _with_time(int(m[1]), int(m[2]), int(m[3]), m, 4), base)
    if got:
        return got
    if roc:
        got, s = _first(ROC_NUM_RE, s, lambda m: _with_time(
            int(m[1]) + 1911, int(m[2] or m[5]), int(m[3] or m[6]), m, 7), base)
        if got:
            return got
        got, s = _first(ROC_COMPACT_RE, s, lambda m: _make(int(m[1]) + 1911, int(m[2]), int(m[3])), base)
        if got:
            return got

    def yy(m: re.Match) -> tuple[datetime, str] | None:
        mo, d = (int(x) for x in next((m[i], m[i + 1]) for i in (2, 4, 6, 8) if m[i]))
        year = _century(int(m[1]), mo, d, base)
        return _with_time(year, mo, d, m, 10) if year else None

    got, s = _first(YY_RE, s, yy, base)
    if got:
        return got
    got, s = _first(COMPACT_RE, s, lambda m: _with_time(int(m[1]), int(m[2]), int(m[3]), m, 4), base)
    if got:
        return got
    if got := relative(s, base):  # after the absolute forms: 今日 is also a word in site names
        return got if _sane(got[0], base) else None
    got, s = _first(DMY_RE, s, _day_month_year, base)
    if got:
        return got
    if re.search(r"[A-Za-z]{3}", s):
        got = _rfc822(s, base)
        if got:
            return got
    if m := CLOCK_ALONE_RE.match(s):
        return _clock_alone(m, base)
    if m := DAY_ALONE_RE.match(s):  # 15日 / 二十五日 alone: the latest such day not after the reference
        day = base
        for _ in range(62):
            got = _with_time(day.year, day.month, day.day, m, 2) if day.day == int(m[1]) else None
            if got and got[0] <= base + timedelta(minutes=1):
                return got
            day -= timedelta(days=1)
        return None
    if m := MONTH_ALONE_RE.match(s):  # 5月 alone: the latest such month not after the reference
        mo = int(m[1])
        year = base.year if mo <= base.month else base.year - 1
        return (datetime(year, mo, 1, tzinfo=CST), "month") if 1 <= mo <= 12 else None

    def yearless(m: re.Match) -> tuple[datetime, str] | None:
        mo, d = int(m[1]), int(m[2] or m[3])
        for year in (base.year, base.year - 1):  # the latest such date not after the reference
            got = _with_time(year, mo, d, m, 4)
            if got and got[0] <= base + timedelta(minutes=1):
                return got
        return None

    got, s = _first(YEARLESS_RE, s, yearless, base)
    if got:
        return got

    def month(m: re.Match) -> tuple[datetime, str] | None:
        mo = int(m[2] or m[3])
        year = int(m[1]) if len(m[1]) == 4 else (_century(int(m[1]), mo, 1, base) if m[2] else None)
        if not year or not 1 <= mo <= 12:
            return None
        return datetime(year, mo, 1, tzinfo=CST), "month"

    got, s = _first(MONTH_RE, s, month, base)
    if got:
        return got
    m = LATIN_MONTH_YEAR_RE.search(s)
    if m and not re.search(r"\d", s[:m.start()] + s[m.end():]):  # May 2022: a month, no day
        got = datetime(int(m[2]), _LATIN.index(m[1].lower()) + 1, 1, tzinfo=CST), "month"
        return got if _sane(got[0], base) else None
    if LATIN_MONTH_RE.search(s):
        from pipelines.dates.latin import dateparser_latin

        return dateparser_latin(s, base)
    return None


def _day_month_year(m: re.Match) -> tuple[datetime, str] | None:
    a, b = int(m[1]), int(m[3])
    mo, d = (a, b) if m[2] == "/" else (b, a)
    if mo > 12:
        mo, d = d, mo
    return _with_time(int(m[4]), mo, d, m, 5)


def _rfc822(s: str, base: datetime) -> tuple[datetime, str] | None:
    try:  # RFC 822: Mon, 09 May 2022 10:21:00 +0800
        dt = parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    dt = (dt if dt.tzinfo else dt.replace(tzinfo=CST)).astimezone(CST)
    return (dt, "second" if dt.second else "minute") if _sane(dt, base) else None


def _clock_alone(m: re.Match, base: datetime) -> tuple[datetime, str] | None:
    """15:37 on a list page or beside a headline: that time today (the reference's day), as list
    pages print only the time for today's items; the usual slack of a day keeps it sane."""
    if m[3] is None and m[1] is None:  # 3点 alone is a count as often as a time
        return None
    hh, mi = hour24(int(m[2]), m[1]), int(m[3] or 0)
    sec = m[4] or m[5]
    ss = int(sec) if sec else None
    if hh > 23 or mi > 59 or (ss or 0) > 59:
        return None
    dt = base.replace(hour=hh, minute=mi, second=ss or 0, microsecond=0)
    return dt, "second" if ss is not None else "minute" if m[3] else "hour"


def format_iso(dt: datetime, precision: str) -> str:
    dt = dt.astimezone(CST)
    if precision == "second":
        return dt.replace(microsecond=0).isoformat()
    return dt.replace(second=0, microsecond=0).isoformat()


def local_day(published_at: str | None) -> str | None:
    """The publication day in China Standard Time (YYYY-MM-DD) of a stored ISO value.

    SQLite's date() converts +08:00 to UTC and moves evening stories to the previous day."""
    if not published_at:
        return None
    dt = datetime.fromisoformat(published_at.replace("Z", "+00:00"))
    return (dt if dt.tzinfo else dt.replace(tzinfo=CST)).astimezone(CST).date().isoformat()
