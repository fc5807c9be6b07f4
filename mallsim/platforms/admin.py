"""admin.mallsim.test: health, the day clock and the ground-truth stream.

Never faulted. ``POST /day`` moves the server's clock (the world is re-dated with
``World.with_day``), which is how crawl-over-days tests make listings change and disappear.
"""
from __future__ import annotations

import asyncio
import json

from aiohttp import web

from mallsim.platforms.common import SimState, json_error, json_response
from mallsim.truth import truth_records

PLATFORM_HOST = "{platform}.mallsim.test"
_BATCH = 500  # truth lines per write (then yield to the loop so other requests proceed)


async def handle(state: SimState, request: web.Request, path: str) -> web.StreamResponse:
    if path == "/health":
        cfg = state.config
        return json_response({"ok": True, "seed": cfg.seed, "merchants": cfg.merchants,
                              "day": state.day})
    if path == "/day":
        if request.method == "POST":
            return set_day(state, request)
        return json_response({"day": state.day})
    if path == "/truth":
        return await truth(state, request)
    return json_error(404, "not found")


def set_day(state: SimState, request: web.Request) -> web.Response:
    """``?set=N`` or ``?advance=K`` (K may be omitted: 1)."""
    try:
        if "set" in request.query:
            day = int(request.query["set"])
        elif "advance" in request.query:
            day = state.day + int(request.query.get("advance") or 1)
        else:
            return json_error(400, "use ?set=N or ?advance=K")
        state.set_day(day)
    except ValueError:
        return json_error(400, "day must be an integer >= 0")
    return json_response({"day": state.day})


def base_url(state: SimState):
    """The platforms' base URLs as the crawler addresses them (with the bound port)."""
    def base(platform: str) -> str:
        return f"http://{PLATFORM_HOST.format(platform=platform)}:{state.port}"
    return base


async def truth(state: SimState, request: web.Request) -> web.StreamResponse:
    """The ground truth of the current day as JSON lines, streamed (flat memory)."""
    resp = web.StreamResponse(headers={"Content-Type": "application/x-ndjson; charset=utf-8"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    world = state.world  # a day change during the stream does not mix two days
    batch: list[bytes] = []
    for record in truth_records(world, base_url(state)):
        # the same bytes as ``write_truth`` (shopwatch mallsim truth) writes
        batch.append((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        if len(batch) >= _BATCH:
            await resp.write(b"".join(batch))
            batch.clear()
            await asyncio.sleep(0)
    if batch:
        await resp.write(b"".join(batch))
    await resp.write_eof()
    return resp
