"""The index contract bound to SQLite FTS5, on SQLite 3.51 (pysqlite3) and Debian's 3.40.

Running it on 3.40 proves the "LIKE under 3 characters silently matches nothing" trap
(design.md, Known traps) cannot hit us.
"""
from __future__ import annotations

import pytest

from crawler.store.sqlite import sqlite_module
from search.fts5 import FTS5Index

from .index_contract import IndexContract


class TestFTS5Index(IndexContract):
    @pytest.fixture(params=["pysqlite3", "sqlite3"])
    def index_factory(self, request, tmp_path):
        module = sqlite_module(request.param)
        return lambda: FTS5Index(tmp_path / "index.sqlite", sqlite=module)
