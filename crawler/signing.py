"""Client side of the miniapp API signature (docs/mallsim.md, "miniapp").

``sign = hex(HMAC-SHA256(app_secret, "&".join(f"{k}={v}" for k, v in sorted(params))))`` over the
decoded query parameters without ``sign``, with ``app_key``, ``ts`` (unix seconds) and a fresh
``nonce`` added. Signatures expire after five minutes, so the crawler signs each request when it
is about to be sent (``crawler.middlewares.MiniappSigningMiddleware``), never when it is queued.
Kept independent of the simulator package: a real platform's client would live here too.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Parameters the signer owns; stale copies are removed before re-signing (e.g. on retry).
SIGNATURE_PARAMS: frozenset[str] = frozenset({"app_key", "ts", "nonce", "sign"})


def canonical_string(pairs: list[tuple[str, str]]) -> str:
    """What is signed: sorted ``k=v`` pairs joined by ``&``, ``sign`` excluded."""
    return "&".join(f"{k}={v}" for k, v in sorted((k, v) for k, v in pairs if k != "sign"))


def signature(pairs: list[tuple[str, str]], secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), canonical_string(pairs).encode("utf-8"), hashlib.sha256).hexdigest()


def sign_url(url: str, app_key: str, app_secret: str, *, now: float | None = None,
             nonce: str | None = None) -> str:
    """``url`` with fresh ``app_key``/``ts``/``nonce``/``sign`` query parameters (old ones replaced)."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in SIGNATURE_PARAMS]
    pairs += [
        ("app_key", app_key),
        ("ts", str(int(time.time() if now is None else now))),
        ("nonce", nonce if nonce is not None else secrets.token_hex(8)),
    ]
    pairs.append(("sign", signature(pairs, app_secret)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(pairs), parts.fragment))


def strip_signature(url: str) -> str:
    """``url`` without the signature parameters (for logs and canonical forms)."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in SIGNATURE_PARAMS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(pairs), parts.fragment))
