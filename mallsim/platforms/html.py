"""HTML building blocks shared by the server-rendered platforms (weishop, moments, vshop shell).

Plain string templates: fast (the server must render thousands of pages a second), escaped with
``html.escape`` everywhere text or attributes come from the world, and free of wall-clock data
so pages are byte-deterministic.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from mallsim.model import CATEGORIES, Image, Licence, Listing, Merchant

from mallsim.platforms.common import price_text


def esc(value: object) -> str:
    return escape(str(value), quote=True)


@dataclass(frozen=True)
class SiteStyle:
    """Per-platform chrome: brand name, colours, footer."""

    brand: str
    accent: str
    footer: str

    @property
    def css(self) -> str:
        return (
            "body{margin:0;font:14px/1.5 -apple-system,'PingFang SC','Microsoft YaHei',sans-serif;"
            "background:#f5f5f5;color:#333}"
            f".topbar{{background:{self.accent};color:#fff;padding:8px 12px;display:flex;gap:12px}}"
            ".topbar a{color:#fff;text-decoration:none}.logo{font-weight:bold}"
            "main{max-width:760px;margin:0 auto;padding:12px;background:#fff}"
            f".price{{color:{self.accent};font-weight:bold}}.muted{{color:#999}}"
            ".items,.shops{list-style:none;padding:0}.items li,.shops li{padding:6px 0;"
            "border-bottom:1px solid #eee}.pager a{margin-right:12px}"
            ".footer{color:#999;font-size:12px;text-align:center;padding:16px}"
        )


def layout(style: SiteStyle, title: str, main: str, *, charset: str = "utf-8",
           head: str = "", nav: str = "") -> str:
    """A whole page: doctype, head with inline CSS, top bar, main, footer."""
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} - {esc(style.brand)}</title>\n<style>{style.css}</style>\n{head}"
        f'</head>\n<body>\n<header class="topbar"><a class="logo" href="/">{esc(style.brand)}</a>'
        f'<nav class="topnav"><a href="/">首页</a>{nav}</nav></header>\n'
        f"<main>\n{main}\n</main>\n"
        f'<footer class="footer"><p>{style.footer}</p></footer>\n</body>\n</html>\n'
    )


def error_page(style: SiteStyle, status: int, message: str) -> str:
    return layout(style, message, f'<div class="error" data-status="{status}"><h1>{esc(message)}</h1>'
                  '<p><a href="/">返回首页</a></p></div>')


def pager(base: str, page: int, has_next: bool, sep: str = "?") -> str:
    """Prev/next links; ``rel="next"`` is what crawlers follow."""
    links = []
    if page > 1:
        links.append(f'<a rel="prev" href="{esc(base)}{sep}page={page - 1}">上一页</a>')
    links.append(f'<span class="page-no">第 {page} 页</span>')
    if has_next:
        links.append(f'<a rel="next" href="{esc(base)}{sep}page={page + 1}">下一页</a>')
    return f'<div class="pager">{"".join(links)}</div>'


def licence_block(licence: Licence) -> str:
    """营业执照 in one of three shapes: a text <dl>, an image with only alt text, or nothing."""
    fields = (("企业名称", licence.company), ("统一社会信用代码", licence.uscc),
              ("住所", licence.address), ("经营范围", licence.scope))
    if licence.shown_as == "text":
        rows = "".join(f"<dt>{name}</dt><dd>{esc(value)}</dd>" for name, value in fields
                       if value is not None)
        return f'<div class="licence"><h3>营业执照</h3><dl>{rows}</dl></div>'
    if licence.shown_as == "image":
        alt = " ".join(["营业执照"] + [f"{name}：{value}" for name, value in fields
                                      if value is not None])
        return (f'<div class="licence"><img class="licence-img" src="/img/licence.jpg" '
                f'alt="{esc(alt)}" width="320" height="220"></div>')
    return ""


def images_html(images: tuple[Image, ...]) -> str:
    return "".join(f'<img src="{esc(i.src)}" alt="{esc(i.alt)}" loading="lazy">' for i in images)


def category_html(category: str) -> str:
    return (f'<span class="category" data-category="{esc(category)}">'
            f"{esc(CATEGORIES.get(category, category))}</span>")


def paragraphs(text: str) -> str:
    return "".join(f"<p>{esc(line)}</p>" for line in text.split("\n") if line.strip())


def script_json(data: Any, ascii_only: bool) -> str:
    """JSON safe inside <script>: no ``</`` and, for GBK pages, ASCII only (\\u escapes)."""
    text = json.dumps(data, ensure_ascii=ascii_only, separators=(",", ":"))
    return text.replace("</", "<\\/")


def jsonld_product(listing: Listing, merchant: Merchant, ascii_only: bool) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": listing.title,
        "description": listing.description,
        "sku": listing.item_id,
        "category": CATEGORIES.get(listing.category, listing.category),
        "image": [i.src for i in listing.images],
        "brand": {"@type": "Brand", "name": merchant.name},
        "offers": {
            "@type": "Offer",
            "price": f"{listing.price:.2f}",
            "priceCurrency": listing.currency,
            "availability": "https://schema.org/InStock",
            "seller": {"@type": "Organization", "name": merchant.name},
        },
    }
    return f'<script type="application/ld+json">{script_json(data, ascii_only)}</script>\n'


def item_main(listing: Listing, merchant: Merchant, microdata: bool) -> str:
    """Item page body; with ``microdata`` the schema.org Product is carried by itemprop attributes."""
    price = price_text(listing.price)
    if microdata:
        scope = ' itemscope itemtype="https://schema.org/Product"'
        name, desc, img = ' itemprop="name"', ' itemprop="description"', ' itemprop="image"'
        offer = (f'<div class="offer" itemprop="offers" itemscope itemtype="https://schema.org/Offer">'
                 f'<meta itemprop="priceCurrency" content="{esc(listing.currency)}">'
                 f'<meta itemprop="availability" content="https://schema.org/InStock">'
                 f'<span class="price" itemprop="price" content="{listing.price:.2f}">{esc(price)}</span>'
                 "</div>")
        sku = f'<meta itemprop="sku" content="{esc(listing.item_id)}">'
    else:
        scope = name = desc = img = sku = ""
        offer = f'<div class="offer"><span class="price">{esc(price)}</span></div>'
    pics = "".join(f'<img src="{esc(i.src)}" alt="{esc(i.alt)}"{img}>' for i in listing.images)
    return (
        f'<div class="item" data-item-id="{esc(listing.item_id)}"{scope}>{sku}'
        f'<div class="gallery">{pics}</div>'
        f'<h1 class="item-title"{name}>{esc(listing.title)}</h1>{offer}'
        f'<div class="meta">{category_html(listing.category)} '
        f'<span class="sales">已售 {listing.sales} 件</span></div>'
        f'<div class="item-desc"{desc}>{paragraphs(listing.description)}</div>'
        f'<div class="seller">店铺：<a class="shop-link" href="/shop/{esc(merchant.shop_id)}">'
        f"{esc(merchant.name)}</a></div></div>"
    )
