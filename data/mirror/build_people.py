"""Mirror site for link discovery: 民声网·云南频道, a fictional people.com.cn-like channel (UTF-8).

The shapes of a people.com.cn regional channel, from its home page: channel pages at
/GB/NNNNNN/index.html with sub-columns /GB/NNNNNN/NNNNNN/index.html (paginated index2.html),
articles at /n2/YYYY/MMDD/cCOL-ID.html, a 专题 whose index has an article-shaped address, a
图片 gallery of image links, a PDF, tracking-parameter twins (?tt_from=weixin) and an off-site
直播 link. Called by build.py through discovery_sites.py.
"""
from __future__ import annotations

from html import escape

import build as base
from discovery_sites import discovery_toml, truth_row
from stories import STORIES

HOST = "yn.minsheng.test"
NAV = ('<div class="nav"><a href="/">首页</a><a href="/GB/378439/index.html">时政</a>'
       '<a href="/GB/378440/index.html">社会</a><a href="/GB/378441/index.html">图片</a>'
       '<a href="/GB/378450/index.html">专题</a><a href="http://www.minsheng.test/">民声网首页</a>'
       '<a href="/GB/378460/index.html">网站地图</a></div>')
FOOT = '<div class="footer"><p>民声网版权所有，未经书面授权禁止使用</p><p>Copyright © 2024 by minsheng.test all rights reserved</p></div>'
COLUMNS = {378501: list(range(4, 13)), 378502: [13, 14, 15], 378440: [16, 17, 18], 378451: [19, 0]}
NAMES = {378501: "州市", 378502: "要闻", 378440: "社会", 378451: "专题报道"}


def art_path(col: int, i: int, k: int) -> tuple[str, str]:
    d = base.day_of(i)
    return (f"/n2/2024/05{d:02d}/c{col}-{40837400 + 7 * k + i}.html",
            f"2024年05月{d:02d}日{9 + i % 10:02d}:{(i * 17) % 60:02d}")


def article(story: dict, col: int, pub: str) -> str:
    paras = "\n".join(f"<p>　　{escape(p)}</p>" for p in story["paras"])
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{escape(story['title'])}--云南频道--民声网</title>
<meta name="description" content="{escape(story['paras'][0][:60])}">
</head><body>{NAV}
<div class="route"><a href="/">云南频道</a>&gt;&gt;<a href="/GB/378439/{col}/index.html">{NAMES[col]}</a></div>
<div class="layout rm_txt"><div class="col col-1">
<h1>{escape(story['title'])}</h1>
<div class="channel"><div class="col-1-1">{pub} | 来源：民声网－云南频道</div></div>
<div class="rm_txt_con">
{paras}
<p>　　责任编辑：陈思远</p>
</div>
<div class="edit">（编辑：何杨）</div>
</div>
<div class="col col-2"><div class="hot"><h2>热点推荐</h2><ul>
<li><a href="http://live.minsheng-tv.test/n2/2024/0512/c1-1.html">直播：云南省2024年旅游发展大会开幕式</a></li>
</ul></div></div></div>
{FOOT}</body></html>"""


def list_page(title: str, rows: list[str], extra: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}--云南频道--民声网</title></head>
<body>{NAV}<div class="p2j_con02"><div class="ej_list_box"><h2>{title}</h2><ul class="list_16">{"".join(rows)}</ul>
{extra}</div></div>{FOOT}</body></html>"""


def row(path: str, title: str, date: str) -> str:
    return f'<li><a href="{path}" target="_blank">{escape(title)}</a><em>{date}</em></li>'


def build(expected: list) -> None:
    items: dict[int, list[tuple[str, str, str]]] = {}
    for col, stories in COLUMNS.items():
        items[col] = []
        for k, i in enumerate(stories):
            path, pub = art_path(col, i, k)
            story = STORIES[i]
            base.write(HOST, path, article(story, col, pub))
            items[col].append((path, story["title"], pub[:11]))
            expected.append(truth_row("mirror-people", HOST, path, story,
                                      f"2024-05-{pub[8:10]}T{pub[11:16]}:00+08:00", "民声网－云南频道", "陈思远"))
    # 时政 channel: two sub-columns, 州市 paginated (index.html, index2.html)
    zs = items[378501]
    for n, chunk in enumerate((zs[:5], zs[5:])):
        pager = ('<div class="page_n"><a href="index2.html">下一页</a></div>' if n == 0
                 else '<div class="page_n"><a href="index.html">上一页</a></div>')
        base.write(HOST, f"/GB/378439/378501/index{'' if n == 0 else '2'}.html",
                   list_page("州市", [row(*it) for it in chunk], pager))
    base.write(HOST, "/GB/378439/378502/index.html",
               list_page("要闻", [row(*it) for it in items[378502]] + [
                   row("/NMediaFile/2024/0516/YNMS202405161030000123.pdf", "云南省2024年政府工作报告全文（PDF版）",
                       "2024年05月16日")]))
    channel = "".join(
        f'<div class="box"><h2><a href="/GB/378439/{col}/index.html">{NAMES[col]}</a>'
        f'<a class="more" href="/GB/378439/{col}/index.html">更多</a></h2><ul>'
        + "".join(f'<li><a href="{p}?tt_from=weixin" target="_blank">{escape(t)}</a></li>' for p, t, _ in items[col][:3])
        + "</ul></div>" for col in (378501, 378502))
    base.write(HOST, "/GB/378439/index.html", list_page("时政", [], channel))
    # a video page at an article address: a title and a player, no sentence of text
    video = "/n2/2024/0512/c378442-40837999.html"
    base.write(HOST, video, f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>视频：滇池晨曦--云南频道--民声网</title></head>
<body>{NAV}<h1>视频：滇池晨曦</h1><div class="video"><video src="/NMediaFile/2024/0512/dc.mp4" controls></video></div>{FOOT}</body></html>""")
    base.write(HOST, "/GB/378440/index.html", list_page("社会", [row(*it) for it in items[378440]]
                                                         + [row(video, "视频：滇池晨曦 红嘴鸥北迁前的最后一次聚会", "2024年05月12日")]))
    base.write(HOST, "/GB/378460/index.html", list_page("网站地图", [
        f'<li><a href="/GB/378439/{c}/index.html">{NAMES[c]}</a></li>' for c in (378501, 378502)]))
    photos = "".join(f'<li><a href="/NMediaFile/2024/05{10 + k}/MAIN17152{k}4567890.jpg" target="_blank">'
                     f'<img src="/NMediaFile/2024/05{10 + k}/s{k}.jpg"></a>'
                     f'<a href="/NMediaFile/2024/05{10 + k}/MAIN17152{k}4567890.jpg">{escape(STORIES[k]["title"])}</a></li>'
                     for k in range(1, 7))
    base.write(HOST, "/GB/378441/index.html", list_page("图片", [photos]))
    topic_path, _ = art_path(378450, 2, 0)
    base.write(HOST, "/GB/378450/index.html",
               list_page("专题", [row(topic_path, "聚焦2024云南省两会专题报道", "2024年05月10日")]))
    topic_rows = [row(*it) for it in items[378451] + zs[:6] + items[378502][:1]]
    base.write(HOST, topic_path, f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>聚焦2024云南省两会--云南频道--民声网</title></head>
<body>{NAV}<div class="zt_banner"><img src="/NMediaFile/2024/0510/zt.jpg"></div>
<div class="zt_list"><h3>权威发布</h3><ul>{"".join(topic_rows[:4])}</ul></div>
<div class="zt_list"><h3>代表委员声音</h3><ul>{"".join(topic_rows[4:])}</ul></div>{FOOT}</body></html>""")
    heads = "".join(f'<li><a href="{p}" target="_blank">{escape(t)}</a></li>' for p, t, _ in (zs[:4] + items[378440][:2]))
    dups = "".join(f'<li><a href="{p}?tt_from=weixin&amp;utm_medium=share" target="_blank">{escape(t)}</a></li>'
                   for p, t, _ in zs[:3])
    home = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>云南频道--民声网</title></head>
<body>{NAV}<div class="focus"><ul>{dups}</ul></div>
<div class="live"><a href="http://live.minsheng-tv.test/zhibo/yn/20240512.html">直播：云南省2024年旅游发展大会</a></div>
<div class="p1_content"><h2><a href="/GB/378439/index.html">时政</a></h2><ul>{heads}</ul></div>
<div class="p1_right"><h2>图片</h2><a href="/GB/378441/index.html">更多</a></div>
{FOOT}</body></html>"""
    base.write(HOST, "/index.html", home)
    base.write(HOST, "/robots.txt", "User-agent: *\nDisallow: /search/\n")
    discovery_toml(HOST, "mirror-people", "民声网·云南频道（镜像）", "news", f"http://{HOST}/",
                   [r"/n2/\d{4}/\d{4}/c(3785\d\d|378440|378451)-\d+\.html$"],
                   [r"/GB/\d+/(\d+/)?index\d*\.html$", r"/n2/\d{4}/\d{4}/c378450-\d+\.html$"])
