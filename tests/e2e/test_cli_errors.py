"""Every bad input gets one clear line naming what is wrong (exit 2), never a stack trace."""
from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import shopwatch


def test_bad_number_is_named() -> None:
    result = shopwatch("demo", "--merchants", "zero")
    assert result.returncode == 2
    assert "--merchants" in result.stderr and "'zero'" in result.stderr


def test_unknown_platform_is_named(tmp_path: Path) -> None:
    result = shopwatch("--data-dir", str(tmp_path), "demo", "--platforms", "weishop,taobao")
    assert result.returncode == 2
    assert "taobao" in result.stderr and "Traceback" not in result.stderr


def test_bad_store_url_is_one_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "SHOPWATCH_STORE": "postgres://nowhere/db"}
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "--data-dir", str(tmp_path), "jobs", "list"],
                            capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 2
    assert "postgres://nowhere/db" in result.stderr and "Traceback" not in result.stderr


def test_broken_profile_names_file_and_line(tmp_path: Path) -> None:
    profile = tmp_path / "shop.yaml"
    profile.write_text("name: x\nplatform: x\nstart_urls: ['http://x.mallsim.test:1/']\npages:\n  list:\n"
                       "    links:\n      - {css: 'a[[item', page: list}\n", encoding="utf-8")
    result = shopwatch("--data-dir", str(tmp_path), "crawl", "--profile", str(profile))
    assert result.returncode == 2
    assert f"{profile}:7" in result.stderr and "Traceback" not in result.stderr


def test_search_without_data_says_what_to_do(tmp_path: Path) -> None:
    result = shopwatch("--data-dir", str(tmp_path / "nothing"), "search", "香烟")
    assert result.returncode == 2
    assert "shopwatch demo" in result.stderr or "shopwatch crawl" in result.stderr
    assert not (tmp_path / "nothing").exists(), "a search must not create an empty store"
