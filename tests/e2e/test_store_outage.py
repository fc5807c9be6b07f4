"""The MongoDB server stops for ~20 s in the middle of a crawl: nothing is lost.

A PRIVATE FerretDB (the binary ``scripts/servers`` installed: $SHOPWATCH_FERRETDB_BIN, else
var/bin/ferretdb) on a free loopback port with its own data directory — the shared test server is
never touched. The crawl runs as an operator runs it (``shopwatch crawl weishop`` with
SHOPWATCH_STORE); once listings are arriving the server is stopped (SIGTERM), kept down ~20 s and
restarted on the same data directory. The store must then hold exactly the simulator's ground
truth: every merchant and listing, one version each, every page record, the job record.
Under CI=true a missing binary fails the test.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pymongo
import pytest

from mallsim.config import SimConfig
from mallsim.server import start_background
from mallsim.world import World, WorldConfig
from tests.contracts.conftest import missing
from tests.e2e.conftest import ROOT

WORLD = {"seed": 5, "merchants": 45}
OUTAGE_SECONDS = 20
pytestmark = pytest.mark.timeout(900)


def _ferretdb_binary() -> str:
    path = os.environ.get("SHOPWATCH_FERRETDB_BIN") or str(ROOT / "var" / "bin" / "ferretdb")
    if os.access(path, os.X_OK):
        return path
    missing(f"no FerretDB binary at {path}: run `bash scripts/servers up mongo` (it builds one) or set "
            f"SHOPWATCH_FERRETDB_BIN")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateFerretDB:
    """One FerretDB process on loopback; stop() and start() keep its data directory."""

    def __init__(self, binary: str, home: Path) -> None:
        self.binary, self.home = binary, home
        self.port, self.debug_port = _free_port(), _free_port()
        self.url = f"mongodb://127.0.0.1:{self.port}/outage"
        self.process: subprocess.Popen | None = None
        for d in ("data", "state"):
            (home / d).mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        log = open(self.home / "ferretdb.log", "ab")
        self.process = subprocess.Popen(
            [self.binary, "--handler=sqlite", f"--sqlite-url=file:{self.home / 'data'}/",
             f"--listen-addr=127.0.0.1:{self.port}", "--telemetry=disable", f"--state-dir={self.home / 'state'}",
             f"--debug-addr=127.0.0.1:{self.debug_port}", "--log-level=warn"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        client = pymongo.MongoClient(self.url, serverSelectionTimeoutMS=500)
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    client.admin.command("ping")
                    return
                except pymongo.errors.PyMongoError:
                    assert self.process.poll() is None, (self.home / "ferretdb.log").read_text()[-2000:]
                    assert time.monotonic() < deadline, "FerretDB did not answer within 60 s"
                    time.sleep(0.2)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


@pytest.fixture
def ferretdb(tmp_path: Path) -> Iterator[PrivateFerretDB]:
    server = PrivateFerretDB(_ferretdb_binary(), tmp_path / "ferretdb")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_mongodb_outage_mid_crawl_loses_nothing(ferretdb: PrivateFerretDB, tmp_path: Path) -> None:
    env = {**os.environ, "SHOPWATCH_STORE": ferretdb.url}
    env.pop("SHOPWATCH_INDEX", None)  # the embedded index; the outage is the store's
    with start_background(SimConfig(port=0, faults_enabled=False, **WORLD)) as sim:
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "--data-dir", str(tmp_path / "data"), "crawl", "weishop",
             "--port", str(sim.port)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        watcher = pymongo.MongoClient(ferretdb.url, serverSelectionTimeoutMS=2000)
        try:
            deadline = time.monotonic() + 300
            while watcher.get_default_database().listings.estimated_document_count() < 50:
                assert crawl.poll() is None, crawl.communicate()
                assert time.monotonic() < deadline, "no listings were stored within 300 s"
                time.sleep(0.2)
            watcher.close()
            ferretdb.stop()  # mid-crawl: listings are arriving, most of the shop still unvisited
            stopped_at = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            running_when_back = crawl.poll() is None
            ferretdb.start()
            out, err = crawl.communicate(timeout=600)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.communicate()
    assert crawl.returncode == 0, out[-2000:] + err[-3000:]
    assert time.monotonic() - stopped_at >= OUTAGE_SECONDS
    assert "unreachable" in err and "buffering writes" in err, err[-3000:]  # the outage was seen
    assert "answers again" in err, err[-3000:]

    world = World(WorldConfig(**WORLD))
    merchants = list(world.merchants("weishop"))
    truth = {l.item_id: l for m in merchants for l in world.listings(m) if l.status == "active"}
    db = pymongo.MongoClient(ferretdb.url, serverSelectionTimeoutMS=5000).get_default_database()
    stored = {d["item_id"]: d for d in db.listings.find({"platform": "weishop"})}
    assert set(stored) == set(truth), (len(stored), len(truth), running_when_back)
    for item_id, listing in truth.items():
        assert stored[item_id]["title"].split() == listing.title.split(), item_id
        assert stored[item_id]["price"] == str(listing.price) or float(stored[item_id]["price"]) == float(listing.price)
        assert stored[item_id]["version"] == 1 and stored[item_id]["status"] == "active"
    versions = list(db.listing_versions.find({"platform": "weishop"}, {"item_id": 1, "version": 1}))
    assert sorted(v["item_id"] for v in versions) == sorted(truth)  # exactly one version row each
    assert {d["shop_id"] for d in db.merchants.find({"platform": "weishop"})} == {m.shop_id for m in merchants}
    jobs = list(db.jobs.find())
    assert len(jobs) == 1 and jobs[0]["state"] == "finished", jobs
    assert db.pages.count_documents({}) == jobs[0]["counts"]["pages"] > len(truth)
