"""Whole-page responses shared by the HTML platforms: rendering with the malformed-HTML fault,
error pages, and the robots-disallowed /cart/ and /search pages."""
from __future__ import annotations

from aiohttp import web

from mallsim.faults import malform
from mallsim.platforms import html as h
from mallsim.platforms.common import SimState, html_response, int_param
from mallsim.platforms.html import esc


def render(state: SimState, platform: str, key: str, page: str, status: int = 200,
           encoding: str = "utf-8") -> web.Response:
    """An HTML response; pages the hash picks (malformed_rate) are permanently malformed."""
    if state.faults.hit("malformed_rate", platform, key):
        page = malform(page)
    return html_response(page, status=status, encoding=encoding)


def not_found(style: h.SiteStyle, status: int = 404, message: str = "页面不存在") -> web.Response:
    return html_response(h.error_page(style, status, message), status=status)


def search_link(state: SimState, platform: str, key: str, query: str) -> str:
    """The robots-disallowed search link some list pages carry (robots_link_rate)."""
    if state.faults.hit("robots_link_rate", platform, "search", key):
        return f'<a class="search" href="/search?q={esc(query)}">搜索</a>'
    return ""


def disallowed(style: h.SiteStyle, request: web.Request, head: str) -> web.Response:
    """Pages behind robots.txt Disallow: they exist, and /search pages chain forever."""
    if head == "cart":
        return html_response(h.layout(style, "购物车",
                                      '<h1>购物车</h1><p class="empty">购物车是空的</p>'))
    q = request.query.get("q", "")
    page = int_param(request, "page", 1) or 1
    main = (f'<h1>搜索：{esc(q)}</h1><p class="muted">没有找到相关商品</p><div class="pager">'
            f'<a rel="next" href="/search?q={esc(q)}&amp;page={page + 1}">下一页</a></div>')
    return html_response(h.layout(style, f"搜索 {q}", main))
