"""Write the offline mirror: three fictional Yunnan sites, their site files and the truth.

    python data/mirror/build.py      # rewrites data/mirror/<host>/, sites/, expected.jsonl

The output is committed so that the mirror is static and browsable; rerun after editing the
stories or the templates. expected.jsonl holds what a correct crawl must store per article URL.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from html import escape
from pathlib import Path

from build_dianchi import build_dianchi  # the fourth site: edge boilerplate and 信息公开 pages
from stories import SIDEBAR_HEADLINES, STORIES

HERE = Path(__file__).resolve().parent
GOV, PORTAL, DAILY = "www.yunling.gov.test", "yn.yunshang.test", "www.qicai-daily.test"


def day_of(i: int) -> int:
    return 8 + i % 14


def write(host: str, path: str, data: str | bytes, encoding: str = "utf-8") -> None:
    target = HERE / host / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))


def side_links(start: int, n: int, prefix: str) -> str:
    out = []
    for k in range(n):
        h = SIDEBAR_HEADLINES[(start + k) % len(SIDEBAR_HEADLINES)]
        slug = hashlib.md5(h.encode()).hexdigest()[:8]
        out.append(f'<li><a href="{prefix}{slug}.shtml" target="_blank">{escape(h)}</a></li>')
    return "\n".join(out)


# --- 云岭市人民政府: a TRS-style government portal served in GBK ---------------------------------
def gov_article(story: dict, i: int, pub: str) -> str:
    paras = "\n".join(f"<p style=\"text-indent:2em;\">{escape(p)}</p>" for p in story["paras"])
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{escape(story['title'])}_要闻动态_云岭市人民政府门户网站</title>
<meta name="SiteName" content="云岭市人民政府门户网站">
<meta name="SiteDomain" content="www.yunling.gov.test">
<meta name="SiteIDCode" content="5301000099">
<meta name="ColumnName" content="要闻动态">
<meta name="ColumnType" content="要闻动态">
<meta name="ArticleTitle" content="{escape(story['title'])}">
<meta name="PubDate" content="{pub}">
<meta name="ContentSource" content="云岭日报">
<meta name="Keywords" content="云岭,政务动态">
<link rel="stylesheet" href="/css/style.css">
<script src="/js/jquery.min.js"></script>
</head><body>
<div class="header"><div class="logo"><img src="/images/logo.png" alt="云岭市人民政府"></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li></ul></div>
<div class="main">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwdt/">政务动态</a> &gt; <a href="/zwdt/ywdt/">要闻动态</a></div>
<div class="arti">
<h3 class="h3class">{escape(story['title'])}</h3>
<div class="datetime">发布时间：{pub}&nbsp;&nbsp;来源：云岭日报&nbsp;&nbsp;浏览次数：<span id="count">1{i}6</span>&nbsp;&nbsp;【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</div>
<div class="view TRS_UEDITOR trs_paper_default trs_web">
{paras}
</div>
<div class="zrbj">责任编辑：张丽</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="dayin"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="xglj"><h4>相关链接</h4><ul>
<li><a href="/zwgk/">云岭市政府信息公开目录</a></li>
<li><a href="/hdjl/">市长信箱在线留言办理情况</a></li>
<li><a href="/bsfw/">云岭市政务服务事项清单</a></li></ul></div>
</div></div>
<div class="footer"><p>主办：云岭市人民政府办公室 承办：云岭市大数据中心</p>
<p>网站标识码：5301000099 滇ICP备05000099号 滇公网安备 53010202000999号</p>
<p>版权所有：云岭市人民政府 地址：云岭市政务中心1号楼 联系电话：0871-63600000</p></div>
</body></html>"""


def build_gov(expected: list) -> None:
    host = GOV
    items = []
    for i in range(14):
        story, d = STORIES[i], day_of(i)
        pub = f"2024-05-{d:02d} {9 + i % 8:02d}:{(i * 7) % 60:02d}"
        doc_id = 10100 + i
        path = f"/zwdt/ywdt/202405/t202405{d:02d}_{doc_id}.html"
        write(host, path, gov_article(story, i, pub), "gbk")
        link = path
        if i == 3:  # an old address that now redirects to the article
            link = f"/zwdt/ywdt/202405/t202405{d:02d}_{doc_id - 90}.html"
        items.append((link, story["title"], pub[:10]))
        expected.append({
            "site": "mirror-gov", "url": f"http://{host}{link}", "final_url": f"http://{host}{path}",
            "title": story["title"], "published_at": f"{pub.replace(' ', 'T')}:00+08:00",
            "published_precision": "minute", "first": story["paras"][0], "last": story["paras"][-1],
            "source": "云岭日报", "editor": "张丽", "author": "",
        })
    # a 404 and a PDF behind article-shaped links
    items.insert(2, ("/zwdt/ywdt/202405/t20240516_10300.html", "关于调整部分公交线路的通告", "2024-05-16"))
    items.insert(6, ("/zwdt/ywdt/202405/t20240515_10200.html", "云岭市2024年第一季度财政收支情况", "2024-05-15"))
    write(host, "/zwdt/ywdt/202405/t20240515_10200.html",
          b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    old, new = f"202405{day_of(3):02d}_{10103 - 90}", f"202405{day_of(3):02d}_{10103}"
    routes = {
        # an attachment served as text/html, as misconfigured portals do
        "/zwdt/ywdt/202405/t20240515_10200.html": {"content_type": "text/html"},
        f"/zwdt/ywdt/202405/t{old}.html": {"status": 301,
                                           "location": f"http://{host}/zwdt/ywdt/202405/t{new}.html"},
    }
    (HERE / host).mkdir(parents=True, exist_ok=True)
    (HERE / host / "_routes.json").write_text(json.dumps(routes, indent=1, ensure_ascii=False))
    per_page, pages = 6, []
    for start in range(0, len(items), per_page):
        pages.append(items[start:start + per_page])
    for n, chunk in enumerate(pages):
        rows = "\n".join(f'<li><a href=".{link[len("/zwdt/ywdt"):]}" title="{escape(t)}">{escape(t)}</a>'
                         f'<span>{date}</span></li>' for link, t, date in chunk)
        html = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>要闻动态_云岭市人民政府门户网站</title></head><body>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li></ul>
<div class="position">当前位置：首页 &gt; 政务动态 &gt; 要闻动态</div>
<ul class="list">{rows}</ul>
<div class="page"><script>createPageHTML({len(pages)}, {n}, "index", "html");</script></div>
<div class="footer">网站标识码：5301000099 滇ICP备05000099号</div></body></html>"""
        write(host, f"/zwdt/ywdt/index{'' if n == 0 else f'_{n}'}.html", html, "gbk")
    write(host, "/robots.txt", "User-agent: *\nDisallow: /admin/\n")
    site_toml(host, "mirror-gov", "云岭市人民政府（镜像）", "gov", [f"http://{host}/zwdt/ywdt/"],
              [r"/zwdt/ywdt/\d{6}/t\d{8}_\d+\.html$"], [], city="云岭")


# --- 云上云南: a Sina-style regional portal with 推荐 / 直播更多》 sidebars --------------------------
def portal_article(story: dict, i: int, pub_cn: str, pub: str, charset: str) -> str:
    paras = "\n".join(f"<p>　　{escape(p)}</p>" for p in story["paras"])
    attribution = "<p>　　（云上云南）</p>" if i % 2 == 0 else ""
    tuijian_cls = "blk-tuijian" if i % 3 else "box-3"  # some lists carry no telling class at all
    return f"""<!DOCTYPE html>
<html><head><meta charset="{charset}">
<title>{escape(story['title'])}_云上云南_云上网</title>
<meta name="keywords" content="云南,昆明">
<meta property="og:type" content="news">
<meta property="og:title" content="{escape(story['title'])}">
<meta name="weibo: article:create_at" content="{pub}:00">
<meta name="publishid" content="detail{i}">
</head><body>
<div class="top-nav"><a href="/">云上云南首页</a> | <a href="/news/">新闻</a> | <a href="/travel/">旅游</a> | <a href="/food/">美食</a> | <a href="/house/">房产</a></div>
<div class="main-content w1240">
<h1 class="main-title">{escape(story['title'])}</h1>
<div class="date-source"><span class="date">{pub_cn}</span><a class="source" href="http://{DAILY}/" target="_blank">七彩日报</a></div>
<div class="article" id="artibody">
{paras}
{attribution}
<p class="show_author">责任编辑：王晓萌</p>
</div>
<div class="{tuijian_cls}"><div class="tit">推荐</div><ul>
{side_links(i, 6, "/news/ent/detail-")}
</ul></div>
<div class="feed-card"><div class="feed-title"><span>直播</span><a href="/live/">更多》</a></div><ul>
{side_links(i + 6, 4, "/live/detail-")}
</ul></div>
<div class="article-share">分享到：<a href="#">微博</a><a href="#">微信</a><a href="#">QQ空间</a></div>
</div>
<div class="side-right"><div class="hot-rank"><h3>热门推荐</h3><ol>
{side_links(i + 3, 5, "/news/hot/detail-")}
</ol></div></div>
<div class="footer"><p>云上网版权所有 Copyright © 2024 All Rights Reserved</p></div>
</body></html>"""


def slug15(i: int) -> str:
    return "i" + hashlib.sha1(f"yunshang-{i}".encode()).hexdigest()[:14]


def build_portal(expected: list) -> None:
    host = PORTAL
    items = []
    for i in range(6, 20):
        story, d = STORIES[i], day_of(i)
        hh, mm = 10 + i % 9, (i * 11) % 60
        pub = f"2024-05-{d:02d} {hh:02d}:{mm:02d}"
        pub_cn = f"2024年05月{d:02d}日 {hh:02d}:{mm:02d}"
        path = f"/news/m/2024-05-{d:02d}/detail-{slug15(i)}.shtml"
        charset = "gb2312" if i in (7, 12) else "utf-8"  # two pages lie: they declare gb2312
        write(host, path, portal_article(story, i, pub_cn, pub, charset), "utf-8")
        items.append((path, story["title"], f"05月{d:02d}日 {hh:02d}:{mm:02d}"))
        last = "（云上云南）" if i % 2 == 0 else story["paras"][-1]
        expected.append({
            "site": "mirror-portal", "url": f"http://{host}{path}", "final_url": f"http://{host}{path}",
            "title": story["title"], "published_at": f"{pub.replace(' ', 'T')}:00+08:00",
            "published_precision": "minute", "first": story["paras"][0], "last": last,
            "source": "七彩日报", "editor": "王晓萌", "author": "",
        })
    for n, chunk in enumerate((items[:7], items[7:])):
        rows = "\n".join(f'<li><a href="{link}" target="_blank">{escape(t)}</a><span class="time">{date}</span></li>'
                         for link, t, date in chunk)
        nxt = '<a href="/news/index_2.shtml">下一页</a>' if n == 0 else '<a href="/news/">上一页</a>'
        html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻_云上云南_云上网</title></head>
<body><div class="top-nav"><a href="/">云上云南首页</a></div>
<div class="news-list"><ul>{rows}</ul></div><div class="pagebox">{nxt}</div>
<div class="hot-rank"><h3>热门推荐</h3><ol>{side_links(n, 5, "/news/hot/detail-")}</ol></div>
</body></html>"""
        write(host, "/news/index.html" if n == 0 else "/news/index_2.shtml", html)
    from email.utils import format_datetime
    from datetime import datetime

    rss_items = "\n".join(
        f"<item><title>{escape(t)}</title><link>http://{host}{link}</link>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(e['published_at']))}</pubDate></item>"
        for (link, t, _), e in zip(items, [e for e in expected if e["site"] == "mirror-portal"]))
    write(host, "/rss.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
          "<title>云上云南</title><link>http://yn.yunshang.test/</link>\n" + rss_items + "\n</channel></rss>\n")
    write(host, "/robots.txt", "User-agent: *\nDisallow: /search/\n")
    site_toml(host, "mirror-portal", "云上云南（镜像）", "portal", [f"http://{host}/news/"],
              [r"/news/[a-z]+/\d{4}-\d\d-\d\d/detail-i[a-z0-9]+\.shtml$"],
              [r"/news/index_\d+\.shtml$"], city="昆明")


# --- 七彩日报: a provincial daily with paginated lists and year-less list dates -------------------
def daily_article(story: dict, i: int, date_cn: str, related: str) -> str:
    paras = "\n".join(f"<p>　　{escape(p)}</p>" for p in story["paras"])
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(story['title'])}_七彩日报_七彩网</title>
<meta name="description" content="{escape(story['paras'][0][:60])}">
</head><body>
<div class="daohang"><a href="/">首页</a> <a href="/kunming/">昆明</a> <a href="/yunnan/">云南</a> <a href="/tiyu/">体育</a></div>
<div class="xleft fl">
<div class="layer" id="layer213">{escape(story['title'])}</div>
<div class="xt2 yh fl"><span>{date_cn}</span><span>来源：七彩日报</span><span>作者：{escape(story['author'])}</span></div>
<div class="xcont ohd clear" id="layer216">
{paras}
<p>　　责任编辑：李向阳</p>
</div>
<div class="xgxw"><h4>相关新闻：</h4><ul>{related}</ul></div>
<div class="xtbs"><span>【<a href="javascript:window.print()">打印</a>】</span><span>【<a href="javascript:window.close()">关闭</a>】</span></div>
</div>
<div class="xright fr"><div class="paihang"><h3>排行</h3><ol>{side_links(i + 1, 5, "/kunming/hot-")}</ol></div></div>
<div class="foot">七彩日报社 版权所有 滇ICP备06000123号 扫一扫关注七彩日报微信</div>
</body></html>"""


def build_daily(expected: list) -> None:
    host = DAILY
    items = []
    for n, i in enumerate(list(range(0, 6)) + list(range(11, 20))):
        story, d = STORIES[i], day_of(i)
        hh, mm = 7, (i * 3) % 60
        no_time = i == 4  # one article prints its day only
        date_cn = f"2024年05月{d:02d}日" + ("" if no_time else f" {hh:02d}:{mm:02d}")
        path = f"/system/2024/05/{d:02d}/0301{i:05d}.shtml"
        related = side_links(i + 2, 3, "/kunming/rel-")
        write(host, path, daily_article(story, i, date_cn, related))
        items.append((path, story["title"], f"{5}月{d}日"))
        expected.append({
            "site": "mirror-daily", "url": f"http://{host}{path}", "final_url": f"http://{host}{path}",
            "title": story["title"],
            "published_at": f"2024-05-{d:02d}T00:00:00+08:00" if no_time
            else f"2024-05-{d:02d}T{hh:02d}:{mm:02d}:00+08:00",
            "published_precision": "day" if no_time else "minute",
            "first": story["paras"][0], "last": story["paras"][-1],
            "source": "七彩日报", "editor": "李向阳", "author": story["author"],
        })
    # a link that robots.txt forbids: it must never be fetched
    items.insert(1, ("/private/system/2024/05/09/030199999.shtml", "内部稿件（不应抓取）", "5月9日"))
    pages = [items[k:k + 6] for k in range(0, len(items), 6)]
    for n, chunk in enumerate(pages):
        rows = "\n".join(f'<li><span class="fs1"><a href="{link}">{escape(t)}</a></span>'
                         f'<span class="fs2">{date}</span></li>' for link, t, date in chunk)
        links = " ".join(f'<a href="/kunming/index{"" if k == 0 else f"_{k + 1}"}.shtml">{k + 1}</a>'
                         for k in range(len(pages)))
        html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>昆明_七彩日报_七彩网</title></head>
<body><div class="daohang"><a href="/">首页</a></div><div class="xleft fl"><ul class="list">{rows}</ul>
<div class="page">{links}</div></div></body></html>"""
        write(host, f"/kunming/index{'' if n == 0 else f'_{n + 1}'}.shtml", html)
    urls = "\n".join(
        f"<url><loc>http://{host}{link}</loc><news:news><news:publication>"
        f"<news:name>七彩日报</news:name><news:language>zh</news:language></news:publication>"
        f"<news:publication_date>{e['published_at'][:10] if e['published_precision'] == 'day' else e['published_at']}</news:publication_date>"
        f"<news:title>{escape(t)}</news:title></news:news></url>"
        for (link, t, _), e in zip([i for i in items if "/private/" not in i[0]],
                                   [e for e in expected if e["site"] == "mirror-daily"]))
    write(host, "/sitemap_news.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
          '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
          'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "\n</urlset>\n")
    write(host, "/sitemap_index.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
          '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          f"<sitemap><loc>http://{host}/sitemap_news.xml</loc></sitemap></sitemapindex>\n")
    write(host, "/robots.txt", f"User-agent: *\nDisallow: /private/\nSitemap: http://{host}/sitemap_index.xml\n")
    site_toml(host, "mirror-daily", "七彩日报（镜像）", "news", [f"http://{host}/kunming/index.shtml"],
              [r"/system/\d{4}/\d\d/\d\d/\d+\.shtml$"], [r"/kunming/index_\d+\.shtml$"], city="昆明")


def site_toml(host, site_id, name, kind, start, article, follow, city="") -> None:
    def arr(xs):
        return "[" + ", ".join(f"'{x}'" for x in xs) + "]"

    text = f"""# Offline mirror site (fictional); served by `provnews serve-mirror` / `provnews demo`.
id = "{site_id}"
name = "{name}"
province = "云南"
city = "{city}"
kind = "{kind}"
verified = true
start_urls = {json.dumps(start)}
allowed_domains = ["{host.removeprefix('www.')}"]

[links]
article = {arr(article)}
follow = {arr(follow)}

[list]
max_pages = 10

[politeness]
delay = 0.0
concurrency = 8
"""
    (HERE / "sites").mkdir(exist_ok=True)
    (HERE / "sites" / f"{site_id}.toml").write_text(text, encoding="utf-8")


def main() -> None:
    for host in (GOV, PORTAL, DAILY):
        shutil.rmtree(HERE / host, ignore_errors=True)
    expected: list[dict] = []
    build_gov(expected)
    build_portal(expected)
    build_daily(expected)
    with open(HERE / "expected.jsonl", "w", encoding="utf-8") as f:
        for row in expected:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    (HERE / "sidebar_headlines.json").write_text(
        json.dumps(SIDEBAR_HEADLINES, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(expected)} articles written, and {build_dianchi()} for mirror-dianchi")
    from discovery_sites import build_all  # the link-discovery sites, with their own truth

    print(f"{build_all()} articles written for the discovery sites")


if __name__ == "__main__":
    main()
