"""A server back end stops for ~20 s in the middle of a crawl: nothing is lost.

PRIVATE server instances (``tests/e2e/private_servers.py``) on free loopback ports with their own
data directories — the shared test servers are never touched. The crawl runs as an operator runs
it (``shopwatch crawl weishop`` with SHOPWATCH_STORE or SHOPWATCH_INDEX); once records are arriving
the server is stopped (SIGTERM), kept down 20 s and restarted on the same data directory. The
back end must then hold exactly the simulator's ground truth.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable

import pymongo
import pytest

from crawler.config import open_store
from mallsim.config import SimConfig
from mallsim.server import start_background
from mallsim.world import World, WorldConfig
from search.elastic import ElasticIndex
from tests.e2e.private_servers import ROOT, PrivateElasticsearch, PrivateFerretDB, PrivateServer

WORLD = {"seed": 5, "merchants": 45}
OUTAGE_SECONDS = 20
# One request at a time, 30 ms apart: the ~600 pages take ~20 s, so the stop always lands while
# records are still being written (unpaced, a quiet machine crawls them in ~2.5 s — sometimes
# before the first batch is even visible at the server, and the outage is never seen).
PACE = ["-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.03", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]
pytestmark = pytest.mark.timeout(1200)


def _truth() -> tuple[set[str], dict]:
    world = World(WorldConfig(**WORLD))
    merchants = list(world.merchants("weishop"))
    return {m.shop_id for m in merchants}, {l.item_id: l for m in merchants for l in world.listings(m)
                                            if l.status == "active"}


def _crawl_through_outage(server: PrivateServer, env: dict[str, str], data_dir: Path,
                          arriving: Callable[[], bool]) -> tuple[str, str]:
    """Crawl weishop; stop ``server`` once ``arriving()``, restart it 20 s later; the crawl's output."""
    with start_background(SimConfig(port=0, faults_enabled=False, **WORLD)) as sim:
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "--data-dir", str(data_dir), "crawl", "weishop",
             "--port", str(sim.port), *PACE], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        try:
            deadline = time.monotonic() + 300
            while not arriving():
                assert crawl.poll() is None, crawl.communicate()
                assert time.monotonic() < deadline, "nothing arrived at the server within 300 s"
                time.sleep(0.1)
            assert crawl.poll() is None, "the crawl ended before the outage"
            server.stop()  # mid-crawl: records are arriving, most of the platform still unvisited
            assert crawl.poll() is None, "the crawl ended before the server was down"
            time.sleep(OUTAGE_SECONDS)
            server.start()
            out, err = crawl.communicate(timeout=900)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.communicate()
    assert crawl.returncode == 0, out[-2000:] + err[-3000:]
    assert "unreachable" in err and "buffering writes" in err, err[-3000:]  # the outage was seen...
    assert "answers again" in err, err[-3000:]  # ... and its end
    return out, err


def test_mongodb_outage_mid_crawl_loses_nothing(tmp_path: Path) -> None:
    server = PrivateFerretDB(tmp_path / "ferretdb")
    server.start()
    env = {**os.environ, "SHOPWATCH_STORE": server.url}
    env.pop("SHOPWATCH_INDEX", None)  # the embedded index; the outage is the store's
    watcher = pymongo.MongoClient(server.url, serverSelectionTimeoutMS=2000)

    def arriving() -> bool:
        return watcher.get_default_database().listings.estimated_document_count() >= 50

    try:
        _crawl_through_outage(server, env, tmp_path / "data", arriving)
        watcher.close()
        shops, truth = _truth()
        db = pymongo.MongoClient(server.url, serverSelectionTimeoutMS=5000).get_default_database()
        stored = {d["item_id"]: d for d in db.listings.find({"platform": "weishop"})}
        assert set(stored) == set(truth), (len(stored), len(truth))
        for item_id, listing in truth.items():
            assert stored[item_id]["title"].split() == listing.title.split(), item_id
            assert float(stored[item_id]["price"]) == float(listing.price), item_id
            assert stored[item_id]["version"] == 1 and stored[item_id]["status"] == "active"
        versions = [v["item_id"] for v in db.listing_versions.find({"platform": "weishop"}, {"item_id": 1})]
        assert sorted(versions) == sorted(truth)  # exactly one version row each, none twice
        assert {d["shop_id"] for d in db.merchants.find({"platform": "weishop"})} == shops
        jobs = list(db.jobs.find())
        assert len(jobs) == 1 and jobs[0]["state"] == "finished", jobs
        assert db.pages.count_documents({}) == jobs[0]["counts"]["pages"] > len(truth)
    finally:
        server.stop()


def test_elasticsearch_outage_mid_crawl_loses_nothing(tmp_path: Path) -> None:
    server = PrivateElasticsearch(tmp_path / "es")
    server.start()
    alias = "outage"
    # the restart of a JVM on a busy machine takes up to minutes: flush waits that long
    env = {**os.environ, "SHOPWATCH_INDEX": f"{server.url}/{alias}", "SHOPWATCH_OUTAGE_WAIT": "600"}
    env.pop("SHOPWATCH_STORE", None)  # the embedded store; the outage is the index's

    def arriving() -> bool:
        try:
            with urllib.request.urlopen(f"{server.url}/{alias}/_count", timeout=2) as response:
                return json.load(response)["count"] >= 1
        except OSError:
            return False

    try:
        _crawl_through_outage(server, env, tmp_path / "data", arriving)
        _, truth = _truth()
        with open_store(None, tmp_path / "data", existing=True) as store:
            assert {r["item_id"] for r in store.iter_listings(platform="weishop")} == set(truth)
        index = ElasticIndex(f"{server.url}/{alias}")
        try:
            assert index.count() == len(truth)
            everything = index.search("", platform="weishop", limit=1000)
            assert everything.total == len(truth) and {h.item_id for h in everything.hits} == set(truth)
            for item_id, listing in list(truth.items())[:: max(1, len(truth) // 25)]:
                hits = index.search(listing.title, limit=50).hits  # each listing findable by its title
                assert item_id in {h.item_id for h in hits}, (item_id, listing.title)
        finally:
            index.close()
    finally:
        server.stop()
