"""Throughput of the simulator: pages/s for item pages, list pages and signed API calls.

The server runs in its own process (faults off, API rate limit out of the way); this process is
the client: aiohttp over keep-alive connections, URLs prepared before the clock starts.

    .venv/bin/python bench/mallsim_pages.py [--merchants 2000] [--seconds 5] [--concurrency 32]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import time
from urllib.parse import urlencode

import aiohttp
import psutil

from mallsim import signing
from mallsim.config import SimConfig
from mallsim.server import start_background
from mallsim.world import World, WorldConfig


def prepare(world: World, rng: random.Random, n: int) -> dict[str, list[tuple[str, str]]]:
    """(platform, path) samples per kind, drawn from the world's active listings. "cold" item
    pages are distinct listings fetched once (the server builds each from the world); "item"
    pages repeat a smaller sample, as a crawler does right after the list page that links them."""
    kinds: dict[str, list[tuple[str, str]]] = {"cold": [], "item": [], "list": [], "api": []}
    count = world.merchant_count("weishop")
    while len(kinds["item"]) < n:
        m = world.merchant("weishop", rng.randrange(count))
        active = world.active_listings(m)
        kinds["list"].append(("weishop", f"/shop/{m.shop_id}/items?page=1"))
        for listing in rng.sample(active, min(3, len(active))):
            kinds["item"].append(("weishop", f"/item/{listing.item_id}"))
    seen = {path for _, path in kinds["item"]}
    order = list(range(count))
    rng.shuffle(order)
    for index in order:
        for listing in world.active_listings(world.merchant("weishop", index)):
            path = f"/item/{listing.item_id}"
            if path not in seen and len(kinds["cold"]) < 5 * n:
                kinds["cold"].append(("weishop", path))
    count = world.merchant_count("miniapp")
    while len(kinds["api"]) < n:
        m = world.merchant("miniapp", rng.randrange(count))
        for listing in world.active_listings(m)[:3]:
            query = signing.signed_params({"item_id": listing.item_id})
            kinds["api"].append(("miniapp", f"/api/v1/item?{urlencode(query)}"))
    return kinds


async def hammer(address: str, port: int, urls: list[tuple[str, str]], seconds: float,
                 concurrency: int) -> tuple[int, int, float]:
    """(ok responses, other responses, elapsed) for ``seconds`` of ``concurrency`` workers."""
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    ok = bad = 0
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()

        async def worker(offset: int) -> None:
            nonlocal ok, bad
            i = offset
            while time.perf_counter() < deadline:
                platform, path = urls[i % len(urls)]
                i += concurrency
                headers = {"Host": f"{platform}.mallsim.test:{port}"}
                async with session.get(address + path, headers=headers) as resp:
                    await resp.read()
                    if resp.status == 200:
                        ok += 1
                    else:
                        bad += 1

        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        return ok, bad, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--merchants", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--samples", type=int, default=3000)
    args = parser.parse_args()

    world = World(WorldConfig(seed=args.seed, merchants=args.merchants))
    kinds = prepare(world, random.Random(1), args.samples)
    config = SimConfig(seed=args.seed, merchants=args.merchants, port=0, faults_enabled=False,
                       api_rate=1e9)
    with start_background(config) as sim:
        print(f"mallsim pid={sim.pid} port={sim.port} merchants={args.merchants} "
              f"concurrency={args.concurrency} seconds={args.seconds:g}")
        server, client = psutil.Process(sim.pid), psutil.Process()
        for kind in ("cold", "item", "list", "api"):
            if kind != "cold":  # warm-up: connections, and the pages' records
                asyncio.run(hammer(sim.address, sim.port, kinds[kind][:200], 0.5, args.concurrency))
            before = sum(server.cpu_times()[:2])
            server.cpu_percent()
            client.cpu_percent()
            ok, bad, elapsed = asyncio.run(hammer(sim.address, sim.port, kinds[kind],
                                                  args.seconds, args.concurrency))
            busy = sum(server.cpu_times()[:2]) - before
            # pages per server CPU-second: what one core sustains, even on a shared machine
            # ("cold" pages are cold only while its distinct sample lasts: 5 x --samples)
            print(f"{kind:5s} {ok / elapsed:8.0f} pages/s  {ok / max(busy, 1e-9):8.0f} per server "
                  f"CPU-s  ({ok} ok, {bad} non-200; server cpu {server.cpu_percent():.0f}%, "
                  f"client cpu {client.cpu_percent():.0f}%, "
                  f"server rss {server.memory_info().rss / 2**20:.0f} MB)")

if __name__ == "__main__":
    main()
