"""vshop (抖店-like): a single-page app. Every page route returns the same data-free HTML shell;
/static/app.js fetches the JSON endpoints and renders cards with infinite scroll, so only a
crawler that runs JavaScript (or reads the API) sees listings (docs/mallsim.md, "vshop")."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from mallsim.ids import parse_item_id, parse_shop_id
from mallsim.platforms import html as h
from mallsim.platforms.common import (
    HUGE_PATH, SimState, html_response, int_param, item_view, json_error, json_response,
    paginate, shop_view,
)

PLATFORM = "vshop"
SHOPS_PER_PAGE = 50
FEED_PER_PAGE = 12
STYLE = h.SiteStyle(brand="V小店", accent="#fe2c55", footer="V小店 · 短视频好物 · 正品保障")
_APP_JS: bytes | None = None


def app_js() -> bytes:
    global _APP_JS
    if _APP_JS is None:
        _APP_JS = (Path(__file__).resolve().parent.parent / "static" / "app.js").read_bytes()
    return _APP_JS


def shell(state: SimState) -> str:
    """The SPA shell: chrome, an empty #app and the script -- never any listing data."""
    huge = ""
    if state.config.faults_enabled and state.config.huge_page_bytes:
        huge = f' · <a href="{HUGE_PATH}">商品存档</a>'
    css = (".cards{display:grid;grid-template-columns:repeat(2,1fr);gap:8px}"
           ".card{background:#fff;border-radius:6px;padding:6px}.card img{width:100%}"
           "#more{height:40px;text-align:center;color:#999}")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{STYLE.brand}</title>\n<style>{STYLE.css}{css}</style>\n</head>\n<body>\n"
        f'<header class="topbar"><a class="logo" href="/">{STYLE.brand}</a>'
        '<nav class="topnav"><a href="/">首页</a></nav></header>\n'
        '<main><div id="app"><p class="loading">加载中…</p></div></main>\n'
        f'<footer class="footer"><p>{STYLE.footer}{huge}</p></footer>\n'
        '<noscript>请开启 JavaScript 以浏览店铺</noscript>\n'
        '<script src="/static/app.js" defer></script>\n</body>\n</html>\n'
    )


async def handle(state: SimState, request: web.Request, path: str) -> web.StreamResponse:
    parts = path.strip("/").split("/") if path != "/" else []
    if path == "/static/app.js":
        return web.Response(body=app_js(), content_type="application/javascript",
                            charset="utf-8")
    if (not parts or (len(parts) == 2 and parts[0] == "shop" and parse_shop_id(parts[1]) is not None)
            or (len(parts) == 2 and parts[0] == "item" and parse_item_id(parts[1]) is not None)):
        return html_response(shell(state))
    if len(parts) == 2 and parts[0] == "api":
        endpoint = API.get(parts[1])
        if endpoint is not None:
            return endpoint(state, request)
        return json_error(404, "no such api")
    return html_response(h.error_page(STYLE, 404, "页面不存在"), status=404)


def api_shops(state: SimState, request: web.Request) -> web.Response:
    page = int_param(request, "page", 1)
    span = paginate(state.world.merchant_count(PLATFORM), page, SHOPS_PER_PAGE) if page else None
    if span is None:
        return json_error(404, "no such page")
    start, end, has_more = span
    shops = []
    for index in range(start, end):
        m = state.world.merchant(PLATFORM, index)
        shops.append({"shop_id": m.shop_id, "name": m.name, "followers": m.followers,
                      "rating": m.rating})
    return json_response({"code": 0, "data": {"shops": shops, "page": page, "has_more": has_more}})


def api_feed(state: SimState, request: web.Request) -> web.Response:
    m = state.merchant(PLATFORM, request.query.get("shop_id", ""))
    if m is None:
        return json_error(404, "shop not found")
    page = int_param(request, "page", 1)
    listings = state.active(m)
    span = paginate(len(listings), page, FEED_PER_PAGE) if page else None
    if span is None:
        return json_error(404, "no such page")
    start, end, has_more = span
    data = {"shop": shop_view(m), "items": [item_view(x) for x in listings[start:end]],
            "page": page, "has_more": has_more}
    return json_response({"code": 0, "data": data})


def api_item(state: SimState, request: web.Request) -> web.Response:
    listing = state.listing(PLATFORM, request.query.get("item_id", ""))
    if listing is None:
        return json_error(404, "item not found")
    if listing.status == "delisted":
        return json_error(404, "item delisted")
    m = state.world.merchant_by_id(PLATFORM, listing.shop_id)
    data = item_view(listing)
    data["shop_name"] = m.name if m is not None else None
    return json_response({"code": 0, "data": data})


API = {"shops": api_shops, "feed": api_feed, "item": api_item}
