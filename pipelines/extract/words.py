"""Every word list of the extract stage, one family per block, matched on simplified forms.

The rules prefer structure (position after the story, link density, class names); where a phrase
is the only evidence, it lives here, so a reviewer sees the whole vocabulary in one place. Lines
are folded with ``T2S`` before matching (HK/TW pages print 相關新聞, 責任編輯, 免責聲明); the text
we keep is never converted.
"""
from __future__ import annotations

import re

# --- traditional → simplified, for the characters of this vocabulary only ---------------------------
T2S = str.maketrans(
    "聲關熱薦轉編輯責來記體號權載讚絲團網頁點擊覽設論評時間發佈報導圖攝閱讀動態話訊區頭廣專題換歡訪問為們個這"
    "條擊單類產業務電郵傳碼備錄優惠戶組織標識護際瀏閱數據請勿轉貼複製連結節處內容提供隱私條款說明欄聯繫舉錯誤"
    "調計視頻幕獨稱愛親罰獎級給無線總彈窗聞門樣國實習註僅觀點場與權創經過維臺灣製達並",
    "声关热荐转编辑责来记体号权载赞丝团网页点击览设论评时间发布报导图摄阅读动态话讯区头广专题换欢访问为们个这"
    "条击单类产业务电邮传码备录优惠户组织标识护际浏阅数据请勿转贴复制连结节处内容提供隐私条款说明栏联系举错误"
    "调计视频幕独称爱亲罚奖级给无线总弹窗闻门样国实习注仅观点场与权创经过维台湾制达并",
)
_TRADITIONAL_RE = re.compile("[" + "".join(chr(k) for k, v in T2S.items() if k != v) + "]")


def simplified(text: str) -> str:
    """``text.translate(T2S)``, paid only by text that holds one of its traditional characters:
    a mapping translate costs a dict look-up per character, a regex scan for the set does not
    (whole pages go through here, and mainland pages hold none of them)."""
    return text.translate(T2S) if _TRADITIONAL_RE.search(text) else text

# --- class/id vocabularies ---------------------------------------------------------------------------
# tokens of boilerplate blocks. Matched per token (split on non-alphanumerics), so "hot" never
# matches "photo"; pinyin words are matched as substrings because they are written joined.
BOILER_TOKENS = {
    "recommend", "recommended", "related", "relate", "relative", "hot", "hots", "hotnews", "rank",
    "ranking", "share", "sharing", "bdshare", "social", "comment", "comments", "reply", "footer",
    "foot", "copyright", "sidebar", "side", "aside", "breadcrumb", "crumb", "crumbs", "location",
    "advert", "ads", "ad", "banner", "toolbar", "tools", "print", "qrcode", "qr", "login", "nav",
    "navbar", "menu", "subnav", "topbar", "pager", "pagination", "prevnext", "prev", "next",
    "more", "tags", "keyword", "keywords", "feedback", "weibo", "wechat", "follow", "popular",
    "trending", "guess", "rec", "newslist", "list", "links", "friendlink", "bottom", "header",
    "search", "fontsize", "font", "zoom-tools", "editor-info", "disclaimer", "statement",
}
BOILER_PINYIN = ("tuijian", "xgxw", "xgyd", "xgwz", "remen", "fenxiang", "pinglun", "banquan",
                 "dayin", "guanggao", "erweima", "paihang", "rdtj", "rmtj", "youqing", "daohang",
                 "zrbj", "bianji", "weizhi", "shengming", "mianze")
# tokens that mark the article itself; such an element is never pruned by vocabulary
CONTENT_TOKENS = {"article", "content", "artibody", "main-content", "text", "body", "detail",
                  "zoom", "trs_editor", "trs_ueditor", "view", "arti", "zw", "zhengwen", "newstext",
                  "txt", "con", "cont", "post", "entry", "story"}
# the line above a headline (引题) and the one below it (副题), by class/id token
KICKER_TOKENS = {"kicker", "yinti", "pretitle", "pre", "toptitle", "overline", "shoulder",
                 "introtitle", "yt", "supertitle", "eyebrow"}
SUBTITLE_TOKENS = {"subtitle", "subtitles", "sub", "subhead", "fubiaoti", "futi", "ft", "deck",
                   "subheading", "secondtitle"}

# --- words that are never a person's name -------------------------------------------------------------
ORG_SUFFIX = set("社网报台局部厅委办处站所院会司厂队组")
# channel names and province-level places (datelines such as （北京）)
NOT_AUTHOR = set("网易 新浪 搜狐 腾讯 凤凰 新闻 生活 国际 国内 财经 体育 娱乐 科技 社会 评论 图片 视频 专题 综合 "
                 "健康 汽车 房产 教育 旅游 时尚 军事 历史 文化 读书 博客 论坛 招待会 经济通 本网 本站 "
                 "北京 上海 天津 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
                 "广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 昆明".split())
ROLE_SUFFIX_RE = re.compile(r"\s*(?:编辑|编制|摄影|摄|整理|报道|制图|供图|稿源|文字大小)$")
# one-line section headings that look like a bare two-character name
HEADING_WORDS = {"前言", "引言", "结语", "背景", "概述", "摘要", "附件", "说明", "简介", "目录", "正文", "导读",
                 "编者按", "图片", "视频", "序言", "后记", "附录", "注释", "小结", "总结", "声明", "公告", "通知"}
# words that end a run of names: "责任编辑：王晓萌 推荐 ..." stops before 推荐
NOT_NAME = ("推荐", "相关", "来源", "责任", "编辑", "时间", "发布", "分享", "打印", "关闭", "更多", "热门",
            "摄影", "通讯员", "记者", "作者", "实习生", "报道", "综合", "整理", "审核", "校对", "日期",
            "浏览", "点击", "字号", "微信", "微博", "扫一扫", "出自", "最新", "动态", "个人简介", "简介",
            "出版", "报社", "来自", "稿源", "大小", "关注", "实习生", "策划", "出品", "监制", "统筹")

# --- labelled metadata lines: moved into fields, never body ---------------------------------------
# date / source / author / editor / view-count labels; the credit block of features (出品：… 策划：…
# 监制：…); the 信息公开 table of government portals (索引号, 发文机关, 文号 …)
GOV_INFO_LABELS = ("索引号", "主题分类", "体裁分类", "组配分类", "服务对象分类", "主题词", "发文机关",
                   "发布机构", "发文单位", "发布单位", "成文日期", "发文日期", "发布日期", "生成日期",
                   "实施日期", "废止日期", "发文字号", "文号", "文件编号", "公开方式", "公开范围",
                   "公开时限", "有效性", "时效性", "信息类别", "所属机构", "统一编号", "登记号")
CREDIT_LABELS = ("出品人?", "总?策划", "总?监制", "统筹", "制作", "设计", "主编", "文案", "视觉", "海报",
                 "审校", "初审", "复审", "终审", "运营", "美编", "技术支持")
META_LINE_RE = re.compile(
    r"^[\s【\[（(]*(?:(?:发布|发表|更新|录入)?(?:时间|日期)|来源|稿源|信息来源|文章来源|作者|记者|执笔人?|撰稿|撰文|"
    r"编辑|责任编辑|责编|通讯员|摄影|浏览次数|点击数|阅读|阅读量|访问量|字号|字体|审核|校对|"
    + "|".join(CREDIT_LABELS) + "|" + "|".join(GOV_INFO_LABELS) + r")\s*[:：]"
)
TRAILING_CREDIT_RE = re.compile(r"[\[【（(]\s*(?:责任编辑|责编|编辑)\s*[:：][^\]】）)]{1,20}[\]】）)]\s*$")
EDITOR_LINE_RE = re.compile(r"^[\s【\[（(]*(?:责任编辑|责编|编辑|值班编辑)\s*[:：]")
# 标签 / Tag / 关键词 lines: the page's tags, not its text
TAG_LINE_RE = re.compile(r"^[【\[]?(?:tags?|标签|关键词|关键字|热词)[】\]]?\s*[:：]", re.IGNORECASE)
# （原标题：…）: the syndicated copy's first headline; kept in its own field
ORIGINAL_TITLE_RE = re.compile(r"[（(【\[]\s*原(?:标)?题\s*[:：为]\s*(.{2,100}?)\s*[）)】\]]|"
                               r"^\s*原(?:标)?题\s*[:：]\s*(.{2,100})$")

# --- lines that are chrome wherever they appear (checked on short lines) -------------------------------
BOILER_LINE_RE = re.compile(
    r"分享到|分享至|一键分享|【打印|打印本页|打印文章|打印此文|【关闭|关闭窗口|关闭本页|"
    r"^上一篇|^下一篇|^上一条|^下一条|扫一扫|扫描二维码|网站标识码|ICP备|ICP证|公网安备|"
    r"版权所有|Copyright|©|当前位置[:：]|您的位置|您现在的位置|^[【\[]?(?:字体|字号)|"
    r"^【?(?:大|中|小)\s*(?:中|小)?\s*】?$|^\[(?:大|中|小)\]|^收藏本页|^加入收藏|^设为首页|"
    r"^举报$|^我要举报|^打印$|^返回顶部|^(?:微信|微博|QQ空间|朋友圈)(?:\s+(?:微信|微博|QQ空间|朋友圈|QQ))+$|"
    r"直播更多|更多》|更多>>|^更多$|热门推荐|猜你喜欢|^推荐$|^推荐阅读|^相关(?:新闻|阅读|报道|文章|链接|推荐)",
    re.IGNORECASE,
)
# site chrome that can run long: disclaimers, contact lines, comment widgets (checked up to 160 chars)
CHROME_LINE_RE = re.compile(
    r"^[【\[]?(?:免责)?声明[】\]]?\s*[:：]?$|(?:^|腾讯|本网|本站)(?:免责)?声明[:：]|转载(?:并)?不代表本(?:网|站)|"
    r"仅代表作者(?:本人|个人)?观点|不构成投资建议|^(?:电话|传真|邮箱|地址|联系电话|邮编|E-?mail)\s*[:：]|"
    r"爆料|^跟贴|人参与$|跟贴读取|复制收藏|复制成功|复制链接|手机看新闻|^打开.{0,8}APP|^下载.{0,8}客户端|"
    r"^(?:微信|微博)扫一扫|意见或建议|Facebook|粉丝团|Google\s*plus|按赞|赞一个|未经授权|不得转载|"
    r"请勿转载|禁止转载|^调整字体|^字体[:：]|^字号$|^收起$|^播放|播放失败|错误代码|^加值服务|^优惠情报|^[>》]{1,2}|^\[点击进入|^点击进入|^返回(?:首页|列表|频道)|^(?:本文|文章)来源[:：]|"
    r"Copyright|版权所有|ICP备|ICP证|网站标识码|公网安备|All Rights? Reserved|"
    r"(?:不良信息|违法和不良信息|违法信息)举报|举报(?:电话|邮箱|中心)",
    re.IGNORECASE,
)

# --- notices appended to a story (checked anywhere on lines up to 300 characters) ---------------------
NOTICE_RE = re.compile(
    # platform disclaimers of self-media hosting (特别声明：以上作品内容…上传并发布) and the English twin
    r"^[【\[]?(?:特别|免责|版权|重要)?声明[】\]]?\s*(?:[:：]|$)|以上(?:作品)?内容.{0,40}(?:上传并发布|自媒体|用户上传)|"
    r"仅提供信息(?:发布平台|存储空间)|^notice\s*[:：]\s*the content above|uploaded and posted by|"
    # comment boxes: the rules printed above them
    r"网友评论仅供其?表达个人看法|并不表明.{0,16}(?:同意其观点|证实其描述|立场)|文明上网|理性发言|"
    r"^(?:已有|共有?)\d+条评论|^(?:登录|注册)后(?:参与|发表)?评论|^发表评论|^我要评论|^参与评论|"
    # rights and reprint notices (版权声明, 原创未经授权, 转载请注明)
    r"版权声明\s*[:：]|版权归.{0,24}所有|本文(?:版权)?(?:为|系|是).{0,24}原创|(?:原创|独家)(?:稿件|文章|内容).{0,8}未经|"
    r"未经.{0,12}授权.{0,8}(?:不得|禁止|严禁|请勿|转载)|转载请(?:注明|联系|务必)|如需转载|如有侵权|侵权.{0,6}删除|联系(?:我们|本站|本网)?删除|"
    # reprint provenance (本文来自微信公众号…经授权发布): dropped; its name becomes the source
    r"^本文(?:来自|转载自|转自|来源于|首发于).{0,60}(?:授权|转载|发布)|经授权(?:转载|发布)|"
    # positive-energy, investment and opinion disclaimers
    r"传播正能量|无低俗等不良引导|不构成(?:任何)?(?:投资|操作)建议|投资有风险|风险自担|"
    r"(?:文章|本文|内容|以上)(?:仅|只)?代表作者(?:本人|个人)?(?:观点|立场)|不代表本(?:网|站|平台|号|刊)(?:观点|立场)|"
    r"(?:文章|本文|内容|图片).{0,12}仅供(?:参考|学习|交流)",
    re.IGNORECASE,
)
# a notice heading standing alone (版权声明 / 反侵权公告): after the text's first third, what follows
# it is the notice's items, never story
NOTICE_HEAD_RE = re.compile(r"^[【\[]?(?:(?:特别|免责|版权|重要|法律|郑重)?声明|(?:反侵权|侵权|版权)公告)[】\]]?[:：]?$")
# a reprint-provenance line's publication: 本文来自微信公众号“X”（ID：…）
PROVENANCE_RE = re.compile(r"^本文(?:来自|转载自|转自|来源于|首发于)\s*(?:微信)?(?:公众号|头条号|微博|百家号)?\s*"
                           r"[“\"「『【]?([^”\"」』】，,（(：:\s]{2,30})")

# --- promo and follow lines: dropped only in the run of lines opening or closing a body -----------------
EDGE_PROMO_RE = re.compile(
    r"^关注(?:我|我们|公众号|本号|[“\"「]|.{0,12}(?:公众号|微信|微博|抖音|视频号))|关注我|点击(?:上方|下方|左上角|右上角|蓝字|关注|文末|阅读原文)|蓝字|扫描.{0,10}二维码|"
    r"二维码.{0,10}(?:关注|添加|下载)|长按.{0,10}(?:识别|关注|二维码|保存)|添加.{0,10}(?:微信|好友|客服)|"
    r"(?:点赞|在看|转发|收藏)[、，,和及与\s]*(?:点赞|在看|转发|收藏|分享)|欢迎(?:关注|订阅|转发|分享)|"
    r"戳这里|阅读原文|星标|设为星标|^下载.{0,8}(?:app|客户端)|^打开.{0,8}(?:app|客户端)|"
    # writing-community intros printed above a post (Matrix 首页推荐 …)
    r"^[\w ]{0,16}首页推荐$|写作社区|不定期挑选|仅对标题和排版|^编者按[:：]?$",
    re.IGNORECASE,
)

# --- headings after which the rest of the text is lists, never story ---------------------------------
TAIL_HEAD_RE = re.compile(
    r"^[【\[]?\s*(?:相关(?:新闻|阅读|报道|文章|链接|推荐|专题)|推荐阅读|延伸阅读|热门推荐|热点推荐|"
    r"猜你喜欢|为你推荐|为您推荐|重点推荐|精彩推荐|往期回顾|往期推荐|更多精彩|编辑推荐|热门文章|热点新闻|最新新闻|"
    r"推荐|热门|热点|排行|排行榜|点击排行|新闻排行|今日热点|网友评论|发表评论|评论|热门评论|最新评论|精彩评论|"
    r"相关专题|专题推荐|图片推荐|视频推荐|热门关键词|本篇新闻热门关键词|没有相关新闻|你可能(?:还)?(?:喜欢|感兴趣)|"
    r"大家都在看|看了(?:本文|此文)的人还看了)\s*[】\]》>»]?\s*[:：]?$"
)

# --- headline separators of <title>: 标题_栏目_网站, 标题 - 网站, 标题|网站, 标题—网站 ----------------------
# a bare hyphen splits unless it joins numbers (2024-05, 1900万-2900万), so …-36氪 is cut; "——"
# inside a heading is kept when the visible heading has it (see title.py)
SPLIT_TITLE_RE = re.compile(r"\s*(?:_|\||｜|——|—|--|-(?!\d)|(?<!\d)(?<!\d\S)-|::)\s*")

# --- attachments lists of government pages (附件：…) ----------------------------------------------------
ATTACHMENT_LABEL_RE = re.compile(r"^\s*[【\[]?(?:相关)?附件(?:下载)?[】\]]?\s*[:：]?\s*")
