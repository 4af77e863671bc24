"""dateparser, for what our own patterns leave: English month names with a day (May 9, 2024), and
the whole job in the dateparser-only comparison of `provnews eval`. It is slow (tens of strings a
second) and imported on first use only."""
from __future__ import annotations

import re
from datetime import datetime

_DATEPARSER = None


def _dp():
    global _DATEPARSER
    if _DATEPARSER is None:
        import dateparser

        _DATEPARSER = dateparser
    return _DATEPARSER


def dateparser_latin(s: str, base: datetime) -> tuple[datetime, str] | None:
    """English month names and other latin forms (strict: a day, month and year)."""
    from pipelines.dates.normalise import CST, _sane

    s = re.sub(r"^\s*(?:published|posted|updated|date|time)(?:\s+on)?\s*[:：]?\s*", "", s, flags=re.I)
    dt = _dp().parse(s, languages=["en"], settings={
        "RELATIVE_BASE": base.replace(tzinfo=None), "TIMEZONE": "Asia/Shanghai",
        "TO_TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past", "STRICT_PARSING": True,
    })
    if dt is None:
        return None
    dt = dt.astimezone(CST)
    if not _sane(dt, base):
        return None
    return dt, "minute" if re.search(r"\d{1,2}:\d{2}", s) else "day"


def dateparser_normalizer(text: str, base: datetime) -> tuple[datetime | None, str | None]:
    """dateparser alone as the normaliser (for comparison in `provnews eval`, not used in crawls)."""
    from pipelines.dates.normalise import CST

    try:
        dt = _dp().parse(text, settings={"RELATIVE_BASE": base.replace(tzinfo=None),
                                         "TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": True})
    except Exception:  # noqa: BLE001 - dateparser raises on odd inputs; that is a miss
        return None, None
    if dt is None:
        return None, None
    return dt.astimezone(CST), "minute" if re.search(r"\d:\d\d", text) else "day"
