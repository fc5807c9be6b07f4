"""Test servers from the environment set by scripts/servers (one rule for every test package).

``eval "$(bash scripts/servers up --env)"`` exports SHOPWATCH_TEST_MONGO, SHOPWATCH_TEST_ES and
SHOPWATCH_TEST_REDIS (``make test`` does it). Unset locally: the tests skip, saying how to start
the servers. Unset with CI=true: the tests FAIL, so a CI run never passes without the back ends.
"""
from __future__ import annotations

import os

import pytest

SERVERS = {
    "mongo": ("SHOPWATCH_TEST_MONGO", "MongoDB (FerretDB)"),
    "es": ("SHOPWATCH_TEST_ES", "Elasticsearch"),
    "redis": ("SHOPWATCH_TEST_REDIS", "Redis"),
}


def server_url(name: str) -> str:
    """The URL of test server ``name`` (mongo, es, redis), or skip/fail the test when unset."""
    env, label = SERVERS[name]
    url = os.environ.get(env, "").strip()
    if url:
        return url
    hint = (f"{env} is not set: start the {label} test server with "
            f"`eval \"$(bash scripts/servers up {name} --env)\"` (or run `make test`)")
    if in_ci():
        pytest.fail(f"CI=true but {hint}", pytrace=False)
    pytest.skip(hint)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
