"""End to end on the mirror's fourth site (data/mirror/build_dianchi.py): a real crawl over HTTP on
127.0.0.1 into a real SQLite file, then every stored field of every article against the truth the
builder wrote. Its pages carry kickers, 副题, repeated headlines, （原标题：…）, disclaimers and their
English twin, rights notices, tag and promo lines, comment boxes, 为您推荐 lists, credit blocks,
信息公开 tables and attachments lists."""
from __future__ import annotations

import json
import sqlite3

import pytest

from provnews.mirror import MIRROR_DIR
from tests.conftest import run_cli

FIELDS = ("title", "published_at", "published_precision", "body", "source", "editor", "author",
          "kicker", "subtitle", "original_title", "doc_number", "issuer")


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    with open(MIRROR_DIR / "expected_dianchi.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def db(mirror, tmp_path_factory):
    path = tmp_path_factory.mktemp("dianchi") / "news.db"
    proc = run_cli("crawl", "--sites", str(MIRROR_DIR / "sites_extra"), "--proxy", mirror.url,
                   "--db", str(path))
    assert proc.returncode == 0, proc.stderr
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    yield con
    con.close()


def test_every_field_of_every_article(db, truth):
    assert len(truth) == 9
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(truth)
    for e in truth:
        row = db.execute("SELECT * FROM articles WHERE url = ?", [e["url"]]).fetchone()
        assert row is not None, e["url"]
        assert row["site"] == e["site"]
        for field in FIELDS:
            assert row[field] == e[field], (e["url"], field)


def test_the_classes_are_present_in_the_truth(truth):
    """The site exercises every class at least twice, so a rule cannot pass on one shape."""
    for field in ("kicker", "subtitle", "original_title", "doc_number", "issuer"):
        assert sum(1 for e in truth if e[field]) >= 2, field
    assert sum(1 for e in truth if "\n附件：" in e["body"]) == 2


def test_no_edge_boilerplate_reaches_a_body(db):
    markers = ["特别声明", "Notice:", "网友评论", "版权声明", "标签", "关注我", "为您推荐", "出品", "索引号",
               "发文机关", "原标题", "评论", "热点", "Copyright"]
    for (body,) in db.execute("SELECT body FROM articles"):
        for marker in markers:
            assert marker not in body, marker
