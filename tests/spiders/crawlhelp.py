"""Live-crawl helpers: run a spider against a simulator in a subprocess, read its items and
stats, fetch the simulator's own ground truth (``admin /truth``, same code as the server)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().parent / "run_crawl.py"
#: Tests never depend on the store/index pipelines or job extensions (built concurrently).
ISOLATED: dict[str, Any] = {"ITEM_PIPELINES": {}, "EXTENSIONS": {}, "LOG_LEVEL": "DEBUG"}


@dataclass
class Crawl:
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    seconds: float
    listings: dict[str, dict[str, Any]] = field(default_factory=dict)
    merchants: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item in self.items:
            if "item_id" in item:
                self.listings[item["item_id"]] = item
            else:
                self.merchants[item["shop_id"]] = item

    def fetched(self, needle: str = "") -> list[str]:
        """URLs downloaded (from Scrapy's "Crawled (status) <GET url>" debug lines)."""
        out = []
        for line in self.log.splitlines():
            if "Crawled (" in line and "<GET " in line:
                url = line.split("<GET ", 1)[1].split(">", 1)[0]
                if needle in url:
                    out.append(url)
        return out


def crawl(spider: str, tmp_path: Path, port: int | None = None, args: dict[str, Any] | None = None,
          settings: dict[str, Any] | None = None, timeout: float = 600) -> Crawl:
    tmp_path.mkdir(parents=True, exist_ok=True)
    tag = f"{spider}-{time.monotonic_ns()}"
    items, stats, log = tmp_path / f"{tag}.jsonl", tmp_path / f"{tag}.stats.json", tmp_path / f"{tag}.log"
    spec = {"spider": spider, "args": {**({"port": str(port)} if port else {}), **(args or {})},
            "settings": {**ISOLATED, "LOG_FILE": str(log), **(settings or {})},
            "items": str(items), "stats": str(stats)}
    spec_file = tmp_path / f"{tag}.spec.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(RUNNER), str(spec_file)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    seconds = time.monotonic() - started
    log_text = log.read_text(encoding="utf-8") if log.exists() else ""
    if proc.returncode != 0 or not stats.exists():
        raise AssertionError(f"crawl {spider} failed ({proc.returncode}):\n{proc.stderr[-4000:]}\n{log_text[-4000:]}")
    rows = [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if items.exists() else []
    return Crawl(rows, json.loads(stats.read_text(encoding="utf-8")), log_text, seconds)


def truth(handle: Any, platform: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(listings by item_id, merchants by shop_id) of ``platform`` from the server's own truth."""
    status, _, body = handle.fetch("admin", "/truth", timeout=120)
    assert status == 200
    listings, merchants = {}, {}
    for line in body.decode("utf-8").splitlines():
        record = json.loads(line)
        if record["platform"] != platform:
            continue
        if record["kind"] == "listing":
            listings[record["item_id"]] = record
        else:
            merchants[record["shop_id"]] = record
    return listings, merchants


def active(listings: dict[str, dict[str, Any]]) -> set[str]:
    return {k for k, v in listings.items() if v["status"] == "active"}
