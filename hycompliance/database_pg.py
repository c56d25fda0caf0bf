"""The coverage database on a PostgreSQL server (``--db postgresql://…``), through SQLAlchemy and psycopg 3.

``PgDatabase`` offers the part of sqlite-utils' ``Database`` that the store, the inventory, the reviews, the
registry and the reports use (``query``, ``execute``, ``db[table].insert/insert_all/upsert_all/update/get``,
``table_names``, ``atomic``, ``conn`` as a transaction), so one store runs on both: its SQL is written once,
in the dialect both accept, and the few SQLite spellings it keeps are turned into PostgreSQL's here and
nowhere else:

- ``?`` parameters become psycopg's ``%s`` (a literal ``%`` is doubled);
- ``a IS NOT ?`` / ``a IS ?`` (SQLite's null-safe comparisons with a parameter) become ``IS DISTINCT FROM``
  / ``IS NOT DISTINCT FROM``;
- values sqlite-utils would store as JSON text (lists, dicts) are stored as JSON text, booleans as 0/1.

The connection is in autocommit mode outside a transaction (as sqlite-utils' is), and ``BEGIN``/``COMMIT``
are issued by ``database.writing`` and ``atomic``. The URL's password never appears in a message
(``masked``). SQLite-only features stay on the SQLite side: Datasette and FTS5; PostgreSQL searches the same
diacritic-folded ``clauses.text_folded`` with a ``tsvector`` (``migrations_pg``).
"""

from __future__ import annotations

import contextlib
import json
import re
from functools import lru_cache
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from hycompliance.errors import Code, HyError

SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
_QUOTED = re.compile(r"('(?:[^']|'')*')")
_IS_NOT_PARAM = re.compile(r"\bIS\s+NOT\s+\?", re.IGNORECASE)
_IS_PARAM = re.compile(r"\bIS\s+\?", re.IGNORECASE)


def is_url(target: object) -> bool:
    """Is ``target`` a PostgreSQL URL (rather than a SQLite file path)?"""
    return isinstance(target, str) and target.startswith(SCHEMES)


def masked(url: str) -> str:
    """The URL as it may be shown: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def database_name(url: str) -> str:
    """The database a URL names (``coverage`` for ``postgresql://lan@db.local/coverage``)."""
    try:
        return make_url(url).database or "postgres"
    except (ArgumentError, ValueError):
        return "postgres"


def to_pg(sql: str, with_params: bool) -> str:
    """The statement in PostgreSQL's spelling (outside string literals only)."""
    parts = _QUOTED.split(sql)
    for i in range(0, len(parts), 2):  # even parts are outside quotes
        part = _IS_PARAM.sub("IS NOT DISTINCT FROM ?", _IS_NOT_PARAM.sub("IS DISTINCT FROM ?", parts[i]))
        if with_params:
            part = part.replace("%", "%%").replace("?", "%s")
        parts[i] = part
    if with_params:
        for i in range(1, len(parts), 2):
            parts[i] = parts[i].replace("%", "%%")
    return "".join(parts)


def _value(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(v, ensure_ascii=False)
    return v


class _Inserted:
    def __init__(self, last_pk: Any) -> None:
        self.last_pk = last_pk


class PgTable:
    """One table, with the sqlite-utils methods the store calls."""

    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db = db
        self.name = name

    def _has_id(self) -> bool:
        return "id" in self.db.columns(self.name)

    def insert(self, row: dict[str, Any]) -> _Inserted:
        cols = list(row)
        returning = " RETURNING id" if self._has_id() else ""
        sql = (f'INSERT INTO {self.name} ({", ".join(cols)}) VALUES ({", ".join("?" for _ in cols)}){returning}')
        cur = self.db.execute(sql, [_value(row[c]) for c in cols])
        return _Inserted(cur.fetchone()[0] if returning else None)

    def insert_all(self, rows: Iterable[dict[str, Any]], pk: Sequence[str] | str | None = None,
                   ignore: bool = False) -> PgTable:
        self._write_all(rows, conflict=" ON CONFLICT DO NOTHING" if ignore else "")
        return self

    def upsert_all(self, rows: Iterable[dict[str, Any]], pk: Sequence[str] | str) -> PgTable:
        keys = [pk] if isinstance(pk, str) else list(pk)
        self._write_all(rows, keys=keys)
        return self

    def _write_all(self, rows: Iterable[dict[str, Any]], conflict: str = "", keys: list[str] | None = None) -> None:
        rows = list(rows)
        if not rows:
            return
        cols = list(dict.fromkeys(c for r in rows for c in r))
        if keys is not None:
            others = [c for c in cols if c not in keys]
            conflict = (f" ON CONFLICT ({', '.join(keys)}) DO "
                        + (f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in others)}" if others else "NOTHING"))
        sql = f'INSERT INTO {self.name} ({", ".join(cols)}) VALUES ({", ".join("%s" for _ in cols)}){conflict}'
        with self.db.conn.cursor() as cur:
            cur.executemany(sql, [[_value(r.get(c)) for c in cols] for r in rows])

    def update(self, pk: Any, row: dict[str, Any]) -> PgTable:
        if row:
            cols = list(row)
            self.db.execute(f"UPDATE {self.name} SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                            [*(_value(row[c]) for c in cols), pk])
        return self

    def get(self, pk: Any) -> dict[str, Any]:
        rows = list(self.db.query(f"SELECT * FROM {self.name} WHERE id = ?", [pk]))
        if not rows:
            raise KeyError(f"no row {pk!r} in {self.name}")
        return rows[0]

    @property
    def rows(self) -> Iterator[dict[str, Any]]:
        return self.db.query(f"SELECT * FROM {self.name}")

    @property
    def count(self) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {self.name}").fetchone()[0])

    @property
    def columns_dict(self) -> dict[str, str]:
        return dict.fromkeys(self.db.columns(self.name), "")


class _Transaction:
    """``db.conn``: what the store asks of a connection (in a transaction?, commit, rollback, ``with``)."""

    def __init__(self, pg: psycopg.Connection) -> None:
        self._pg = pg

    @property
    def in_transaction(self) -> bool:
        return self._pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def cursor(self) -> psycopg.Cursor:
        return self._pg.cursor()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg.Cursor:
        return self._pg.execute(to_pg(sql, bool(params)), list(params) if params else None)

    def commit(self) -> None:
        if self.in_transaction:
            self._pg.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self._pg.execute("ROLLBACK")

    def __enter__(self) -> _Transaction:
        if not self.in_transaction:
            self._pg.execute("BEGIN")
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()


class PgDatabase:
    """A coverage database on PostgreSQL (see the module's docstring)."""

    is_postgres = True

    def __init__(self, url: str, *, pooled: bool = False) -> None:
        self.url = url
        self.shown = masked(url)
        self._pooled = pooled
        self._engine = pool(url) if pooled else create_engine(_sa_url(url), poolclass=NullPool)
        self._raw = self._engine.raw_connection()
        pg: psycopg.Connection = self._raw.driver_connection  # type: ignore[assignment]
        pg.autocommit = True
        self.pg = pg
        self.conn = _Transaction(pg)
        self._columns: dict[str, list[str]] = {}

    # --- the sqlite-utils surface ---------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg.Cursor:
        return self.conn.execute(sql, [_value(p) for p in params] if params else None)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> Iterator[dict[str, Any]]:
        cur = self.execute(sql, params)
        if cur.description is None:
            return
        names = [d.name for d in cur.description]
        for row in cur.fetchall():
            yield dict(zip(names, row))

    def executescript(self, script: str) -> None:
        self.pg.execute(script)

    def __getitem__(self, name: str) -> PgTable:
        return PgTable(self, name)

    def table_names(self) -> list[str]:
        return [r["table_name"] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]

    def view_names(self) -> list[str]:
        return [r["table_name"] for r in self.query(
            "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema() ORDER BY table_name")]

    def columns(self, table: str) -> list[str]:
        if table not in self._columns:
            found = [r["column_name"] for r in self.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = ? ORDER BY ordinal_position", [table])]
            if not found:
                return found  # not cached: the table may be created by a later migration
            self._columns[table] = found
        return self._columns[table]

    def forget_columns(self) -> None:
        """Columns change when a migration runs."""
        self._columns.clear()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[PgDatabase]:
        """A transaction, or a savepoint inside one."""
        if self.conn.in_transaction:
            self.pg.execute("SAVEPOINT hyc_atomic")
            try:
                yield self
            except BaseException:
                self.pg.execute("ROLLBACK TO SAVEPOINT hyc_atomic")
                raise
            self.pg.execute("RELEASE SAVEPOINT hyc_atomic")
            return
        with self.conn:
            yield self

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error, SQLAlchemyError):
            self.conn.rollback()
            self._raw.close()  # back to the pool, or closed
        if not self._pooled:
            self._engine.dispose()


def _sa_url(url: str) -> URL:
    return make_url(url).set(drivername="postgresql+psycopg")


@lru_cache(maxsize=8)
def pool(url: str) -> Engine:
    """A pool of connections to ``url`` for this process's short-lived connections (the web app's
    requests); the batch uses one connection of its own (no pool to hand over to forked workers)."""
    return create_engine(_sa_url(url), pool_size=4, max_overflow=12, pool_recycle=3600, pool_pre_ping=True)


def connect(url: str, *, pooled: bool = False) -> PgDatabase:
    """Connect to the server; E312 (the URL shown without its password) when it cannot be reached."""
    try:
        return PgDatabase(url, pooled=pooled)
    except (ArgumentError, ValueError) as exc:
        raise HyError(Code.E312_DB_UNREACHABLE, masked(url), detail=f"not a database URL: {exc}") from None
    except (psycopg.Error, SQLAlchemyError) as exc:
        raise HyError(Code.E312_DB_UNREACHABLE, masked(url), detail=pg_cause(exc, url)) from None


def pg_cause(exc: BaseException, url: str = "") -> str:
    """The first line of a PostgreSQL error, without the password if the driver repeated the URL."""
    orig = getattr(exc, "orig", None) or exc
    text = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    try:
        password = make_url(url).password if url else None
    except (ArgumentError, ValueError):
        password = None
    return text.replace(password, "***") if password else text
