"""schema.org Product data from JSON-LD, microdata and OpenGraph, via extruct — one helper for
the weishop item page and the profile spider's ``auto:`` extraction.

Runs the extractors on the tree parsel already built (no second HTML parse) and only the ones
the page can contain (a cheap byte check first), then flattens the first Product found into
Listing-shaped fields: title, description, item_id (sku), category, price, currency, images.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from extruct.jsonld import JsonLdExtractor
from extruct.opengraph import OpenGraphExtractor
from extruct.w3cmicrodata import MicrodataExtractor
from scrapy.http import TextResponse

from spiders.pages.base import clean, currency_code, to_decimal

SYNTAXES: tuple[str, ...] = ("jsonld", "microdata", "opengraph")
_JSONLD = JsonLdExtractor()
_MICRODATA = MicrodataExtractor()
_OPENGRAPH = OpenGraphExtractor()


def _is_product(item: dict[str, Any]) -> bool:
    kind = item.get("@type") or item.get("type") or ""
    kinds = kind if isinstance(kind, list) else [kind]
    return any(str(k).rsplit("/", 1)[-1] in ("Product", "ProductGroup", "IndividualProduct") for k in kinds)


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _name(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("properties", {}).get("name")
    return clean(str(value)) if value is not None else None


def _images(value: Any, response: TextResponse) -> list[dict[str, str]]:
    values = value if isinstance(value, list) else [value] if value else []
    out = []
    for v in values:
        url = v.get("url") or v.get("contentUrl") if isinstance(v, dict) else v
        if url:
            out.append({"url": response.urljoin(str(url)), "alt": ""})
    return out


def _from_schema(product: dict[str, Any], response: TextResponse, images: bool = True) -> dict[str, Any]:
    offers = _first(product.get("offers"))
    if isinstance(offers, dict) and "properties" in offers:  # nested microdata (non-uniform)
        offers = offers["properties"]
    offers = offers if isinstance(offers, dict) else {}
    price = offers.get("price") if offers.get("price") is not None else offers.get("lowPrice")
    out: dict[str, Any] = {
        "title": clean(_first(product.get("name"))),
        "description": clean(_first(product.get("description"))),
        "item_id": clean(str(_first(product.get("sku") or product.get("productID")) or "")) or None,
        "category": _name(product.get("category")),
        "price": to_decimal(_first(price)),
        "currency": currency_code(_first(offers.get("priceCurrency"))),
        "images": _images(product.get("image"), response) if images else None,  # urljoin each: skip unread
        "brand": _name(product.get("brand")),
        "seller": _name(offers.get("seller")),
    }
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _from_opengraph(props: list[tuple[str, str]], response: TextResponse) -> dict[str, Any]:
    values: dict[str, str] = {}
    for key, value in props:
        values.setdefault(key, value)
    price: Decimal | None = to_decimal(values.get("product:price:amount") or values.get("og:price:amount"))
    out: dict[str, Any] = {
        "title": clean(values.get("og:title")),
        "description": clean(values.get("og:description")),
        "price": price,
        "currency": currency_code(values.get("product:price:currency") or values.get("og:price:currency")),
        "images": _images([v for k, v in props if k == "og:image"], response),
    }
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def product_data(response: TextResponse, syntaxes: tuple[str, ...] | list[str] = SYNTAXES,
                 needed: frozenset[str] | None = None) -> dict[str, Any]:
    """Listing-shaped fields of the page's first schema.org Product (earlier syntaxes win).

    Returns {} when the page carries no product data. Never raises on broken markup or JSON:
    structured data is a bonus over the HTML fields, not a reason to lose the page.
    ``needed``: the keys the caller reads; once an earlier syntax gave all of them, the later
    ones are not run (they could only add keys nobody reads), and image URLs are not resolved
    unless "images" is needed. Why: microdata extraction is about half of this function's time
    (the simulator's item pages carry both syntaxes), and each image costs a urljoin.
    """
    body = response.body
    root = response.selector.root
    images = needed is None or "images" in needed
    merged: dict[str, Any] = {}
    for syntax in syntaxes:
        if needed is not None and needed.issubset(merged):
            break
        found: dict[str, Any] = {}
        try:
            if syntax == "jsonld" and b"application/ld+json" in body:
                for item in _JSONLD.extract_items(root, base_url=response.url):
                    for candidate in (item.get("@graph") or [item]) if isinstance(item, dict) else []:
                        if isinstance(candidate, dict) and _is_product(candidate):
                            found = _from_schema(candidate, response, images)
                            break
                    if found:
                        break
            elif syntax == "microdata" and b"itemscope" in body:
                for item in _MICRODATA.extract_items(root, response.url):
                    if _is_product(item):
                        found = _from_schema(item.get("properties", {}), response, images)
                        break
            elif syntax == "opengraph" and b"og:" in body:
                for item in _OPENGRAPH.extract_items(root, base_url=response.url):
                    found = _from_opengraph(item.get("properties", []), response)
                    if found:
                        break
        except Exception:  # noqa: BLE001 - malformed JSON-LD etc.: fall back to other sources
            found = {}
        for key, value in found.items():
            merged.setdefault(key, value)
    return merged
