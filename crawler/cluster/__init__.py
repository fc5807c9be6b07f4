"""Distributed crawling on Redis: any number of ``shopwatch worker`` processes share one job's
frontier (leased, acknowledged requests), its dedupe (a scalable Bloom filter) and its
per-domain politeness. One concept per module; every Redis key is named in ``keys``."""
