"""Web realism and faults: what makes the simulator hard to crawl, each behind a SimConfig knob.

Two kinds (docs/mallsim.md, "Faults"):
* transient -- drawn per request from a dedicated RNG (5xx, slow, stall, truncated JSON); a retry
  draws again, so no URL is ever permanently unreachable;
* permanent -- decided by a keyed hash of the page or link (malformed HTML, tracking and session
  variants of links, redirect chains, robots-disallowed links, the calendar trap), so a page
  looks the same on every request and the crawler sees a stable web.
With ``faults_enabled=False`` every rate is 0 and pages are byte-deterministic.
"""
from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

from mallsim.config import SimConfig
from mallsim.ids import derive_int, unit

TRANSIENT_KINDS = ("error", "timeout", "slow", "truncated")
ERROR_STATUSES = (500, 502, 503, 504)


@dataclass(frozen=True)
class Transient:
    kind: str  # one of TRANSIENT_KINDS
    status: int = 0  # for "error"
    delay: float = 0.0  # for "slow" and "timeout"


class Faults:
    """Fault decisions for one server process."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.seed = config.seed
        # Dedicated RNG: transient faults never disturb the world's keyed randomness.
        self.rng = random.Random(derive_int("faults", config.seed))
        self._transient = [(k, config.effective(f"{n}_rate")) for k, n in
                           (("error", "error"), ("timeout", "timeout"), ("slow", "slow"),
                            ("truncated", "truncated_json"))]
        self.any_transient = any(rate > 0 for _, rate in self._transient)

    def rate(self, name: str) -> float:
        return self.config.effective(name)

    # --- transient ----------------------------------------------------------------------------
    def roll(self, json_endpoint: bool) -> Transient | None:
        """One draw per request: which transient fault (if any) hits it."""
        if not self.any_transient:
            return None
        u = self.rng.random()
        edge = 0.0
        for kind, rate in self._transient:
            if kind == "truncated" and not json_endpoint:
                continue
            edge += rate
            if u < edge:
                return self._make(kind)
        return None

    def _make(self, kind: str) -> Transient:
        cfg = self.config
        if kind == "error":
            return Transient(kind, status=self.rng.choice(ERROR_STATUSES))
        if kind == "slow":
            return Transient(kind, delay=self.rng.uniform(cfg.slow_min, cfg.slow_max))
        if kind == "timeout":
            return Transient(kind, delay=cfg.stall_seconds)
        return Transient(kind)

    # --- permanent ----------------------------------------------------------------------------
    def hit(self, knob: str, *key: object) -> bool:
        """Permanent decision for ``key`` under the probability knob ``knob``."""
        rate = self.config.effective(knob)
        if rate <= 0.0:
            return False
        return rate >= 1.0 or unit("fault", self.seed, knob, *key) < rate

    def link(self, path: str, *key: object) -> str:
        """A list-page link to ``path`` as the page shows it: maybe via /go/, tracking, session."""
        parts = path.rsplit("/", 1)
        if self.hit("redirect_rate", "go", path, *key):
            path = f"/go/{parts[-1]}"
        if self.hit("session_rate", "sid", path, *key):
            token = f"{derive_int('sid', self.seed, path, *key):016X}"
            if unit("sid-style", self.seed, path, *key) < 0.5:
                path = f"{path};jsessionid={token}{token[:16]}"
                return self._query(path, *key, extra=())
            return self._query(path, *key, extra=(f"sid={token.lower()}",))
        return self._query(path, *key, extra=())

    def tracking_query(self, path: str, *key: object) -> str:
        """Always-decorated variant (``?spm=...`` etc.) for a second link to the same item."""
        return f"{path}?{self._tracking(path, 'alt', *key)}"

    def _query(self, path: str, *key: object, extra: tuple[str, ...]) -> str:
        params = list(extra)
        if self.hit("tracking_rate", "track", path, *key):
            params.insert(0, self._tracking(path, *key))
        return f"{path}?{'&'.join(params)}" if params else path

    def _tracking(self, path: str, *key: object) -> str:
        n = derive_int("track", self.seed, path, *key)
        style = n % 3
        if style == 0:
            source = ("wechat", "weibo", "qq", "douyin")[(n >> 4) % 4]
            return f"utm_source={source}&utm_medium=share&utm_campaign=c{(n >> 8) % 97}"
        if style == 1:
            return f"spm=a21{(n >> 4) % 10}.{(n >> 8) % 9000 + 1000}.{(n >> 20) % 50}.{(n >> 28) % 20}"
        return f"share_token={(n >> 4) & 0xFFFFFFFFFF:010x}"


# --- malformed HTML (permanent for the pages the hash picks) ------------------------------------
def malform(page: str) -> str:
    """Break the markup the way sloppy templates do, keeping the data extractable by lxml."""
    page = page.replace('<nav class="topnav">', '<nav class="topnav"><div class="promo"><b>新人专享 ', 1)
    for closing in ("</li>", "</p>", "</dd>", "</dt>", "</td>", "</tr>"):
        page = page.replace(closing, "")
    page = page.replace('<footer class="footer">', "<footer class=footer><div>", 1)
    return page.replace("</body>\n</html>\n", "")


# --- the oversized page (streamed in chunks, never held whole in memory) ------------------------
_HUGE_HEAD = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
              '<title>全部商品（完整目录）</title></head><body><h1>全部商品</h1>\n').encode()
_HUGE_TAIL = b"</body></html>\n"
_HUGE_ROW = '<p class="filler">历史商品目录 archive row 0123456789 —— 仅供存档。</p>\n'.encode()
_HUGE_CHUNK = _HUGE_ROW * (65536 // len(_HUGE_ROW))


async def huge_body(size: int) -> AsyncIterator[bytes]:
    """Exactly ``size`` bytes of HTML in 64 KiB chunks (the same chunk object is reused)."""
    head, tail = _HUGE_HEAD[:size], _HUGE_TAIL
    remaining = size - len(head)
    yield head
    body = max(0, remaining - len(tail))
    while body > 0:
        chunk = _HUGE_CHUNK if body >= len(_HUGE_CHUNK) else _HUGE_CHUNK[:body]
        body -= len(chunk)
        yield chunk
        await asyncio.sleep(0)
    if remaining > 0:
        yield tail[: remaining]
