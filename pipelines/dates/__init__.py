"""Stage 3, page → published_at: collect dated candidates, normalise each, choose one.

dateparser alone returns None for labelled lines (发布时间：2022-05-09 10:21), reads year-less
month-days wrongly (04月24日 → 2004) and cannot read 二〇二二年五月九日, so this package reads the
forms Chinese pages print itself and calls dateparser only for latin month names:

  numerals.py    Chinese numerals → digits (二〇二二年, 零七年, 十月31, 十一点半)
  clock.py       day parts and the 12-hour clock (下午3时, 晚8:00, 凌晨)
  relative.py    3小时前, 两天前, 大前天, 昨晚8时35分, 2 days ago, yesterday 15:30
  labels.py      发布日期 over 成文日期 over 生效日期 over 更新时间/生成日期
  normalise.py   one string + reference time → ISO + precision (month/day/hour/minute/second)
  candidates.py  every dated string on a page, with its source
  choose.py      the choice among them, and find_published
  latin.py       dateparser, last and lazily

Naive times are China Standard Time (UTC+8); relative forms resolve against the page's
fetched_at, never the clock, so a re-ingest next year gives the same answer.
"""
from __future__ import annotations

from pipelines import StagePipeline
from pipelines.dates.candidates import PUBLISHED_META, collect_candidates, url_date
from pipelines.dates.choose import SOURCE_RANK, choose, find_published, parse_iso
from pipelines.dates.latin import dateparser_normalizer
from pipelines.dates.clock import PRECISIONS
from pipelines.dates.normalise import CST, MIN_YEAR, format_iso, local_day, normalize_date

__all__ = ["CST", "MIN_YEAR", "PRECISIONS", "PUBLISHED_META", "SOURCE_RANK", "DatesPipeline",
           "apply_dates", "choose", "collect_candidates", "dateparser_normalizer", "find_published",
           "format_iso", "local_day", "normalize_date", "parse_iso", "url_date"]


def apply_dates(page: dict, rules: dict | None = None) -> None:
    """The page's publication date into its article. Extract leaves its parse tree in ``_tree``
    and the body's text in ``_text`` (page_text, the string collect_candidates would join
    again); without them, the page is parsed and the text joined here."""
    from pipelines.extract import parse_html

    tree = page.get("_tree")
    if tree is None and page.get("html"):
        tree = parse_html(page["html"])
    article = page.setdefault("article", {})
    article.update(find_published(tree, page.get("final_url") or page.get("url") or "",
                                  page.get("fetched_at"), page.get("list_hint"), rules,
                                  title=article.get("title", ""),
                                  text=page.get("_text") if tree is page.get("_tree") else None))


class DatesPipeline(StagePipeline):
    stage = "dates"

    def apply(self, page: dict, rules: dict) -> None:
        apply_dates(page, rules)
