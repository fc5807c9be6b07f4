"""SHOPWATCH_GC_THRESHOLD: the collector's thresholds while a real crawl runs, restored after it;
bad values stop the CLI's crawl before it starts, naming the setting."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.errors import UserError
from crawler.gctune import parse_threshold
from crawler.runner import check_components, project_settings

SCRIPT = r'''
import gc, json, sys
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from crawler.runner import project_settings

seen = []

class Probe(Spider):
    name = "probe"
    start_urls = ["data:text/html,<html>one</html>"]

    def parse(self, response):
        seen.append(gc.get_threshold())
        return []

before = gc.get_threshold()
overrides = {"SHOPWATCH_DATA_DIR": sys.argv[1], "LOG_LEVEL": "WARNING"}
if sys.argv[2] != "default":
    overrides["SHOPWATCH_GC_THRESHOLD"] = json.loads(sys.argv[2])
process = CrawlerProcess(project_settings(overrides), install_root_handler=False)
process.crawl(Probe)
process.start()
print(json.dumps({"before": before, "during": seen, "after": gc.get_threshold()}))
'''


def _crawl(tmp_path: Path, value: str) -> dict:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "data"), value], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_project_default_is_applied_during_the_crawl_and_restored(tmp_path: Path) -> None:
    out = _crawl(tmp_path, "default")
    assert out["during"] == [[10_000, 10, 10]]
    assert out["after"] == out["before"] == [700, 10, 10]


def test_none_leaves_the_collector_alone(tmp_path: Path) -> None:
    out = _crawl(tmp_path, "null")
    assert out["during"] == [out["before"]]


def test_command_line_string_form() -> None:
    assert parse_threshold("20000,5, 5") == (20_000, 5, 5)
    assert parse_threshold("5000") == (5000,)
    assert parse_threshold("[20000, 5, 5]") == (20_000, 5, 5)
    assert parse_threshold("") is None


@pytest.mark.parametrize("bad", ["lots", (0, 10, 10), (700, -1), (1, 2, 3, 4), 7.5])
def test_bad_values_stop_the_crawl_naming_the_setting(bad: object) -> None:
    settings = project_settings({"SHOPWATCH_GC_THRESHOLD": bad})
    with pytest.raises(UserError, match="SHOPWATCH_GC_THRESHOLD"):
        check_components(settings)


def test_cli_crawl_refuses_a_bad_threshold_before_crawling(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "--data-dir", str(tmp_path / "data"), "crawl",
                           "weishop", "-s", "SHOPWATCH_GC_THRESHOLD=lots"],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "shopwatch: SHOPWATCH_GC_THRESHOLD must be integers, got 'lots'" in proc.stderr
    assert not (tmp_path / "data" / "shopwatch.sqlite").exists()  # stopped before any crawl
