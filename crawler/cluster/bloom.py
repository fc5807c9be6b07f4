"""Dedupe memory that stays bounded: a scalable Bloom filter in Redis, one per job.

scrapy-redis keeps every fingerprint as a 40-character hex SHA1 in a Redis set (≈100 bytes per
URL as measured by ``bench/dedupe.py``). Here a URL costs about ``k / ln 2`` bits: slice ``s``
holds ``capacity * growth**s`` fingerprints at false-positive rate ``error/2 * 0.5**s`` with
``k = ceil(-log2 p)`` bit positions, so the rates of all slices sum to at most ``error``. The
bits are set by the ``enqueue`` Lua script together with the queued request (``scripts``); this
module only derives the two hash values from a request fingerprint and reads the filter's shape.

Positions are ``(h1 + i*h2) mod m`` (Kirsch–Mitzenmacher double hashing); h1 and h2 are 40-bit
slices of the 20-byte SHA1 fingerprint, small enough for exact arithmetic in Lua's doubles.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


def hash_pair(fingerprint: bytes) -> tuple[int, int]:
    """(h1, h2) for the Bloom positions; h2 is odd so the probe sequence never stalls."""
    if len(fingerprint) < 10:
        raise ValueError(f"fingerprint too short for the Bloom filter: {len(fingerprint)} bytes (need 10)")
    return int.from_bytes(fingerprint[:5], "big"), int.from_bytes(fingerprint[5:10], "big") | 1


@dataclass(frozen=True)
class Slice:
    bits: int  # m
    hashes: int  # k
    capacity: int
    count: int


def slice_shape(index: int, error: float, capacity: int, growth: int) -> tuple[int, int, int]:
    """(bits, hashes, capacity) of slice ``index`` — the same formulas as the Lua script."""
    p = (error / 2) * 0.5 ** index
    k = math.ceil(-math.log(p) / math.log(2))
    cap = capacity * growth ** index
    return math.ceil(cap * k / math.log(2)), k, cap


def read_slices(server: Any, bloom_key: str) -> list[Slice]:
    """The filter's slices as stored (for status and the benchmark)."""
    raw = {k.decode() if isinstance(k, bytes) else k: int(float(v)) for k, v in server.hgetall(bloom_key).items()}
    return [Slice(raw[f"m{s}"], raw[f"k{s}"], raw[f"cap{s}"], raw.get(f"c{s}", 0)) for s in range(raw.get("n", 0))]


class BloomDedupe:
    """The job's filter on its own (no queue): ``seen_add`` answers "seen before?" and marks the
    new ones — what ``bench/dedupe.py`` measures against scrapy-redis's RFPDupeFilter. Workers
    never call it: their dedupe happens inside the atomic enqueue."""

    def __init__(self, server: Any, keys: Any, job_id: str, error: float = 1e-7, capacity: int = 8192,
                 growth: int = 2) -> None:
        from crawler.cluster.scripts import SEEN_ADD

        self.server, self.keys, self.job_id = server, keys, job_id
        self.shape = (error, capacity, growth)
        self._script = server.register_script(SEEN_ADD)

    def seen_add(self, fingerprints: list[bytes], client: Any = None) -> Any:
        """Flags (1 = seen before) for each fingerprint; with a pipeline as ``client`` the
        call is queued on it and the flags come from its ``execute()``."""
        args: list[Any] = [self.keys.prefix, self.job_id, *self.shape]
        for fp in fingerprints:
            args.extend(hash_pair(fp))
        return self._script(args=args, client=client or self.server)

    def memory(self) -> int:
        """Bytes Redis reports for the filter's keys (MEMORY USAGE)."""
        key = self.keys.job(self.job_id, "bloom")
        names = [key, *(self.keys.job(self.job_id, "bloom_slice", s=s) for s in range(len(read_slices(self.server, key))))]
        return sum(int(self.server.memory_usage(k) or 0) for k in names)
