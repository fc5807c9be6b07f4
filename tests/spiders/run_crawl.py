"""Run one crawl in a fresh process (Scrapy's reactor cannot restart): used by crawlhelp.crawl().

    python tests/spiders/run_crawl.py SPEC.json

SPEC: {"spider": name, "args": {...}, "settings": {...}, "items": path, "stats": path}. Items go
to a JSON-lines feed, the final stats to a JSON file. CrawlerProcess installs shopwatch's DNS
resolver, exactly as ``scrapy crawl`` does.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict(spec.get("settings", {}), priority="cmdline")
    settings.set("FEEDS", {Path(spec["items"]).as_uri(): {"format": "jsonlines", "encoding": "utf-8"}},
                 priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spec["spider"])
    process.crawl(crawler, **spec.get("args", {}))
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    Path(spec["stats"]).write_text(json.dumps(stats, default=str, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
