"""Pages for the clustering tests, written here (no real page is copied): a government portal's
templated notices and syndicated stories carried by three sites, each with its own chrome.

Four notice templates, several instances each, differing where real instances differ (names,
posts, firms, projects, amounts, dates, 文号): 任前公示, 招标公告 and 中标候选人公示, 行政处罚决定书,
and a 通知 with its 文号. Three stories are published first by a daily and then carried by a news
portal (its reporter prefix, its own footer) and a provincial portal (the last paragraph dropped,
a 来源 line), as syndication really looks.
"""
from __future__ import annotations

import io
from html import escape

GOV = "www.chuxiong.gov.test"
DAILY, NEWS, PORTAL = "www.cxdaily.test", "news.cxnews.test", "www.yunmen.test"


def gov_page(title: str, paras: list[str], pub: str, column: str = "通知公告") -> str:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paras)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{escape(title)}_{column}_楚雄州人民政府</title>
<meta name="SiteName" content="楚雄州人民政府"><meta name="ColumnName" content="{column}">
<meta name="ArticleTitle" content="{escape(title)}"><meta name="PubDate" content="{pub}">
<meta name="ContentSource" content="楚雄州人民政府办公室"></head><body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/tzgg/">通知公告</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/tzgg/">{column}</a></div>
<div class="article"><h1>{escape(title)}</h1>
<div class="info">发布时间：{pub}　来源：楚雄州人民政府办公室　【字体：大 中 小】</div>
<div class="TRS_Editor">
{body}
</div>
<div class="dayin">【打印本页】【关闭窗口】</div></div>
<div class="footer"><p>主办：楚雄州人民政府办公室</p><p>网站标识码：5323000001 滇ICP备05001234号</p></div>
</body></html>"""


def news_page(site_name: str, title: str, paras: list[str], pub: str, editor: str) -> str:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paras)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{escape(title)} - {site_name}</title>
<meta property="article:published_time" content="{pub}"></head><body>
<div class="top"><a href="/">{site_name}首页</a> | <a href="/news/">新闻</a> | <a href="/zt/">专题</a></div>
<div class="content"><h1 class="title">{escape(title)}</h1>
<div class="meta"><span class="time">{pub[:16].replace("T", " ")}</span> <span>{site_name}</span></div>
<div class="article-body">
{body}
</div>
<p class="editor">责任编辑：{editor}</p>
<div class="share">分享到：微信 微博</div></div>
<div class="tuijian"><h3>推荐阅读</h3><ul><li><a href="/news/1.html">楚雄州举办乡村振兴培训班</a></li>
<li><a href="/news/2.html">禄丰市召开安全生产工作会议</a></li></ul></div>
<div class="footer">{site_name} 版权所有</div></body></html>"""


# --- the notices ----------------------------------------------------------------------------------
PEOPLE = [
    ("张建华", "男", "汉族", "1978年3月", "云南禄丰", "大学", "州发展和改革委员会副主任", "州发展和改革委员会主任", "2012年7月"),
    ("李丽萍", "女", "彝族", "1982年11月", "云南姚安", "研究生", "州财政局副局长", "州审计局局长", "2015年4月"),
    ("杨志强", "男", "白族", "1975年6月", "云南大姚", "大学", "南华县人民政府副县长", "南华县委常委、副县长", "2009年12月"),
    ("王晓燕", "女", "汉族", "1985年8月", "云南元谋", "大学", "州教育体育局办公室主任", "州教育体育局副局长", "2018年6月"),
]


def appointment(i: int) -> tuple[str, list[str], str]:
    name, sex, nation, born, home, edu, now, next_, joined = PEOPLE[i]
    day = 6 + i * 5
    return ("楚雄州领导干部任前公示", [
        "根据《党政领导干部选拔任用工作条例》等有关规定，经州委研究，拟提拔任用以下同志，现予以公示。",
        f"{name}，{sex}，{nation}，{born}生，{home}人，{edu}学历，{joined}加入中国共产党，现任{now}，拟任{next_}。",
        f"公示时间：2024年5月{day}日至2024年5月{day + 6}日（5个工作日）。",
        "公示期间，干部群众可通过来电、来信、来访等方式，向州委组织部反映公示对象在政治品质、道德品行、"
        "工作作风、廉洁自律等方面的情况和问题。反映问题要实事求是、客观公正，提倡署真实姓名。",
        "州委组织部将对反映的问题进行认真调查核实，并按有关规定严格保密。对反映问题属实、影响任用的，按程序取消任职资格；"
        "对借机捏造事实、诬告陷害他人的，依规依纪严肃处理。公示期满后，对没有反映问题或者反映问题不影响任用的，按规定程序办理任职手续。",
        "受理电话：0878-3121234　受理地址：楚雄市鹿城南路100号州委组织部干部监督科",
        "中共楚雄州委组织部",
        f"2024年5月{day}日",
    ], f"2024-05-{day:02d} 09:{10 + i:02d}")


PROJECTS = [
    ("楚雄市鹿城南路提升改造工程", "楚雄市住房和城乡建设局", "1286.45", "180", "CXZJ-2024-031", "楚雄建工集团有限公司", "1251.30", "李永红"),
    ("南华县龙川江河道综合治理项目", "南华县水务局", "2463.80", "240", "NHSW-2024-007", "云南滇中水利水电工程有限公司", "2398.66", "赵德明"),
    ("姚安县光禄镇中心小学教学楼建设项目", "姚安县教育体育局", "865.20", "300", "YAJT-2024-015", "云南鹏程建设有限公司", "842.17", "陈国平"),
]


def tender(i: int) -> tuple[str, list[str], str]:
    project, owner, limit, days, code, *_ = PROJECTS[i]
    day = 3 + i * 7
    return (f"{project}招标公告", [
        f"1.招标条件：本招标项目{project}已由相关主管部门批准建设，项目业主为{owner}，建设资金来自财政资金，"
        f"招标人为{owner}。项目已具备招标条件，现对该项目的施工进行公开招标。",
        f"2.项目概况与招标范围：本项目计划工期{days}日历天，最高投标限价{limit}万元，招标范围为施工图纸及工程量清单所包含的全部内容。",
        "3.投标人资格要求：本次招标要求投标人须具备建筑工程施工总承包三级及以上资质，并在人员、设备、资金等方面具有"
        "相应的施工能力。本次招标不接受联合体投标。",
        f"4.招标文件的获取：凡有意参加投标者，请于2024年5月{day}日至2024年5月{day + 5}日，每日上午9时至12时，"
        "下午14时30分至17时30分（北京时间），登录云南省公共资源交易电子服务系统下载电子招标文件。",
        f"5.投标文件的递交：投标文件递交的截止时间为2024年5月{day + 20}日9时30分，投标人应在截止时间前通过"
        "云南省公共资源交易电子服务系统递交电子投标文件。",
        "6.发布公告的媒介：本次招标公告同时在中国招标投标公共服务平台、云南省公共资源交易电子服务系统和楚雄州人民政府门户网站"
        "上发布。投标人对招标文件有疑问的，应在投标截止时间10日前通过电子服务系统提出，逾期不予受理。",
        f"7.联系方式：招标人：{owner}；项目编号：{code}；招标代理机构：云南恒信工程咨询有限公司，联系电话：0878-312{5500 + i}。",
    ], f"2024-05-{day:02d} 16:{20 + i:02d}")


def award(i: int) -> tuple[str, list[str], str]:
    project, owner, limit, days, code, winner, price, manager = PROJECTS[i]
    day = 10 + i * 6
    return (f"{project}中标候选人公示", [
        f"{project}（项目编号：{code}）于2024年5月{day}日在楚雄州公共资源交易中心进行了开标、评标，评标委员会依据"
        "招标文件规定的评标办法，推荐中标候选人如下：",
        f"第一中标候选人：{winner}，投标报价：{price}万元，工期：{days}日历天，项目经理：{manager}。",
        f"公示期为2024年5月{day + 1}日至2024年5月{day + 3}日。投标人或者其他利害关系人对评标结果有异议的，应当在中标候选人"
        "公示期间以书面形式向招标人提出，招标人应当自收到异议之日起3日内作出答复；作出答复前，应当暂停招标投标活动。",
        "本项目评标委员会由招标人代表和从云南省综合评标专家库中随机抽取的专家组成，评标工作严格按照招标文件确定的评标标准和方法进行，"
        "评标过程全程录音录像并接受监督部门监督。中标候选人公示期满无异议的，招标人将按规定确定中标人并发出中标通知书。",
        f"招标人：{owner}　监督部门：楚雄州公共资源交易管理局　监督电话：0878-3123456",
    ], f"2024-05-{day + 1:02d} 17:0{i}")


FIRMS = [
    ("楚雄市鑫源副食品经营部", "92532301MA6K4XR21B", "楚雄市鹿城镇永安路56号", "周红梅", "销售超过保质期的食品", "1860", "5000"),
    ("楚雄恒达加油站有限公司", "91532301MA6N8TQ47C", "楚雄市东瓜镇彝海路12号", "刘新民", "使用未经检定的加油机", "3420", "20000"),
    ("楚雄市康宁大药房", "91532301MA6P2HW83D", "楚雄市鹿城镇阳光大道8号", "段玉兰", "从无资质企业购进药品", "2750", "15000"),
    ("楚雄市味佳园餐饮店", "92532301MA6R5LK66E", "楚雄市开发区紫溪路203号", "马俊", "未取得食品经营许可从事餐饮服务", "6280", "30000"),
]


def penalty(i: int) -> tuple[str, list[str], str]:
    firm, code, address, boss, wrong, gain, fine = FIRMS[i]
    n, day = 31 + i * 4, 7 + i * 4
    return (f"行政处罚决定书（楚市监罚〔2024〕{n}号）", [
        f"楚市监罚〔2024〕{n}号",
        f"当事人：{firm}　统一社会信用代码：{code}　住所：{address}　负责人：{boss}",
        f"2024年4月{day}日，本局执法人员依法对当事人的经营场所进行检查，发现当事人存在{wrong}的行为。经查，当事人违法所得共计{gain}元。",
        "上述事实，有现场检查笔录、询问调查笔录、当事人营业执照复印件等证据为证。当事人的上述行为违反了有关法律法规的规定。",
        "本局于作出处罚决定前依法向当事人告知了拟作出行政处罚的事实、理由、依据及当事人依法享有的陈述、申辩权利，当事人在法定期限内"
        "未提出陈述、申辩意见。本局认为，当事人积极配合调查，如实陈述违法事实，依法可以从轻处罚。",
        f"依据有关法律法规的规定，本局决定对当事人作出如下行政处罚：一、没收违法所得{gain}元；二、罚款{fine}元。",
        "当事人应当自收到本行政处罚决定书之日起十五日内，将罚没款缴至指定银行。当事人如不服本行政处罚决定，可在收到本决定书之日起"
        "六十日内向楚雄市人民政府申请行政复议，也可以在六个月内依法向楚雄市人民法院提起行政诉讼。",
        "楚雄市市场监督管理局",
        f"2024年5月{day}日",
    ], f"2024-05-{day:02d} 10:3{i}")


EVENTS = [("端午节", "6月8日至10日", "18", "6月5日", "杨帆", "3121801"), ("汛期", "5月至10月", "19", "5月20日", "罗成", "3121802"),
          ("火把节", "7月29日至31日", "21", "7月22日", "普艳", "3121803"), ("国庆节", "10月1日至7日", "26", "9月25日", "何平", "3121804")]


def circular(i: int) -> tuple[str, list[str], str]:
    event, span, n, due, contact, phone = EVENTS[i]
    day = 2 + i * 6
    return (f"楚雄州人民政府办公室关于做好2024年{event}期间安全生产工作的通知", [
        f"楚政办通〔2024〕{n}号",
        "各县市人民政府，州直各有关部门：",
        f"2024年{event}（{span}）期间人员流动和物资运输集中，为切实做好安全生产工作，经州人民政府同意，现就有关事项通知如下：",
        "一、强化风险隐患排查整治。各地各部门要聚焦道路交通、建筑施工、消防、燃气、危险化学品等重点行业领域，"
        "全面开展隐患排查，建立问题清单，逐项整改销号。",
        "二、严格落实安全生产责任。各地各部门要高度重视，加强组织领导，严格执行领导带班和24小时值班制度，确保信息畅通。",
        f"三、请各县市人民政府、州直各有关部门于2024年{due}前将工作开展情况书面报送州应急管理局（联系人：{contact}，电话：0878-{phone}）。",
        "楚雄州人民政府办公室",
        f"2024年5月{day}日",
    ], f"2024-05-{day:02d} 15:00")


def notices() -> list[tuple[str, str, str, list[str], str]]:
    """(kind, url, title, paragraphs, published) for every notice instance."""
    out = []
    for kind, make, n in (("appointment", appointment, 4), ("tender", tender, 3), ("award", award, 3),
                          ("penalty", penalty, 4), ("circular", circular, 4)):
        for i in range(n):
            title, paras, pub = make(i)
            stamp = pub[:10].replace("-", "")
            out.append((kind, f"http://{GOV}/tzgg/{stamp[:6]}/t{stamp}_{kind}{i}.html", title, paras, pub))
    return out


# --- syndicated stories ---------------------------------------------------------------------------
STORIES = [
    ("楚雄州今年新建高标准农田12.6万亩", [
        "5月8日，记者从楚雄州农业农村局获悉，今年楚雄州计划新建高标准农田12.6万亩，目前已开工9.8万亩，完成投资3.4亿元。",
        "据介绍，今年的高标准农田建设项目涉及全州10个县市，重点实施土地平整、灌溉排水、田间道路和农田防护等工程，"
        "建成后可新增和改善灌溉面积8.2万亩，亩均粮食产能提高100公斤以上。",
        "为确保工程质量，楚雄州建立了州、县、乡三级监管机制，聘请第三方机构全程跟踪检测，对发现的问题实行台账管理、限期整改。",
        "州农业农村局相关负责人表示，将加快推进项目建设，确保今年10月底前全面完工，为粮食稳产增产打下坚实基础。",
    ]),
    ("彝族火把节筹备工作全面启动", [
        "5月9日，楚雄州召开2024年中国·楚雄彝族火把节筹备工作会议，安排部署节庆活动筹备工作。",
        "今年火把节期间将举办开幕式文艺演出、彝族服饰展演、民族体育竞技、非遗展示等32项主题活动，预计接待游客超过120万人次。",
        "会议要求，各承办单位要细化活动方案，落实安全保障、交通疏导、食品安全和接待服务等各项措施，"
        "确保火把节办得隆重热烈、安全有序、节俭务实。",
        "会议还对火把节期间的文旅宣传推介、招商引资活动和城市环境整治等工作进行了安排。",
    ]),
    ("楚雄至元谋高速公路建设进展顺利", [
        "记者5月10日从楚雄至元谋高速公路建设指挥部获悉，该项目全线累计完成投资86.5亿元，占总投资的71%。",
        "楚元高速公路全长约87公里，设计速度每小时100公里，全线共设置桥梁62座、隧道9座，是连接滇中城市群与金沙江河谷的重要通道。",
        "目前，项目全线路基工程已基本完成，桥梁下部结构完成92%，隧道掘进完成85%，路面工程已在部分路段展开施工。",
        "项目建成通车后，楚雄至元谋的行车时间将由现在的2个半小时缩短至1个小时左右，对带动沿线群众增收致富具有重要意义。",
        "指挥部负责人表示，将在确保安全和质量的前提下，全力加快建设进度，力争明年底建成通车。",
    ]),
]


def syndicated() -> list[tuple[str, str, str, str, list[str], str, str]]:
    """(story index, site host, url, title, paragraphs, published, site name) for every copy:
    the daily first (the original), then a news portal (a reporter prefix, a photo caption inside,
    its editor line) and a provincial portal (the last paragraph dropped, a 来源 line)."""
    out = []
    for s, (title, paras) in enumerate(STORIES):
        day = 8 + s
        out.append((s, DAILY, f"http://{DAILY}/html/2024-05/{day:02d}/content_{100 + s}.htm", title, paras,
                    f"2024-05-{day:02d}T07:00:00+08:00", "楚雄日报"))
        prefixed = [f"楚雄新闻网讯（记者 李明 通讯员 杨华）{paras[0]}", paras[1], "（图为项目现场。楚雄新闻网 杨华 摄）",
                    *paras[2:], "（楚雄新闻网 编辑：普丽）"]
        out.append((s, NEWS, f"http://{NEWS}/news/2024/0{5}/{day:02d}/{3000 + s}.shtml", f"{title}（图）", prefixed,
                    f"2024-05-{day:02d}T10:{15 + s}:00+08:00", "楚雄新闻网"))
        out.append((s, PORTAL, f"http://{PORTAL}/system/2024/05/{day:02d}/0{4000 + s}.shtml", title,
                    [*paras[:-1], "来源：楚雄日报"], f"2024-05-{day:02d}T14:4{s}:00+08:00", "云门网"))
    return out


def warc_bytes(records: list[tuple[str, str, str]]) -> bytes:
    """A WARC file of (url, html, fetched_at) response records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    for url, html, fetched in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        rec = writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode("utf-8")),
                                        http_headers=headers, warc_headers_dict={"WARC-Date": fetched})
        writer.write_record(rec)
    return buf.getvalue()
