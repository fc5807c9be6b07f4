"""Private server instances for tests that stop a server: a free loopback port, their own data
directory, stop() and start() again on the same data. The shared test servers are never touched.

Binaries come from what ``scripts/servers`` installed (``--env`` exports their paths:
SHOPWATCH_FERRETDB_BIN, SHOPWATCH_ES_RUNNER), else from var/ in the checkout; missing ones fail
the test under CI=true and skip it locally (``tests.contracts.conftest.missing``).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable

from tests.servers import missing

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def installed(env: str, default: Path, what: str, check: Callable[[Path], bool]) -> Path:
    """The installed thing named by ``env`` (else ``default``), or fail/skip naming the fix."""
    path = Path(os.environ.get(env) or default)
    if check(path):
        return path
    missing(f"no {what} at {path}: run `bash scripts/servers up` (it installs it) or set {env}")


class PrivateServer:
    """One server process; ``answers()`` says when it is ready; data lives under ``home``."""

    name = "server"
    start_timeout = 60.0

    def __init__(self, home: Path) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def answers(self) -> bool:
        raise NotImplementedError

    def start(self) -> float:
        """Start and wait until it answers; returns the seconds that took."""
        started = time.monotonic()
        with open(self.home / f"{self.name}.log", "ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        while not self.answers():
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited: " + (self.home / f"{self.name}.log").read_text()[-2000:])
            if time.monotonic() - started > self.start_timeout:
                raise AssertionError(f"{self.name} did not answer within {self.start_timeout:.0f} s")
            time.sleep(0.3)
        return time.monotonic() - started

    def stop(self) -> None:
        """SIGTERM (a clean stop), SIGKILL after 30 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


class PrivateFerretDB(PrivateServer):
    name = "ferretdb"

    def __init__(self, home: Path) -> None:
        super().__init__(home)
        self.binary = installed("SHOPWATCH_FERRETDB_BIN", ROOT / "var" / "bin" / "ferretdb", "FerretDB binary",
                                lambda p: os.access(p, os.X_OK))
        self.debug_port = free_port()
        self.url = f"mongodb://127.0.0.1:{self.port}/outage"
        for d in ("data", "state"):
            (home / d).mkdir(exist_ok=True)

    def command(self) -> list[str]:
        return [str(self.binary), "--handler=sqlite", f"--sqlite-url=file:{self.home / 'data'}/",
                f"--listen-addr=127.0.0.1:{self.port}", "--telemetry=disable", f"--state-dir={self.home / 'state'}",
                f"--debug-addr=127.0.0.1:{self.debug_port}", "--log-level=warn"]

    def answers(self) -> bool:
        import pymongo

        client = pymongo.MongoClient(self.url, serverSelectionTimeoutMS=300)
        try:
            client.admin.command("ping")
            return True
        except pymongo.errors.PyMongoError:
            return False
        finally:
            client.close()


class PrivateElasticsearch(PrivateServer):
    """The single-node launcher ``scripts/servers`` compiles (classes + Maven Central jars)."""

    name = "elasticsearch"
    start_timeout = 240.0  # a JVM start on a busy 2-core machine: ~60 s measured

    def __init__(self, home: Path) -> None:
        super().__init__(home)
        self.runner = installed("SHOPWATCH_ES_RUNNER", ROOT / "var" / "servers" / "es-runner",
                                "Elasticsearch launcher", lambda p: (p / "classes").is_dir() and (p / "lib").is_dir())
        self.transport_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return ["java", "-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-cp", f"{self.runner / 'classes'}:{self.runner / 'lib'}/*",
                "org.elasticsearch.node.ShopwatchTestNode", str(self.home / "node"), str(self.port),
                str(self.transport_port)]

    def answers(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s",
                                        timeout=3) as response:
                return response.status == 200
        except OSError:
            return False
