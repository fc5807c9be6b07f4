"""The demo crawl on the server back ends (MongoDB store, Elasticsearch index) finds what it finds
on the embedded ones (SQLite, FTS5): the same listings and merchants, and the same search results.

A small world (FerretDB writes ~50 documents/s) on three platforms — server-rendered shops, the
signed API and free-text posts (the Chromium platform adds minutes and no back-end code path).
Back ends are selected the way an operator does it: SHOPWATCH_STORE / SHOPWATCH_INDEX.
Under CI=true a missing server fails these tests (tests/contracts/conftest.py ``server_url``).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from crawler.config import open_index, open_store
from crawler.normalize import search_key
from mallsim.world import World, WorldConfig
from tests.contracts.conftest import server_url
from tests.e2e.conftest import json_lines, shopwatch

PLATFORMS = ("weishop", "miniapp", "moments")
WORLD = {"seed": 11, "merchants": 30}
#: 1-, 2- and 3+-character terms, CJK and Latin, an AND of two terms, one with a platform filter
QUERIES: list[tuple[tuple[str, ...], str | None]] = [
    (("香烟",), None), (("烟",), None), (("专利",), None), (("正品",), None), (("电子烟",), None),
    (("烟", "包邮"), None), (("relx",), None), (("烟",), "moments")]
pytestmark = pytest.mark.timeout(900)


def _no_port(url: str) -> str:
    """Each demo serves the simulator on its own free port: compare URLs without it."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.hostname or "").geturl()


def _demo(data_dir: Path, env: dict[str, str]) -> None:
    args = ("--data-dir", str(data_dir), "demo", "--merchants", str(WORLD["merchants"]),
            "--seed", str(WORLD["seed"]), "--faults", "off", "--platforms", ",".join(PLATFORMS))
    result = shopwatch(*args, env=env, timeout=800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "missed against ground truth: 0" in result.stdout, result.stdout[-3000:]


def _snapshot(env: dict[str, str], data_dir: Path) -> dict:
    """What an operator sees afterwards: stored listings and merchants, and search results."""
    saved = {k: os.environ.get(k) for k in ("SHOPWATCH_STORE", "SHOPWATCH_INDEX")}
    os.environ.update({k: v for k, v in env.items() if k in saved})
    try:
        with open_store(None, data_dir, existing=True) as store:
            listings = {(r["platform"], r["item_id"]): (r["title"], r["price"], r["currency"], r["status"],
                                                        r["version"], r["content_hash"], _no_port(r["url"]))
                        for r in store.iter_listings()}
            merchants = {(m["platform"], m["shop_id"]): (m["name"], m["licence_uscc"], m["content_hash"])
                         for m in store.iter_merchants()}
            pages = store.count_pages()
            jobs = sorted(j["spider"] for j in store.list_jobs())
        with open_index(None, data_dir, existing=True) as index:
            indexed = index.count()
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    searches = {}
    for query in QUERIES:
        terms, platform = query
        args = (*terms, "--platform", platform) if platform else terms
        result = shopwatch("--data-dir", str(data_dir), "search", *args, "--json", "--limit", "1000", env=env)
        assert result.returncode == 0, result.stderr
        searches[query] = {(h["platform"], h["item_id"]) for h in json_lines(result.stdout)}
    return {"listings": listings, "merchants": merchants, "pages": pages, "jobs": jobs,
            "indexed": indexed, "searches": searches}


@pytest.fixture(scope="module")
def server_env() -> Iterator[dict[str, str]]:
    """A private database and index alias on the shared test servers, dropped afterwards."""
    mongo, es = server_url("mongo"), server_url("es")
    tag = secrets.token_hex(4)
    env = {"SHOPWATCH_STORE": f"{mongo.rsplit('/', 1)[0]}/sw_e2e_{tag}",
           "SHOPWATCH_INDEX": f"{es.rstrip('/')}/sw-e2e-{tag}"}
    yield env
    import pymongo

    from search.elastic import ElasticIndex

    client = pymongo.MongoClient(env["SHOPWATCH_STORE"], serverSelectionTimeoutMS=5000)
    client.drop_database(f"sw_e2e_{tag}")
    client.close()
    index = ElasticIndex(env["SHOPWATCH_INDEX"])
    index.drop()
    index.close()


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, server_env: dict[str, str]) -> tuple[dict, dict]:
    embedded_dir, server_dir = tmp_path_factory.mktemp("embedded"), tmp_path_factory.mktemp("servers")
    embedded_env = {k: v for k, v in os.environ.items() if k not in ("SHOPWATCH_STORE", "SHOPWATCH_INDEX")}
    _demo(embedded_dir, embedded_env)
    _demo(server_dir, {**embedded_env, **server_env})
    assert not (server_dir / "shopwatch.sqlite").exists(), "the server run wrote the embedded store"
    return _snapshot(embedded_env, embedded_dir), _snapshot({**embedded_env, **server_env}, server_dir)


def test_same_listings_and_merchants_as_the_ground_truth(both: tuple[dict, dict]) -> None:
    embedded, servers = both
    world = World(WorldConfig(**WORLD))
    truth = {(p, l.item_id) for p in PLATFORMS for m in world.merchants(p) for l in world.listings(m)
             if l.status == "active"}
    assert set(embedded["listings"]) == truth
    assert set(servers["listings"]) == truth
    assert servers["listings"] == embedded["listings"]  # titles, prices, versions, hashes, URLs
    assert servers["merchants"] == embedded["merchants"]
    assert len(servers["merchants"]) == sum(len(list(world.merchants(p))) for p in PLATFORMS)
    assert servers["indexed"] == embedded["indexed"] == len(truth)
    assert servers["pages"] == embedded["pages"] > len(servers["merchants"])  # a page record per response
    assert servers["jobs"] == embedded["jobs"] == sorted(PLATFORMS)


def test_same_search_results(both: tuple[dict, dict]) -> None:
    embedded, servers = both
    world = World(WorldConfig(**WORLD))
    listings = {(p, l.item_id): search_key(l.title) + "\n" + search_key(l.description)
                for p in PLATFORMS for m in world.merchants(p) for l in world.listings(m) if l.status == "active"}
    for query in QUERIES:
        terms, platform = query
        expected = {k for k, text in listings.items()
                    if all(search_key(t) in text for t in terms) and platform in (None, k[0])}
        assert embedded["searches"][query] == expected, query
        assert servers["searches"][query] == expected, query
    two_char = embedded["searches"][(("香烟",), None)]
    assert two_char, "the world should have listings saying 香烟 (or 香菸/香煙)"
    assert sum(1 for found in embedded["searches"].values() if found) >= 6, "most queries should find something"
