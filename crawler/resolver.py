"""Host-suffix DNS mapping for Scrapy, so crawls reach the simulator without touching /etc/hosts.

``SHOPWATCH_RESOLVE = {"mallsim.test": "127.0.0.1"}`` sends ``weishop.mallsim.test`` (and any other
host ending in ``.mallsim.test``) to 127.0.0.1; every other name goes through Scrapy's normal
caching threaded resolver. The port stays in the URL (``http://weishop.mallsim.test:8800/``), the
``Host`` header keeps the name, so the simulator still tells platforms apart.

Scrapy installs the resolver on the reactor (``TWISTED_DNS_RESOLVER``) when a ``CrawlerProcess``
starts; the HTTP/1.1 download handler connects through ``reactor.nameResolver``, which Twisted
builds from this ``IResolverSimple``. ``CrawlerRunner`` does not install resolvers: call
``install_mapped_resolver(settings)`` yourself in that case.
"""
from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from twisted.internet import defer
from zope.interface import implementer
from twisted.internet.interfaces import IResolverSimple

from scrapy.resolver import CachingThreadedResolver

if TYPE_CHECKING:
    from collections.abc import Sequence

    from twisted.internet.base import ReactorBase
    from twisted.internet.defer import Deferred
    from typing_extensions import Self

    from scrapy.crawler import Crawler


def parse_resolve_setting(value: Any) -> dict[str, str]:
    """``SHOPWATCH_RESOLVE`` as ``{suffix: address}``.

    Accepts a mapping, a JSON object string (``-s SHOPWATCH_RESOLVE='{"mallsim.test": "127.0.0.1"}'``)
    or ``"suffix=address,suffix2=address2"``. Addresses must be IP literals: the point is to skip
    DNS, and a name here would loop back into the resolver.
    """
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = json.loads(text)
        else:
            pairs = [p for p in (s.strip() for s in text.split(",")) if p]
            parsed: dict[str, str] = {}
            for pair in pairs:
                if "=" not in pair:
                    raise ValueError(f"SHOPWATCH_RESOLVE: expected suffix=address, got {pair!r}")
                suffix, address = pair.split("=", 1)
                parsed[suffix.strip()] = address.strip()
            value = parsed
    if not isinstance(value, Mapping):
        raise ValueError(f"SHOPWATCH_RESOLVE must be a mapping of host suffix to address, got {value!r}")
    mapping: dict[str, str] = {}
    for suffix, address in value.items():
        suffix = str(suffix).strip().lower().strip(".")
        address = str(address).strip()
        if not suffix:
            raise ValueError("SHOPWATCH_RESOLVE: empty host suffix")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(f"SHOPWATCH_RESOLVE: {suffix!r} must map to an IP address, got {address!r}") from None
        mapping[suffix] = address
    return mapping


def lookup(mapping: Mapping[str, str], name: str) -> str | None:
    """Address for ``name`` when it equals or ends with a mapped suffix (longest suffix wins)."""
    host = name.lower().rstrip(".")
    best: tuple[int, str] | None = None
    for suffix, address in mapping.items():
        if host == suffix or host.endswith("." + suffix):
            if best is None or len(suffix) > best[0]:
                best = (len(suffix), address)
    return best[1] if best else None


def chromium_host_rules(mapping: Mapping[str, str]) -> str:
    """The same mapping as Chromium's ``--host-resolver-rules`` value (browser downloads)."""
    rules = []
    for suffix, address in mapping.items():
        rules.append(f"MAP {suffix} {address}")
        rules.append(f"MAP *.{suffix} {address}")
    return ", ".join(rules)


@implementer(IResolverSimple)
class MappedResolver(CachingThreadedResolver):
    """CachingThreadedResolver that answers mapped host suffixes itself (no thread, no cache)."""

    def __init__(self, reactor: ReactorBase, cache_size: int, timeout: float,
                 mapping: Mapping[str, str] | None = None) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.mapping: dict[str, str] = dict(mapping or {})

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        # ``crawler`` is the CrawlerProcess here (Scrapy passes it): only its settings are used.
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        mapping = parse_resolve_setting(settings.get("SHOPWATCH_RESOLVE"))
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), mapping)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        address = lookup(self.mapping, name)
        if address is not None:
            return defer.succeed(address)
        return super().getHostByName(name, timeout)


def install_mapped_resolver(settings: Any, reactor: Any = None) -> MappedResolver:
    """Install the mapping on ``reactor`` (for CrawlerRunner users; CrawlerProcess does it itself)."""
    if reactor is None:
        from twisted.internet import reactor as default_reactor

        reactor = default_reactor

    class _Holder:  # from_crawler only reads .settings
        pass

    holder = _Holder()
    holder.settings = settings  # type: ignore[attr-defined]
    resolver = MappedResolver.from_crawler(holder, reactor)  # type: ignore[arg-type]
    resolver.install_on_reactor()
    return resolver
