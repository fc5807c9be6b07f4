"""Cluster tests run real things: Redis (the shared test server, or a private redis-server when
the test must stop it), `shopwatch worker` OS processes, and a simulator started by the test.
Each test gets its own key prefix, so tests never see each other's jobs."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import in_ci, server_url

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A key prefix on one Redis, plus helpers to submit jobs and run workers as processes."""

    def __init__(self, redis_url: str, tmp: Path) -> None:
        self.redis_url = redis_url
        self.prefix = f"test-{uuid.uuid4().hex[:10]}"
        self.tmp = tmp
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPWATCH_STORE", "SHOPWATCH_INDEX"))}
        env.update(REDIS_URL=self.redis_url, SHOPWATCH_CLUSTER_PREFIX=self.prefix, PYTHONPATH=str(ROOT), **extra)
        return env

    def cli(self, *args: str, data: str = "data", check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "crawler.cli", "--data-dir", str(self.tmp / data), *args]
        result = subprocess.run(cmd, cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
        return result

    def submit(self, *args: str) -> str:
        return json.loads(self.cli("jobs", "submit", *args, "--json").stdout)["id"]

    def status(self, job_id: str) -> dict[str, Any]:
        return json.loads(self.cli("jobs", "status", job_id, "--json").stdout)

    def worker(self, *settings: str, data: str = "data", exit_when_idle: bool = True) -> subprocess.Popen[bytes]:
        log = self.tmp / f"worker-{len(self.workers)}.log"
        cmd = [sys.executable, "-m", "crawler.cli", "--data-dir", str(self.tmp / data), "worker"]
        if exit_when_idle:
            cmd.append("--exit-when-idle")
        for s in settings:
            cmd += ["-s", s]
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        self.logs.append(log)
        return proc

    def wait_workers(self, timeout: float = 90) -> list[int]:
        codes = []
        deadline = time.monotonic() + timeout
        for proc in self.workers:
            try:
                codes.append(proc.wait(max(0.1, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                raise AssertionError(f"worker {proc.pid} still running after {timeout} s; logs:\n{self.tail()}") from None
        return codes

    def tail(self, n: int = 3000) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-n:]}" for p in self.logs if p.exists())

    def wait_for(self, job_id: str, check: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            snap = self.status(job_id)
            if check(snap):
                return snap
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting on job {job_id}: {snap}\n{self.tail()}")
            time.sleep(0.3)

    def stop(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


def delete_prefix(client: Any, prefix: str) -> None:
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.unlink(key)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Workers and jobs on the shared test Redis under a prefix of this test's own."""
    import redis

    url = server_url("redis")
    c = Cluster(url, tmp_path)
    yield c
    c.stop()
    delete_prefix(redis.Redis.from_url(url), c.prefix)


class PrivateRedis:
    """A redis-server of the test's own (append-only file on, so a restart keeps the data)."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.dir = tmp / "redis"
        self.dir.mkdir()
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--dir", str(self.dir), "--daemonize", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # graceful: the append-only file is flushed
            self.proc.wait(10)

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if not Path(REDIS_SERVER).exists():
        message = "redis-server is not installed (apt-get install redis-server, or run `make test`)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    r = PrivateRedis(tmp_path)
    r.start()
    yield r
    r.stop()


@pytest.fixture
def sim_factory() -> Iterator[Callable[..., Any]]:
    """``sim_factory(merchants=N, **SimConfig knobs)``: a simulator process, stopped afterwards."""
    from mallsim.config import SimConfig
    from mallsim.server import start_background

    handles = []

    def make(**knobs: Any) -> Any:
        config = {"seed": 7, "merchants": 30, "faults_enabled": False, "port": 0, **knobs}
        handle = start_background(SimConfig(**config))
        handles.append(handle)
        return handle

    yield make
    for h in handles:
        h.stop()


def truth_listings(merchants: int, platform: str = "weishop", seed: int = 7) -> set[str]:
    from mallsim.truth import truth_records
    from mallsim.world import World, WorldConfig

    world = World(WorldConfig(seed=seed, merchants=merchants))
    return {r["item_id"] for r in truth_records(world, lambda p: "http://x")
            if r["kind"] == "listing" and r["platform"] == platform and r["status"] == "active"}


def stored(data_dir: Path, platform: str = "weishop") -> dict[str, tuple[Any, ...]]:
    """item_id -> (title, price, status, shop_id) of every listing in an embedded store."""
    from crawler.config import open_store

    with open_store(None, data_dir, existing=True) as store:
        return {l["item_id"]: (l["title"], str(l["price"]), l["status"], l["shop_id"])
                for l in store.iter_listings(platform=platform)}
