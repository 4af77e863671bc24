"""Government open-information pages: the 信息公开 table becomes fields (doc_number, issuer), never
body text; an attachments list stays as one short trailing line."""
from __future__ import annotations

import pytest

from pipelines.extract import extract
from tests.test_extract import STORY, page

DOC, ISSUER = "云岭政办发〔2024〕18号", "云岭市人民政府办公室"
TABLES = {
    "label-and-value-cells": f"""<table class="xxgk"><tr><td>索引号：</td><td>11530100MB0000000X/2024-00318</td>
        <td>主题分类：</td><td>城乡建设、环境保护</td></tr><tr><td>发文机关：</td><td>{ISSUER}</td>
        <td>成文日期：</td><td>2024年05月08日</td></tr><tr><td>标　　题：</td><td>关于加快供水管网改造的通知</td></tr>
        <tr><td>发文字号：</td><td>{DOC}</td><td>发布日期：</td><td>2024年05月09日</td></tr></table>""",
    "label-value-in-one-cell": f"""<table><tbody><tr><th>索 引 号：11530100MB0000000X/2024-00318</th>
        <th>主题分类：城乡建设</th></tr><tr><td>发布机构：{ISSUER}</td><td>成文日期：2024-05-08</td></tr>
        <tr><td>文　　号：{DOC}</td><td>公开方式：主动公开</td></tr></tbody></table>""",
    "list-layout": f"""<div class="gk-info"><ul><li><span>索引号：</span>11530100MB0000000X/2024-00318</li>
        <li><span>发文机关：</span>{ISSUER}</li><li><span>文号：</span>{DOC}</li>
        <li><span>成文日期：</span>2024-05-08</li><li><span>有效性：</span>有效</li></ul></div>""",
}


@pytest.mark.parametrize("shape", sorted(TABLES))
def test_open_information_table_becomes_fields(shape):
    out = extract(page(before=TABLES[shape]))
    assert out["body"] == "\n".join(STORY)
    assert out["doc_number"] == DOC and out["issuer"] == ISSUER


def test_a_table_without_a_document_number_leaves_it_empty():
    table = TABLES["list-layout"].replace(f"<li><span>文号：</span>{DOC}</li>", "<li><span>文号：</span>无</li>")
    out = extract(page(before=table))
    assert out["doc_number"] == "" and out["issuer"] == ISSUER and out["body"] == "\n".join(STORY)


def test_news_pages_have_no_document_fields():
    out = extract(page())
    assert out["doc_number"] == "" and out["issuer"] == ""


ATTACHMENTS = {
    "links-in-the-label-paragraph": '<p>附件：<a href="/f/1.pdf">1.供水管网改造项目清单.pdf</a> '
                                    '<a href="/f/2.xlsx">2.改造进度安排表.xlsx</a> <a href="/f/3.docx">3.联系人名单.docx</a></p>',
    "label-then-list": '<p>附件：</p><ul><li><a href="/f/1.pdf">1.供水管网改造项目清单.pdf</a></li>'
                       '<li><a href="/f/2.xlsx">2.改造进度安排表.xlsx</a></li><li><a href="/f/3.docx">3.联系人名单.docx</a></li></ul>',
    "attachment-box": '<div class="fujian"><span>相关附件：</span><a href="/f/1.pdf">1.供水管网改造项目清单.pdf</a>'
                      '<a href="/f/2.xlsx">2.改造进度安排表.xlsx</a><a href="/f/3.docx">3.联系人名单.docx</a></div>',
}


@pytest.mark.parametrize("shape", sorted(ATTACHMENTS))
def test_attachments_list_is_one_trailing_line(shape):
    html = page().replace("</p></div>", "</p>" + ATTACHMENTS[shape] + "</div>", 1)
    out = extract(html)
    assert out["body"] == "\n".join([*STORY, "附件：1.供水管网改造项目清单.pdf；2.改造进度安排表.xlsx；3.联系人名单.docx"])


def test_a_paragraph_mentioning_attachments_is_story():
    para = "附件：请各单位于5月20日前将改造进度表报送市水务局，联系人王力，电话见通知。"
    out = extract(page(paras=[*STORY, para]))
    assert out["body"] == "\n".join([*STORY, para])
