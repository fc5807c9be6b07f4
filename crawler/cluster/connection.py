"""Which Redis and which key prefix: environment over settings, one clear line when unusable."""
from __future__ import annotations

import os
from typing import Any

from crawler.errors import UserError
from crawler.cluster.keys import Keys


def _setting(settings: Any, key: str) -> Any:
    return settings.get(key) if settings is not None else None


def redis_url(settings: Any = None) -> str:
    """REDIS_URL from the environment, else the setting; a UserError when neither is set."""
    url = (os.environ.get("REDIS_URL") or _setting(settings, "REDIS_URL") or "").strip()
    if not url:
        raise UserError("REDIS_URL is not set: distributed jobs need a Redis server, "
                        "e.g. export REDIS_URL=redis://127.0.0.1:6379/0")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise UserError(f"REDIS_URL={_redact(url)!r} is not a Redis URL; accepted forms: "
                        "redis://host:port/db, rediss://host:port/db, unix:///path/to/socket")
    return url


def keys(settings: Any = None) -> Keys:
    prefix = os.environ.get("SHOPWATCH_CLUSTER_PREFIX") or _setting(settings, "SHOPWATCH_CLUSTER_PREFIX") or "shopwatch"
    try:
        return Keys(prefix)
    except ValueError as exc:
        raise UserError(f"SHOPWATCH_CLUSTER_PREFIX: {exc}") from None


def connect(url: str, check: bool = True) -> Any:
    """A client that fails fast when Redis is down (callers back off and retry themselves)."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)
    if check:
        try:
            client.ping()
        except redis.RedisError as exc:
            raise UserError(f"cannot reach Redis at {_redact(url)}: {exc}") from None
    return client


def _redact(url: str) -> str:
    from crawler.config import _redact as redact  # the one credential-hiding rule

    return redact(url)
