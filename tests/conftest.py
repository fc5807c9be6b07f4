"""Shared fixtures: a running simulator for the whole session, and a factory for other settings.

Talk to it with ``handle.fetch(platform, path)`` (explicit Host header to 127.0.0.1:port, no DNS)
or any HTTP client using ``handle.address`` plus ``Host: handle.host_header(platform)``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mallsim.config import SimConfig
from mallsim.server import SimHandle, start_background
from mallsim.world import World, WorldConfig

#: The small world every test shares (faults off: pages are byte-deterministic).
SMALL_WORLD: dict[str, Any] = {"seed": 7, "merchants": 40, "faults_enabled": False, "port": 0}


@pytest.fixture(scope="session")
def mallsim() -> Iterator[SimHandle]:
    """A faults-off simulator of a small world in a child process, shared by the session.
    Do not move its day clock -- use ``mallsim_factory`` for that."""
    with start_background(SimConfig(**SMALL_WORLD)) as handle:
        yield handle


@pytest.fixture(scope="session")
def small_world() -> World:
    """The world the ``mallsim`` fixture serves, for comparing served pages with the truth."""
    return World(WorldConfig(seed=SMALL_WORLD["seed"], merchants=SMALL_WORLD["merchants"]))


@pytest.fixture
def mallsim_factory() -> Iterator[Callable[..., SimHandle]]:
    """``mallsim_factory(**SimConfig knobs)``: a server of the small world (faults off unless
    given) with some knobs changed, stopped at the end of the test. ``mode="thread"`` starts
    faster (no interpreter spawn) but shares the test process's GIL."""
    handles: list[SimHandle] = []

    def make(mode: str = "process", **changes: Any) -> SimHandle:
        handle = start_background(SimConfig(**{**SMALL_WORLD, **changes}), mode=mode)
        handles.append(handle)
        return handle

    yield make
    for handle in handles:
        handle.stop()
