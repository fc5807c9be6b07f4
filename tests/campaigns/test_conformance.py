"""Two engines, one definition: the hits the streaming pipeline records while crawling are
exactly the hits a retroactive campaign run finds afterwards through the index prefilter —
on SQLite FTS5 and on Elasticsearch (real server), over a simulator crawl full of evasions."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from crawler.config import open_index, open_store
from detect.registry import CampaignRegistry
from detect.runs import run_campaign
from mallsim.config import SimConfig
from mallsim.server import start_background
from tests.contracts.conftest import server_url
from tests.e2e.conftest import shopwatch

SPIDERS = ("weishop", "miniapp", "moments")  # vshop renders in Chromium: covered by the demo test


def _crawl(data: Path, port: int, env: dict[str, str]) -> None:
    for spider in SPIDERS:
        result = shopwatch("--data-dir", str(data), "crawl", spider, "--port", str(port), env=env)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]


@pytest.fixture(scope="module")
def sim():
    with start_background(SimConfig(port=0, seed=11, merchants=120, faults_enabled=False)) as handle:
        yield handle


def _streaming_then_retroactive(data: Path, index_url: str | None) -> None:
    with open_store(None, data) as store:
        streamed = {h["id"]: h for h in store.iter_hits()}
        families = {h["family"] for h in streamed.values()}
        assert {"tobacco", "fake_patent", "misleading_ad", "license"} <= families, families
        campaigns = CampaignRegistry(data).enabled()
        with open_index(index_url, data) as index:
            seen = 0
            for campaign in campaigns:
                result = run_campaign(campaign, store, index)
                assert result.hits["new"] == 0, (campaign.id, result)  # nothing streaming missed
                seen += result.hits["seen"]
        after = {h["id"]: h for h in store.iter_hits()}
    assert seen == len(streamed)  # and everything streaming found, found again once
    assert after.keys() == streamed.keys()
    for hid, hit in after.items():
        old = streamed[hid]
        assert (hit["matched"], hit["start"], hit["end"], hit["field"]) == \
            (old["matched"], old["start"], old["end"], old["field"])
        assert hit["first_seen"] == old["first_seen"] and hit["last_seen"] >= old["last_seen"]


def test_streaming_and_fts5_runs_agree(sim, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SHOPWATCH_STORE", "SHOPWATCH_INDEX")}
    _crawl(tmp_path, sim.port, env)
    _streaming_then_retroactive(tmp_path, None)


def test_streaming_and_elasticsearch_runs_agree(sim, tmp_path: Path) -> None:
    es = server_url("es").rstrip("/") + f"/conformance-{secrets.token_hex(4)}"
    env = {**{k: v for k, v in os.environ.items() if k != "SHOPWATCH_STORE"}, "SHOPWATCH_INDEX": es}
    _crawl(tmp_path, sim.port, env)
    try:
        _streaming_then_retroactive(tmp_path, es)
    finally:
        from search.elastic import ElasticIndex

        with ElasticIndex(es) as index:
            index.drop()
