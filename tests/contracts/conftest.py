"""Fixtures for the server back ends: URLs from the environment set by scripts/servers
(``tests.servers.server_url``: skip locally when unset, fail under CI=true)."""
from __future__ import annotations

import pytest

from tests.servers import SERVERS, server_url  # noqa: F401  (re-exported for older imports)


@pytest.fixture(scope="session")
def mongo_url() -> str:
    return server_url("mongo")


@pytest.fixture(scope="session")
def es_url() -> str:
    return server_url("es")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return server_url("redis")
