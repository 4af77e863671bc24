"""Text at the edges of a story that a reader knows is not the story: notices appended after it,
promo and follow lines opening or closing it, tag lines and emptied 推荐 headings. Each family on
pages written for the test, in several shapes; the story must come out exactly."""
from __future__ import annotations

import pytest

from pipelines.extract import extract
from tests.test_extract import P1, P2, P3, STORY, page

NOTICES = {
    "platform-disclaimer": "<p>特别声明：以上作品内容(包括在内的视频、图片或音频)为凤鸣号自媒体平台用户上传并发布，"
                           "本平台仅提供信息存储空间服务。</p>",
    "platform-disclaimer-english": "<p>Notice: The content above (including the videos, pictures and audios if any) "
                                   "is uploaded and posted by a user of Fengming Hao, which is a social media "
                                   "platform and only provides information storage services.</p>",
    "platform-disclaimer-split": "<p><strong>特别声明</strong></p><p>本文为星河号作者上传并发布，仅代表该作者观点，"
                                 "不代表星河新闻的观点或立场，星河新闻仅提供信息发布平台。</p>",
    "comment-box-rule": "<p>网友评论仅供其表达个人看法，并不表明星河网立场。</p>",
    "comment-box-traditional": "<p>網友評論僅供其表達個人看法，並不表明本網立場。</p>",
    "rights-notice": "<p>版权声明：本文版权为滇池晨报所有，转载请注明出处。</p>",
    "original-notice": "<p>本文为山河观察原创，未经授权不得转载。</p>",
    "positive-energy": "<p>本文创作初衷在于传播正能量，无低俗等不良引导，请观众勿对号入座。</p>",
    "investment": "<p>以上内容仅供参考，不构成投资建议，据此操作风险自担。</p>",
    "opinion": "<p>（文章仅代表作者个人观点，不代表本平台立场）</p>",
    "tag-line": "<p>标签：供水 管网 昆明</p>",
    "tag-line-english": "<p>Tags: 供水, 民生</p>",
    "emptied-recommend-heading": "<h3>为您推荐</h3>",
    "emptied-focus-heading": "<div><h4>重点推荐</h4></div>",
    "guess-heading": "<p>猜你喜欢</p>",
    "follow-line": "<p>关注我，每天了解更多城市新鲜事。</p>",
    "blue-words": "<p>点击上方蓝字关注我们</p>",
    "scan-left": "<p>扫描左侧二维码即可添加小编微信，获取更多资讯。</p>",
    "like-and-share": "<p>觉得有用就点赞、在看、转发吧</p>",
    "credit-block": "<p>出品：星河新闻 策划：周敏 编辑：吴迪</p>",
    "credit-lines": "<p>监制：郑岚</p><p>统筹：何川</p>",
}


@pytest.mark.parametrize("family", sorted(NOTICES))
def test_notice_after_the_story_is_dropped(family):
    out = extract(page(after=NOTICES[family]))
    assert out["body"] == "\n".join(STORY)


@pytest.mark.parametrize("family", ["follow-line", "blue-words", "scan-left", "like-and-share"])
def test_promo_line_opening_the_story_is_dropped(family):
    out = extract(page(paras=[NOTICES[family][3:-4], *STORY]))
    assert out["body"] == "\n".join(STORY)


def test_several_notices_stacked_after_the_story():
    after = "".join(NOTICES[k] for k in ("tag-line", "rights-notice", "platform-disclaimer",
                                         "platform-disclaimer-english", "comment-box-rule"))
    out = extract(page(after=after))
    assert out["body"] == "\n".join(STORY)


def test_story_sentences_with_notice_words_are_kept():
    paras = [P1, "市场监管部门提醒，未经许可擅自改装供水设施的，将依法予以处罚。",
             "他说：“我们关注的是群众的获得感。”", P2, P3]
    out = extract(page(paras=paras))
    assert out["body"] == "\n".join(paras)


def test_promo_words_inside_the_story_are_kept():
    paras = [P1, "居民可扫描小区公告栏上的二维码，查询停水时间。", P2, P3]
    out = extract(page(paras=paras))
    assert out["body"] == "\n".join(paras)


def test_reprint_provenance_becomes_the_source():
    after = "<p>本文来自微信公众号“滇池观察”（ID：dianchiguancha），作者：林夏，经授权发布。</p>"
    out = extract(page(after=after))
    assert out["body"] == "\n".join(STORY)
    assert out["source"] == "滇池观察" and out["author"] == "林夏"


def test_writing_community_intro_above_a_post():
    before = ("<p>Matrix 首页推荐</p><p>Matrix 是星河的写作社区，我们不定期挑选社区里的优质文章，"
              "文章代表作者个人观点，星河仅对标题和排版略作修改。</p>")
    out = extract(page(paras=[before[3:17], before[24:-4], *STORY]))
    assert out["body"] == "\n".join(STORY)


@pytest.mark.parametrize("footer", ["<p>违法和不良信息举报电话：0871-12345678</p>",
                                    "<p>举报邮箱：jubao@example.com</p>", "<p>我要举报</p>", "<p>打印</p>"])
def test_report_and_print_lines_are_chrome(footer):
    assert extract(page(after=footer))["body"] == "\n".join(STORY)


def test_a_notice_heading_ends_the_story_with_its_items():
    after = ("<p>反侵权公告：</p><p>一、任何单位或个人使用本报社原创内容，须事先取得书面授权。</p>"
             "<p>二、对侵权行为，本报社将依法追究责任。</p><p>联系电话：0871-1234567</p>")
    assert extract(page(after=after))["body"] == "\n".join(STORY)


P4 = "市供水集团表示，改造期间将提前发布停水通知，并在受影响小区设置临时供水点，保障居民基本生活用水。"
P5 = "截至目前，全市已有46个老旧小区完成供水设施改造，惠及居民3.2万户，剩余项目将于年底前全部完工。"


@pytest.mark.parametrize("lead", [f'<div class="lead"><p>{P1}</p></div>',
                                  f"<table><tr><td>{P1}</td></tr></table>",
                                  f"<section><div><span>{P1}</span></div></section>"])
def test_an_opening_paragraph_in_a_block_of_its_own_is_kept(lead):
    out = extract(page(before=lead, paras=[P2, P3, P4, P5]))
    assert out["body"] == "\n".join([P1, P2, P3, P4, P5])


def test_script_text_between_headline_and_story_is_not_an_opening():
    script = "<div>function share(){ var u = document.location.href; window.open(u); return false; }。</div>"
    out = extract(page(before=script, paras=[P2, P3, P4, P5]))
    assert out["body"] == "\n".join([P2, P3, P4, P5])
