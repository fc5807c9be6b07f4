"""Load a saved response from tests/fixtures/pages/ as the Scrapy response the crawler would get.

``saved("weishop_item_gbk")`` -> (response, expect): the body bytes with the original URL, status
and Content-Type header (so charset handling is Scrapy's own), plus the manifest's expected
values, which come from the simulator's world model (see save_fixtures.py).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.http.response.json import JsonResponse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    return json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


def saved(name: str, *, content_type: str | None = None) -> tuple[TextResponse, dict[str, Any]]:
    entry = manifest()[name]
    body = (FIXTURES / entry["file"]).read_bytes()
    ctype = entry["headers"]["Content-Type"] if content_type is None else content_type
    headers = {"Content-Type": ctype} if ctype else {}
    cls = JsonResponse if entry["file"].endswith(".json") else HtmlResponse
    url = entry["url"]
    response = cls(url=url, body=body, status=entry["status"], headers=headers, request=Request(url))
    return response, entry["expect"]
