"""Host dispatch, shared endpoints, admin, and byte-determinism across servers."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode, urlsplit

from mallsim import signing
from mallsim.config import SimConfig
from mallsim.ids import item_id
from mallsim.server import SimHandle, start_background
from mallsim.world import World

PLATFORMS = ("weishop", "miniapp", "vshop", "moments")


def test_unknown_host_is_misdirected(mallsim: SimHandle) -> None:
    for host in ("example.com", "127.0.0.1", "shop.mallsim.test", "mallsim.test"):
        conn_status = _raw_status(mallsim, host)
        assert conn_status == 421, host


def _raw_status(sim: SimHandle, host: str) -> int:
    import http.client
    conn = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
    try:
        conn.putrequest("GET", "/", skip_host=True)
        if host:
            conn.putheader("Host", host)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_host_matches_with_or_without_port_and_case(mallsim: SimHandle) -> None:
    for host in ("weishop.mallsim.test", "WEISHOP.mallsim.test:80", "weishop.mallsim.test.:1"):
        assert _raw_status(mallsim, host) == 200, host


def test_robots_txt_on_every_platform(mallsim: SimHandle) -> None:
    for platform in PLATFORMS:
        status, headers, body = mallsim.fetch(platform, "/robots.txt")
        assert status == 200 and headers["content-type"].startswith("text/plain")
        lines = body.decode().splitlines()
        assert "User-agent: *" in lines
        assert "Disallow: /cart/" in lines and "Disallow: /search" in lines


def test_images_and_methods(mallsim: SimHandle) -> None:
    status, headers, body = mallsim.fetch("weishop", "/img/100000000_0.jpg")
    assert status == 200 and headers["content-type"] == "image/gif" and body.startswith(b"GIF89a")
    assert mallsim.fetch("weishop", "/", method="POST")[0] == 405
    status, _, body = mallsim.fetch("weishop", "/", method="HEAD")
    assert status == 200 and body == b""


def test_admin_health_and_day(mallsim: SimHandle) -> None:
    status, headers, body = mallsim.fetch("admin", "/health")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert json.loads(body) == {"ok": True, "seed": 7, "merchants": 40, "day": 0}
    assert json.loads(mallsim.fetch("admin", "/day")[2]) == {"day": 0}
    assert mallsim.fetch("admin", "/nope")[0] == 404


def sample_paths(world: World) -> list[tuple[str, str]]:
    """A few pages of every platform, including the signed API (signature params do not show
    up in responses, so the same request must give the same bytes)."""
    paths: list[tuple[str, str]] = [("weishop", "/"), ("weishop", "/robots.txt"),
                                    ("miniapp", "/developer"), ("vshop", "/"),
                                    ("vshop", "/static/app.js"), ("vshop", "/api/shops?page=1"),
                                    ("moments", "/"), ("weishop", "/shop/100000/events")]
    for platform in PLATFORMS:
        for index in (0, world.merchant_count(platform) - 1):
            m = world.merchant(platform, index)
            first = item_id(m.shop_id, 0)
            if platform == "weishop":
                paths += [(platform, f"/shop/{m.shop_id}"), (platform, f"/shop/{m.shop_id}/items?page=1"),
                          (platform, f"/item/{first}")]
            elif platform == "miniapp":
                for api, params in (("shop", {"shop_id": m.shop_id}), ("items", {"shop_id": m.shop_id}),
                                    ("item", {"item_id": first}), ("shops", {"limit": "7"})):
                    query = urlencode(signing.signed_params(params))
                    paths.append((platform, f"/api/v1/{api}?{query}"))
            elif platform == "vshop":
                paths += [(platform, f"/shop/{m.shop_id}"), (platform, f"/api/feed?shop_id={m.shop_id}"),
                          (platform, f"/api/item?item_id={first}")]
            else:
                paths += [(platform, f"/u/{m.shop_id}"), (platform, f"/p/{first}")]
    return paths


def test_same_config_gives_identical_bytes(mallsim: SimHandle, small_world: World) -> None:
    paths = sample_paths(small_world)
    with start_background(SimConfig(seed=7, merchants=40, faults_enabled=False, port=0)) as other:
        assert other.port != mallsim.port
        for platform, path in paths:
            a, b = mallsim.fetch(platform, path), other.fetch(platform, path)
            assert a[0] == b[0] == 200, (platform, path, a[0], b[0])
            assert a[2] == b[2], (platform, path)
            assert a[1]["content-type"] == b[1]["content-type"]
    # and the same server answers the same bytes twice
    for platform, path in paths[:10]:
        assert mallsim.fetch(platform, path)[2] == mallsim.fetch(platform, path)[2]


def test_other_seed_gives_other_content(mallsim: SimHandle, mallsim_factory) -> None:
    other = mallsim_factory(seed=8)
    assert other.fetch("weishop", "/")[2] != mallsim.fetch("weishop", "/")[2]


def test_truth_urls_are_served(mallsim: SimHandle) -> None:
    """Every canonical URL in /truth answers: merchants and active listings 200."""
    status, _, body = mallsim.fetch("admin", "/truth")
    records = [json.loads(line) for line in body.decode().splitlines()]
    assert status == 200 and {r["platform"] for r in records} == set(PLATFORMS)
    per_platform: dict[tuple[str, str], int] = {}
    for record in records:
        key = (record["platform"], record["kind"])
        if record.get("status", "active") != "active" or per_platform.get(key, 0) >= 8:
            continue
        per_platform[key] = per_platform.get(key, 0) + 1
        url = urlsplit(record["url"])
        assert url.netloc == mallsim.host_header(record["platform"])
        path = url.path
        if record["platform"] == "miniapp":
            path += "?" + urlencode(signing.signed_params(dict(parse_qsl(url.query))))
        assert mallsim.fetch(record["platform"], path)[0] == 200, record["url"]
    assert len(per_platform) == 8
