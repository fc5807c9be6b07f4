"""`shopwatch campaign run` and `campaign hits` as a monitor uses them, on a small stored corpus."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.config import open_index, open_store
from tests.e2e.conftest import json_lines, shopwatch

LISTINGS = [
    {"item_id": "1", "title": "正品软中华香烟 一条450元 包邮", "description": "整条出 量大从优"},
    {"item_id": "2", "title": "吸油烟机 大吸力", "description": "烟灶套装 送安装"},  # a false positive guard
    {"item_id": "3", "title": "烟台苹果 10斤装", "description": "脆甜多汁"},
    {"item_id": "4", "title": "RELX 悦刻 烟 弹 五代", "description": "口味齐全"},  # spaced evasion
    {"item_id": "5", "title": "有机绿茶", "description": "明前龙井"},
]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    records = [{"platform": "weishop", "shop_id": "s1", "url": f"http://weishop.mallsim.test/item/{x['item_id']}",
                "category": "food", "status": "active", **x} for x in LISTINGS]
    with open_store(None, tmp_path) as store, open_index(None, tmp_path) as index:
        for record in records:
            store.upsert_listing(record, job_id="seed")
        store.upsert_merchant({"platform": "weishop", "shop_id": "s1", "name": "好货小店",
                               "url": "http://weishop.mallsim.test/shop/s1"}, job_id="seed")
        index.index_listings(records)
    return tmp_path


def _counts(stdout: str) -> tuple[int, int]:
    m = re.search(r"hits new (\d+), seen again (\d+)", stdout)
    assert m, stdout
    return int(m.group(1)), int(m.group(2))


def test_run_records_hits_once_and_review_shows_them(data: Path) -> None:
    first = shopwatch("--data-dir", str(data), "campaign", "run", "tobacco")
    assert first.returncode == 0, first.stderr
    new, seen = _counts(first.stdout)
    assert new > 0 and seen == 0
    again = shopwatch("--data-dir", str(data), "campaign", "run", "tobacco")
    assert _counts(again.stdout) == (0, new)  # a re-run does not duplicate hits

    review = shopwatch("--data-dir", str(data), "campaign", "hits", "tobacco", "--json", "--limit", "1000")
    hits = json_lines(review.stdout)
    assert len(hits) == new
    flagged = {h["item_id"] for h in hits}
    assert {"1", "4"} <= flagged and not flagged & {"2", "3", "5"}
    titles = {x["item_id"]: x for x in LISTINGS}
    for hit in hits:  # offsets point into the original text
        assert titles[hit["item_id"]][hit["field"]][hit["start"]:hit["end"]] == hit["matched"]
        assert hit["first_seen"] <= hit["last_seen"]
    table = shopwatch("--data-dir", str(data), "campaign", "hits", "--family", "tobacco", "--limit", "1")
    assert f"{new} hits" in table.stdout and "showing 1" in table.stdout
    jobs = shopwatch("--data-dir", str(data), "jobs", "list", "--json")
    assert sum(1 for j in json_lines(jobs.stdout) if j["spider"] == "campaign:tobacco") == 2


def test_run_errors_name_the_problem(data: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    unknown = shopwatch("--data-dir", str(data), "campaign", "run", "no-such")
    assert unknown.returncode == 2 and "no campaign 'no-such'" in unknown.stderr
    bad_since = shopwatch("--data-dir", str(data), "campaign", "run", "tobacco", "--since", "soon")
    assert bad_since.returncode == 2 and "ISO-8601" in bad_since.stderr
    empty = tmp_path_factory.mktemp("empty")
    missing = shopwatch("--data-dir", str(empty), "campaign", "run", "tobacco")
    assert missing.returncode == 2 and "no store" in missing.stderr
    assert shopwatch("--data-dir", str(data), "campaign", "disable", "tobacco").returncode == 0
    disabled = shopwatch("--data-dir", str(data), "campaign", "run", "tobacco")
    assert disabled.returncode == 2 and "disabled" in disabled.stderr


def test_since_limits_the_run(data: Path) -> None:
    later = shopwatch("--data-dir", str(data), "campaign", "run", "tobacco", "--since", "2999-01-01")
    assert later.returncode == 0 and _counts(later.stdout) == (0, 0)
