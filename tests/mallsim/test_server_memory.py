"""Memory stays flat for a 100,000-merchant world: nothing is stored per merchant or listing."""
from __future__ import annotations

import http.client
import random
from urllib.parse import urlencode

import psutil

from mallsim import signing
from mallsim.ids import item_id, shop_id
from mallsim.world import split_merchants

MERCHANTS = 100_000
REQUESTS = 3000


def paths(rng: random.Random) -> list[tuple[str, str]]:
    """Random item pages of every platform, some list pages and signed API calls."""
    counts = split_merchants(MERCHANTS)
    out = []
    for k in range(REQUESTS):
        platform = ("weishop", "moments", "vshop", "miniapp")[k % 4]
        shop = shop_id(rng.randrange(counts[platform]))
        item = item_id(shop, rng.randrange(4))  # every shop has listing 0; 1-3 may 404
        if platform == "weishop":
            out.append((platform, f"/shop/{shop}/items?page=1" if k % 20 == 0 else f"/item/{item}"))
        elif platform == "moments":
            out.append((platform, f"/p/{item}"))
        elif platform == "vshop":
            out.append((platform, f"/api/item?item_id={item}"))
        else:
            out.append((platform, f"/api/v1/item?{urlencode(signing.signed_params({'item_id': item}))}"))
    return out


def test_rss_flat_for_100k_merchants(mallsim_factory) -> None:
    sim = mallsim_factory(mode="process", merchants=MERCHANTS, api_rate=1e9)
    server = psutil.Process(sim.pid)
    conn = http.client.HTTPConnection(sim.host, sim.port, timeout=60)  # keep-alive
    rss: list[int] = []
    ok = 0
    for n, (platform, path) in enumerate(paths(random.Random(3))):
        conn.request("GET", path, headers={"Host": sim.host_header(platform)})
        resp = conn.getresponse()
        resp.read()
        ok += resp.status == 200
        if n % 100 == 99:
            rss.append(server.memory_info().rss)
    conn.close()
    mb = [r / 2**20 for r in rss]
    print(f"server RSS MB: first {mb[0]:.1f} max {max(mb):.1f} last {mb[-1]:.1f} ({ok} ok)")
    assert ok > REQUESTS // 2
    assert max(mb) < 300, mb
    first, last = max(mb[:10]), max(mb[-10:])
    assert last - first < 50, (first, last)
