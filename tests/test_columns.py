"""The column dictionary lists exactly the columns a fresh database has, with their types."""
from __future__ import annotations

from pipelines import columns as coldict
from pipelines.schema import connect


def test_dictionary_matches_a_fresh_database(tmp_path):
    db = connect(tmp_path / "news.db")
    tables = [t for t in db.table_names() if not t.startswith(coldict.INTERNAL_PREFIXES)]
    assert sorted(tables) == sorted(coldict.TABLES), "a table is missing from pipelines/columns.py (or gone)"
    for table in tables:
        actual = [(c.name, c.type) for c in db[table].columns]
        listed = [(c.name, c.type) for c in coldict.columns(table)]
        assert actual == listed, f"{table}: pipelines/columns.py differs from the schema"


def test_every_column_has_a_meaning():
    for table, spec in coldict.TABLES.items():
        assert spec["description"], table
        for c in spec["columns"]:
            assert len(c.meaning) > 3, f"{table}.{c.name}"
