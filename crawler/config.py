"""The one place that selects back ends (store and search index) from configuration.

Precedence: an explicit URL argument > the environment (SHOPWATCH_STORE, SHOPWATCH_INDEX,
SHOPWATCH_DATA_DIR) > Scrapy settings > embedded defaults ({data_dir}/shopwatch.sqlite and
{data_dir}/index.sqlite). URL forms follow SQLAlchemy: ``sqlite:///relative/path.sqlite`` and
``sqlite:////absolute/path.sqlite`` (same for ``fts5:``); a bare ``sqlite`` or ``fts5`` means
the default file in the data directory. ``mongodb://host:port/db`` selects the MongoDB store
(crawler.store.mongo) and ``http(s)://host:port[/alias]`` the Elasticsearch index
(search.elastic); their client libraries come with ``pip install 'shopwatch[servers]'``.
"""
from __future__ import annotations

import atexit
import importlib
import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from crawler.store.base import BackendError, Store

if TYPE_CHECKING:
    from search.base import Index

__all__ = ["BackendError", "open_store", "open_index", "store_url", "index_url", "data_dir",
           "open_store_from_settings", "open_index_from_settings", "shared_store", "shared_index",
           "close_shared"]

STORE_FORMS = "sqlite:///relative/path.sqlite, sqlite:////absolute/path.sqlite, mongodb://host:port/db"
INDEX_FORMS = "fts5:///relative/path.sqlite, fts5:////absolute/path.sqlite, http(s)://host:port[/alias]"
_CREDENTIALS = re.compile(r"(//[^/@:]*):[^/@]*@")


def _redact(url: str) -> str:
    """Hide a password in ``user:password@host`` before the URL goes into a message."""
    return _CREDENTIALS.sub(r"\1:***@", url)


def _setting(settings: Any, key: str, default: Any = None) -> Any:
    if settings is None:
        return default
    getter = getattr(settings, "get", None)
    return getter(key, default) if getter else default


def store_url(settings: Any = None) -> str | None:
    """SHOPWATCH_STORE from the environment, else from ``settings``; None = embedded default."""
    return os.environ.get("SHOPWATCH_STORE") or _setting(settings, "SHOPWATCH_STORE") or None


def index_url(settings: Any = None) -> str | None:
    """SHOPWATCH_INDEX from the environment, else from ``settings``; None = embedded default."""
    return os.environ.get("SHOPWATCH_INDEX") or _setting(settings, "SHOPWATCH_INDEX") or None


def data_dir(settings: Any = None) -> Path:
    """SHOPWATCH_DATA_DIR from the environment, else from ``settings``, else ``data``."""
    return Path(os.environ.get("SHOPWATCH_DATA_DIR") or _setting(settings, "SHOPWATCH_DATA_DIR") or "data")


def _file_path(url: str, scheme: str, default: Path, kind: str, env: str, forms: str) -> str:
    rest = url[len(scheme) + 1:]
    if rest in ("", "//"):
        return str(default)
    if not rest.startswith("///") or len(rest) == 3:
        raise BackendError(f"{env}={_redact(url)!r} is not a valid {kind} URL; accepted forms: {forms}")
    path = rest[3:]
    return path if path == ":memory:" else str(Path(path))


def _existing(path: str, kind: str) -> str:
    """For read-only commands: a missing embedded file is a user mistake, not an empty result."""
    if path != ":memory:" and not Path(path).exists():
        raise BackendError(f"no {kind} at {path}: run `shopwatch demo` or `shopwatch crawl` first, "
                           f"or point --data-dir / SHOPWATCH_DATA_DIR at the data")
    return path


def _need(module: str, what: str, url: str) -> None:
    """One clear line when the optional client library is missing."""
    if importlib.util.find_spec(module) is None:
        raise BackendError(f"{what} at {_redact(url)} needs the {module} package: "
                           f"pip install 'shopwatch[servers]'")


def _options(settings: Any) -> dict[str, Any]:
    """Store batching from settings (SHOPWATCH_STORE_BATCH / _SECONDS)."""
    return {
        "batch_size": int(_setting(settings, "SHOPWATCH_STORE_BATCH", 500)),
        "batch_seconds": float(_setting(settings, "SHOPWATCH_STORE_BATCH_SECONDS", 1.0)),
    }


@dataclass(frozen=True)
class _Kind:
    """How one role (store or index) is named in configuration and which classes serve it."""

    role: str  # "store" / "index"
    env: str  # environment variable naming the URL
    scheme: str  # embedded URL scheme ("sqlite" / "fts5")
    filename: str  # embedded default file in the data directory
    forms: str  # accepted URL forms, for error messages
    embedded: tuple[str, str]  # (module, class) of the embedded back end
    server_prefixes: tuple[str, ...]
    server: tuple[str, str, str, str]  # (client package, label, module, class)


_STORE = _Kind("store", "SHOPWATCH_STORE", "sqlite", "shopwatch.sqlite", STORE_FORMS,
               ("crawler.store.sqlite", "SQLiteStore"), ("mongodb://", "mongodb+srv://"),
               ("pymongo", "MongoDB store", "crawler.store.mongo", "MongoStore"))
_INDEX = _Kind("index", "SHOPWATCH_INDEX", "fts5", "index.sqlite", INDEX_FORMS,
               ("search.fts5", "FTS5Index"), ("http://", "https://"),
               ("elasticsearch", "Elasticsearch index", "search.elastic", "ElasticIndex"))


def outage_wait(settings: Any = None) -> float:
    """Seconds a server back end's ``flush()`` keeps retrying while its server is away
    (SHOPWATCH_OUTAGE_WAIT from the environment, else settings, else 60)."""
    raw = os.environ.get("SHOPWATCH_OUTAGE_WAIT") or _setting(settings, "SHOPWATCH_OUTAGE_WAIT", 60)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1.0
    if not 0 <= value <= 86_400:
        raise BackendError(f"SHOPWATCH_OUTAGE_WAIT={raw!r} is not a number of seconds between 0 and 86400")
    return value


def _open(kind: _Kind, url: str | None, data_dir: str | Path, existing: bool, options: dict[str, Any],
          server_options: dict[str, Any] | None = None) -> Any:
    url = (url or os.environ.get(kind.env) or kind.scheme).strip()
    if url == kind.scheme or url.startswith(kind.scheme + ":"):
        path = _file_path(url, kind.scheme, Path(data_dir) / kind.filename, kind.role, kind.env, kind.forms)
        cls = getattr(importlib.import_module(kind.embedded[0]), kind.embedded[1])
        return cls(_existing(path, kind.role) if existing else path, **options)
    if url.startswith(kind.server_prefixes):
        package, label, module, name = kind.server
        _need(package, label, url)
        if server_options:
            options = {**options, **server_options}
        return getattr(importlib.import_module(module), name)(url, **options)
    raise BackendError(f"{kind.env}={_redact(url)!r} is not {'an' if kind.role == 'index' else 'a'} "
                       f"{kind.role} URL; accepted forms: {kind.forms}")


def open_store(url: str | None = None, data_dir: str | Path = "data", *, existing: bool = False,
               outage_wait: float | None = None, **options: Any) -> Store:
    """Open the store named by ``url`` (or $SHOPWATCH_STORE, or SQLite in ``data_dir``);
    ``existing=True`` refuses to create an embedded store (read-only commands); ``outage_wait``
    applies to a server store (how long ``flush()`` waits for a server that went away)."""
    return _open(_STORE, url, data_dir, existing, options, _server_options(outage_wait))


def open_index(url: str | None = None, data_dir: str | Path = "data", *, existing: bool = False,
               outage_wait: float | None = None, **options: Any) -> "Index":
    """Open the search index named by ``url`` (or $SHOPWATCH_INDEX, or FTS5 in ``data_dir``);
    ``existing=True`` refuses to create an embedded index (read-only commands); ``outage_wait``
    as for ``open_store``."""
    return _open(_INDEX, url, data_dir, existing, options, _server_options(outage_wait))


def _server_options(outage_wait: float | None) -> dict[str, Any]:
    return {} if outage_wait is None else {"outage_wait": outage_wait}


def open_store_from_settings(settings: Mapping[str, Any] | Any) -> Store:
    """The store a crawl with these settings writes to (environment over settings)."""
    return open_store(store_url(settings), data_dir(settings), outage_wait=outage_wait(settings),
                      **_options(settings))


def open_index_from_settings(settings: Mapping[str, Any] | Any) -> "Index":
    """The index a crawl with these settings writes to (environment over settings)."""
    opts = {
        "batch_size": int(_setting(settings, "SHOPWATCH_INDEX_BATCH", 500)),
        "batch_seconds": float(_setting(settings, "SHOPWATCH_INDEX_BATCH_SECONDS", 1.0)),
    }
    return open_index(index_url(settings), data_dir(settings), outage_wait=outage_wait(settings), **opts)


_SHARED: dict[tuple[str, str, str], Any] = {}


def _shared(kind: str, url: str | None, settings: Any, opener: Any) -> Any:
    key = (kind, url or "", str(data_dir(settings).resolve()))
    handle = _SHARED.get(key)
    if handle is None or getattr(handle, "closed", False):
        handle = _SHARED[key] = opener(settings)
    return handle


def shared_store(settings: Any) -> Store:
    """The process-wide store for these settings, opened once and closed at exit.

    Why shared: ``shopwatch crawl``/``demo`` run several crawlers in one process and thread;
    two SQLite connections there would wait on each other's open batch (the busy timeout
    blocks the very thread that would commit). Users of a shared store flush, never close.
    """
    return _shared("store", store_url(settings), settings, open_store_from_settings)


def shared_index(settings: Any) -> "Index":
    """The process-wide index for these settings (see ``shared_store``)."""
    return _shared("index", index_url(settings), settings, open_index_from_settings)


def close_shared() -> None:
    """Flush and close every shared back end (registered with atexit; tests may call it)."""
    while _SHARED:
        _, handle = _SHARED.popitem()
        handle.close()


atexit.register(close_shared)
