"""From the demo's real detection hits to a verified case file, through the CLI only: demo
(WARC on) → `evidence capture` while the platforms are up → `export --campaign` → `verify`."""
from __future__ import annotations

import json
from pathlib import Path

from mallsim.config import SimConfig
from mallsim.server import start_background
from tests.e2e.conftest import json_lines, shopwatch

from .conftest import free_port


def test_demo_hits_to_verified_case(chromium: str, tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    done = shopwatch("--data-dir", str(data), "demo", "--merchants", "20", "--platforms", "weishop,vshop,miniapp",
                     "--faults", "off", "--port", str(port), "--evidence", "0")  # capture below, through the CLI
    assert done.returncode == 0, done.stdout + done.stderr
    hits = json_lines(shopwatch("--data-dir", str(data), "campaign", "hits", "tobacco", "--json",
                                "--limit", "1000").stdout)
    assert hits, "the demo world has tobacco hits"
    # the demo's simulator has stopped: serve the same world on the same port for the visits
    with start_background(SimConfig(port=port, seed=7, merchants=20, faults_enabled=False)):
        done = shopwatch("--data-dir", str(data), "evidence", "capture", "--campaign", "tobacco", "--limit", "6")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 captured, 0 already had evidence, 0 failed" in done.stdout
    manifests = [json.loads(p.read_text("utf-8")) for p in (data / "evidence").glob("*/manifest.json")]
    assert len(manifests) == 6
    for m in manifests:  # a real detector's match, found and marked on the page it came from
        assert m["highlight"]["marks"] + m["highlight"]["attributes"] >= 1, (m["hit"]["matched"], m["url"])
    case = tmp_path / "tobacco.zip"
    done = shopwatch("--data-dir", str(data), "evidence", "export", "--campaign", "tobacco", "--out", str(case))
    assert done.returncode == 2 and "have no evidence yet" in done.stderr  # only 6 of them captured
    ids = [m["hit"]["id"] for m in manifests]
    done = shopwatch("--data-dir", str(data), "evidence", "export", ids[0], "--out", str(case))
    assert done.returncode == 0, done.stderr
    done = shopwatch("--data-dir", str(data), "evidence", "verify", str(case))
    assert done.returncode == 0 and done.stdout.startswith("OK:"), done.stdout
