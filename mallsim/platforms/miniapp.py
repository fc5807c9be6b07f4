"""miniapp (小程序-like): a signed JSON API with opaque cursors and a per-app_key rate limit.

The signature scheme is documented on /developer (what a regulator's engineer would read) and
implemented in ``mallsim.signing``; a bad or stale signature answers 401, going over
``api_rate`` answers 429 with ``Retry-After: 1`` (docs/mallsim.md, "miniapp").
"""
from __future__ import annotations

import base64
import binascii
import hashlib

from aiohttp import web

from mallsim import signing
from mallsim.platforms import html as h
from mallsim.platforms.common import (
    HUGE_PATH, SimState, html_response, item_view, json_error, json_response, shop_view,
)
from mallsim.platforms.html import esc

PLATFORM = "miniapp"
SHOPS_LIMIT, ITEMS_LIMIT, MAX_LIMIT = 50, 20, 100
STYLE = h.SiteStyle(brand="小程序开放平台", accent="#07c160",
                    footer="小程序开放平台 · 开发者文档 · 接口调用请遵守平台规范")


async def handle(state: SimState, request: web.Request, path: str) -> web.StreamResponse:
    if path == "/":
        main = '<h1>小程序开放平台</h1><p><a href="/developer">开发者文档</a></p>'
        return html_response(h.layout(STYLE, "首页", main, nav='<a href="/developer">文档</a>'))
    if path == "/developer":
        return html_response(developer_page(state))
    if not path.startswith("/api/v1/"):
        return html_response(h.error_page(STYLE, 404, "页面不存在"), status=404)
    error = signing.verify(request.query.items())
    if error is not None:
        return json_error(401, error)
    if not state.take_token(request.query["app_key"]):
        return json_error(429, "rate limited", headers={"Retry-After": "1"})
    endpoint = API.get(path[len("/api/v1/"):])
    if endpoint is None:
        return json_error(404, "no such api")
    return endpoint(state, request)


# --- cursors: opaque, bound to the list they page through, tamper-evident ----------------------
def _mac(state: SimState, scope: str, offset: int) -> bytes:
    key = f"cursor:{state.config.seed}:{scope}:{offset}".encode()
    return hashlib.blake2b(key, digest_size=6).digest()


def make_cursor(state: SimState, scope: str, offset: int) -> str:
    raw = offset.to_bytes(4, "big") + _mac(state, scope, offset)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def read_cursor(state: SimState, scope: str, cursor: str | None) -> int | None:
    """Offset encoded in ``cursor`` (0 when absent); None when forged or from another list."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 10:
        return None
    offset = int.from_bytes(raw[:4], "big")
    return offset if raw[4:] == _mac(state, scope, offset) else None


def _limit(request: web.Request, default: int) -> int | None:
    raw = request.query.get("limit")
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        return None
    return int(raw)


def _page(state: SimState, request: web.Request, scope: str, total: int,
          default: int) -> tuple[int, int, str | None] | web.Response:
    """(start, end, next_cursor) or the 400 answer."""
    offset = read_cursor(state, scope, request.query.get("cursor"))
    if offset is None or offset > total:
        return json_error(400, "bad cursor")
    limit = _limit(request, default)
    if limit is None:
        return json_error(400, f"limit must be 1..{MAX_LIMIT}")
    end = min(total, offset + limit)
    return offset, end, (make_cursor(state, scope, end) if end < total else None)


# --- endpoints ---------------------------------------------------------------------------------
def api_shops(state: SimState, request: web.Request) -> web.Response:
    span = _page(state, request, "shops", state.world.merchant_count(PLATFORM), SHOPS_LIMIT)
    if isinstance(span, web.Response):
        return span
    start, end, nxt = span
    shops = []
    for index in range(start, end):
        m = state.world.merchant(PLATFORM, index)
        shops.append({"shop_id": m.shop_id, "name": m.name})
    return json_response({"code": 0, "data": {"shops": shops, "next_cursor": nxt}})


def api_shop(state: SimState, request: web.Request) -> web.Response:
    m = state.merchant(PLATFORM, request.query.get("shop_id", ""))
    if m is None:
        return json_error(404, "shop not found")
    return json_response({"code": 0, "data": shop_view(m)})


def api_items(state: SimState, request: web.Request) -> web.Response:
    m = state.merchant(PLATFORM, request.query.get("shop_id", ""))
    if m is None:
        return json_error(404, "shop not found")
    listings = state.active(m)
    span = _page(state, request, f"items:{m.shop_id}", len(listings), ITEMS_LIMIT)
    if isinstance(span, web.Response):
        return span
    start, end, nxt = span
    items = [item_view(x) for x in listings[start:end]]
    return json_response({"code": 0, "data": {"items": items, "next_cursor": nxt}})


def api_item(state: SimState, request: web.Request) -> web.Response:
    listing = state.listing(PLATFORM, request.query.get("item_id", ""))
    if listing is None:
        return json_error(404, "item not found")
    if listing.status == "delisted":
        return json_error(404, "item delisted")
    return json_response({"code": 0, "data": item_view(listing)})


API = {"shops": api_shops, "shop": api_shop, "items": api_items, "item": api_item}


def developer_page(state: SimState) -> str:
    """The API documentation a crawler author reads: signature, credentials, endpoints."""
    rate = state.config.api_rate
    example = (
        "import hashlib, hmac, secrets, time\n"
        "params = {\"shop_id\": \"100000\", \"app_key\": \"sw-demo\",\n"
        "          \"ts\": str(int(time.time())), \"nonce\": secrets.token_hex(8)}\n"
        "base = \"&amp;\".join(f\"{k}={v}\" for k, v in sorted(params.items()))\n"
        "params[\"sign\"] = hmac.new(b\"mallsim-open-secret\", base.encode(),"
        " hashlib.sha256).hexdigest()\n"
    )
    rows = "".join(f"<tr><td><code>{esc(p)}</code></td><td>{esc(d)}</td></tr>" for p, d in (
        ("/api/v1/shops?cursor=C&limit=50", "店铺列表：{shops:[{shop_id,name}], next_cursor}"),
        ("/api/v1/shop?shop_id=S", "店铺详情：shop_id, name, followers, rating, licence"),
        ("/api/v1/items?shop_id=S&cursor=C&limit=20", "在售商品：{items:[...], next_cursor}"),
        ("/api/v1/item?item_id=I", "商品详情；已下架返回 HTTP 404 {code:404,error:\"item delisted\"}"),
    ))
    huge = ""
    if state.config.faults_enabled and state.config.huge_page_bytes:
        huge = f'<p><a href="{HUGE_PATH}">历史接口文档（完整版）</a></p>'
    main = (
        "<h1>开发者文档</h1>"
        '<h2>接口签名</h2><p>每个请求都必须带上 <code>app_key</code>、<code>ts</code>（Unix 秒）、'
        "<code>nonce</code>（随机串）和 <code>sign</code>。签名为除 <code>sign</code> 外全部查询参数"
        "按参数名排序后以 <code>k=v</code> 用 <code>&amp;</code> 连接，再以 app_secret 为密钥做 "
        "HMAC-SHA256，结果取小写十六进制。</p>"
        '<pre class="formula">sign = hex(HMAC-SHA256(app_secret, "&amp;".join(f"{k}={v}" for k, v in '
        "sorted(params) if k != \"sign\")))</pre>"
        f'<pre class="example">{example}</pre>'
        '<h2>测试凭证</h2><dl class="credentials"><dt>app_key</dt><dd><code class="app-key">'
        f"{signing.DEMO_APP_KEY}</code></dd><dt>app_secret</dt><dd><code class=\"app-secret\">"
        f"{signing.DEMO_APP_SECRET}</code></dd></dl>"
        f"<h2>错误码</h2><ul><li>401 bad signature：签名错误</li><li>401 stale timestamp："
        f"ts 与服务器时间相差超过 {signing.MAX_SKEW_SECONDS} 秒</li>"
        f"<li>429 rate limited：每个 app_key 每秒最多 {rate:g} 次，请按 Retry-After 等待</li></ul>"
        f'<h2>接口列表</h2><table class="apis">{rows}</table>'
        "<p>分页使用不透明的 <code>cursor</code>：原样传回上一页的 <code>next_cursor</code>，"
        "为 null 表示没有更多。</p>"
        f"{huge}"
    )
    return h.layout(STYLE, "开发者文档", main, nav='<a href="/developer">文档</a>')
