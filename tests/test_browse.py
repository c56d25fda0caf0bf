"""A database people can browse: Datasette with the shipped metadata, search with and without diacritics."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from hycompliance.browse import DATABASE_KEY, METADATA, command
from hycompliance.store import fold, open_db
from hycompliance.web.schema import open_web_db

datasette_app = pytest.importorskip("datasette.app")
WORD = re.compile(r"\w+")


def _get(db_path: Path, path: str) -> object:
    async def go() -> object:
        ds = datasette_app.Datasette([str(db_path)], metadata=yaml.safe_load(METADATA.read_text(encoding="utf-8")))
        await ds.invoke_startup()
        response = await ds.client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    # in a thread of its own: the browser tests' Playwright may keep an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, go()).result()


def _clauses_with(db_path: Path, wanted) -> set[int]:
    """Independent oracle: the clauses having a word that ``wanted`` accepts, by a regex over the text."""
    with sqlite3.connect(db_path) as con:
        return {i for i, text in con.execute("SELECT id, text FROM clauses")
                if any(wanted(w) for w in WORD.findall(text))}


# (what people type, which words it must find)
SEARCHES = [
    ("đường", lambda w: fold(w) == "duong" and w.lower().startswith("đ")),
    ("Đường", lambda w: fold(w) == "duong" and w.lower().startswith("đ")),
    ("duong", lambda w: fold(w) == "duong"),
    ("chuyển", lambda w: fold(w) == "chuyen"),
    ("chuyen", lambda w: fold(w) == "chuyen"),
]


@pytest.mark.parametrize(("query", "wanted"), SEARCHES)
def test_datasette_search_finds_words_with_and_without_diacritics(db_path: Path, query: str, wanted) -> None:
    open_web_db(db_path).close()
    assert db_path.stem == DATABASE_KEY
    rows = _get(db_path, f"/coverage/clauses.json?_search={query}&_shape=array&_size=max&_col=id")
    expected = _clauses_with(db_path, wanted)
    assert expected, f"the scanned plans should contain {query!r}"
    assert {r["id"] for r in rows} == expected


def test_links_show_labels_not_bare_ids(db_path: Path) -> None:
    rows = _get(db_path, "/coverage/matches.json?_labels=on&_shape=array&_size=3")
    with sqlite3.connect(db_path) as con:
        codes = dict(con.execute("SELECT id, code FROM requirements"))
        names = dict(con.execute("SELECT id, name FROM documents"))
    for r in rows:
        assert r["requirement_id"]["label"] == codes[r["requirement_id"]["value"]]
        assert r["document_id"]["label"] == names[r["document_id"]["value"]]


def test_metadata_describes_every_table_and_column_in_vietnamese(tmp_path: Path) -> None:
    open_db(tmp_path / "coverage.db").close()
    db = open_web_db(tmp_path / "coverage.db")
    schema = {t: [c.name for c in db[t].columns] for t in db.table_names() + db.view_names()}
    db.close()
    tables = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"][DATABASE_KEY]["tables"]
    assert set(tables) == set(schema)
    vietnamese = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
    for table, columns in schema.items():
        meta = tables[table]
        assert vietnamese.search(meta["title"]) and vietnamese.search(meta["description"]), table
        assert set(meta["columns"]) == set(columns), table
        assert all(text.strip() and text != column for column, text in meta["columns"].items()), table
        for column in meta.get("facets", []) + [meta.get("label_column")] * ("label_column" in meta):
            assert column in columns, (table, column)


def test_the_demo_prints_the_command_with_the_metadata(tmp_path: Path) -> None:
    assert command(tmp_path / "coverage.db") == f"datasette {tmp_path / 'coverage.db'} --metadata {METADATA}"
