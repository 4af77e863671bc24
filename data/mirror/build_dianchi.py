"""The mirror's fourth site: 滇池在线, a city portal whose pages carry what extraction must keep
out of a body — kickers (引题) and 副题 around the headline, the headline repeated in the story
block, （原标题：…） lines, platform disclaimers with their English twin, rights notices, tag and
promo lines, a comment box with its rules, 为您推荐 lists, a sidebar credit block — and a 政务公开
section whose pages open with a 信息公开 table (索引号, 发文机关, 文号 …) and end with attachments.

    python data/mirror/build.py       # builds all four sites (this module is called from there)

Written for provnews; every name, figure and quote here is invented. The site file goes to
``sites_extra/`` (crawled by tests/test_mirror_dianchi.py) and the truth to expected_dianchi.jsonl,
so the first three sites' crawl and counts stay as they are.
"""
from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOST = "www.dianchi-online.test"
SITE = "mirror-dianchi"
SITES_EXTRA = HERE / "sites_extra"
EXPECTED = HERE / "expected_dianchi.jsonl"

NEWS = [
    {"title": "官渡古镇夜市延长营业至凌晨一点", "kicker": "点亮夜间经济", "subtitle": "——首批42家商户参与试点",
     "original": "", "author": "石嘉禾",
     "paras": ["官渡区商务局5月10日宣布，官渡古镇夜市自本周起延长营业时间至次日凌晨一点，首批42家餐饮和文创商户参与试点。",
               "为保障夜间出行，区交通运输局同步加开两条夜间公交线路，末班车延至凌晨一点半，古镇周边新增临时停车位300个。",
               "区商务局相关负责人说，试点期间将每周收集商户和游客意见，视情况扩大参与范围。"]},
    {"title": "滇池东岸湿地迎来今年首批紫水鸡", "kicker": "", "subtitle": "",
     "original": "东岸湿地又见“紫精灵”", "author": "",
     "paras": ["记者从滇池保护管理部门了解到，5月上旬，观鸟爱好者在滇池东岸的宝丰湿地连续三天记录到紫水鸡活动，数量最多时达到7只。",
               "紫水鸡对水质和植被要求较高，近年来东岸湿地持续开展退塘还湖和芦苇带修复，为水鸟提供了更多栖息空间。",
               "管理部门提醒市民观鸟时保持距离，不要投喂，也不要使用闪光灯拍摄。"]},
    {"title": "呈贡大学城新增三条微循环公交", "kicker": "方便师生出行", "subtitle": "",
     "original": "", "author": "包一鸣",
     "paras": ["昆明公交集团5月12日起在呈贡大学城开通三条微循环公交线路，串联8所高校、2个地铁站和3个大型社区。",
               "新线路采用小型纯电动车，高峰时段发车间隔10分钟，平峰时段15分钟，票价统一为1元。",
               "公交集团表示，将根据开学后的客流数据调整站点和班次。"]},
    {"title": "盘龙江沿岸步道改造完工 全线贯通14公里", "kicker": "", "subtitle": "——沿线新增12处休憩点",
     "original": "盘龙江步道全线贯通", "author": "",
     "paras": ["盘龙江沿岸步道提升改造工程5月13日完工，从松华坝至滇池入湖口的14公里步道全线贯通。",
               "改造后的步道铺设了透水材料，沿线增设12处休憩点、6座公共卫生间和无障碍坡道，夜间照明也同步更新。",
               "市城管局表示，步道将实行网格化管护，市民发现设施损坏可拨打12319热线反映。"]},
    {"title": "晋宁区启动夏季蓝莓采摘季", "kicker": "", "subtitle": "",
     "original": "晋宁蓝莓熟了", "author": "钱素云",
     "paras": ["晋宁区5月14日在上蒜镇启动2024年夏季蓝莓采摘季，全区蓝莓种植面积达1.1万亩，预计产量8000吨。",
               "今年区农业农村局联合电商平台推出“认养一棵树”活动，消费者可在线认养蓝莓植株并到园采摘。",
               "采摘季将持续到7月底，部分果园提供免费接驳车，从晋宁东站出发约20分钟可达。"]},
    {"title": "安宁温泉小镇推出夏季错峰优惠", "kicker": "文旅消费季", "subtitle": "",
     "original": "", "author": "",
     "paras": ["安宁市文化和旅游局消息，5月15日至6月30日，温泉小镇12家温泉酒店推出工作日错峰优惠，最低可享五折。",
               "持昆明市民卡的游客在工作日入园还可免费参加温泉文化讲解和傍晚的露天音乐会。",
               "文旅部门提醒，热门酒店周末房源紧张，建议提前通过官方平台预订。"]},
]
DOCS = [
    {"title": "滇池市人民政府办公室关于加快推进城市更新行动的通知", "doc_number": "滇池政办发〔2024〕21号",
     "issuer": "滇池市人民政府办公室", "index": "11530100MB1234567X/2024-00101", "topic": "城乡建设",
     "paras": ["各区（县）人民政府，市直各部门：",
               "为加快推进城市更新行动，改善群众居住条件，经市人民政府同意，现就有关事项通知如下。",
               "各地要在6月底前完成老旧小区改造项目摸底，建立项目库，优先安排群众改造意愿强烈的小区。"],
     "attachments": ["1.城市更新项目摸底表.xlsx", "2.老旧小区改造技术导则.pdf"]},
    {"title": "滇池市人民政府关于公布第三批市级非物质文化遗产名录的通知", "doc_number": "滇池政发〔2024〕9号",
     "issuer": "滇池市人民政府", "index": "11530100MB1234567X/2024-00102", "topic": "文化",
     "paras": ["各区（县）人民政府，市直各部门：",
               "市人民政府同意市文化和旅游局确定的第三批市级非物质文化遗产名录共28项，现予公布。",
               "各地各有关部门要加强对名录项目的保护传承，做好传承人培养和资料记录工作。"],
     "attachments": ["第三批市级非物质文化遗产名录.pdf"]},
    {"title": "滇池市交通运输局关于调整部分出租汽车运价的公告", "doc_number": "",
     "issuer": "滇池市交通运输局", "index": "11530100MB7654321Y/2024-00033", "topic": "交通",
     "paras": ["根据成品油价格变化和出租汽车行业运营成本调查情况，经市人民政府批准，决定调整部分出租汽车运价。",
               "起步价由8元调整为9元，含3公里；超过3公里部分每公里1.8元，夜间加收20%。",
               "本公告自2024年6月1日起施行。"],
     "attachments": []},
]
SIDE = ["滇池沿岸新增五处观景平台", "昆明南站开通至大理新车次", "市民卡可乘坐全市公交地铁",
        "周末去哪儿：五个小众赏花地", "端午假期高速免费吗", "夏季用电高峰来临请错峰用电"]
NOTICE_ZH = ("特别声明：以上作品内容(包括在内的视频、图片或音频)为滇池在线自媒体平台“滇池号”用户上传并发布，"
             "本平台仅提供信息存储空间服务。")
NOTICE_EN = ("Notice: The content above (including the videos, pictures and audios if any) is uploaded "
             "and posted by a user of Dianchi Hao, which is a social media platform and only provides "
             "information storage services.")


def _write(path: str, text: str) -> None:
    target = HERE / HOST / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _links(prefix: str) -> str:
    return "".join(f'<li><a href="{prefix}{k}.html">{escape(h)}</a></li>' for k, h in enumerate(SIDE))


def _chrome_top() -> str:
    return ('<div class="topbar"><a href="/">滇池在线首页</a> | <a href="/news/">新闻</a> | '
            '<a href="/xxgk/">政务公开</a> | <a href="/hd/">互动</a></div>')


def _chrome_bottom() -> str:
    return ('<div class="side"><div class="credit"><p>出品：滇池在线 策划：黎言 监制：陶然</p></div>'
            f'<div class="hot"><h3>热点</h3><ol>{_links("/news/hot/")}</ol></div></div>'
            '<div class="footer"><p>滇池在线版权所有 Copyright © 2024 滇ICP备08000123号</p></div>')


def news_page(s: dict, i: int, pub: str) -> str:
    """One news page; the classes vary with i so each rule meets more than one shape."""
    head = f'<p class="yinti">{escape(s["kicker"])}</p>' if s["kicker"] and i % 2 == 0 else ""
    head += f'<h1>{escape(s["title"])}</h1>'
    if s["subtitle"]:
        head += f'<p class="fubiaoti">{escape(s["subtitle"])}</p>'
    story = [f"<p>{escape(p)}</p>" for p in s["paras"]]
    if i % 2:  # the story block repeats the kicker and the headline above the story
        story = ([f"<p>{escape(s['kicker'])}</p>"] if s["kicker"] else []) + \
            [f"<p><strong>{escape(s['title'])}</strong></p>"] + story
    if s["original"]:
        line = f"<p>（原标题：{escape(s['original'])}）</p>"
        story = [story[0], line, *story[1:]] if i == 4 else [*story, line]
    if i % 3 == 1:
        story.append("<p>关注我，每天推送滇池边的新鲜事。</p>")
    story.append(f"<p>标签：{'　'.join(['昆明', '民生'][: 1 + i % 2])}</p>")
    notices = f"<p>{NOTICE_ZH}</p><p>{NOTICE_EN}</p>" if i % 2 else \
        "<p>版权声明：本文版权为滇池在线所有，转载请注明出处。</p>"
    byline = f"　作者：{escape(s['author'])}" if s["author"] else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{escape(s['title'])}-滇池在线</title>
<meta name="keywords" content="昆明,滇池">
</head><body>{_chrome_top()}
<div class="main"><div class="article-head">{head}
<div class="info">发布时间：{pub}　来源：滇池晨报{byline}</div></div>
<div class="article-content">
{''.join(story)}
{notices}
</div>
<p class="zrbj">责任编辑：周琳</p>
<div class="pl-box"><p>网友评论仅供其表达个人看法，并不表明滇池在线立场。</p><textarea></textarea><p>已有0条评论</p></div>
<div class="wntj"><h3>为您推荐</h3><ul>{_links("/news/tj/")}</ul></div>
</div>{_chrome_bottom()}</body></html>"""


def doc_page(d: dict, i: int, pub: str) -> str:
    """One 政务公开 page: metadata table, headline, text, attachments."""
    table = f"""<div class="xxgk-meta"><table>
<tr><td>索 引 号：</td><td>{d['index']}</td><td>主题分类：</td><td>{d['topic']}</td></tr>
<tr><td>发文机关：</td><td>{escape(d['issuer'])}</td><td>成文日期：</td><td>{pub[:10]}</td></tr>
<tr><td>标　　题：</td><td colspan="3">{escape(d['title'])}</td></tr>
<tr><td>文　　号：</td><td>{escape(d['doc_number'])}</td><td>发布日期：</td><td>{pub[:10]}</td></tr>
</table></div>"""
    names = d["attachments"]
    if names and i % 2 == 0:
        files = "".join(f'<li><a href="/xxgk/files/{i}_{k}.pdf">{escape(n)}</a></li>' for k, n in enumerate(names))
        attach = f"<p>附件：</p><ul>{files}</ul>"
    elif names:
        attach = "<p>附件：" + " ".join(f'<a href="/xxgk/files/{i}_{k}.pdf">{escape(n)}</a>'
                                      for k, n in enumerate(names)) + "</p>"
    else:
        attach = ""
    paras = "".join(f"<p>{escape(p)}</p>" for p in d["paras"])
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{escape(d['title'])}_政务公开_滇池在线</title>
<meta name="ArticleTitle" content="{escape(d['title'])}">
<meta name="PubDate" content="{pub}">
<meta name="ContentSource" content="{escape(d['issuer'])}">
</head><body>{_chrome_top()}
<div class="main">{table}
<h1 class="doc-title">{escape(d['title'])}</h1>
<div class="doc-content">{paras}{attach}</div>
<div class="pl-box"><p>网友评论仅供其表达个人看法，并不表明滇池在线立场。</p></div>
</div>{_chrome_bottom()}</body></html>"""


def build_dianchi() -> int:
    """Write the site's pages, its site file and its truth; returns the number of articles."""
    shutil.rmtree(HERE / HOST, ignore_errors=True)
    expected, news_rows, doc_rows = [], [], []
    empty = {"kicker": "", "subtitle": "", "original_title": "", "doc_number": "", "issuer": ""}
    for i, s in enumerate(NEWS):
        d, hh, mm = 10 + i, 8 + i, (i * 13) % 60
        pub = f"2024-05-{d:02d} {hh:02d}:{mm:02d}"
        path = f"/news/2024/05/{d:02d}/{5100 + i}.html"
        _write(path, news_page(s, i, pub))
        news_rows.append(f'<li><a href="{path}">{escape(s["title"])}</a><span>{pub[:10]}</span></li>')
        expected.append({"site": SITE, "url": f"http://{HOST}{path}", "title": s["title"],
                         "published_at": f"{pub.replace(' ', 'T')}:00+08:00", "published_precision": "minute",
                         "body": "\n".join(s["paras"]), "source": "滇池晨报", "editor": "周琳",
                         "author": s["author"], **empty, "kicker": s["kicker"], "subtitle": s["subtitle"],
                         "original_title": s["original"]})
    for i, doc in enumerate(DOCS):
        d = 16 + i
        pub = f"2024-05-{d:02d} 10:{i * 5:02d}"
        path = f"/xxgk/2024/05/{d:02d}/t202405{d:02d}_{7700 + i}.html"
        _write(path, doc_page(doc, i, pub))
        doc_rows.append(f'<li><a href="{path}">{escape(doc["title"])}</a><span>{pub[:10]}</span></li>')
        body = doc["paras"] + (["附件：" + "；".join(doc["attachments"])] if doc["attachments"] else [])
        expected.append({"site": SITE, "url": f"http://{HOST}{path}", "title": doc["title"],
                         "published_at": f"{pub.replace(' ', 'T')}:00+08:00", "published_precision": "minute",
                         "body": "\n".join(body), "source": doc["issuer"], "editor": "", "author": "",
                         **empty, "doc_number": doc["doc_number"], "issuer": doc["issuer"]})
    for section, name, rows in (("news", "新闻", news_rows), ("xxgk", "政务公开", doc_rows)):
        _write(f"/{section}/index.html", f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{name}_滇池在线</title></head><body>{_chrome_top()}<ul class="list">{''.join(rows)}</ul>
{_chrome_bottom()}</body></html>""")
    _write("/robots.txt", "User-agent: *\nDisallow: /admin/\n")
    SITES_EXTRA.mkdir(exist_ok=True)
    (SITES_EXTRA / f"{SITE}.toml").write_text(f"""# Offline mirror site (fictional): edge boilerplate, kickers, 原标题, 信息公开 tables.
id = "{SITE}"
name = "滇池在线（镜像）"
province = "云南"
city = "昆明"
kind = "portal"
verified = true
start_urls = ["http://{HOST}/news/", "http://{HOST}/xxgk/"]
allowed_domains = ["dianchi-online.test"]

[links]
article = ['/news/\\d{{4}}/\\d\\d/\\d\\d/\\d+\\.html$', '/xxgk/\\d{{4}}/\\d\\d/\\d\\d/t\\d{{8}}_\\d+\\.html$']
follow = []

[politeness]
delay = 0.0
concurrency = 8
""", encoding="utf-8")
    with open(EXPECTED, "w", encoding="utf-8") as f:
        for row in expected:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(expected)


if __name__ == "__main__":
    print(f"{build_dianchi()} articles written for {SITE}")
