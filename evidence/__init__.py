"""Evidence that holds up: WARC capture of crawled responses, per-hit evidence (the page's WARC
records, a highlighted full-page screenshot, a manifest of SHA-256 hashes), an append-only
chain-of-custody log, and case export/verify. Operator documentation: docs/evidence.md."""
from __future__ import annotations

import re
from pathlib import Path

#: A hit id as the store makes it (crawler.store.hits.hit_id): 16 lower-case hex characters.
HIT_ID_RE = re.compile(r"[0-9a-f]{16}")


def shopwatch_version() -> str:
    """The installed shopwatch version, recorded in every manifest and log entry."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shopwatch")
    except PackageNotFoundError:  # running from a source tree without an install
        return "0+unknown"


def evidence_root(data_dir: str | Path) -> Path:
    """Where fixed evidence lives: ``<data_dir>/evidence/<hit_id>/``."""
    return Path(data_dir) / "evidence"


def warc_root(data_dir: str | Path) -> Path:
    """Where crawl WARC files live: ``<data_dir>/warc/<job_id>/*.warc.gz``."""
    return Path(data_dir) / "warc"


def is_hit_id(text: str) -> bool:
    return bool(HIT_ID_RE.fullmatch(text or ""))
