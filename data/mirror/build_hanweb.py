"""Mirror site for link discovery: 苍山市人民政府, a fictional Hanweb-style government portal (GBK).

The shapes discovery must handle on a real Hanweb portal, from its home page: columns at
/col/colNNNN/index.html (paginated index_2.html), articles at /art/YYYY/M/D/art_COL_ID.html, a
专题 whose index page has an article-shaped address, a 图片新闻 gallery linking image files,
notices whose links are attachments (.pdf, .docx, a downfile.jsp?filename=…), a tracking-parameter
twin of every home-page headline, an off-site 直播 link, and the portal's navigation words.
Called by build.py; writes its truth to expected_discovery.jsonl through the caller.
"""
from __future__ import annotations

from html import escape

import build as base
from discovery_sites import discovery_toml, truth_row
from stories import STORIES

HOST = "www.cangshan.gov.test"
NAV = ('<ul class="nav"><li><a href="/index.html">首页</a></li>'
       '<li><a href="/col/col1201/index.html">政务要闻</a></li><li><a href="/col/col1202/index.html">部门动态</a></li>'
       '<li><a href="/col/col1203/index.html">通知公告</a></li><li><a href="/col/col1206/index.html">图片新闻</a></li>'
       '<li><a href="/col/col1207/index.html">专题专栏</a></li></ul>'
       '<div class="tools"><a href="/col/col1/index.html">网站地图</a> <a href="/col/col2/index.html">联系我们</a> '
       '<a href="javascript:void(0)" onclick="aria()">无障碍</a> <a href="#top">返回顶部</a></div>')
FOOT = ('<div class="footer"><p>主办：苍山市人民政府办公室 承办：苍山市大数据中心</p>'
        '<p>网站标识码：5329000088 滇ICP备07000088号</p></div>')
# column → stories published in it (col 1208 is the 专题's own column, reachable only from it)
COLUMNS = {1201: list(range(0, 10)), 1202: list(range(10, 14)), 1203: [14, 15], 1208: [16, 17]}
NAMES = {1201: "政务要闻", 1202: "部门动态", 1203: "通知公告", 1206: "图片新闻", 1207: "专题专栏", 1208: "专题"}


def art_path(col: int, i: int) -> tuple[str, str]:
    d = base.day_of(i)
    return f"/art/2024/5/{d}/art_{col}_{45600 + i}.html", f"2024-05-{d:02d} {8 + i % 9:02d}:{(i * 13) % 60:02d}"


def article(story: dict, col: int, pub: str) -> str:
    paras = "\n".join(f"<p>{escape(p)}</p>" for p in story["paras"])
    return f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>{escape(story['title'])} {NAMES[col]} 苍山市人民政府</title>
<meta name="SiteName" content="苍山市人民政府"><meta name="ColumnName" content="{NAMES[col]}">
<meta name="ArticleTitle" content="{escape(story['title'])}"><meta name="PubDate" content="{pub}">
<meta name="ContentSource" content="苍山市融媒体中心">
</head><body>{NAV}
<div class="bt-position">您当前的位置：<a href="/index.html">首页</a> &gt; <a href="/col/col{col}/index.html">{NAMES[col]}</a></div>
<div class="main-article">
<div class="main-title">{escape(story['title'])}</div>
<div class="main-fl">发布时间：{pub}&nbsp;&nbsp;来源：苍山市融媒体中心&nbsp;&nbsp;【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a>】</div>
<div class="main-txt" id="zoom">
{paras}
</div>
<div class="main-editor">责任编辑：周敏</div>
<div class="main-tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>{FOOT}</body></html>"""


def list_page(title: str, rows: list[str], pager: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>{title} 苍山市人民政府</title></head><body>{NAV}
<div class="bt-position">您当前的位置：<a href="/index.html">首页</a> &gt; {title}</div>
<div class="default_pgContainer"><ul class="list">{"".join(rows)}</ul></div>
<div class="pager">{pager}</div>{FOOT}</body></html>"""


def row(path: str, title: str, date: str) -> str:
    return f'<li><a href="{path}" target="_blank" title="{escape(title)}">{escape(title)}</a><span class="bt-data-time">{date}</span></li>'


def build(expected: list) -> None:
    items: dict[int, list[tuple[str, str, str]]] = {}
    for col, stories in COLUMNS.items():
        items[col] = []
        for i in stories:
            path, pub = art_path(col, i)
            story = STORIES[i]
            base.write(HOST, path, article(story, col, pub), "gbk")
            items[col].append((path, story["title"], pub[:10]))
            expected.append(truth_row("mirror-hanweb", HOST, path, story, f"{pub.replace(' ', 'T')}:00+08:00",
                                      "苍山市融媒体中心", "周敏"))
    # 政务要闻: two pages
    news = items[1201]
    for n, chunk in enumerate((news[:6], news[6:])):
        pager = ('<a href="index_2.html">下一页</a> <a href="index_2.html">尾页</a>' if n == 0
                 else '<a href="index.html">首页</a> <a href="index.html">上一页</a>')
        base.write(HOST, f"/col/col1201/index{'' if n == 0 else '_2'}.html",
                   list_page("政务要闻", [row(*it) for it in chunk], pager), "gbk")
    base.write(HOST, "/col/col1202/index.html", list_page("部门动态", [row(*it) for it in items[1202]]), "gbk")
    notices = [row(*it) for it in items[1203]] + [
        row("/module/download/downfile.jsp?classid=0&filename=2405101030123.pdf",
            "苍山市2024年第一季度重点项目推进情况表", "2024-05-10"),
        row("/attach/0/2405111105456.docx", "关于公开征求苍山市养犬管理办法意见的公告附件", "2024-05-11")]
    base.write(HOST, "/col/col1203/index.html", list_page("通知公告", notices), "gbk")
    photos = "".join(f'<li><a href="/picture/0/24050{k}1030{k}23.jpg"><img src="/picture/0/s24050{k}1030{k}23.jpg">'
                     f'<p>{escape(STORIES[k]["title"])}（组图）</p></a></li>' for k in range(1, 7))
    base.write(HOST, "/col/col1206/index.html", list_page("图片新闻", [photos]), "gbk")
    topic_path, _ = art_path(1207, 3)
    base.write(HOST, "/col/col1207/index.html",
               list_page("专题专栏", [row(topic_path, "奋进新征程 建功新时代 苍山市在行动专题", "2024-05-11")]), "gbk")
    topic_rows = [row(*it) for it in items[1208] + news[:8]]
    base.write(HOST, topic_path, f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>奋进新征程 建功新时代 苍山市在行动专题 苍山市人民政府</title></head><body>{NAV}
<div class="zt-banner"><img src="/picture/0/zt_banner.jpg"></div>
<div class="zt-intro">苍山市在行动专题报道</div>
<div class="zt-list"><h3>最新报道</h3><ul>{"".join(topic_rows)}</ul></div>{FOOT}</body></html>""", "gbk")
    blocks = []
    for col in (1201, 1202, 1203):
        heads = "".join(f'<li><a href="{p}" target="_blank">{escape(t)}</a><span>{d[5:]}</span></li>'
                        for p, t, d in items[col][:5])
        blocks.append(f'<div class="block"><div class="block-title"><span>{NAMES[col]}</span>'
                      f'<a href="/col/col{col}/index.html" class="more">更多&gt;&gt;</a></div><ul>{heads}</ul></div>')
    slides = "".join(f'<li><a href="{p}?utm_source=index&amp;spm=3.1001.{k}"><img src="/picture/0/slide{k}.jpg">'
                     f'<span>{escape(t)}</span></a></li>' for k, (p, t, _) in enumerate(news[:4]))
    home = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>苍山市人民政府</title></head><body>{NAV}
<div class="slide"><ul>{slides}</ul></div>
<div class="live"><a href="http://live.cangshantv.test/zhibo/2024/0512/index.html" target="_blank">直播：苍山市2024年政务公开日新闻发布会</a></div>
{"".join(blocks)}
<div class="links">友情链接：<a href="http://www.yunling.gov.test/">云岭市人民政府</a> <a href="https://www.gov.test/">中国政府网（示例）</a></div>
{FOOT}</body></html>"""
    base.write(HOST, "/index.html", home, "gbk")
    base.write(HOST, "/col/col1/index.html", list_page("网站地图", [
        f'<li><a href="/col/col{c}/index.html">{NAMES[c]}</a></li>' for c in (1201, 1202, 1203, 1206, 1207)]), "gbk")
    base.write(HOST, "/col/col2/index.html", list_page("联系我们", ["<li>地址：苍山市政务中心 电话：0872-0000000</li>"]), "gbk")
    # an old address that now sends readers to another host (check-site must say so, not follow)
    base.write(HOST, "/_routes.json", '{"/old/index.html": {"status": 302, "location": "http://www.cangshan-new.test/"}}')
    base.write(HOST, "/robots.txt", "User-agent: *\nDisallow: /module/jslib/\n")
    discovery_toml(HOST, "mirror-hanweb", "苍山市人民政府（镜像）", "gov", f"http://{HOST}/",
                   [r"/art/\d{4}/\d+/\d+/art_120[1238]_\d+\.html$"],
                   [r"/col/col120[1-7]/index(_\d+)?\.html$", r"/art/\d{4}/\d+/\d+/art_1207_\d+\.html$"])
