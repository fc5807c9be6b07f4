"""moments (朋友圈/微商-like): sellers post free text; a listing is a post.

Seller directory -> paginated timelines (newest first) -> permalinks. Prices live inside the
text ("298一条", "¥88", "88r"), so extraction is the crawler's problem, not markup
(docs/mallsim.md, "moments").
"""
from __future__ import annotations

from aiohttp import web

from mallsim.model import Listing, Merchant
from mallsim.platforms import html as h, pages
from mallsim.platforms.common import HUGE_PATH, SimState, int_param, paginate, post_time, redirect
from mallsim.platforms.html import esc

PLATFORM = "moments"
SELLERS_PER_PAGE = 50
POSTS_PER_PAGE = 20
STYLE = h.SiteStyle(brand="好友圈", accent="#576b95", footer="好友圈 · 记录生活 · 分享好物")
_POST_CSS = (".post{border-bottom:1px solid #eee;padding:10px 0}"
             ".post-text{white-space:pre-line}.pics img{width:30%;margin:2px}")


def post_text(listing: Listing) -> str:
    """The whole post: the title is its first line (the world's description holds the rest,
    unless it already starts with the title)."""
    if listing.description.startswith(listing.title):
        return listing.description
    return f"{listing.title}\n{listing.description}"


def _layout(title: str, main: str, charset: str = "utf-8", nav: str = "") -> str:
    return h.layout(STYLE, title, main, charset=charset, head=f"<style>{_POST_CSS}</style>\n", nav=nav)


async def handle(state: SimState, request: web.Request, path: str) -> web.StreamResponse:
    parts = path.strip("/").split("/") if path != "/" else []
    if not parts:
        return directory(state, request)
    head, rest = parts[0], parts[1:]
    if head == "u" and len(rest) == 1:
        return timeline(state, request, rest[0])
    if head == "p" and len(rest) == 1:
        if rest[0].endswith(".html"):
            return redirect(f"/p/{rest[0][:-5]}", 301)
        return permalink(state, rest[0])
    if head == "go" and len(rest) == 1:
        return redirect(f"/p/{rest[0]}.html", 302)
    if head in ("cart", "search"):
        return pages.disallowed(STYLE, request, head)
    return pages.not_found(STYLE)


def directory(state: SimState, request: web.Request) -> web.Response:
    page = int_param(request, "page", 1)
    span = paginate(state.world.merchant_count(PLATFORM), page, SELLERS_PER_PAGE) if page else None
    if span is None:
        return pages.not_found(STYLE)
    start, end, has_next = span
    rows = []
    for index in range(start, end):
        m = state.world.merchant(PLATFORM, index)
        rows.append(f'<li><a class="seller" href="/u/{m.shop_id}">{esc(m.name)}</a></li>')
    extra = ""
    if page == 1 and state.config.faults_enabled and state.config.huge_page_bytes:
        extra = f'<p class="archive"><a href="{HUGE_PATH}">往期精选（全部）</a></p>'
    main = f'<h1>好友列表</h1><ul class="shops">{"".join(rows)}</ul>{extra}{h.pager("/", page, has_next)}'
    key = f"dir{page}"
    nav = pages.search_link(state, PLATFORM, key, "好物")
    return pages.render(state, PLATFORM, key, _layout(f"好友列表 第{page}页", main, nav=nav))


def _article(state: SimState, listing: Listing, m: Merchant, link: str) -> str:
    when = post_time(listing)
    pics = h.images_html(listing.images)
    return (
        f'<article class="post" data-post-id="{listing.item_id}">'
        f'<header><a class="author" href="/u/{m.shop_id}">{esc(m.name)}</a> '
        f'<time datetime="{when.isoformat()}">{when.month}月{when.day}日 {when:%H:%M}</time></header>'
        f'<div class="post-text">{esc(post_text(listing))}</div>'
        f'<div class="pics">{pics}</div>'
        f'<footer><a class="permalink" href="{esc(link)}">查看全文</a></footer></article>'
    )


def _seller_header(m: Merchant) -> str:
    return (f'<div class="profile" data-shop-id="{m.shop_id}"><h1 class="seller-name">{esc(m.name)}</h1>'
            f'<p>微信 <span class="handle">{esc(m.handle)}</span> · 好友 '
            f'<span class="followers">{m.followers}</span></p>{h.licence_block(m.licence)}</div>')


def timeline(state: SimState, request: web.Request, shop_id: str) -> web.Response:
    m = state.merchant(PLATFORM, shop_id)
    page = int_param(request, "page", 1)
    if m is None or page is None:
        return pages.not_found(STYLE, message="用户不存在")
    posts = sorted(state.active(m), key=lambda x: (x.first_day, x.index), reverse=True)
    span = paginate(len(posts), page, POSTS_PER_PAGE)
    if span is None:
        return pages.not_found(STYLE)
    start, end, has_next = span
    key = f"u{m.shop_id}p{page}"
    articles = "".join(
        _article(state, x, m, state.faults.link(f"/p/{x.item_id}", key, pos))
        for pos, x in enumerate(posts[start:end]))
    main = (f'{_seller_header(m)}<div class="timeline">{articles}</div>'
            f'{h.pager(f"/u/{m.shop_id}", page, has_next)}')
    nav = pages.search_link(state, PLATFORM, key, m.name[:4])
    return pages.render(state, PLATFORM, key, _layout(m.name, main, m.encoding, nav), encoding=m.encoding)


def permalink(state: SimState, item_id: str) -> web.Response:
    listing = state.listing(PLATFORM, item_id)
    if listing is None or listing.status == "delisted":
        return pages.not_found(STYLE, message="内容已删除")
    m = state.world.merchant_by_id(PLATFORM, listing.shop_id)
    assert m is not None
    main = (f'<p class="back"><a class="seller" href="/u/{m.shop_id}">{esc(m.name)}</a></p>'
            f'{_article(state, listing, m, f"/p/{listing.item_id}")}')
    key = f"p{listing.item_id}"
    return pages.render(state, PLATFORM, key, _layout(post_text(listing).split("\n", 1)[0][:30], main,
                                                      m.encoding), encoding=m.encoding)
