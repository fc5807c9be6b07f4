"""Run one or several crawls in this process with shopwatch's settings — used by `shopwatch crawl`
and `shopwatch demo`; `scrapy crawl` reaches the same settings through scrapy.cfg."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.jobs import new_job_id


@dataclass
class CrawlSpec:
    spider: str  # spider name ("weishop", ...) or "profile"
    kwargs: dict[str, Any] = field(default_factory=dict)
    job_id: str | None = None


@dataclass
class CrawlResult:
    spec: CrawlSpec
    job_id: str
    stats: dict[str, Any]
    seconds: float


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawls(specs: list[CrawlSpec], overrides: dict[str, Any] | None = None) -> list[CrawlResult]:
    """Run the crawls concurrently in one reactor; return when all have closed."""
    settings = project_settings(overrides)
    check_components(settings)
    process = CrawlerProcess(settings, install_root_handler=True)
    crawlers: list[tuple[CrawlSpec, Crawler, str]] = []
    for spec in specs:
        job_id = spec.job_id or new_job_id(spec.spider)
        crawler = process.create_crawler(_spider_class(process, spec.spider))
        crawlers.append((spec, crawler, job_id))
        # Scrapy sets spider kwargs as attributes: pipelines and JobRecorder read spider.job_id
        process.crawl(crawler, job_id=job_id, **spec.kwargs)
    started = time.monotonic()
    process.start()
    elapsed = time.monotonic() - started
    return [
        CrawlResult(spec, job_id, dict(crawler.stats.get_stats()) if crawler.stats else {}, elapsed)
        for spec, crawler, job_id in crawlers
    ]


def check_components(settings: Settings) -> None:
    """Let each enabled item pipeline and extension refuse bad settings before the reactor starts
    (its ``check_settings(settings)``, if it has one, raises ``UserError``): an error inside
    Scrapy's start-up would only be logged, and a component raising NotConfigured is silently off."""
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import load_object

    for path in (*build_component_list(settings.getwithbase("ITEM_PIPELINES")),
                 *build_component_list(settings.getwithbase("EXTENSIONS"))):
        check = getattr(load_object(path), "check_settings", None)
        if check is not None:
            check(settings)


def _spider_class(process: CrawlerProcess, name: str) -> type:
    try:
        return process.spider_loader.load(name)
    except KeyError:
        known = ", ".join(sorted(process.spider_loader.list()))
        raise SystemExit(f"shopwatch: unknown spider {name!r}; known spiders: {known}") from None
