"""Date labels: which printed date is the publication date when a line or a table carries several.

Government open-information tables and article heads print 发文日期, 成文日期, 发布日期, 生效日期,
生成日期 and 更新时间 side by side. Publication wins; then an unqualified 时间/日期; then the
document's own dates (成文/印发); then when it takes effect; update and generation times last.
The time of an event the page announces (会议时间, 报名时间, 开标时间) is never a publication date.
"""
from __future__ import annotations

import re

PUBLISHED = ("发布", "發布", "发表", "發表", "发文", "發文", "刊发", "刊發", "发稿", "發稿", "公布",
             "公開", "公开", "上线", "出版", "录入", "錄入", "登载", "publish", "posted")
WRITTEN = ("成文", "印发", "印發", "签发", "簽發", "制发", "形成")
EFFECTIVE = ("生效", "实施", "實施", "施行", "执行")
# the time of an event the page announces, not of the page: 会议时间：, 报名时间：, 开标时间：
EVENT = ("会议", "活动", "报名", "開始", "开始", "结束", "結束", "举办", "舉辦", "举行", "考试", "开放",
         "办理", "受理", "营业", "申报", "招聘", "开标", "投标", "报到", "出生", "成立", "注册", "演出",
         "比赛", "上映", "培训", "面试", "笔试", "公示", "咨询", "办公", "服务", "出发", "到达")
LATER = ("更新", "修改", "修订", "生成", "截止", "废止", "廢止", "失效", "有效期", "到期", "update",
         "modif")
# a label: up to four qualifying characters before 时间/日期/時間/日 + a colon (or in a table cell)
LABEL_RE = re.compile(r"([\u4e00-\u9fff]{0,4}(?:时间|時間|日期)|(?:published|posted|updated|date)"
                      r"(?:\s+on)?)\s*[:：]", re.I)


def rank(label: str) -> int:
    """0 publication, 1 a bare 时间/日期, 2 written, 3 effective, 4 updated/generated, 5 an event."""
    low = label.lower()
    for r, words in ((0, PUBLISHED), (4, LATER), (2, WRITTEN), (3, EFFECTIVE), (5, EVENT)):
        if any(w in low for w in words):
            return r
    return 1


def segments(text: str) -> list[str]:
    """The parts of ``text`` after each date label, best label first; ``[text]`` when it carries
    fewer than two labels (a single label is read as it stands, whatever it says)."""
    found = list(LABEL_RE.finditer(text))
    if len(found) < 2:
        return [text]
    parts = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        parts.append((rank(m[1]), i, text[m.end():end]))
    head = text[:found[0].start()]
    ordered = [p for _, _, p in sorted(parts)]
    return ordered + ([head] if head.strip() else [])
