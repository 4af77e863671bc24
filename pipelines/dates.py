"""Stage 3, page → published_at: collect dated candidates, normalise each, choose one.

dateparser alone returns None for labelled lines (发布时间：2022-05-09 10:21), reads year-less
month-days wrongly (04月24日 → 2004) and cannot read 二〇二二年五月九日. So the normaliser below
reads the forms Chinese pages print itself and calls dateparser only for what is left (English
month names and the like). Naive times are Asia/Shanghai; relative forms (3小时前, 昨天) resolve
against the page's fetched_at, never the clock, so a re-ingest next year gives the same answer.
Output: ISO 8601 with +08:00, a precision (second/minute/day/month) and the candidate's source.
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from pipelines import StagePipeline

CST = timezone(timedelta(hours=8), "CST")
MIN_YEAR = 1990
PRECISIONS = ("month", "day", "minute", "second")

CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "一": 1, "二": 2, "两": 2, "三": 3,
             "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUM = "〇○零Ｏ一二两三四五六七八九十"
# 二〇二二年 / 二零二二年: digit by digit; 五月 / 十二月 / 二十九日: with 十
CN_YEAR_RE = re.compile(rf"([{CN_NUM}O]{{4}})\s*年")
CN_MD_RE = re.compile(rf"([{CN_NUM}]{{1,3}})\s*(月|日|号|时|點|点|分)")

WEEKDAY_RE = re.compile(r"[（(]?\s*(?:星期|周|週|礼拜|禮拜)[一二三四五六日天]\s*[）)]?")

FULL_RE = re.compile(
    r"(?<![\d])(\d{4})\s*(?:[-/.年]|\s)\s*(\d{1,2})\s*(?:[-/.月]|\s)\s*(\d{1,2})(?![\d])\s*[日号]?"
    r"(?:\s*(?:T|\s)?\s*(上午|下午|晚上|中午|凌晨|早上|傍晚|夜间|AM|PM|am|pm)?\s*"
    r"(\d{1,2})\s*[:：时點点]\s*(\d{1,2})\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?"
    r"(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?"
    r"(?:\s*(AM|PM|am|pm))?)?"
)
MONTH_RE = re.compile(r"(?<![\d])(\d{4})\s*[年/-]\s*(\d{1,2})\s*月?(?![\d])(?!\s*[-/.月]\s*\d)")
YEARLESS_RE = re.compile(
    r"(?<![\d年/.-])(\d{1,2})\s*[月/-]\s*(\d{1,2})\s*[日号]?(?![\d/-])"
    r"(?:\s*(上午|下午|晚上|中午|凌晨|早上)?\s*(\d{1,2})\s*[:：]\s*(\d{2})(?::(\d{2}))?)?"
)
COMPACT_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
ROC_RE = re.compile(r"民國\s*(\d{2,3})\s*年")
NOT_A_DATE_RE = re.compile(
    r"第\s*\d{4}\s*期|\d{4}\s*年度|\d{3,4}-\d{7,8}|\(\d{3,4}\)\s*\d{7,8}|"
    r"(?:©|copyright|版权)\s*\d{4}\s*[-–~]\s*\d{4}|\d{4}\s*[-–~]\s*\d{4}\s*(?:版权|copyright)",
    re.IGNORECASE,
)
REL_MIN_RE = re.compile(r"(\d+)\s*(?:分钟|分鐘|分)\s*前")
REL_HOUR_RE = re.compile(r"(\d+|半)\s*(?:个)?\s*(?:小时|小時|鐘頭|钟头)\s*前")
REL_DAY_RE = re.compile(r"(\d+)\s*天\s*前")
REL_NAMED_RE = re.compile(r"(今天|今日|昨天|昨日|前天)\s*(?:(\d{1,2})\s*[:：]\s*(\d{2}))?")
LATIN_MONTH_RE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)


def _cn_number(s: str) -> int | None:
    """十二 → 12, 二十九 → 29, 三十一 → 31, 九 → 9, 〇九 → 9."""
    if not s:
        return None
    if "十" in s:
        left, _, right = s.partition("十")
        tens = CN_DIGITS.get(left, 1) if left else 1
        ones = CN_DIGITS.get(right, 0) if right else 0
        return tens * 10 + ones
    value = 0
    for ch in s:
        if ch not in CN_DIGITS:
            return None
        value = value * 10 + CN_DIGITS[ch]
    return value


def _arabise(text: str) -> str:
    text = CN_YEAR_RE.sub(lambda m: "".join(str(CN_DIGITS.get(c, c)) for c in m[1]) + "年", text)

    def md(m: re.Match) -> str:
        n = _cn_number(m[1])
        return f"{n}{m[2]}" if n is not None else m[0]

    return CN_MD_RE.sub(md, text)


def _hour24(hour: int, part: str | None) -> int:
    if part in ("下午", "晚上", "傍晚", "夜间", "PM", "pm") and hour < 12:
        return hour + 12
    if part in ("中午",) and hour < 11:
        return hour + 12
    if part in ("凌晨", "上午", "早上", "AM", "am") and hour == 12:
        return 0
    return hour


def _make(y, mo, d, hh=None, mi=None, ss=None, tz=None) -> tuple[datetime, str] | None:
    try:
        if hh is None:
            return datetime(y, mo, d, tzinfo=CST), "day"
        dt = datetime(y, mo, d, hh, mi or 0, ss or 0, tzinfo=tz or CST)
    except ValueError:
        return None
    return dt.astimezone(CST), "second" if ss is not None else "minute"


def _tz(s: str | None):
    if not s:
        return None
    if s == "Z":
        return timezone.utc
    sign = 1 if s[0] == "+" else -1
    digits = s[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def _sane(dt: datetime, base: datetime) -> bool:
    return dt.year >= MIN_YEAR and dt <= base + timedelta(days=1)


def normalize_date(text: str, base: datetime | None = None) -> tuple[datetime | None, str | None]:
    """One string + a reference time → (aware datetime in +08:00, precision) or (None, None).

    ``base`` is the page's fetched_at (the clock only when none is given): it resolves relative
    and year-less forms and rejects dates in the future (beyond one day of slack)."""
    if text is None:
        return None, None
    base = (base or datetime.now(CST)).astimezone(CST)
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if not s or len(s) > 300:
        s = s[:300]
    s = NOT_A_DATE_RE.sub(" ", s)
    s = ROC_RE.sub(lambda m: f"{int(m[1]) + 1911}年", s)
    s = _arabise(s)
    s = WEEKDAY_RE.sub(" ", s)
    s = re.sub(r"\s+", " ", s)

    # relative forms first: they carry no digits a full-date regex could misread
    if "刚刚" in s or "剛剛" in s:
        return base.replace(second=0, microsecond=0), "minute"
    if m := REL_MIN_RE.search(s):
        return (base - timedelta(minutes=int(m[1]))).replace(second=0, microsecond=0), "minute"
    if m := REL_HOUR_RE.search(s):
        minutes = 30 if m[1] == "半" else int(m[1]) * 60
        return (base - timedelta(minutes=minutes)).replace(second=0, microsecond=0), "minute"
    if m := REL_DAY_RE.search(s):
        day = (base - timedelta(days=int(m[1]))).replace(hour=0, minute=0, second=0, microsecond=0)
        return day, "day"
    if m := REL_NAMED_RE.search(s):
        back = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}[m[1]]
        day = base - timedelta(days=back)
        if m[2]:
            got = _make(day.year, day.month, day.day, int(m[2]), int(m[3]))
            if got and _sane(got[0], base):
                return got
        return day.replace(hour=0, minute=0, second=0, microsecond=0), "day"

    for m in FULL_RE.finditer(s):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        hh = _hour24(int(m[5]), m[4] or m[9]) if m[5] else None
        got = _make(y, mo, d, hh, int(m[6]) if m[6] else None,
                    int(m[7]) if m[7] else None, _tz(m[8]))
        if got and _sane(got[0], base):
            return got
    if m := COMPACT_RE.search(s):
        got = _make(int(m[1]), int(m[2]), int(m[3]))
        if got and _sane(got[0], base):
            return got
    if re.search(r"[A-Za-z]", s):
        try:  # RFC 822: Mon, 09 May 2022 10:21:00 +0800
            dt = parsedate_to_datetime(s)
            if dt is not None:
                dt = dt if dt.tzinfo else dt.replace(tzinfo=CST)
                dt = dt.astimezone(CST)
                if _sane(dt, base):
                    return dt, "second" if dt.second else "minute"
        except (TypeError, ValueError, IndexError):
            pass
    for m in YEARLESS_RE.finditer(s):
        mo, d = int(m[1]), int(m[2])
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            continue
        hh = _hour24(int(m[4]), m[3]) if m[4] else None
        for year in (base.year, base.year - 1):  # the latest such date not after the reference
            got = _make(year, mo, d, hh, int(m[5]) if m[5] else None, int(m[6]) if m[6] else None)
            if got and got[0] <= base + timedelta(minutes=1) and _sane(got[0], base):
                return got
    if m := MONTH_RE.search(s):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            dt = datetime(y, mo, 1, tzinfo=CST)
            if _sane(dt, base):
                return dt, "month"
    if LATIN_MONTH_RE.search(s):
        return _dateparser(s, base)
    return None, None


_DATEPARSER = None


def _dateparser(s: str, base: datetime) -> tuple[datetime | None, str | None]:
    """English month names and other latin forms; dateparser is slow, so it goes last."""
    global _DATEPARSER
    s = re.sub(r"^\s*(?:published|posted|updated|date|time)(?:\s+on)?\s*[:：]?\s*", "", s, flags=re.I)
    if _DATEPARSER is None:
        import dateparser

        _DATEPARSER = dateparser
    dt = _DATEPARSER.parse(s, languages=["en"], settings={
        "RELATIVE_BASE": base.replace(tzinfo=None), "TIMEZONE": "Asia/Shanghai",
        "TO_TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past", "STRICT_PARSING": True,
    })
    if dt is None:
        return None, None
    dt = dt.astimezone(CST)
    if not _sane(dt, base):
        return None, None
    has_time = bool(re.search(r"\d{1,2}:\d{2}", s))
    return dt, "minute" if has_time else "day"


# --- candidates -------------------------------------------------------------------------------
PUBLISHED_META = ("article:published_time", "og:release_date", "og:article:published_time",
                  "pubdate", "publishdate", "publish_date", "publish-date", "publishtime",
                  "firstpublishedtime", "published_time", "datepublished", "dc.date.issued",
                  "dc.date", "dcterms.created", "date", "sailthru.date", "parsely-pub-date",
                  "weibo:article:create_at", "article:published", "release_date", "createdate",
                  "ptime", "releasedate")
MODIFIED_META = ("article:modified_time", "og:updated_time", "lastmodified", "last-modified",
                 "datemodified", "weibo:article:update_at", "dcterms.modified")
DATE_CLASS_RE = re.compile(r"date|time|pubtime|publish|fbsj|ptime|info|source|laiyuan|riqi|shijian",
                           re.I)
LABELLED_RE = re.compile(r"(?:发布|發布|发表|發表|刊发|更新)?(?:时间|時間|日期)\s*[:：]\s*([^|｜]{6,40})")
URL_DATE_RES = (
    re.compile(r"/(\d{4})-(\d{2})[-/](\d{2})/"),              # /2022-05/09/ or /2022-05-09/
    re.compile(r"/(\d{4})(\d{2})/t(\d{4})(\d{2})(\d{2})_"),     # TRS /202205/t20220509_123
    re.compile(r"/(\d{4})/(\d{2})/(\d{2})/"),                  # /2022/05/09/
    re.compile(r"/(\d{4})/(\d{2})(\d{2})/"),                   # /2022/0509/ (people.com.cn)
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),          # /20220509/ or _20220509
)


def url_date(url: str, base: datetime) -> tuple[datetime, str] | None:
    for rx in URL_DATE_RES:
        m = rx.search(url or "")
        if not m:
            continue
        g = [int(x) for x in m.groups()]
        y, mo, d = (g[2], g[3], g[4]) if len(g) == 5 else (g[0], g[1], g[2])
        got = _make(y, mo, d)
        if got and _sane(got[0], base):
            return got
    return None


def _jsonld_dates(tree) -> list[tuple[str, str]]:
    out = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            obj = stack.pop()
            if isinstance(obj, list):
                stack.extend(obj)
            elif isinstance(obj, dict):
                for key, kind in (("datePublished", "published"), ("dateCreated", "published"),
                                  ("dateModified", "modified")):
                    if isinstance(obj.get(key), str):
                        out.append((obj[key], kind))
                stack.extend(v for v in obj.values() if isinstance(v, (dict, list)))
    return out


def collect_candidates(tree, url: str, base: datetime, list_hint: dict | None = None,
                       date_xpaths: list[str] | None = None, title: str = "",
                       normalizer=None) -> list[dict]:
    """Every dated string on the page, normalised, tagged with source and kind.

    ``normalizer`` (text, base) → (datetime, precision) defaults to normalize_date; evaluation
    swaps in dateparser to measure what our Chinese layer adds on the very same candidates."""
    cands: list[dict] = []
    normalizer = normalizer or normalize_date
    text_count = 0

    def add(text: str, source: str, kind: str = "published") -> None:
        dt, prec = normalizer(text, base)
        if dt is not None:
            cands.append({"dt": dt, "precision": prec, "source": source, "kind": kind, "text": text})

    if tree is not None:
        for text, kind in _jsonld_dates(tree):
            add(text, "jsonld", kind)
        for m in tree.iter("meta"):
            key = (m.get("name") or m.get("property") or m.get("itemprop") or "").lower()
            content = m.get("content") or ""
            if key in PUBLISHED_META:
                add(content, "meta")
            elif key in MODIFIED_META:
                add(content, "meta", "modified")
        for xp in date_xpaths or []:
            for el in tree.xpath(xp):
                add(el if isinstance(el, str) else " ".join(el.itertext()), "visible")
        body = tree.find(".//body")
        if body is not None:
            text = " ".join(" ".join(body.itertext()).split())
            for m in LABELLED_RE.finditer(text[:20000]):
                add(m.group(1), "visible")
                break
            # every full date printed in the text: low rank, but they give the time of day to a
            # better candidate of the same day, and they date forum and blog posts
            for m in FULL_RE.finditer(_arabise(unicodedata.normalize("NFKC", text[:30000]))):
                add(m.group(0), "text")
                text_count += 1
                if text_count >= 80:
                    break
            # the date line under the headline: the first full date within 200 characters
            at = text.find(" ".join(title.split())) if title else -1
            if at >= 0:
                near = text[at + len(title): at + len(title) + 200]
                m = FULL_RE.search(_arabise(unicodedata.normalize("NFKC", near)))
                if m:
                    add(m.group(0), "visible")
            for el in body.iter("span", "div", "p", "em", "i", "time", "font", "td", "li"):
                attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
                if el.tag == "time" and el.get("datetime"):
                    add(el.get("datetime"), "visible")
                elif DATE_CLASS_RE.search(attrs):
                    t = " ".join(" ".join(el.itertext()).split())
                    if 6 <= len(t) <= 120:
                        add(t, "visible")
                        if cands and cands[-1]["source"] == "visible":
                            break
    got = url_date(url, base)
    if got:
        cands.append({"dt": got[0], "precision": got[1], "source": "url", "kind": "published",
                      "text": url})
    if list_hint and list_hint.get("date"):  # beside the link on a list page, or in a feed/sitemap
        add(list_hint["date"], {"feed": "feed", "sitemap": "sitemap"}.get(list_hint.get("via"), "listpage"))
    return cands


SOURCE_RANK = {"jsonld": 0, "meta": 1, "visible": 2, "url": 3, "feed": 4, "sitemap": 4, "listpage": 4,
               "text": 5, "fallback": 6}
PUBLIC_SOURCE = {"text": "visible"}  # dates found in the text are visible dates too


def choose(cands: list[dict], fallback=None) -> dict | None:
    """Source priority, publication over modification, agreement with the URL date, and the
    more precise of two candidates that agree on the day.

    Dates merely found in the text ("text") never win over a page's date fields; they date a page
    only when nothing else does (after ``fallback``, htmldate's guess), but they may supply the
    time of day to a winner of the same day."""
    primary = [c for c in cands if c["source"] != "text"]
    texts = [c for c in cands if c["source"] == "text"]
    pool = [c for c in primary if c["kind"] == "published"] or primary
    if not pool:
        guess = fallback() if fallback else None
        if guess is not None:
            pool = [guess]
        elif texts:
            timed = [c for c in texts if PRECISIONS.index(c["precision"]) >= PRECISIONS.index("minute")]
            return (timed or texts)[0]
        else:
            return None
    url_c = next((c for c in pool if c["source"] == "url"), None)
    if url_c:
        agree = [c for c in pool if c["dt"].date() == url_c["dt"].date()]
        if agree:
            pool = agree
    pool = sorted(pool, key=lambda c: SOURCE_RANK[c["source"]])
    best = pool[0]
    if PRECISIONS.index(best["precision"]) < PRECISIONS.index("minute"):
        for c in pool[1:] + texts:
            if c["dt"].date() == best["dt"].date() and PRECISIONS.index(c["precision"]) > \
                    PRECISIONS.index(best["precision"]):
                return c
    return best


def _fallback(tree, url: str, base: datetime) -> dict | None:
    """htmldate's guess when the page offers nothing we read: a fallback, never the authority."""
    try:
        from htmldate import find_date
    except ImportError:
        return None
    try:
        found = find_date(tree, url=url or None, original_date=True, extensive_search=False,
                          outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - a guesser failing is no reason to fail the page
        return None
    if not found:
        return None
    dt, prec = normalize_date(found, base)
    if dt is None:
        return None
    return {"dt": dt, "precision": prec, "source": "fallback", "kind": "published", "text": found}


def parse_iso(value: str) -> datetime:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def dateparser_normalizer(text: str, base: datetime) -> tuple[datetime | None, str | None]:
    """dateparser alone as the normaliser (for comparison in `provnews eval`, not used in crawls)."""
    global _DATEPARSER
    if _DATEPARSER is None:
        import dateparser

        _DATEPARSER = dateparser
    try:
        dt = _DATEPARSER.parse(text, settings={"RELATIVE_BASE": base.replace(tzinfo=None),
                                               "TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": True})
    except Exception:  # noqa: BLE001 - dateparser raises on odd inputs; that is a miss
        return None, None
    if dt is None:
        return None, None
    return dt.astimezone(CST), "minute" if re.search(r"\d:\d\d", text) else "day"


def find_published(tree, url: str, fetched_at: str | datetime | None, list_hint: dict | None = None,
                   rules: dict | None = None, use_fallback: bool = True, title: str = "",
                   normalizer=None) -> dict:
    """{"published_at", "published_precision", "published_source"} (values None when no date)."""
    base = parse_iso(fetched_at) if isinstance(fetched_at, str) else (fetched_at or datetime.now(CST))
    cands = collect_candidates(tree, url, base, list_hint, (rules or {}).get("date_xpaths"), title,
                               normalizer)
    guess = (lambda: _fallback(tree, url, base)) if use_fallback and tree is not None else None
    best = choose(cands, guess)
    if best is None:
        return {"published_at": None, "published_precision": None, "published_source": None}
    return {
        "published_at": format_iso(best["dt"], best["precision"]),
        "published_precision": best["precision"],
        "published_source": PUBLIC_SOURCE.get(best["source"], best["source"]),
    }


def format_iso(dt: datetime, precision: str) -> str:
    dt = dt.astimezone(CST)
    if precision == "second":
        return dt.replace(microsecond=0).isoformat()
    return dt.replace(second=0, microsecond=0).isoformat()


def apply_dates(page: dict, rules: dict | None = None) -> None:
    from pipelines.extract import parse_html

    tree = page.get("_tree")
    if tree is None and page.get("html"):
        tree = parse_html(page["html"])
    article = page.setdefault("article", {})
    article.update(find_published(tree, page.get("final_url") or page.get("url") or "",
                                  page.get("fetched_at"), page.get("list_hint"), rules,
                                  title=article.get("title", "")))


class DatesPipeline(StagePipeline):
    stage = "dates"

    def apply(self, page: dict, rules: dict) -> None:
        apply_dates(page, rules)
