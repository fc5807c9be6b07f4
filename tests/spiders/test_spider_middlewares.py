"""Unit tests (no network): resolver mapping, miniapp signing, canonical fingerprints, the trap
guard, Retry-After/backoff retries and final-failure reasons."""
from __future__ import annotations

import time
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import (
    CannotResolveHostError, DownloadCancelledError, DownloadTimeoutError, IgnoreRequest,
)
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.fingerprint import CanonicalRequestFingerprinter
from crawler.middlewares import (
    NOT_BEFORE, SIGN, TRAP_CHAIN, BackoffRetryMiddleware, ErrorStatsMiddleware, MiniappSigningMiddleware,
    TrapGuardMiddleware, failure_reason, parse_retry_after, url_template,
)
from crawler.resolver import MappedResolver, chromium_host_rules, lookup, parse_resolve_setting
from crawler.signing import sign_url, strip_signature


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count


# --- resolver ------------------------------------------------------------------------------------


def test_resolve_setting_forms() -> None:
    want = {"mallsim.test": "127.0.0.1"}
    assert parse_resolve_setting({"mallsim.test": "127.0.0.1"}) == want
    assert parse_resolve_setting('{"mallsim.test": "127.0.0.1"}') == want
    assert parse_resolve_setting("mallsim.test=127.0.0.1, .Example.ORG.=10.0.0.1") == {**want, "example.org": "10.0.0.1"}
    assert parse_resolve_setting(None) == {}
    with pytest.raises(ValueError, match="IP address"):
        parse_resolve_setting({"mallsim.test": "localhost"})


def test_lookup_by_suffix() -> None:
    mapping = {"mallsim.test": "127.0.0.1", "cn.mallsim.test": "127.0.0.2"}
    assert lookup(mapping, "weishop.mallsim.test") == "127.0.0.1"
    assert lookup(mapping, "WEISHOP.MALLSIM.TEST.") == "127.0.0.1"
    assert lookup(mapping, "mallsim.test") == "127.0.0.1"
    assert lookup(mapping, "a.cn.mallsim.test") == "127.0.0.2"  # longest suffix wins
    assert lookup(mapping, "notmallsim.test") is None
    assert lookup(mapping, "example.com") is None
    assert chromium_host_rules({"mallsim.test": "127.0.0.1"}) == "MAP mallsim.test 127.0.0.1, MAP *.mallsim.test 127.0.0.1"


def test_resolver_answers_mapped_names_and_defers_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    from twisted.internet import defer
    from twisted.internet.base import ThreadedResolver

    asked: list[str] = []
    monkeypatch.setattr(ThreadedResolver, "getHostByName",
                        lambda self, name, timeout=(): asked.append(name) or defer.succeed("192.0.2.1"))
    resolver = MappedResolver(reactor=None, cache_size=0, timeout=5, mapping={"mallsim.test": "127.0.0.1"})  # type: ignore[arg-type]
    got: list[str] = []
    resolver.getHostByName("weishop.mallsim.test").addCallback(got.append)
    resolver.getHostByName("example.com").addCallback(got.append)
    assert got == ["127.0.0.1", "192.0.2.1"]
    assert asked == ["example.com"]  # only unmapped names reach the system resolver


# --- signing -------------------------------------------------------------------------------------


def test_signature_is_what_the_simulator_verifies() -> None:
    from urllib.parse import parse_qsl, urlsplit

    from mallsim.signing import verify

    url = sign_url("http://miniapp.mallsim.test:8800/api/v1/items?shop_id=100001&cursor=AAAAFHx-_w&limit=20",
                   "sw-demo", "mallsim-open-secret")
    params = parse_qsl(urlsplit(url).query)
    assert verify(params) is None
    assert {k for k, _ in params} == {"shop_id", "cursor", "limit", "app_key", "ts", "nonce", "sign"}
    # re-signing replaces the old signature instead of adding a second one
    again = sign_url(url, "sw-demo", "mallsim-open-secret", nonce="n2")
    pairs = parse_qsl(urlsplit(again).query)
    assert [k for k, _ in pairs].count("sign") == 1 and dict(pairs)["nonce"] == "n2"
    assert verify(pairs) is None
    stale = sign_url(url, "sw-demo", "mallsim-open-secret", now=time.time() - 600)
    assert verify(parse_qsl(urlsplit(stale).query)) == "stale timestamp"
    wrong = sign_url(url, "sw-demo", "not-the-secret")
    assert verify(parse_qsl(urlsplit(wrong).query)) == "bad signature"
    assert strip_signature(again) == "http://miniapp.mallsim.test:8800/api/v1/items?shop_id=100001&cursor=AAAAFHx-_w&limit=20"


def test_signing_middleware_signs_marked_requests_at_download_time() -> None:
    mw = MiniappSigningMiddleware("sw-demo", "mallsim-open-secret")
    plain = Request("http://miniapp.mallsim.test:8800/api/v1/shops?limit=50")
    assert mw.process_request(plain) is None and "sign=" not in plain.url
    marked = Request("http://miniapp.mallsim.test:8800/api/v1/shops?limit=50", meta={SIGN: "miniapp"})
    fp = CanonicalRequestFingerprinter().fingerprint(marked)
    mw.process_request(marked)
    assert "sign=" in marked.url and "ts=" in marked.url
    # a retry (copy of the signed request) is signed afresh, and keeps the scheduled fingerprint
    retry = marked.copy()
    mw.process_request(retry)
    assert retry.url.count("sign=") == 1
    assert CanonicalRequestFingerprinter().fingerprint(retry) == fp


# --- fingerprints --------------------------------------------------------------------------------


def test_canonical_fingerprint_dedupes_tracking_and_session_variants() -> None:
    fp = CanonicalRequestFingerprinter().fingerprint
    base = "http://weishop.mallsim.test:8800/item/100001002"
    variants = [base, base + "?utm_source=wechat&utm_medium=share&utm_campaign=c1", base + "?spm=a211.1234.5.6",
                base + "?share_token=00ff00ff00", base + ";jsessionid=ABCDEF0123456789",
                base + "?sid=abcdef0123", base + "#reviews", "HTTP://WEISHOP.mallsim.test:8800/item/100001002"]
    assert len({fp(Request(u)) for u in variants}) == 1
    assert fp(Request(base)) != fp(Request("http://weishop.mallsim.test:8800/item/100001003"))
    assert fp(Request(base + "?page=2")) != fp(Request(base + "?page=3"))
    assert fp(Request(base)) != fp(Request(base, method="POST"))
    assert len(fp(Request(base))) == 20


# --- trap guard ----------------------------------------------------------------------------------


def test_url_template() -> None:
    assert url_template("http://w.test/shop/100001/events?month=2025-03") == ("w.test/shop/{n}/events?month", True)
    assert url_template("http://w.test/shop/100001/items?page=7") == ("w.test/shop/{n}/items?page", False)
    assert url_template("http://w.test/cal/2024/05/?x=1&b=2") == ("w.test/cal/{date}/?b&x", True)
    assert url_template("http://w.test/list?ym=202405")[1] is True
    assert url_template("http://w.test/item/200012?ref=1")[1] is False  # ids are not dates


def guard(**settings: Any) -> tuple[TrapGuardMiddleware, Any]:
    crawler = get_crawler(Spider, {"SHOPWATCH_TRAP_MAX_CHAIN": 5, "SHOPWATCH_TRAP_CALENDAR_MAX": 3, **settings})
    crawler.stats.open_spider()
    return TrapGuardMiddleware(crawler), crawler.stats


def walk(mw: TrapGuardMiddleware, start: str, links: Any, steps: int) -> list[str]:
    """Follow ``links(url)`` (one next link per page) from ``start``; return the admitted URLs."""
    admitted = []
    page = HtmlResponse(start, request=Request(start, meta={TRAP_CHAIN: 0}))
    for _ in range(steps):
        nxt = mw.get_processed_request(Request(links(page.url)), page)
        if nxt is None:
            break
        admitted.append(nxt.url)
        page = HtmlResponse(nxt.url, request=nxt)
    return admitted


def test_trap_guard_stops_calendar_walks() -> None:
    mw, stats = guard()

    def next_month(url: str) -> str:
        month = int(url.rsplit("-", 1)[1]) if "month=" in url else 0
        return f"http://w.test/shop/1/events?month=2025-{month + 1:02d}"

    admitted = walk(mw, "http://w.test/shop/1/events", next_month, 12)
    # from the events page: month 1 (a new template: hop 0), then hops 1 and 2; hop 3 is dropped
    assert admitted == [f"http://w.test/shop/1/events?month=2025-{m:02d}" for m in (1, 2, 3)]
    assert stats.get_value("shopwatch/trap_dropped") == 1
    assert stats.get_value("shopwatch/trap_dropped/calendar") == 1


def test_trap_guard_bounds_walks_not_catalogues() -> None:
    mw, stats = guard()
    listing = HtmlResponse("http://w.test/shop/1/items?page=1", request=Request("http://w.test/shop/1/items?page=1"))
    for n in range(300):  # many items, many shops: never a walk
        assert mw.get_processed_request(Request(f"http://w.test/item/{n}"), listing) is not None
        assert mw.get_processed_request(Request(f"http://w.test/api/v1/shop?shop_id={n}"), listing) is not None
    pages = walk(mw, "http://w.test/shop/1/items?page=1",
                 lambda u: f"http://w.test/shop/1/items?page={int(u.rsplit('=', 1)[1]) + 1}", 50)
    assert len(pages) == 4  # page 1 + 4 more = SHOPWATCH_TRAP_MAX_CHAIN (5) pages in one walk
    assert stats.get_value("shopwatch/trap_dropped/chain") == 1


def test_trap_guard_does_not_count_retries_as_steps() -> None:
    mw, _ = guard(SHOPWATCH_TRAP_CALENDAR_MAX=1)
    url = "http://w.test/shop/1/events?month=2025-01"
    page = HtmlResponse(url, request=Request(url, meta={TRAP_CHAIN: 0}))
    retry = mw.get_processed_request(Request(url, meta={"retry_times": 1}), page)  # spider-side retry
    assert retry is not None and retry.meta[TRAP_CHAIN] == 0
    assert mw.get_processed_request(Request("http://w.test/shop/1/events?month=2025-02"), page) is None


# --- retries -----------------------------------------------------------------------------------


def test_parse_retry_after() -> None:
    assert parse_retry_after(b"1") == 1.0
    assert parse_retry_after("2.5") == 2.5
    now = time.time()
    from email.utils import formatdate

    assert 9 <= parse_retry_after(formatdate(now + 10, usegmt=True), now=now) <= 11  # type: ignore[operator]
    assert parse_retry_after(b"soon") is None
    assert parse_retry_after(None) is None


def retry_mw(**settings: Any) -> tuple[BackoffRetryMiddleware, Any]:
    crawler = get_crawler(Spider, {"SHOPWATCH_RETRY_AFTER_MAX": 60, "SHOPWATCH_RETRY_AFTER_TIMES": 2, **settings})
    crawler.spider = Spider("t")
    crawler.spider.crawler = crawler
    crawler.stats.open_spider()
    return BackoffRetryMiddleware.from_crawler(crawler), crawler


def test_retry_after_pauses_the_host_and_retries_later() -> None:
    mw, crawler = retry_mw()
    request = Request("http://miniapp.mallsim.test:8800/api/v1/shops")
    response = HtmlResponse(request.url, status=429, headers={"Retry-After": "1"}, request=request)
    before = time.time()
    retried = mw.process_response(request, response)
    assert isinstance(retried, Request) and retried.dont_filter
    assert before + 0.9 <= retried.meta[NOT_BEFORE] <= time.time() + 1.1
    assert mw.paused_until["miniapp.mallsim.test:8800"] >= before + 0.9
    assert crawler.stats.get_value("shopwatch/retry_after") == 1
    assert "retry_times" not in retried.meta  # rate limits do not spend the error-retry budget
    # the Retry-After budget is bounded: the third 429 for the same request is given up
    second = mw.process_response(retried, HtmlResponse(request.url, status=429, headers={"Retry-After": "1"}, request=retried))
    third = mw.process_response(second, HtmlResponse(request.url, status=429, headers={"Retry-After": "1"}, request=second))
    assert isinstance(third, HtmlResponse)
    assert crawler.stats.get_value("shopwatch/retry_after/max_reached") == 1


def test_retry_after_is_capped() -> None:
    mw, _ = retry_mw(SHOPWATCH_RETRY_AFTER_MAX=5)
    request = Request("http://a.test/x")
    retried = mw.process_response(request, HtmlResponse(request.url, status=503, headers={"Retry-After": "3600"}, request=request))
    assert retried.meta[NOT_BEFORE] <= time.time() + 5.1


def test_errors_are_retried_with_growing_backoff() -> None:
    mw, crawler = retry_mw(SHOPWATCH_RETRY_BACKOFF_BASE=1.0, SHOPWATCH_RETRY_BACKOFF_MAX=3.0, RETRY_TIMES=4)
    request = Request("http://a.test/x")
    waits = []
    for _ in range(4):
        request = mw.process_response(request, HtmlResponse(request.url, status=503, request=request))
        assert isinstance(request, Request)
        waits.append(request.meta[NOT_BEFORE] - time.time())
    assert 0.4 <= waits[0] <= 1.0 and 0.9 <= waits[1] <= 2.0 and waits[3] <= 3.0
    final = mw.process_response(request, HtmlResponse(request.url, status=503, request=request))
    assert isinstance(final, HtmlResponse)  # bounded: RETRY_TIMES, then the error stands
    assert crawler.stats.get_value("retry/max_reached") == 1
    timeout = mw.process_exception(Request("http://a.test/y"), DownloadTimeoutError("slow"))
    assert isinstance(timeout, Request) and timeout.meta[NOT_BEFORE] > time.time()


# --- final failures by reason --------------------------------------------------------------------


def test_failure_reasons() -> None:
    assert failure_reason(DownloadTimeoutError("x")) == "timeout"
    assert failure_reason(CannotResolveHostError("x")) == "dns"
    assert failure_reason(DownloadCancelledError("x")) == "too_large"
    assert failure_reason(IgnoreRequest("Forbidden by robots.txt")) == "robots_forbidden"
    assert failure_reason(IgnoreRequest("Filtered offsite request to 'x'")) == "offsite"
    assert failure_reason(ConnectionRefusedError()) == "connection"
    assert failure_reason(KeyError("x")) == "key_error"
    stats = Stats()
    ErrorStatsMiddleware(stats).process_exception(Request("http://a.test/"), DownloadTimeoutError("x"))  # type: ignore[arg-type]
    assert stats.values == {"shopwatch/errors/timeout": 1}
