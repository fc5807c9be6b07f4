"""Back-end selection (crawler.config): URL forms, precedence, clear one-line errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import (
    BackendError,
    data_dir,
    index_url,
    open_index,
    open_index_from_settings,
    open_store,
    open_store_from_settings,
    store_url,
)
from crawler.store.sqlite import SQLiteStore
from search.fts5 import FTS5Index


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for key in ("SHOPWATCH_STORE", "SHOPWATCH_INDEX", "SHOPWATCH_DATA_DIR"):
        monkeypatch.delenv(key, raising=False)


def test_defaults_live_in_the_data_dir(tmp_path: Path) -> None:
    with open_store(None, tmp_path) as store:
        assert isinstance(store, SQLiteStore)
        assert Path(store.path) == tmp_path / "shopwatch.sqlite"
    with open_index(None, tmp_path) as index:
        assert isinstance(index, FTS5Index)
        assert Path(index.path) == tmp_path / "index.sqlite"


def test_bare_scheme_means_default_file(tmp_path: Path) -> None:
    with open_store("sqlite", tmp_path) as store:
        assert Path(store.path) == tmp_path / "shopwatch.sqlite"
    with open_index("fts5://", tmp_path) as index:
        assert Path(index.path) == tmp_path / "index.sqlite"


def test_absolute_and_relative_urls(tmp_path: Path, monkeypatch) -> None:
    with open_store(f"sqlite:///{tmp_path}/a.sqlite", "unused") as store:  # four slashes: absolute
        assert Path(store.path) == tmp_path / "a.sqlite"
    monkeypatch.chdir(tmp_path)
    with open_index("fts5:///sub/ix.sqlite", "unused") as index:  # three slashes: relative
        assert Path(index.path) == Path("sub/ix.sqlite")
    assert (tmp_path / "sub" / "ix.sqlite").exists()


def test_environment_over_settings(tmp_path: Path, monkeypatch) -> None:
    settings = {"SHOPWATCH_STORE": "sqlite:///from-settings.sqlite", "SHOPWATCH_DATA_DIR": "x"}
    assert store_url(settings) == "sqlite:///from-settings.sqlite"
    monkeypatch.setenv("SHOPWATCH_STORE", f"sqlite:///{tmp_path}/env.sqlite")
    monkeypatch.setenv("SHOPWATCH_INDEX", f"fts5:///{tmp_path}/env-index.sqlite")
    monkeypatch.setenv("SHOPWATCH_DATA_DIR", str(tmp_path / "d"))
    assert store_url(settings) == f"sqlite:///{tmp_path}/env.sqlite"
    assert index_url({}) == f"fts5:///{tmp_path}/env-index.sqlite"
    assert data_dir(settings) == tmp_path / "d"
    with open_store_from_settings(settings) as store:
        assert Path(store.path) == tmp_path / "env.sqlite"
    with open_index_from_settings(settings) as index:
        assert Path(index.path) == tmp_path / "env-index.sqlite"


def test_env_used_when_no_explicit_url(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SHOPWATCH_STORE", f"sqlite:///{tmp_path}/env.sqlite")
    with open_store(None, tmp_path) as store:
        assert Path(store.path) == tmp_path / "env.sqlite"
    with open_store(f"sqlite:///{tmp_path}/explicit.sqlite", tmp_path) as store:
        assert Path(store.path) == tmp_path / "explicit.sqlite"


def test_unreachable_servers_are_one_line_naming_the_url() -> None:
    # port 1 on loopback: nothing listens there, and nothing leaves the machine
    with pytest.raises(BackendError, match=r"MongoDB at mongodb://127\.0\.0\.1:1/shopwatch unreachable") as err:
        open_store("mongodb://127.0.0.1:1/shopwatch")
    assert "\n" not in str(err.value)
    with pytest.raises(BackendError, match=r"http://127\.0\.0\.1:1") as err:
        open_index("http://127.0.0.1:1")
    assert "\n" not in str(err.value)


def test_credentials_never_echoed() -> None:
    with pytest.raises(BackendError) as err:
        open_store("mongodb://admin:s3cret@127.0.0.1:1/shopwatch")
    assert "s3cret" not in str(err.value) and "admin:***@" in str(err.value)


@pytest.mark.parametrize("url", ["postgres://x/y", "sqlite:/x.sqlite", "sqlite://host/x.sqlite",
                                 "sqlite:///", "fts5:///x", "redis://127.0.0.1", "data/x.sqlite"])
def test_bad_store_urls(url: str) -> None:
    with pytest.raises(BackendError) as err:
        open_store(url, "data")
    message = str(err.value)
    assert "\n" not in message and "sqlite:///" in message
    assert url in message  # names the bad value


@pytest.mark.parametrize("url", ["elastic://x", "fts5:/x", "sqlite:///x.sqlite", "ftp://x"])
def test_bad_index_urls(url: str) -> None:
    with pytest.raises(BackendError) as err:
        open_index(url, "data")
    assert url in str(err.value) and "fts5:///" in str(err.value)
