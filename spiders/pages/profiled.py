"""Applies a site profile (crawler.profiles) to a response: the profile spider's page object.

``ProfiledPage(profile, page_spec, response)`` gives the records (Merchant/Listing) and the links
to follow, exactly as the YAML says. Structured data (``auto: [jsonld, microdata, opengraph]``)
and the licence block (``auto: [licence]``) use the same helpers as the hand-written page
objects, so a profile and a spider read a page the same way.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import TextResponse

from crawler.items import Listing, Merchant
from crawler.profiles import FieldSpec, LinkRule, PageSpec, Profile, RecordSpec
from crawler.urls import canonical_url
from spiders.pages.base import (
    clean, licence_from_html, node_text, parse_float, parse_int, parse_price, to_decimal,
)
from spiders.pages.common import HtmlPage, origin
from spiders.pages.structured import product_data

Node = Any  # a parsel Selector (html) or a decoded JSON value (json)


class ProfiledPage:
    def __init__(self, profile: Profile, spec: PageSpec, response: TextResponse) -> None:
        self.profile = profile
        self.spec = spec
        self.response = response
        self.base = origin(response.url)
        self.root: Node = self._json() if spec.type == "json" else response.selector

    def _json(self) -> Any:
        try:
            return json.loads(self.response.body)
        except (ValueError, UnicodeDecodeError):
            from spiders.pages.common import BadPayload

            raise BadPayload("bad_json", self.response.url) from None

    # --- values --------------------------------------------------------------------------------

    def select(self, spec: FieldSpec, node: Node) -> list[Any]:
        """Raw matches of a selector spec under ``node`` (selectors or JSON values)."""
        if spec.source == "css":
            return list(node.css(spec.expr))
        if spec.source == "xpath":
            return list(node.xpath(spec.expr))
        if spec.source == "jsonpath":
            return [m.value for m in spec.compiled.find(node)]
        raise ValueError(spec.source)

    def values(self, spec: FieldSpec, node: Node, record: dict[str, Any]) -> list[Any]:
        """The spec's values before type conversion (strings, selectors or JSON values)."""
        if spec.source == "const":
            return [spec.expr]
        if spec.source == "url_regex":
            match = spec.compiled.search(self.response.url)
            return [match[1] if match and match.groups() else match[0]] if match else []
        if spec.source == "template":
            names = {k.replace(".", "_"): ("" if v is None else v) for k, v in record.items()}
            return [spec.expr.format(base=self.base, url=self.response.url, **names)]
        if spec.source == "first":
            for option in spec.expr:
                value = self.field(option, node, record)
                if value not in (None, "", []):
                    return [value]
            return []
        matches = self.select(spec, node)
        if spec.value is not None:
            return [spec.value] if matches else []
        return matches

    def field(self, spec: FieldSpec, node: Node, record: dict[str, Any]) -> Any:
        """One field's final value: selected, regex-filtered, converted; default when empty."""
        raw = self.values(spec, node, record)
        if spec.type == "images":
            images = _images(raw, self.response)
            return images or (spec.default if spec.default is not None else [])
        if spec.source == "first":
            return raw[0] if raw else spec.default
        out = []
        for item in raw:
            text = _as_text(item, multiline=spec.type == "multiline")
            if text is None:
                continue
            if spec.regex is not None:
                match = spec.regex.search(text)
                if not match:
                    continue
                text = match[1] if match.groups() else match[0]
            value = self._convert(text, spec.type)
            if value not in (None, ""):
                out.append(value)
            if not spec.all and out:
                break
        if not out:
            return spec.default
        if spec.join is not None:
            return spec.join.join(str(v) for v in out)
        return out if spec.all else out[0]

    def _convert(self, text: Any, kind: str) -> Any:
        if kind == "raw":
            return text
        if isinstance(text, (int, float)):  # JSON numbers
            if kind == "int":
                return int(text)
            if kind == "float":
                return float(text)
            if kind in ("decimal", "price"):
                return to_decimal(text)
            text = str(text)
        if kind == "text":
            return clean(text)
        if kind == "multiline":
            return text.strip() or None
        if kind == "int":
            return parse_int(text)
        if kind == "float":
            return parse_float(text)
        if kind == "decimal":
            return to_decimal(text)
        if kind == "price":
            return clean(text)  # parsed into price/currency/price_text by the record builder
        if kind == "url":
            return canonical_url(self.response.urljoin(text.strip())) if text.strip() else None
        return text

    # --- records -------------------------------------------------------------------------------

    def nodes(self, record: RecordSpec) -> list[Node]:
        if record.each is None:
            return [self.root]
        return self.select(record.each, self.root)

    def _record_values(self, record: RecordSpec, node: Node) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, spec in record.fields.items():
            values[name] = self.field(spec, node, values)
        return values

    def merchants(self) -> list[Merchant]:
        spec = self.spec.merchant
        if spec is None or not self._ok_status():
            return []
        out = []
        for node in self.nodes(spec):
            values = self._record_values(spec, node)
            if "licence" in spec.auto and isinstance(node, (Selector, TextResponse)):
                lic = licence_from_html(node)
                for key in ("company", "uscc", "address", "scope", "shown_as"):
                    if values.get(f"licence_{key}") is None:  # explicit fields win
                        values[f"licence_{key}"] = lic[key]
            shop_id = _id(values.get("shop_id"))
            if not shop_id:
                continue
            values["shop_id"] = shop_id
            values["url"] = values.get("url") or canonical_url(self.response.url)
            for key in ("followers",):
                if isinstance(values.get(key), str):
                    values[key] = parse_int(values[key])
            if isinstance(values.get("rating"), str):
                values["rating"] = parse_float(values["rating"])
            out.append(Merchant(platform=self.profile.platform, **_only(values, Merchant)))
        return out

    def listings(self) -> list[Listing]:
        spec = self.spec.listing
        if spec is None:
            return []
        delisted = self._is_delisted(spec)
        if not delisted and not self._ok_status():
            return []
        out = []
        auto = product_data(self.response, spec.auto) if spec.auto and not delisted and spec.each is None else {}
        for node in self.nodes(spec):
            values = self._record_values(spec, node)
            item_id = _id(values.get("item_id")) or _id(auto.get("item_id"))
            if not item_id:
                continue
            values["item_id"] = item_id
            if delisted:
                keep = {k: values.get(k) for k in ("item_id", "url", "shop_id", "title")}
                keep["url"] = keep["url"] or self._page_url()
                out.append(Listing(platform=self.profile.platform, status="delisted", **_only(keep, Listing)))
                continue
            for key, value in auto.items():
                if values.get(key) in (None, "", []) and key in _LISTING_KEYS:
                    values[key] = value
            self._price(values, spec)
            values["url"] = values.get("url") or self._page_url()
            if isinstance(values.get("sales"), str):
                values["sales"] = parse_int(values["sales"])
            extra = {k[len("extra."):]: values.pop(k) for k in list(values) if k.startswith("extra.")}
            listing = Listing(platform=self.profile.platform, **_only(values, Listing))
            listing.extra.update(extra)
            out.append(listing)
        return out

    def _price(self, values: dict[str, Any], spec: RecordSpec) -> None:
        price = values.get("price")
        if isinstance(price, str) and spec.fields.get("price") is not None:
            if spec.fields["price"].type in ("price", "text"):
                amount, currency = parse_price(price, self.profile.currency)
                values.setdefault("price_text", price)
                values["price_text"] = values["price_text"] or price
                values["price"] = amount
                values["currency"] = values.get("currency") or currency
            else:
                values["price"] = to_decimal(price)
        if values.get("price") is not None and not values.get("currency"):
            values["currency"] = self.profile.currency

    def _page_url(self) -> str:
        if self.spec.type == "html":
            return HtmlPage(self.response).canonical
        return canonical_url(self.response.url)

    def _ok_status(self) -> bool:
        return 200 <= self.response.status < 300

    def _is_delisted(self, record: RecordSpec) -> bool:
        d = record.delisted
        if d is None:
            return False
        if self.response.status in d.status:
            return True
        if d.marker is not None and self.spec.type == "html":
            found = self.response.css(d.marker.expr) if d.marker.source == "css" else self.response.xpath(d.marker.expr)
            if found:
                return d.text is None or d.text in (node_text(found) or "")
        return False

    # --- links ---------------------------------------------------------------------------------

    def links(self) -> Iterator[tuple[str, str]]:
        """(absolute URL, target page name) for every link rule, in rule order, de-duplicated."""
        seen: set[str] = set()
        for rule in self.spec.links:
            for url in self._rule_urls(rule):
                if rule.allow and not any(p.search(url) for p in rule.allow):
                    continue
                if any(p.search(url) for p in rule.deny):
                    continue
                key = canonical_url(url)
                if key in seen:
                    continue
                seen.add(key)
                yield url, rule.page

    def _rule_urls(self, rule: LinkRule) -> Iterator[str]:
        spec = FieldSpec(rule.source, rule.expr, rule.compiled)
        for match in self.select(spec, self.root):
            if isinstance(match, Selector):
                value = match.root if isinstance(match.root, str) else (match.attrib.get("href") or match.attrib.get("src"))
            else:
                value = match
            if value is None or isinstance(value, (dict, list)):
                continue
            value = str(value).strip()
            if not value:
                continue
            if rule.params:
                yield self._with_params(rule.params, value)
            elif rule.url is not None:
                yield self.response.urljoin(rule.url.format(value=quote(value, safe="")))
            else:
                yield self.response.urljoin(value)

    def _with_params(self, params: dict[str, str], value: str) -> str:
        parts = urlsplit(self.response.url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        for key, template in params.items():
            query[key] = template.format(value=value)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


_LISTING_KEYS = frozenset({"title", "description", "category", "price", "currency", "images"})


def _as_text(item: Any, multiline: bool = False) -> Any:
    """A selector's text (an attribute/text node as is, an element's whole text) or a JSON value."""
    if isinstance(item, Selector):
        if isinstance(item.root, str):
            return item.root
        return node_text(item, "\n" if multiline else "")
    if isinstance(item, (dict, list)):
        return None
    if isinstance(item, bool):
        return str(item).lower()
    return item  # str, or a JSON number (converted by the field type)


def _images(raw: list[Any], response: TextResponse) -> list[dict[str, str]]:
    out = []
    for item in raw:
        if isinstance(item, Selector):
            if isinstance(item.root, str):
                out.append({"url": response.urljoin(item.root), "alt": ""})
                continue
            for img in ([item] if item.root.tag == "img" else item.css("img")):
                src = img.attrib.get("src") or img.attrib.get("data-src")
                if src:
                    out.append({"url": response.urljoin(src), "alt": clean(img.attrib.get("alt")) or ""})
        elif isinstance(item, dict) and (item.get("url") or item.get("src")):
            out.append({"url": response.urljoin(str(item.get("url") or item.get("src"))), "alt": str(item.get("alt") or "")})
        elif isinstance(item, list):
            out.extend(_images(item, response))
        elif isinstance(item, str) and item:
            out.append({"url": response.urljoin(item), "alt": ""})
    return out


def _id(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _only(values: dict[str, Any], cls: type) -> dict[str, Any]:
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return {k: v for k, v in values.items() if k in names and k != "platform"}

