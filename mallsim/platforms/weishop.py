"""weishop (微店-like): server-rendered HTML shops, the classic crawl target.

Directory -> shop home (licence block in three shapes) -> paginated item lists -> item pages with
JSON-LD or microdata; GBK shops; delisted items answering 404, 410 or a 已下架 page; the event
calendar link trap; /go/ redirect chains and decorated links (docs/mallsim.md, "weishop").
"""
from __future__ import annotations

import calendar
import re

from aiohttp import web

from mallsim.model import Listing, Merchant
from mallsim.platforms import html as h, pages
from mallsim.platforms.common import (
    HUGE_PATH, SimState, html_response, int_param, paginate, redirect, sim_date,
)
from mallsim.platforms.html import esc

PLATFORM = "weishop"
SHOPS_PER_PAGE = 50
ITEMS_PER_PAGE = 20
STYLE = h.SiteStyle(brand="微店", accent="#e4393c",
                    footer="微店 · 开店就上微店 · 客服热线 400-000-0000 · 沪ICP备00000000号")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _page(state: SimState, key: str, page: str, status: int = 200,
          encoding: str = "utf-8") -> web.Response:
    return pages.render(state, PLATFORM, key, page, status, encoding)


def not_found(status: int = 404, message: str = "页面不存在") -> web.Response:
    return pages.not_found(STYLE, status, message)


async def handle(state: SimState, request: web.Request, path: str) -> web.StreamResponse:
    parts = path.strip("/").split("/") if path != "/" else []
    if not parts:
        return directory(state, request)
    head, rest = parts[0], parts[1:]
    if head == "shop" and len(rest) == 1:
        return shop_home(state, rest[0])
    if head == "shop" and len(rest) == 2 and rest[1] == "items":
        return shop_items(state, request, rest[0])
    if head == "shop" and len(rest) == 2 and rest[1] == "events":
        return events(state, request, rest[0])
    if head == "item" and len(rest) == 1:
        if rest[0].endswith(".html"):  # legacy URL: second hop of the /go/ chain
            return redirect(f"/item/{rest[0][:-5]}", 301)
        return item_page(state, rest[0])
    if head == "go" and len(rest) == 1:
        return redirect(f"/item/{rest[0]}.html", 302)
    if head == "cart" or head == "search":
        return pages.disallowed(STYLE, request, head)
    return not_found()


def directory(state: SimState, request: web.Request) -> web.Response:
    page = int_param(request, "page", 1)
    total = state.world.merchant_count(PLATFORM)
    span = paginate(total, page, SHOPS_PER_PAGE) if page is not None else None
    if span is None:
        return not_found()
    start, end, has_next = span
    rows = []
    for index in range(start, end):
        m = state.world.merchant(PLATFORM, index)
        rows.append(f'<li><a class="shop-link" href="/shop/{m.shop_id}">{esc(m.name)}</a> '
                    f'<span class="rating muted">{m.rating:.1f}分</span></li>')
    extra = ""
    if page == 1 and state.config.faults_enabled and state.config.huge_page_bytes:
        extra = f'<p class="archive"><a href="{HUGE_PATH}">全部商品（旧版完整目录）</a></p>'
    main = (f'<h1>店铺大全</h1><ul class="shops">{"".join(rows)}</ul>{extra}'
            f'{h.pager("/", page, has_next)}')
    nav = pages.search_link(state, PLATFORM, f"dir{page}", "热卖")
    return _page(state, f"dir{page}", h.layout(STYLE, f"店铺大全 第{page}页", main, nav=nav))


def shop_home(state: SimState, shop_id: str) -> web.Response:
    m = state.merchant(PLATFORM, shop_id)
    if m is None:
        return not_found(message="店铺不存在")
    count = len(state.active(m))
    trap = ""
    if state.faults.hit("trap_rate", PLATFORM, m.shop_id):
        trap = f'<p><a class="events" href="/shop/{m.shop_id}/events">店铺活动日历</a></p>'
    main = (
        f'<div class="shop" data-shop-id="{m.shop_id}"><h1 class="shop-name">{esc(m.name)}</h1>'
        f'<p>粉丝 <span class="followers">{m.followers}</span> · 评分 '
        f'<span class="rating">{m.rating:.1f}</span> · 微信 <span class="handle">{esc(m.handle)}</span></p>'
        f"{h.licence_block(m.licence)}"
        f'<p><a class="items-link" href="/shop/{m.shop_id}/items?page=1">全部商品（{count} 件在售）</a></p>'
        f"{trap}</div>"
    )
    charset = m.encoding
    return _page(state, f"shop{m.shop_id}", h.layout(STYLE, m.name, main, charset=charset),
                 encoding=charset)


def shop_items(state: SimState, request: web.Request, shop_id: str) -> web.Response:
    m = state.merchant(PLATFORM, shop_id)
    page = int_param(request, "page", 1)
    if m is None or page is None:
        return not_found()
    listings = state.active(m)
    span = paginate(len(listings), page, ITEMS_PER_PAGE)
    if span is None:
        return not_found()
    start, end, has_next = span
    key = f"items{m.shop_id}p{page}"
    faults = state.faults
    cart = faults.hit("robots_link_rate", PLATFORM, "cart", key)
    rows = []
    for pos, listing in enumerate(listings[start:end]):
        href = faults.link(f"/item/{listing.item_id}", key, pos)
        add = (f' <a class="add-cart" href="/cart/add?item_id={listing.item_id}">加入购物车</a>'
               if cart else "")
        rows.append(_item_row(listing, href, add))
    recommended = ""
    page_items = listings[start:end]
    if page_items and faults.hit("tracking_rate", PLATFORM, "rec", key):
        recs = "".join(
            f'<li><a class="item-link" href="{esc(faults.tracking_query(f"/item/{x.item_id}", key, "rec"))}">'
            f"{esc(x.title)}</a></li>" for x in page_items[:2])
        recommended = f'<div class="recommend"><h3>店长推荐</h3><ul class="items">{recs}</ul></div>'
    main = (f'<h1 class="shop-name"><a class="shop-link" href="/shop/{m.shop_id}">{esc(m.name)}</a></h1>'
            f'{recommended}<ul class="items">{"".join(rows)}</ul>'
            f'{h.pager(f"/shop/{m.shop_id}/items", page, has_next)}')
    nav = pages.search_link(state, PLATFORM, key, m.name[:4])
    return _page(state, key, h.layout(STYLE, f"{m.name} 全部商品", main, charset=m.encoding, nav=nav),
                 encoding=m.encoding)


def _item_row(listing: Listing, href: str, extra: str) -> str:
    return (f'<li class="item"><a class="item-link" href="{esc(href)}">{esc(listing.title)}</a> '
            f'<span class="price">¥{listing.price:.2f}</span> '
            f'<span class="sales muted">已售 {listing.sales} 件</span>{extra}</li>')


def item_page(state: SimState, item_id: str) -> web.Response:
    listing = state.listing(PLATFORM, item_id)
    if listing is None:
        return not_found(message="商品不存在")
    m = state.world.merchant_by_id(PLATFORM, listing.shop_id)
    assert m is not None
    if listing.status == "delisted":
        return _delisted(state, listing, m)
    gbk = m.encoding != "utf-8"
    head = f'<link rel="canonical" href="/item/{listing.item_id}">\n'
    if m.markup == "jsonld":
        head += h.jsonld_product(listing, m, ascii_only=gbk)
    main = h.item_main(listing, m, microdata=m.markup == "microdata")
    page = h.layout(STYLE, listing.title, main, charset=m.encoding, head=head)
    return _page(state, f"item{listing.item_id}", page, encoding=m.encoding)


def _delisted(state: SimState, listing: Listing, m: Merchant) -> web.Response:
    if listing.delist_style == "404":
        return not_found(message="商品不存在")
    if listing.delist_style == "410":
        return not_found(410, "商品已删除")
    main = (f'<div class="item" data-item-id="{listing.item_id}">'
            f'<h1 class="item-title">{esc(listing.title)}</h1>'
            '<div class="delisted">该商品已下架</div>'
            f'<div class="seller">店铺：<a class="shop-link" href="/shop/{m.shop_id}">{esc(m.name)}</a>'
            "</div></div>")
    return html_response(h.layout(STYLE, listing.title, main, charset=m.encoding),
                         encoding=m.encoding)


def events(state: SimState, request: web.Request, shop_id: str) -> web.Response:
    """The calendar trap: every month links the previous and the next one, forever."""
    m = state.merchant(PLATFORM, shop_id)
    if m is None:
        return not_found()
    raw = request.query.get("month")
    if raw is None:
        today = sim_date(state.day)
        year, month = today.year, today.month
    else:
        match = _MONTH.match(raw)
        if not match or not (1 <= int(match[1]) <= 9999 and 1 <= int(match[2]) <= 12):
            return not_found()
        year, month = int(match[1]), int(match[2])
    prev = (year, month - 1) if month > 1 else (year - 1, 12)
    nxt = (year, month + 1) if month < 12 else (year + 1, 1)
    weeks = calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)
    rows = "".join("<tr>" + "".join(f"<td>{d or ''}</td>" for d in week) + "</tr>" for week in weeks)
    base = f"/shop/{m.shop_id}/events?month="
    main = (f'<h1>{esc(m.name)} · {year}年{month}月活动</h1>'
            '<table class="calendar"><tr><th>一</th><th>二</th><th>三</th><th>四</th><th>五</th>'
            f"<th>六</th><th>日</th></tr>{rows}</table>"
            f'<div class="pager"><a rel="prev" href="{base}{prev[0]:04d}-{prev[1]:02d}">上个月</a>'
            f'<a rel="next" href="{base}{nxt[0]:04d}-{nxt[1]:02d}">下个月</a></div>')
    return html_response(h.layout(STYLE, f"{m.name} 活动日历", main))
