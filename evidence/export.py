"""``evidence export``: hits' evidence directories as one case file (zip) for a case officer.

Layout: ``case.json`` (who exported what, when, and the SHA-256 of every other member),
``evidence/<hit_id>/…`` (as captured, unchanged) and ``custody.jsonl`` (the custody log as it
stood, so its hash chain can be checked). The export itself is logged in the custody log with
the zip's SHA-256.
"""
from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crawler.errors import UserError
from crawler.store.base import iso_utc
from evidence import custody, evidence_root, shopwatch_version
from evidence.manifest import MANIFEST_NAME, dumps, sha256_file

CASE_NAME = "case.json"
CUSTODY_MEMBER = "custody.jsonl"
CASE_FORMAT = "shopwatch-case/1"


def export_case(data_dir: str | Path, hit_ids: Iterable[str], out: str | Path, *,
                campaign: str | None = None) -> dict[str, Any]:
    """Write the case zip; return its ``case.json``. Every hit must have evidence."""
    data_dir, out = Path(data_dir), Path(out)
    ids = sorted(set(hit_ids))
    if not ids:
        raise UserError("nothing to export: no hits" + (f" in campaign {campaign!r}" if campaign else ""))
    root = evidence_root(data_dir)
    missing = [h for h in ids if not (root / h / MANIFEST_NAME).is_file()]
    if missing:
        raise UserError(f"{len(missing)} hit(s) have no evidence yet ({', '.join(missing[:5])}"
                        f"{' …' if len(missing) > 5 else ''}); run: shopwatch evidence capture")
    if out.exists():
        raise UserError(f"{out} exists; a case file is never overwritten: choose another --out")
    members: list[tuple[str, Path]] = []
    for hid in ids:
        for path in sorted((root / hid).iterdir()):
            if path.is_file() and not path.is_symlink():
                members.append((f"evidence/{hid}/{path.name}", path))
    files = {}
    for name, path in members:
        digest, size = sha256_file(path)
        files[name] = {"sha256": digest, "bytes": size}
    log = custody.log_path(data_dir)
    log_bytes = log.read_bytes() if log.is_file() else None  # read once: it may grow meanwhile
    if log_bytes is not None:
        files[CUSTODY_MEMBER] = {"sha256": hashlib.sha256(log_bytes).hexdigest(), "bytes": len(log_bytes)}
    case = {"format": CASE_FORMAT, "exported_at": iso_utc(), "exported_by": custody.actor(),
            "shopwatch_version": shopwatch_version(), "campaign": campaign, "hits": ids, "files": files}
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "x", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(CASE_NAME, dumps(case))
            for name, path in members:
                zf.write(path, name)
            if log_bytes is not None:
                zf.writestr(CUSTODY_MEMBER, log_bytes)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    custody.append(data_dir, "exported", ids, file=str(out), sha256=sha256_file(out)[0], campaign=campaign)
    return case
