"""The store contract bound to the SQLite back end, on SQLite 3.51 (pysqlite3) and the stdlib's."""
from __future__ import annotations

import pytest

from crawler.store.sqlite import SQLiteStore, sqlite_module

from .store_contract import StoreContract


class TestSQLiteStore(StoreContract):
    @pytest.fixture(params=["pysqlite3", "sqlite3"])
    def store_factory(self, request, tmp_path):
        module = sqlite_module(request.param)
        return lambda: SQLiteStore(tmp_path / "store.sqlite", sqlite=module)
