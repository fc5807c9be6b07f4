"""The miniapp API signature, shared by the server (verify) and clients (sign).

``sign = hex(HMAC-SHA256(app_secret, "&".join(f"{k}={v}" for k, v in sorted(params))))`` over
the decoded query parameters without ``sign`` (docs/mallsim.md). Kept free of aiohttp so the
crawler can import it.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping

DEMO_APP_KEY = "sw-demo"
DEMO_APP_SECRET = "mallsim-open-secret"
#: app_key -> app_secret accepted by the simulator.
APP_SECRETS: dict[str, str] = {DEMO_APP_KEY: DEMO_APP_SECRET}
MAX_SKEW_SECONDS = 300

Params = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(params: Params) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    return [(str(k), str(v)) for k, v in items if k != "sign"]


def canonical_string(params: Params) -> str:
    """The string that is signed: sorted ``k=v`` pairs joined by ``&``, ``sign`` excluded."""
    return "&".join(f"{k}={v}" for k, v in sorted(_pairs(params)))


def signature(params: Params, secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), canonical_string(params).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def signed_params(params: Mapping[str, str], app_key: str = DEMO_APP_KEY,
                  app_secret: str = DEMO_APP_SECRET, ts: int | None = None,
                  nonce: str | None = None) -> dict[str, str]:
    """``params`` plus app_key, ts, nonce and sign: ready to be sent as the query string."""
    out = {str(k): str(v) for k, v in params.items()}
    out["app_key"] = app_key
    out["ts"] = str(int(time.time()) if ts is None else ts)
    out["nonce"] = nonce if nonce is not None else secrets.token_hex(8)
    out["sign"] = signature(out, app_secret)
    return out


def verify(params: Iterable[tuple[str, str]], now: float | None = None) -> str | None:
    """None when the request is properly signed and fresh, else the API error text."""
    pairs = list(params)
    values = dict(pairs)
    secret = APP_SECRETS.get(values.get("app_key", ""))
    given = values.get("sign", "")
    if secret is None or not given or "nonce" not in values:
        return "bad signature"
    if not hmac.compare_digest(signature(pairs, secret), given.lower()):
        return "bad signature"
    try:
        ts = int(values.get("ts", ""))
    except ValueError:
        return "stale timestamp"
    if abs(ts - (time.time() if now is None else now)) > MAX_SKEW_SECONDS:
        return "stale timestamp"
    return None
