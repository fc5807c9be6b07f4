"""miniapp: signature (accepted, 401 bad, 401 stale), rate limit (429 + Retry-After), cursors."""
from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import lxml.html

from mallsim import signing
from mallsim.platforms.common import item_view
from mallsim.server import SimHandle
from mallsim.world import World

P = "miniapp"


def api(sim: SimHandle, endpoint: str, params: dict[str, str] | None = None,
        **sign_kw: Any) -> tuple[int, dict[str, str], Any]:
    query = urlencode(signing.signed_params(params or {}, **sign_kw))
    status, headers, body = sim.fetch(P, f"/api/v1/{endpoint}?{query}")
    return status, headers, json.loads(body)


def walk(sim: SimHandle, endpoint: str, key: str, params: dict[str, str]) -> list[dict]:
    out: list[dict] = []
    cursor = None
    for _ in range(1000):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        status, _, data = api(sim, endpoint, query)
        assert status == 200 and data["code"] == 0, data
        out += data["data"][key]
        cursor = data["data"]["next_cursor"]
        if cursor is None:
            return out
    raise AssertionError("cursor pagination does not end")


def test_developer_page_documents_signature(mallsim: SimHandle) -> None:
    status, headers, body = mallsim.fetch(P, "/developer")
    doc = lxml.html.fromstring(body.decode())
    text = doc.text_content()
    assert status == 200 and "HMAC-SHA256" in text and "stale timestamp" in text
    assert doc.cssselect("code.app-key")[0].text == signing.DEMO_APP_KEY
    assert doc.cssselect("code.app-secret")[0].text == signing.DEMO_APP_SECRET


def test_shops_cursor_walk_lists_every_merchant(mallsim: SimHandle, small_world: World) -> None:
    shops = walk(mallsim, "shops", "shops", {"limit": "3"})
    assert shops == [{"shop_id": m.shop_id, "name": m.name} for m in small_world.merchants(P)]
    assert len(walk(mallsim, "shops", "shops", {})) == small_world.merchant_count(P)


def test_shop_and_items_match_world(mallsim: SimHandle, small_world: World) -> None:
    for m in small_world.merchants(P):
        status, _, data = api(mallsim, "shop", {"shop_id": m.shop_id})
        shop = data["data"]
        assert status == 200 and shop["name"] == m.name and shop["followers"] == m.followers
        if m.licence.shown_as == "missing":
            assert shop["licence"] is None
        else:
            assert shop["licence"]["uscc"] == m.licence.uscc
            assert shop["licence"]["shown_as"] == m.licence.shown_as
        items = walk(mallsim, "items", "items", {"shop_id": m.shop_id, "limit": "20"})
        active = small_world.active_listings(m)
        assert [i["item_id"] for i in items] == [x.item_id for x in active]
        assert items == [json.loads(json.dumps(item_view(x), ensure_ascii=False)) for x in active]
    listing = small_world.active_listings(small_world.merchant(P, 0))[0]
    status, _, data = api(mallsim, "item", {"item_id": listing.item_id})
    assert status == 200 and data["data"]["title"] == listing.title
    assert data["data"]["price_fen"] == int(listing.price * 100)
    assert data["data"]["price_text"] == f"¥{listing.price:.2f}"


def test_not_found_and_bad_cursor(mallsim: SimHandle) -> None:
    assert api(mallsim, "item", {"item_id": "100000999"})[2] == {"code": 404, "error": "item not found"}
    assert api(mallsim, "shop", {"shop_id": "199999"})[0] == 404
    assert api(mallsim, "nope")[0] == 404
    status, _, data = api(mallsim, "shops", {"cursor": "forged"})
    assert status == 400 and data["error"] == "bad cursor"
    # a cursor is bound to its list: shops' cursors are refused by items
    cursor = api(mallsim, "shops", {"limit": "2"})[2]["data"]["next_cursor"]
    assert api(mallsim, "items", {"shop_id": "100000", "cursor": cursor})[0] == 400
    assert api(mallsim, "shops", {"limit": "1000"})[0] == 400


def test_bad_and_stale_signatures_are_401(mallsim: SimHandle) -> None:
    good = signing.signed_params({"shop_id": "100000"})
    assert mallsim.fetch(P, f"/api/v1/shop?{urlencode(good)}")[0] == 200
    tampered = dict(good, shop_id="100001")
    status, _, body = mallsim.fetch(P, f"/api/v1/shop?{urlencode(tampered)}")
    assert status == 401 and json.loads(body) == {"code": 401, "error": "bad signature"}
    wrong_secret = signing.signed_params({"shop_id": "100000"}, app_secret="guess")
    assert mallsim.fetch(P, f"/api/v1/shop?{urlencode(wrong_secret)}")[0] == 401
    unsigned = {k: v for k, v in good.items() if k != "sign"}
    assert mallsim.fetch(P, f"/api/v1/shop?{urlencode(unsigned)}")[0] == 401
    unknown_key = signing.signed_params({"shop_id": "100000"}, app_key="nobody")
    assert mallsim.fetch(P, f"/api/v1/shop?{urlencode(unknown_key)}")[0] == 401
    for skew in (-301, 400, -3600):
        status, _, data = api(mallsim, "shop", {"shop_id": "100000"}, ts=int(time.time()) + skew)
        assert status == 401 and data == {"code": 401, "error": "stale timestamp"}
    assert api(mallsim, "shop", {"shop_id": "100000"}, ts=int(time.time()) - 250)[0] == 200


def test_rate_limit_answers_429_with_retry_after(mallsim_factory) -> None:
    sim = mallsim_factory(api_rate=5)
    statuses = []
    for _ in range(15):
        status, headers, data = api(sim, "shops")
        statuses.append(status)
        if status == 429:
            assert headers["retry-after"] == "1"
            assert data == {"code": 429, "error": "rate limited"}
    assert statuses[:5] == [200] * 5 and statuses.count(429) >= 5
    time.sleep(1.0)
    assert api(sim, "shops")[0] == 200
    # bad signatures do not consume the caller's budget, and are still 401
    assert sim.fetch(P, "/api/v1/shops?app_key=sw-demo&sign=00")[0] == 401
