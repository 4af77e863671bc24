"""The schema module: migrations bring any older database up, and views follow the code."""
from __future__ import annotations

from pipelines import schema


def test_new_database_has_every_view(tmp_path):
    db = schema.connect(tmp_path / "news.db")
    assert set(schema.VIEWS) <= set(db.view_names())
    assert db.execute("SELECT value FROM meta WHERE key = 'views_digest'").fetchone()[0] == schema.views_digest()


def test_stale_views_are_recreated_on_open(tmp_path):
    path = tmp_path / "news.db"
    db = schema.connect(path)
    # a database written by a provnews whose views differed: an old definition, another digest
    db.execute("DROP VIEW latest_articles")
    db.execute("CREATE VIEW latest_articles AS SELECT 1 AS old_column")
    db["meta"].upsert({"key": "views_digest", "value": "from-an-older-provnews"}, pk="key")
    db.conn.commit()
    db.conn.close()
    db = schema.connect(path)
    columns = [c.name for c in db["latest_articles"].columns]
    assert "old_column" not in columns and "title" in columns


def test_readonly_open_does_not_touch_views(tmp_path):
    path = tmp_path / "news.db"
    db = schema.connect(path)
    db["meta"].upsert({"key": "views_digest", "value": "stale"}, pk="key")
    db.conn.commit()
    db.conn.close()
    ro = schema.connect(path, readonly=True)
    assert ro.execute("SELECT value FROM meta WHERE key = 'views_digest'").fetchone()[0] == "stale"
