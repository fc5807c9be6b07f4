"""One real Scrapy crawl (CrawlerProcess, project settings, data: URLs) in a child process:
signals, the shared store with the JobRecorder extension, flush at close, reopen afterwards."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = r'''
import json, sys
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from crawler.runner import project_settings
from crawler.items import Listing, Merchant
from crawler.config import open_store, open_index

class Fake(Spider):
    name = "fake"
    platform = "weishop"
    start_urls = ["data:text/html,<html>page%20one</html>", "data:text/html,<html>page%20two</html>"]

    def parse(self, response):
        if "one" not in response.text:
            return
        yield Merchant(platform="weishop", shop_id="s1", url="https://weishop.example/shop/s1", name="shop")
        for i in range(120):
            yield Listing(platform="weishop", item_id=str(i), url="https://weishop.example/item/%d?spm=x" % i,
                          shop_id="s1", title="正品香菸 %d" % i, price_text="¥%d.50" % i)
        yield Listing(platform="weishop", item_id="7", url="https://weishop.example/item/7", title="dup")
        yield Listing(platform="weishop", item_id="bad", url="https://weishop.example/item/bad", title=None)

data = sys.argv[1]
settings = project_settings({"SHOPWATCH_DATA_DIR": data, "LOG_LEVEL": "WARNING", "SHOPWATCH_STORE_BATCH": 50})
process = CrawlerProcess(settings, install_root_handler=False)
crawler = process.create_crawler(Fake)
process.crawl(crawler, job_id="realjob")
process.start()
stats = crawler.stats.get_stats()
with open_store(None, data) as store, open_index(None, data) as index:
    job = store.get_job("realjob")
    print(json.dumps({
        "listings": store.count_listings(), "merchants": store.count_merchants(),
        "pages": store.count_pages(job_id="realjob"), "indexed": index.count(),
        "hits": index.search("香烟").total, "job_state": job and job["state"],
        "new": stats.get("shopwatch/listings/new"), "dup": stats.get("shopwatch/duplicates"),
        "missing_title": stats.get("shopwatch/dropped/missing_title"),
        "url": store.get_listing("weishop", "3")["url"], "job_id": store.get_listing("weishop", "3")["job_id"],
    }))
'''


def test_real_crawl_end_to_end(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "data")], cwd=root,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["listings"] == 120 and out["merchants"] == 1 and out["indexed"] == 120
    assert out["hits"] == 120 and out["pages"] == 2
    assert out["new"] == 120 and out["dup"] == 1 and out["missing_title"] == 1
    assert out["url"] == "https://weishop.example/item/3" and out["job_id"] == "realjob"
    assert out["job_state"] == "finished"
