"""Helpers every platform uses: request parsing, pagination, responses (HTML in UTF-8 or GBK,
compact deterministic JSON), values as pages show them, and the JSON views of records.

The world is the only source of content; this module adds no data of its own except the
calendar (``SIM_EPOCH``) used to turn world days into dates on pages.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import quote

from aiohttp import web

from mallsim.ids import unit
from mallsim.model import CATEGORIES, Licence, Listing, Merchant
from mallsim.platforms.state import SimState  # noqa: F401  (re-exported for the platforms)

#: World day 0 as a calendar date (post times, the event calendar's starting month).
SIM_EPOCH = date(2025, 3, 1)
CST = timezone(timedelta(hours=8))

ROBOTS_TXT = "User-agent: *\nDisallow: /cart/\nDisallow: /search\n"
#: 1x1 transparent GIF served for every /img/ path (images are never fetched for content).
PIXEL_GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c"
                          "00000000010001000002024401003b")
#: The one oversized page per host (linked from a list page when faults are on).
HUGE_PATH = "/item/100000000/huge"
# --- request parsing ---------------------------------------------------------------------------
def clean_path(path: str) -> str:
    """The path without ``;jsessionid=...`` and without a trailing slash (except ``/``)."""
    path = path.split(";", 1)[0]
    return path.rstrip("/") or "/"


def int_param(request: web.Request, name: str, default: int | None = None) -> int | None:
    """A positive integer query parameter; None when absent (and no default) or malformed."""
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    return int(raw)


def paginate(total: int, page: int, per_page: int) -> tuple[int, int, bool] | None:
    """(start, end, has_next) for 1-based ``page``; None when the page does not exist.
    Page 1 always exists (possibly empty)."""
    pages = max(1, -(-total // per_page))
    if page < 1 or page > pages:
        return None
    start = (page - 1) * per_page
    return start, min(total, start + per_page), page < pages


# --- responses ---------------------------------------------------------------------------------
def html_response(page: str, status: int = 200, encoding: str = "utf-8",
                  headers: dict[str, str] | None = None) -> web.Response:
    """HTML in the page's encoding; GBK pages turn unencodable characters into &#...; refs."""
    if encoding == "utf-8":
        body = page.encode("utf-8")
    else:
        body = page.encode(encoding, errors="xmlcharrefreplace")
    return web.Response(body=body, status=status, content_type="text/html", charset=encoding,
                        headers=headers)


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(data: Any, status: int = 200,
                  headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=json_bytes(data), status=status, content_type="application/json",
                        charset="utf-8", headers=headers)


def json_error(status: int, error: str, headers: dict[str, str] | None = None) -> web.Response:
    return json_response({"code": status, "error": error}, status=status, headers=headers)


def text_response(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/plain", charset="utf-8")


def robots_response() -> web.Response:
    return text_response(ROBOTS_TXT)


def pixel_response() -> web.Response:
    return web.Response(body=PIXEL_GIF, content_type="image/gif")


def redirect(location: str, status: int) -> web.Response:
    """A bare redirect (relative Location) -- the /go/ chains are built from these."""
    location = quote(location, safe="/;=?&")
    return web.Response(status=status, headers={"Location": location}, content_type="text/html",
                        text=f'<a href="{escape(location)}">moved</a>')


# --- values as pages show them -----------------------------------------------------------------
def price_text(price: Decimal) -> str:
    return f"¥{price:.2f}"


def price_fen(price: Decimal) -> int:
    return int((price * 100).to_integral_value())


def post_time(listing: Listing) -> datetime:
    """When a post was published, from its first day and index only (no wall clock), so that
    "newest first" by (first_day, index) is also newest first by time. The day-0 catalogue is
    spread over the weeks before day 0; later posts fall on their first day, 08:00-22:00."""
    start = datetime.combine(SIM_EPOCH, datetime.min.time(), CST)
    if listing.first_day == 0:
        jitter = int(unit("post-time", listing.item_id) * 30)
        minutes = 20 * 60 - (999 - listing.index) * 37 - jitter
    else:
        minutes = listing.first_day * 24 * 60 + 8 * 60 + int(listing.index * 0.84)
    return start + timedelta(minutes=minutes)


def sim_date(day: int) -> date:
    return SIM_EPOCH + timedelta(days=day)


# --- JSON views (miniapp and vshop APIs share them) --------------------------------------------
def licence_view(licence: Licence) -> dict[str, Any] | None:
    if licence.shown_as == "missing":
        return None
    return {"company": licence.company, "uscc": licence.uscc, "address": licence.address,
            "scope": licence.scope, "shown_as": licence.shown_as}


def shop_view(merchant: Merchant) -> dict[str, Any]:
    return {"shop_id": merchant.shop_id, "name": merchant.name, "followers": merchant.followers,
            "rating": merchant.rating, "licence": licence_view(merchant.licence)}


def item_view(listing: Listing) -> dict[str, Any]:
    return {
        "item_id": listing.item_id,
        "shop_id": listing.shop_id,
        "title": listing.title,
        "desc": listing.description,
        "category": listing.category,
        "category_name": CATEGORIES.get(listing.category, listing.category),
        "price_fen": price_fen(listing.price),
        "price_text": price_text(listing.price),
        "sales": listing.sales,
        "images": [{"url": i.src, "alt": i.alt} for i in listing.images],
    }
