"""The headline and the lines around it: <title> suffixes, the visible heading's characters,
kickers (引题) and 副题 in their own fields, （原标题：…） in original_title, and a body that never
starts with the headline."""
from __future__ import annotations

import pytest

from pipelines.extract import extract
from tests.test_extract import P1, P2, P3, STORY, TITLE, page

LONG = "全省推进城乡供水一体化：让群众喝上放心水——来自滇中三县的调查"


@pytest.mark.parametrize("title_tag,h1,head,expected", [
    (TITLE + "-星河新闻", "", "", TITLE),                 # bare hyphen before the site name
    (TITLE + "-36氪", "", "", TITLE),                     # … even before a digit
    ("净利1900万-2900万-财经频道-千华网", "", "", "净利1900万-2900万"),  # a range is not a separator
    (TITLE + " — 星河网", "", "", TITLE),
    (TITLE + "｜星河网", "", "", TITLE),
    (LONG + "_星河网", LONG, "", LONG),                   # —— inside the visible heading is kept
    (LONG + " - 星河网", LONG, f'<meta property="og:title" content="{LONG[:15]}">', LONG),
    ('昆明"一站式"服务上线_星河网', "昆明“一站式”服务上线", "", "昆明“一站式”服务上线"),
    ("昆明：供水管网改造完成(图)_星河网", "昆明:供水管网改造完成（图）", "", "昆明:供水管网改造完成（图）"),
    ("星河网", "昆明“一站式”服务上线", '<meta property="og:title" content=\'昆明"一站式"服务上线\'>',
     "昆明“一站式”服务上线"),
])
def test_headline_rules(title_tag, h1, head, expected):
    out = extract(page(title_tag=title_tag, h1=h1, head=head))
    assert out["title"] == expected


KICKER = "聚焦民生实事"
SUBTITLE = "——全市供水保障能力进一步提升"


@pytest.mark.parametrize("head_html", [
    f'<p class="yinti">{KICKER}</p><h1>{TITLE}</h1><p class="fubiaoti">{SUBTITLE}</p>',
    f'<div class="kicker">{KICKER}</div><h1>{TITLE}</h1><h2>{SUBTITLE}</h2>',
    f'<h3>{KICKER}</h3><h1>{TITLE}</h1><div class="sub-title">{SUBTITLE}</div>',
    f'<div class="title-box"><h2>{KICKER}</h2><div class="title"><h1>{TITLE}</h1></div><p>{SUBTITLE}</p></div>',
])
def test_kicker_and_subtitle_are_fields_not_body(head_html):
    html = page(h1="").replace("<h1></h1>", head_html)
    out = extract(html)
    assert (out["title"], out["kicker"], out["subtitle"]) == (TITLE, KICKER, SUBTITLE)
    assert out["body"] == "\n".join(STORY)


def test_kicker_and_headline_repeated_in_the_story_block():
    out = extract(page(paras=[KICKER, TITLE, SUBTITLE, *STORY]))
    assert (out["kicker"], out["subtitle"]) == (KICKER, SUBTITLE)
    assert out["body"] == "\n".join(STORY)


def test_headline_repeated_with_other_quotes_is_not_the_first_line():
    h1 = "昆明“一站式”服务上线"
    out = extract(page(title_tag=h1 + "_星河网", h1=h1, paras=['昆明"一站式"服务上线', *STORY]))
    assert out["body"] == "\n".join(STORY)


def test_channel_name_above_the_headline_is_no_kicker():
    out = extract(page(paras=["新闻", TITLE, *STORY]))
    assert out["kicker"] == "" and out["body"] == "\n".join(STORY)
    out = extract(page(h1="").replace("<h1></h1>", f'<div class="col">要闻 > 正文</div><h1>{TITLE}</h1>'))
    assert out["kicker"] == "" and out["body"] == "\n".join(STORY)


def test_a_standfirst_under_the_headline_stays_in_the_body():
    standfirst = "改造完成后，城区供水保障能力进一步提升，老旧小区水压不稳问题将得到解决"
    html = page(h1="").replace("<h1></h1>", f"<h1>{TITLE}</h1><h2>{standfirst}</h2>")
    assert extract(html)["subtitle"] == ""


@pytest.mark.parametrize("paras,expected_body", [
    ([P1, P2, P3, "（原标题：滇中供水管网改造提速）"], STORY),
    (["原标题：滇中供水管网改造提速", P1, P2, P3], STORY),
    ([P1, P2, P3 + "（原标题：滇中供水管网改造提速）"], STORY),
    ([P1, P2, P3, "(原題：滇中供水管網改造提速)"], STORY),
])
def test_original_title_line_moves_to_its_field(paras, expected_body):
    out = extract(page(paras=paras))
    assert out["body"] == "\n".join(expected_body)
    assert out["original_title"].replace("網", "网") == "滇中供水管网改造提速"


def test_original_title_printed_under_the_headline():
    out = extract(page(before='<div class="info">（原标题：滇中供水管网改造提速）</div>'))
    assert out["original_title"] == "滇中供水管网改造提速" and out["body"] == "\n".join(STORY)


def table_page(title_tag: str, footer: str = "") -> str:
    cells = "".join(f"<tr><td>{p}</td></tr>" for p in STORY)
    return f"""<html><head><title>{title_tag}</title></head><body>
<table><tr><td><a href="/">首页</a> <a href="/n/">新闻</a> <a href="/s/">社会</a></td></tr></table>
<table width="90%"><tr><td class="black18" align="center">{TITLE}</td></tr>
<tr><td>2024-05-09 10:21 来源：星河日报</td></tr><tr><td>【字号 大 中 小】</td></tr></table>
<table width="90%">{cells}</table><table><tr><td>{footer}</td></tr></table></body></html>"""


@pytest.mark.parametrize("title_tag,footer", [
    ("星河新闻网", "Copyright © 2024 星河新闻网 版权所有"),
    ("星河电视台", ""),
    ("星河在线", "星河在线 版权所有 滇ICP备12345678号"),
])
def test_title_tag_that_is_only_the_site_name(title_tag, footer):
    out = extract(table_page(title_tag, footer))
    assert out["title"] == TITLE and out["body"] == "\n".join(STORY)


def test_a_headline_title_tag_without_suffix_is_kept():
    assert extract(table_page(TITLE))["title"] == TITLE


def test_column_label_opening_the_heading_and_keyword_parts():
    out = extract(page(title_tag=TITLE + " 昆明_新闻中心_星河网", h1="【记者即时播报】" + TITLE))
    assert out["title"] == TITLE
    out = extract(page(title_tag=TITLE + "-供水,管网,改造,水务局,昆明,民生-星河网", h1=""))
    assert out["title"] == TITLE
