"""The compiled detection modules (detect.native): in use when built, identical in what they find,
and never used once their sources changed. Not built: the tests skip locally, FAIL under CI=true
(``make test`` builds them; a missing compiler would otherwise pass unnoticed)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from detect import native
from tests.servers import missing

ROOT = Path(__file__).resolve().parents[2]

#: Scans a small simulated world with the shipped campaigns; prints every match as JSON.
SCAN = """
import json, sys
from datetime import date
from detect import native
from detect.engine import Detector
from detect.registry import shipped_campaigns
from mallsim.model import PLATFORMS
from mallsim.world import World, WorldConfig
world = World(WorldConfig(seed=11, merchants=150))
docs = [{"title": i.title, "description": i.description, "category": i.category, "shop_name": m.name,
         "platform": p} for p in PLATFORMS for m in world.merchants(p) for i in world.listings(m)]
detector = Detector(shipped_campaigns(), today=date(2025, 6, 1))
found = [[list(x) for x in matches] for matches in detector.scan_listings(docs)]
found += [[list(x) for x in detector.scan_listing(doc)] for doc in docs]
print(json.dumps({"compiled": native.active(), "docs": len(docs), "matches": found}, ensure_ascii=False))
"""


def _scan(**env: str) -> dict:
    out = subprocess.run([sys.executable, "-c", SCAN], cwd=ROOT, env={**os.environ, **env}, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def _require_build() -> None:
    reason = native.check()
    if reason is not None:
        missing(f"the compiled detection modules are not in use: {reason}")


def test_compiled_modules_are_in_use_when_built():
    _require_build()
    import detect.detectors
    import detect.engine
    import detect.patents
    import detect.text

    for module in (detect.engine, detect.text, detect.patents, detect.detectors):
        assert module.__file__.startswith(str(native.native_dir())) and not module.__file__.endswith(".py")
    assert native.active()


def test_compiled_and_interpreted_modules_find_the_same_matches():
    _require_build()
    compiled, interpreted = _scan(), _scan(SHOPWATCH_NATIVE="0")
    assert compiled["compiled"] and not interpreted["compiled"]
    assert compiled["docs"] > 1000 and sum(map(bool, compiled["matches"])) > 100  # a world with hits
    assert compiled["matches"] == interpreted["matches"]


def test_a_build_whose_sources_changed_is_not_used(tmp_path, monkeypatch):
    monkeypatch.delenv("SHOPWATCH_NATIVE", raising=False)
    assert "not built" in native.check(tmp_path)
    (tmp_path / native.MANIFEST).write_text(json.dumps(native.fingerprint()), encoding="utf-8")
    assert native.check(tmp_path) is None
    stale = {**native.fingerprint(), "engine.py": "0" * 64}  # built from another engine.py
    (tmp_path / native.MANIFEST).write_text(json.dumps(stale), encoding="utf-8")
    reason = native.check(tmp_path)
    assert reason is not None and "engine.py" in reason and "out of date" in reason
    monkeypatch.setenv("SHOPWATCH_NATIVE_DIR", str(tmp_path))
    assert native.search_path(["src"]) == ["src"]  # the stale build stays off the package path
    monkeypatch.setenv("SHOPWATCH_NATIVE", "0")
    assert native.check(tmp_path) == "disabled by SHOPWATCH_NATIVE=0"


def test_an_edited_source_runs_interpreted_with_a_warning(tmp_path):
    """End to end in a copy of the package: edit engine.py after the build, import, and the
    edited (interpreted) module is the one that runs."""
    _require_build()
    shutil.copytree(ROOT / "detect", tmp_path / "detect", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "SHOPWATCH_NATIVE_DIR": str(native.native_dir())}
    probe = "import detect.engine as e; print(e.__file__)"
    fresh = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    assert not fresh.stdout.strip().endswith(".py")  # same sources as the build: compiled
    engine = tmp_path / "detect" / "engine.py"
    engine.write_text(engine.read_text(encoding="utf-8") + "\nEDITED = True\n", encoding="utf-8")
    edited = subprocess.run([sys.executable, "-c", probe + "; print(e.EDITED)"], cwd=tmp_path, env=env, check=True,
                            capture_output=True, text=True)
    assert edited.stdout.split() == [str(engine), "True"]
    assert "out of date (engine.py changed since the build)" in edited.stderr
