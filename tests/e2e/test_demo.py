"""The main job end to end, through the CLI: simulator → crawl → store → index → summary, then
search and job records — checked against the simulator's ground truth, not against itself."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import open_store
from crawler.normalize import search_key
from mallsim.world import World, WorldConfig
from tests.e2e.conftest import json_lines, shopwatch

PLATFORMS = ("weishop", "miniapp", "vshop", "moments")
WORLD = {"seed": 7, "merchants": 40}


def _truth_active(world: World) -> dict[tuple[str, str], object]:
    out = {}
    for platform in PLATFORMS:
        for merchant in world.merchants(platform):
            for listing in world.listings(merchant):
                if listing.status == "active":
                    out[(platform, listing.item_id)] = listing
    return out


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo")
    result = shopwatch("--data-dir", str(data), "demo", "--merchants", str(WORLD["merchants"]),
                       "--seed", str(WORLD["seed"]), "--faults", "off")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "missed against ground truth: 0" in result.stdout
    assert "campaign hits" in result.stdout and "misleading_ad" in result.stdout
    assert "evidence: fixed for 8 hits" in result.stdout  # 2 per family, in Chromium, while the simulator runs
    return data


def test_demo_stores_exactly_the_ground_truth(demo_dir: Path) -> None:
    truth = _truth_active(World(WorldConfig(**WORLD)))
    with open_store(None, demo_dir) as store:
        stored = {(l["platform"], l["item_id"]): l for l in store.iter_listings(status="active")}
        assert set(stored) == set(truth)
        for key, listing in truth.items():
            assert stored[key]["title"].split() == listing.title.split(), key
            assert stored[key]["price"] == listing.price, key
        merchants = {(m["platform"], m["shop_id"]) for m in store.iter_merchants()}
    world = World(WorldConfig(**WORLD))
    assert merchants == {(p, m.shop_id) for p in PLATFORMS for m in world.merchants(p)}


def test_search_finds_every_listing_with_a_two_character_word(demo_dir: Path) -> None:
    truth = _truth_active(World(WorldConfig(**WORLD)))
    expected = {key for key, l in truth.items()
                if "香烟" in search_key(l.title) or "香烟" in search_key(l.description)}
    assert expected, "the small world should contain listings that say 香烟 (or 香菸/香煙)"
    result = shopwatch("--data-dir", str(demo_dir), "search", "香烟", "--json", "--limit", "1000")
    assert result.returncode == 0, result.stderr
    hits = json_lines(result.stdout)
    assert {(h["platform"], h["item_id"]) for h in hits} == expected
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert all("<em>" in h["snippet"] for h in hits)


def test_demo_detects_every_family_with_offsets_into_stored_text(demo_dir: Path) -> None:
    with open_store(None, demo_dir) as store:
        hits = list(store.iter_hits())
        assert {h["family"] for h in hits} == {"tobacco", "fake_patent", "misleading_ad", "license"}
        for hit in hits:
            if hit["item_id"] is None:
                record = store.get_merchant(hit["platform"], hit["shop_id"])
                text = record["name"] if hit["field"] == "shop_name" else str(record.get(hit["field"]) or "")
            else:
                text = store.get_listing(hit["platform"], hit["item_id"])[hit["field"]]
            assert text[hit["start"]:hit["end"]] == hit["matched"], hit
    world = World(WorldConfig(**WORLD))
    labelled = {(p, l.item_id) for p in PLATFORMS for m in world.merchants(p) for l in world.listings(m)
                if "tobacco" in l.labels and l.status == "active"}
    flagged = {(h["platform"], h["item_id"]) for h in hits if h["family"] == "tobacco" and h["item_id"]}
    assert labelled and len(labelled & flagged) >= 0.9 * len(labelled)  # vshop (browser) included


def test_search_filters_by_platform(demo_dir: Path) -> None:
    all_hits = json_lines(shopwatch("--data-dir", str(demo_dir), "search", "烟", "--json", "--limit", "1000").stdout)
    moments = json_lines(shopwatch("--data-dir", str(demo_dir), "search", "烟", "--platform", "moments",
                                   "--json", "--limit", "1000").stdout)
    assert moments and all(h["platform"] == "moments" for h in moments)
    assert {h["item_id"] for h in moments} == {h["item_id"] for h in all_hits if h["platform"] == "moments"}


def test_search_table_shows_totals_and_facets(demo_dir: Path) -> None:
    result = shopwatch("--data-dir", str(demo_dir), "search", "香烟")
    assert result.returncode == 0
    assert "listings match '香烟'" in result.stdout
    assert "platform:" in result.stdout


def test_jobs_are_recorded_with_counts(demo_dir: Path) -> None:
    jobs = json_lines(shopwatch("--data-dir", str(demo_dir), "jobs", "list", "--json").stdout)
    assert sorted(j["spider"] for j in jobs) == sorted(PLATFORMS)
    for job in jobs:
        assert job["state"] == "finished"
        assert job["counts"]["pages"] > 0 and job["counts"]["items"] > 0
        assert job["finished_at"] >= job["started_at"]


def test_recrawl_next_day_versions_changes_and_marks_delisted(tmp_path: Path) -> None:
    for day in (0, 1):
        result = shopwatch("--data-dir", str(tmp_path), "demo", "--merchants", "40", "--faults", "off",
                           "--day", str(day))
        assert result.returncode == 0, result.stdout + result.stderr
    day1 = World(WorldConfig(seed=7, merchants=40, day=1))
    changed = delisted = 0
    with open_store(None, tmp_path) as store:
        for platform in PLATFORMS:
            for merchant in day1.merchants(platform):
                for listing in day1.listings(merchant):
                    row = store.get_listing(platform, listing.item_id)
                    assert row is not None, (platform, listing.item_id)
                    if listing.status == "delisted" and listing.first_day == 0:
                        delisted += 1
                        assert row["status"] == "delisted", listing.item_id
                        assert row["title"], "a delisted listing keeps its data"
                    elif listing.changed_day == 1 and listing.first_day == 0:
                        changed += 1
                        assert row["version"] >= 2, listing.item_id
                        assert row["price"] == listing.price
                        versions = store.listing_versions(platform, listing.item_id)
                        assert [v["version"] for v in versions] == list(range(1, row["version"] + 1))
                    elif listing.first_day == 0 and listing.status == "active":
                        assert row["version"] == 1, listing.item_id
    assert changed > 0 and delisted > 0


def test_demo_survives_faults(tmp_path: Path) -> None:
    result = shopwatch("--data-dir", str(tmp_path), "demo", "--merchants", "40", "--faults", "on")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "missed against ground truth: 0" in result.stdout
